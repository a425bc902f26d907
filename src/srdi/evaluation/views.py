"""Web pages: each enterprise's verdicts (with indicators, gaps and the trace), and what-if."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from srdi import rules
from srdi.accounts import scopes

from .formatting import outcome_zh, size_zh
from .services import evaluate_enterprises, latest_results

MET_ZH = {True: "满足", False: "不满足", None: "待定"}
STATUS_ZH = {"verified": "", "partial": "部分核实", "unverified": "待核实"}


def _enterprise(user, uscc: str):
    from srdi.core import access
    from srdi.registry.models import Enterprise

    return access.get(user, Enterprise, uscc=(uscc or "").strip().upper())


def _day(request):
    try:
        return rules.as_date(request.GET.get("as_of") or None)
    except ValueError:
        messages.error(request, _("评估日期无效，已按今天评估"))
        return rules.as_date(None)


@login_required
def enterprise_evaluation(request, uscc: str):
    from srdi.registry.selectors import build_profile

    e = _enterprise(request.user, uscc)
    day = _day(request)
    review = request.GET.get("review") == "1"
    if request.method == "POST":
        evaluate_enterprises(
            type(e).objects.filter(pk=e.pk),
            None,
            day,
            review,
            user=request.user,  # the service refuses banks and commissioners (403)
        )
        messages.success(request, _("评估结果已保存（含规则版本与输入快照）"))
        return redirect(f"{request.path}?as_of={day.isoformat()}{'&review=1' if review else ''}")
    profile = build_profile(e)
    cards = []
    for sid in rules.standards_in_force(day, review):
        std = rules.load_standard(sid)
        r = rules.evaluate(profile, sid, day, review, explain=True)
        for c in r["conditions"]:
            c["met_zh"] = MET_ZH[c["met"]]
            c["status_zh"] = STATUS_ZH.get(c.get("status", "verified"), "")
        for i in r["indicators"]:
            i["status_zh"] = STATUS_ZH.get(i.get("status", "verified"), "")
        cards.append(
            {
                "std": std,
                "status_zh": STATUS_ZH.get(std.status, ""),
                "r": r,
                "outcome_zh": outcome_zh(r["outcome"]),
                "size_zh": size_zh(r.get("size_class")),
            }
        )
    ladder = rules.next_tier(profile, day, review)
    return render(
        request,
        "evaluation/enterprise.html",
        {
            "e": e,
            "day": day,
            "review": review,
            "cards": cards,
            "ladder": ladder,
            "records": latest_results(e),
        },
    )


@login_required
def whatif_page(request):
    from srdi.registry.selectors import iter_profiles
    from srdi.rules.whatif import parse_change, whatif

    if not scopes.is_official(request.user):
        raise PermissionDenied(_("仅工作人员可使用规则测算"))
    standards = [s for s in rules.list_standards() if s.kind == "criteria"]
    form = {
        "standard": request.POST.get("standard") or "srdi-sme@2022",
        "changes": request.POST.get("changes") or "score.pass = 55",
        "as_of": request.POST.get("as_of") or rules.as_date(None).isoformat(),
        "review": request.POST.get("review") == "1",
    }
    report, errors = None, []
    if request.method == "POST":
        changes = []
        for line in form["changes"].splitlines():
            if line.strip():
                try:
                    changes.append(parse_change(line))
                except ValueError as exc:
                    errors.append(str(exc))
        try:
            day = rules.as_date(form["as_of"])
        except ValueError:
            errors.append(_("评估日期无效，应为 YYYY-MM-DD"))
        if not changes and not errors:
            errors.append(_("请至少填写一项修改"))
        if not errors:
            profiles = list(iter_profiles(scopes.visible_enterprises(request.user)))
            try:
                report = whatif(profiles, form["standard"], changes, day, form["review"])
            except (rules.RuleError, KeyError) as exc:
                errors.append(
                    _("修改后的规则无效：%(e)s")
                    % {"e": exc.args[0] if isinstance(exc, KeyError) else exc}
                )
        if report:
            for c in report["changed"]:
                c["before_zh"] = outcome_zh(c["before"]["outcome"])
                c["after_zh"] = outcome_zh(c["after"]["outcome"])
    chosen = next((s for s in standards if s.id == form["standard"]), standards[0])
    return render(
        request,
        "evaluation/whatif.html",
        {
            "standards": standards,
            "form": form,
            "report": report,
            "errors": errors,
            "rule_text": chosen.path.read_text(encoding="utf-8"),
        },
    )

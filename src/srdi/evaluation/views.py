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
    from srdi.finance import consent  # a partner sees results only with "diagnosis" granted

    e = access.get(user, consent.visible_for(user, "diagnosis"), uscc=(uscc or "").strip().upper())
    consent.record(user, e, ["diagnosis"], "page", "认定标准评估")
    return e


def _visible(user):
    from srdi.finance import consent

    return consent.visible_for(user, "diagnosis")


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
    titles = {c["std"].id: c["std"].title_zh for c in cards}
    for s in ladder.get("ladder", []):
        s["standard_title"] = titles.get(s.get("standard"), s.get("tier_label", ""))
    records = latest_results(e)
    for rec in records:
        rec.standard_title = titles.get(rec.standard, "")
    return render(
        request,
        "evaluation/enterprise.html",
        {
            "e": e,
            "day": day,
            "review": review,
            "cards": cards,
            "ladder": ladder,
            "records": records,
        },
    )


@login_required
def whatif_page(request):
    """规则测算: pick a standard, one of its thresholds and a new value; runs as a job."""
    from srdi.core import jobs

    from . import whatif_form as W
    from .tasks import whatif_task

    if not scopes.is_official(request.user):
        raise PermissionDenied(_("仅工作人员可使用规则测算"))
    standards = [s for s in rules.list_standards() if s.kind == "criteria"]
    src = request.POST if request.method == "POST" else request.GET
    chosen = next((s for s in standards if s.id == src.get("standard")), None) or next(
        (s for s in standards if s.id == "srdi-sme@2026"), standards[0]
    )
    options = W.thresholds(chosen)
    form = {
        "standard": chosen.id,
        "key": src.get("key") or (options[0]["key"] if options else ""),
        "value": src.get("value") or "",
        "as_of": src.get("as_of") or rules.as_date(None).isoformat(),
        "review": src.get("review") == "1",
    }
    errors = []
    if request.method == "POST":
        try:
            day = rules.as_date(form["as_of"])
        except ValueError:
            errors.append(_("评估日期无效，应为 YYYY-MM-DD"))
            day = None
        try:
            W.changes_for(chosen, form["key"], form["value"])
        except ValueError as exc:
            errors.append(str(exc))
        if not errors:
            job = jobs.create(
                "whatif",
                _("规则测算：%(s)s") % {"s": chosen.title_zh},
                request.user,
                params={**form, "as_of": day.isoformat()},
            )
            job.params["next"] = f"/evaluation/whatif/jobs/{job.pk}/"
            job.save(update_fields=["params"])
            whatif_task(job.pk)
            return redirect("core:job", pk=job.pk)
    return render(
        request,
        "evaluation/whatif.html",
        {
            "standards": standards,
            "chosen": chosen,
            "options": options,
            "form": form,
            "errors": errors,
            "current": next((o["current"] for o in options if o["key"] == form["key"]), ""),
        },
    )


@login_required
def whatif_result(request, pk):
    import json

    from django.http import Http404

    from srdi.core import access
    from srdi.core.models import Job

    job = access.get(request.user, Job.objects.filter(kind="whatif"), pk=pk)
    if job.status != Job.Status.DONE or not job.result_file:
        return redirect("core:job", pk=job.pk)
    try:
        with job.result_file.open("rb") as fh:
            report = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        raise Http404(_("测算结果已超过保留期限被清理，请重新测算。")) from None
    for c in report["changed"]:
        c["before_zh"] = outcome_zh(c["before"]["outcome"])
        c["after_zh"] = outcome_zh(c["after"]["outcome"])
    return render(
        request,
        "evaluation/whatif_result.html",
        {"job": job, "report": report, "changed": report["changed"][:500]},
    )

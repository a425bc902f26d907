"""Pages of innovation (thin: lookups through srdi.core.access, writes through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from srdi.core import access, xlsx
from srdi.core import formatting as fmt
from srdi.registry.models import Enterprise

from . import scopes, selectors, services
from .models import (
    FIELDS,
    Application,
    Capability,
    Challenge,
    ChallengeItem,
    Match,
    Milestone,
    Need,
    Team,
)


def _errors(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _page(request, qs, size=30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


# ------------------------------------------------------------------------------- index
@login_required
def index(request):
    user = request.user
    ctx = {"is_university": scopes.is_university(user), "is_kjj": scopes.is_kjj(user),
           "sees_all": scopes.sees_all(user), "is_enterprise": scopes.is_enterprise(user)}  # fmt: skip
    if not (
        ctx["is_university"]
        or ctx["sees_all"]
        or user.role in {"enterprise", "region_officer", "commissioner"}
    ):
        return redirect("innovation:challenges")
    ctx["needs"] = selectors.needs_for(user)[:10]
    ctx["matches"] = selectors.matches_for(user).exclude(state=Match.State.CLOSED)[:10]
    if ctx["is_university"]:
        ctx["teams"] = scopes.visible_teams(user).prefetch_related("capabilities")
    if ctx["sees_all"]:
        ctx["overview"] = selectors.overview()
    return render(request, "innovation/index.html", ctx)


# ------------------------------------------------------------------------------- needs
@login_required
def need_list(request):
    q, field, status = (request.GET.get(k, "").strip() for k in ("q", "field", "status"))
    qs = selectors.needs_for(request.user, q=q, field=field, status=status)
    if request.GET.get("format") == "xlsx":
        rows = [
            [n.title, n.enterprise.name, n.field, n.get_confidentiality_display(),
             n.budget, fmt.date_iso(n.deadline), n.get_status_display(), fmt.date_iso(n.created_at)]
            for n in qs[:20000]
        ]  # fmt: skip
        content = xlsx.workbook([xlsx.Sheet(_("技术需求"), [_("需求名称"), _("企业"), _("领域"),
                                 _("公开范围"), _("预算（万元）"), _("截止日期"), _("状态"),
                                 _("发布时间")], rows)])  # fmt: skip
        return xlsx.response(content, "技术需求.xlsx")
    return render(request, "innovation/need_list.html", {
        "page": _page(request, qs), "q": q, "field": field, "status": status, "fields": FIELDS,
        "statuses": Need.Status.choices, "may_post": scopes.is_enterprise(request.user)
        or request.user.role == "commissioner",
    })  # fmt: skip


@login_required
def need_detail(request, pk):
    need = access.get(request.user, Need.objects.select_related("enterprise"), pk=pk)
    matches = (
        scopes.visible_matches(request.user).filter(need=need).select_related("capability__team")
    )
    return render(request, "innovation/need_detail.html", {
        "need": need, "matches": matches.order_by("-score"),
        "may_edit": access.may_write(request.user, need),
        "shares": need.allowed_institutions,
    })  # fmt: skip


@login_required
def need_edit(request, pk=None):
    user = request.user
    need = access.get(user, Need, write=True, pk=pk) if pk else None
    if need:
        enterprise = need.enterprise
    elif scopes.is_enterprise(user):
        enterprise = user.enterprise
    else:
        enterprise = access.get(
            user,
            Enterprise,
            uscc=(request.GET.get("uscc") or request.POST.get("uscc") or "").strip().upper(),
        )
        if not scopes.may_post_need(user, enterprise):
            raise PermissionDenied(_("只有企业本身或其服务专员可以发布该企业的技术需求。"))
    data = request.POST if request.method == "POST" else None
    if data is not None:
        payload = data.dict() | {"allowed_institutions": data.get("allowed_institutions", "")}
        try:
            need = services.save_need(user, enterprise, payload, need)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已保存，并已重新匹配高校院所团队。"))
            return redirect("innovation:need", pk=need.pk)
    return render(request, "innovation/need_edit.html", {
        "need": need, "enterprise": enterprise, "fields": FIELDS, "data": data,
        "levels": Need.Confidentiality.choices, "statuses": Need.Status.choices,
    })  # fmt: skip


@login_required
@require_POST
def need_rematch(request, pk):
    need = access.get(request.user, Need, write=True, pk=pk)
    services.recommend_for_need(need)
    messages.success(request, _("已重新匹配。"))
    return redirect("innovation:need", pk=pk)


# ------------------------------------------------------------------- teams, capabilities
@login_required
def team_list(request):
    teams = scopes.visible_teams(request.user).prefetch_related("capabilities")
    return render(request, "innovation/team_list.html", {
        "page": _page(request, teams), "may_add": scopes.is_university(request.user),
    })  # fmt: skip


@login_required
def team_detail(request, pk):
    team = access.get(request.user, Team, pk=pk)
    caps = scopes.visible_capabilities(request.user).filter(team=team)
    return render(request, "innovation/team_detail.html",
                  {"team": team, "caps": caps, "may_edit": access.may_write(request.user, team)})  # fmt: skip


@login_required
def team_edit(request, pk=None):
    team = access.get(request.user, Team, write=True, pk=pk) if pk else None
    if team is None and not scopes.is_university(request.user):
        raise PermissionDenied(_("只有高校院所用户可以登记科研团队。"))
    if request.method == "POST":
        try:
            team = services.save_team(request.user, request.POST.dict(), team)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("innovation:team", pk=team.pk)
    return render(
        request, "innovation/team_edit.html", {"team": team, "data": request.POST or None}
    )


@login_required
def capability_list(request):
    q, field = request.GET.get("q", "").strip(), request.GET.get("field", "")
    qs = scopes.visible_capabilities(request.user).select_related("team")
    if q:
        from django.db.models import Q

        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(team__institution__icontains=q)
        )
    if field:
        qs = qs.filter(field=field)
    return render(request, "innovation/capability_list.html",
                  {"page": _page(request, qs.order_by("team__institution", "title")), "q": q,
                   "field": field, "fields": FIELDS})  # fmt: skip


@login_required
def capability_detail(request, pk):
    cap = access.get(request.user, Capability.objects.select_related("team"), pk=pk)
    ctx = {"cap": cap, "may_edit": access.may_write(request.user, cap)}
    if ctx["may_edit"] and scopes.is_university(request.user):
        ctx["fits"] = services.rank_needs(cap, top=10)  # the capability → needs direction
    return render(request, "innovation/capability_detail.html", ctx)


@login_required
def capability_edit(request, pk=None, team_pk=None):
    cap = access.get(request.user, Capability, write=True, pk=pk) if pk else None
    team = cap.team if cap else access.get(request.user, Team, write=True, pk=team_pk)
    if request.method == "POST":
        try:
            cap = services.save_capability(request.user, team, request.POST.dict(), cap)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("innovation:capability", pk=cap.pk)
    return render(request, "innovation/capability_edit.html", {
        "cap": cap, "team": team, "fields": FIELDS, "kinds": Capability.Kind.choices,
        "data": request.POST or None,
    })  # fmt: skip


@login_required
@require_POST
def capability_propose(request, pk, need_pk):
    cap = access.get(request.user, Capability, write=True, pk=pk)
    need = access.get(request.user, Need, pk=need_pk)
    m = services.propose_match(request.user, cap, need)
    messages.success(request, _("已发起对接，等待企业回应。"))
    return redirect("innovation:match", pk=m.pk)


# ----------------------------------------------------------------------------- matches
@login_required
def match_list(request):
    state, q = request.GET.get("state", ""), request.GET.get("q", "").strip()
    qs = selectors.matches_for(request.user, state=state, q=q)
    return render(request, "innovation/match_list.html", {
        "page": _page(request, qs), "state": state, "q": q, "states": Match.State.choices,
    })  # fmt: skip


@login_required
def match_detail(request, pk):
    m = access.get(
        request.user, Match.objects.select_related("need__enterprise", "capability__team"), pk=pk
    )
    sides = services.sides_of(request.user, m)
    return render(request, "innovation/match_detail.html", {
        "m": m, "events": m.events.select_related("actor"),
        "transitions": [(e, services.TRANSITION_LABELS[e]) for e in services.allowed_transitions(request.user, m)],
        "may_verdict": bool(sides - {"kjj"}) and m.state in (Match.State.RECOMMENDED, Match.State.DOCKING),
        "project": getattr(m, "project", None),
    })  # fmt: skip


@login_required
@require_POST
def match_verdict(request, pk):
    m = access.get(request.user, Match, write=True, pk=pk)
    try:
        services.give_verdict(
            request.user, m, request.POST.get("verdict") == "accept", request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("innovation:match", pk=pk)


@login_required
@require_POST
def match_transition(request, pk):
    m = access.get(request.user, Match, write=True, pk=pk)
    try:
        services.transition(request.user, m, request.POST.get("event", ""), request.POST.get("note", ""),
                            project=request.POST.dict())  # fmt: skip
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已更新对接状态。"))
    return redirect("innovation:match", pk=pk)


# ------------------------------------------------------------------ projects, 科技副总
@login_required
def project_list(request):
    qs = scopes.visible_projects(request.user).select_related("enterprise")
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(signed_on__year=int(year))
    if request.GET.get("format") == "xlsx":
        rows = [[p.title, p.enterprise.name, p.institution, p.contract_amount, p.funding,
                 fmt.date_iso(p.signed_on), fmt.date_iso(p.concluded_on)] for p in qs]  # fmt: skip
        return xlsx.response(xlsx.workbook([xlsx.Sheet(_("产学研合作项目"), [_("项目名称"), _("企业"),
            _("合作高校院所"), _("合同金额（万元）"), _("财政资助（万元）"), _("签约日期"), _("结题日期")], rows)]),
            "产学研合作项目.xlsx")  # fmt: skip
    return render(
        request,
        "innovation/project_list.html",
        {"page": _page(request, qs), "year": year, "may_add": scopes.is_kjj(request.user)},
    )


def _enterprise_from(request):
    return access.get(
        request.user, Enterprise, uscc=(request.POST.get("uscc") or "").strip().upper()
    )


@login_required
def project_new(request):
    if not scopes.is_kjj(request.user):
        raise PermissionDenied(_("仅科技局用户可登记产学研合作项目。"))
    if request.method == "POST":
        try:
            services.save_project(request.user, _enterprise_from(request), request.POST.dict())
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已登记。"))
            return redirect("innovation:projects")
    return render(request, "innovation/project_edit.html", {"data": request.POST or None})


@login_required
def techvp_list(request):
    qs = scopes.visible_tech_vps(request.user).select_related("enterprise")
    return render(
        request,
        "innovation/techvp_list.html",
        {"page": _page(request, qs), "may_add": scopes.is_kjj(request.user)},
    )


@login_required
def techvp_new(request):
    if not scopes.is_kjj(request.user):
        raise PermissionDenied(_("仅科技局用户可登记科技副总。"))
    if request.method == "POST":
        try:
            services.save_tech_vp(request.user, _enterprise_from(request), request.POST.dict())
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已登记。"))
            return redirect("innovation:techvps")
    return render(request, "innovation/techvp_edit.html", {"data": request.POST or None})


# ----------------------------------------------------------------------------- 揭榜挂帅
@login_required
def challenge_list(request):
    qs = scopes.visible_challenges(request.user).prefetch_related("items__need")
    return render(
        request,
        "innovation/challenge_list.html",
        {"challenges": qs, "may_add": scopes.is_kjj(request.user)},
    )


@login_required
def challenge_new(request):
    if not scopes.is_kjj(request.user):
        raise PermissionDenied(_("仅科技局用户可发布揭榜挂帅榜单。"))
    needs = Need.objects.filter(status=Need.Status.OPEN).exclude(
        confidentiality=Need.Confidentiality.NAMED).select_related("enterprise")[:300]  # fmt: skip
    if request.method == "POST":
        ids = request.POST.getlist("needs")
        rewards = {i: request.POST.get(f"reward_{i}") for i in ids}
        try:
            c = services.create_challenge(request.user, request.POST.dict(), ids, rewards)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            return redirect("innovation:challenge", pk=c.pk)
    return render(
        request, "innovation/challenge_edit.html", {"needs": needs, "data": request.POST or None}
    )


@login_required
def challenge_detail(request, pk):
    user = request.user
    c = access.get(user, Challenge, pk=pk)
    items = list(c.items.select_related("need__enterprise"))
    apps = (
        scopes.visible_applications(user)
        .filter(item__challenge=c)
        .select_related("team", "item__need")
    )
    return render(request, "innovation/challenge_detail.html", {
        "c": c, "items": items, "apps": apps.prefetch_related("milestones"),
        "is_kjj": scopes.is_kjj(user),
        "teams": scopes.visible_teams(user) if scopes.is_university(user) else [],
    })  # fmt: skip


@login_required
@require_POST
def challenge_publish(request, pk):
    c = access.get(request.user, Challenge, write=True, pk=pk)
    try:
        services.publish_challenge(request.user, c)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("innovation:challenge", pk=pk)


@login_required
@require_POST
def challenge_apply(request, item_pk):
    item = access.get(request.user, ChallengeItem.objects.select_related("challenge", "need"), pk=item_pk)  # fmt: skip
    team = access.get(request.user, Team, write=True, pk=request.POST.get("team") or 0)
    try:
        services.apply_for(request.user, item, team, request.POST.dict())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已揭榜。"))
    return redirect("innovation:challenge", pk=item.challenge_id)


def _app_action(request, pk, fn):
    a = access.get(request.user, Application.objects.select_related("item"), write=True, pk=pk)
    try:
        fn(a)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("innovation:challenge", pk=a.item.challenge_id)


@login_required
@require_POST
def application_decide(request, pk):
    return _app_action(
        request,
        pk,
        lambda a: services.decide(
            request.user, a, request.POST.get("selected") == "1", request.POST.get("reason", "")
        ),
    )


@login_required
@require_POST
def milestone_add(request, pk):
    return _app_action(
        request, pk, lambda a: services.add_milestone(request.user, a, request.POST.dict())
    )


@login_required
@require_POST
def application_accept(request, pk):
    return _app_action(
        request,
        pk,
        lambda a: services.accept_application(request.user, a, request.POST.get("note", "")),
    )


@login_required
@require_POST
def milestone_done(request, pk):
    ms = access.get(request.user, Milestone.objects.select_related("application__item"), pk=pk)
    try:
        services.complete_milestone(
            request.user, ms, request.POST.get("done_on"), request.POST.get("paid_on")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("innovation:challenge", pk=ms.application.item.challenge_id)


# ------------------------------------------------------------------------ patents and IP
@login_required
def patent_list(request):
    from srdi.accounts import scopes as acc
    from srdi.finance import consent  # a partner sees IP only where the enterprise granted it
    from srdi.registry.models import IPAsset

    from . import patents

    ents = consent.visible_for(request.user, "ip")
    qs = (
        IPAsset.objects.filter(enterprise__in=ents)
        .select_related("enterprise")
        .order_by("enterprise__name", "-granted", "pk")
    )
    uscc = request.GET.get("uscc", "").strip().upper()
    if uscc:
        qs = qs.filter(enterprise__uscc=uscc)
    own = request.user.enterprise if scopes.is_enterprise(request.user) else None
    target = own or (Enterprise.objects.filter(uscc=uscc, pk__in=ents).first() if uscc else None)
    return render(request, "innovation/patent_list.html", {
        "page": _page(request, qs), "uscc": uscc, "services": patents.catalogue(),
        "flags": patents.high_value_labels(), "target": target,
        "priority": patents.priority_exam_candidates(target) if target else None,
        "navigation": patents.navigation_eligible(target) if target else None,
        "may_import": acc.is_official(request.user) or own is not None,
        "may_request": target is not None and _may_file(request.user, target),
        "ip_requests": _ip_requests(target),
    })  # fmt: skip


def _may_file(user, enterprise) -> bool:
    from srdi.support import scopes as support_scopes

    return support_scopes.may_file(user, enterprise)


def _ip_requests(enterprise):
    """The enterprise's 专利导航 / 优先审查 requests filed through the service system."""
    if enterprise is None:
        return []
    from srdi.support.models import ServiceRequest

    return list(
        ServiceRequest.objects.filter(enterprise=enterprise, subkind__in=IP_REQUESTS).order_by(
            "-filed_at"
        )[:10]
    )


#: the IP services an enterprise asks for as a request (support/data/routing.yaml: 技术 → 细类)
IP_REQUESTS = {"patent_navigation": _lazy("专利导航"), "priority_examination": _lazy("优先审查")}


@login_required
def ip_request(request, uscc, kind):
    """Ask for 专利导航 or 优先审查 (plan 二(五)): a request routed by the service system."""
    from srdi.support import services as support

    e = access.get(request.user, Enterprise, uscc=str(uscc or "").strip().upper())
    if kind not in IP_REQUESTS:
        raise Http404(_("没有这项知识产权服务。"))
    if request.method != "POST":
        return redirect(f"{reverse('innovation:patents')}?uscc={e.uscc}")
    note = (request.POST.get("note") or "").strip()
    label = str(IP_REQUESTS[kind])
    description = _("%(e)s申请%(k)s服务。") % {"e": e.name, "k": label}
    if note:
        description += "\n" + note
    try:
        r = support.file_request(request.user, e, "technology", description, subkind=kind,
                                 source="innovation.ip", title=_("申请%(k)s") % {"k": label})  # fmt: skip
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('innovation:patents')}?uscc={e.uscc}")
    messages.success(
        request, _("已提交%(k)s申请，已转%(d)s办理。") % {"k": label, "d": r.department_label}
    )
    return redirect("support:request", pk=r.pk)


@login_required
def patent_template(request):
    from . import patents

    return xlsx.response(patents.template(), "知识产权导入模板.xlsx")


@login_required
def patent_import(request):
    from . import patents

    if request.method == "POST" and request.FILES.get("file"):
        f = request.FILES["file"]
        if f.size > 20 * 1024 * 1024:
            messages.error(request, _("文件过大（超过 20 MB）。"))
        else:
            try:
                res = patents.import_xlsx(request.user, f.read())
            except ValidationError as exc:
                return render(request, "innovation/patent_import.html", {"problems": exc.messages})
            messages.success(request, _("已导入知识产权 %(n)d 条。") % {"n": res["rows"]})
            return redirect("innovation:patents")
    return render(request, "innovation/patent_import.html", {})

"""Pages of the service system (thin: lookups through srdi.core.access, writes through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.accounts.roles import Department, Role
from srdi.core import access, xlsx
from srdi.core import formatting as fmt
from srdi.registry.models import Enterprise

from . import assignment, config, docx, scopes, selectors, services, workdays, workspace
from .models import (
    AssignmentEvent,
    CommissionerProfile,
    Contact,
    PlanItem,
    RequestAttachment,
    ServicePlan,
    ServiceRequest,
    Visit,
    VisitFile,
)


def _errors(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _page(request, qs, size=30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _require_user(user) -> None:
    if not workspace._uses(user):
        raise PermissionDenied(_("服务体系仅向政府部门、服务专员、板块和企业开放。"))


def _enterprise(request, uscc):
    return access.get(request.user, Enterprise, uscc=str(uscc or "").strip().upper())


# ------------------------------------------------------------------------------- index
@login_required
def index(request):
    user = request.user
    _require_user(user)
    if scopes.is_enterprise(user):
        return redirect("support:plan_own")
    panels = []
    for key, fn in (
        ("support_commissioner", workspace.commissioner_panel),
        ("support_department", workspace.department_panel),
        ("support_region", workspace.region_panel),
        ("support_admin", workspace.admin_panel),
    ):
        role = {"support_commissioner": Role.COMMISSIONER, "support_department": Role.DEPARTMENT,
                "support_region": Role.REGION_OFFICER, "support_admin": Role.ADMIN}[key]  # fmt: skip
        if workspace.workspace.role_of(user) != role:
            continue
        ctx = fn(request)
        if ctx:
            panel = workspace.workspace._PANELS[key]
            html = render_to_string(panel.template, ctx, request=request)
            panels.append({"title": panel.title, "html": html})
    return render(request, "support/index.html", {"panels": panels,
                                                  "is_admin": scopes.is_admin(user)})  # fmt: skip


# ------------------------------------------------------------------------------ requests
@login_required
def request_list(request):
    user = request.user
    _require_user(user)
    g = request.GET
    f = {k: g.get(k, "").strip() for k in ("q", "state", "category", "department", "region")}
    overdue = g.get("overdue") == "1"
    qs = selectors.requests_for(user, overdue=overdue, **f)
    today = timezone.localdate()
    if g.get("format") == "xlsx":
        rows = []
        for r in qs[:50000]:
            rows.append([r.pk, r.enterprise.name, r.enterprise.uscc, config.category_label(r.category),
                         r.title, services.department_label(r.department), r.get_state_display(),
                         fmt.date_iso(r.filed_on), fmt.date_iso(r.accept_due),
                         fmt.date_iso(r.close_due), services.overdue_days(r, today),
                         r.rating or ""])  # fmt: skip
        content = xlsx.workbook([xlsx.Sheet(_("诉求"), [
            _("编号"), _("企业"), _("统一社会信用代码"), _("类别"), _("标题"), _("责任部门"),
            _("状态"), _("提交日期"), _("受理期限"), _("办结期限"), _("逾期工作日"), _("满意度")],
            rows)])  # fmt: skip
        return xlsx.response(content, "诉求清单.xlsx")
    page = _page(request, qs)
    for r in page:
        r.due = services.current_due(r)
        r.late = services.overdue_days(r, today)
    return render(request, "support/request_list.html", {
        "page": page, "f": f, "overdue": overdue, "states": ServiceRequest.State.choices,
        "categories": config.category_choices(), "departments": selectors.departments(),
        "regions": selectors.regions() if not scopes.is_enterprise(user) else [],
        "may_file": scopes.is_enterprise(user) or scopes.is_commissioner(user)
        or scopes.is_region_officer(user) or scopes.is_admin(user),
        "query": request.GET.urlencode(),
    })  # fmt: skip


@login_required
def request_new(request):
    user = request.user
    _require_user(user)
    if scopes.is_enterprise(user):
        enterprise = user.enterprise
    elif request.GET.get("uscc") or request.POST.get("uscc"):
        enterprise = _enterprise(request, request.GET.get("uscc") or request.POST.get("uscc"))
    else:
        enterprise = None
    if enterprise is not None and not scopes.may_file(user, enterprise):
        raise PermissionDenied(_("只有企业本身、其服务专员或所在板块可以为该企业提交诉求。"))
    if request.method == "POST" and enterprise is not None:
        d = request.POST
        try:
            r = services.file_request(
                user, enterprise, d.get("category", ""), d.get("description", ""),
                subkind=d.get("subkind", ""), title=d.get("title", ""),
                attachments=request.FILES.getlist("attachments"), source="web",
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("已提交，转%(d)s办理；受理期限 %(a)s，办结期限 %(c)s（均按工作日计）。")
                % {"d": services.department_label(r.department),
                   "a": fmt.date_zh(r.accept_due), "c": fmt.date_zh(r.close_due)},
            )  # fmt: skip
            return redirect("support:request", pk=r.pk)
    enterprises = []
    if enterprise is None:
        enterprises = access.visible(user, Enterprise)
        if scopes.is_commissioner(user):
            enterprises = enterprises.order_by("name")[:200]
        else:
            enterprises = enterprises.none()
    return render(request, "support/request_new.html", {
        "enterprise": enterprise, "enterprises": enterprises,
        "categories": config.routing()["categories"], "data": request.POST,
    })  # fmt: skip


@login_required
def request_detail(request, pk):
    r = access.get(request.user, ServiceRequest.objects.select_related("enterprise"), pk=pk)
    today = timezone.localdate()
    return render(request, "support/request_detail.html", {
        "r": r, "events": r.events.select_related("actor"), "attachments": r.attachments.all(),
        "allowed": [(e, services.TRANSITION_LABELS[e]) for e in services.allowed_transitions(request.user, r)],
        "departments": [(c, lbl) for c, lbl in selectors.departments() if c != r.department],
        "category": config.category_label(r.category),
        "subkind": config.subkind_label(r.category, r.subkind),
        "department": services.department_label(r.department),
        "due": services.current_due(r), "late": services.overdue_days(r, today),
        "calendar_verified": workdays.verified(r.close_due),
        "plan_section": config.route(r.category, r.subkind)["plan_section"],
    })  # fmt: skip


@login_required
@require_POST
def request_transition(request, pk):
    r = access.get(request.user, ServiceRequest, pk=pk)
    d = request.POST
    try:
        services.transition(request.user, r, d.get("event", ""), d.get("note", ""),
                            department=d.get("department", ""), rating=d.get("rating"))  # fmt: skip
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已办理。"))
    return redirect("support:request", pk=r.pk)


@login_required
def request_attachment(request, pk, att):
    r = access.get(request.user, ServiceRequest, pk=pk)
    a = RequestAttachment.objects.filter(request=r, pk=att).first()
    if a is None:
        raise Http404(access.not_found_message(ServiceRequest))
    return FileResponse(a.file.open("rb"), as_attachment=True, filename=a.name)


# ---------------------------------------------------------------------- enterprise page
@login_required
def enterprise_page(request, uscc):
    user = request.user
    e = _enterprise(request, uscc)  # unknown or out of scope: 404 before any role check
    _require_user(user)
    User = get_user_model()
    may_assign = scopes.may_assign(user, e)
    candidates = []
    if may_assign:
        candidates = User.objects.filter(role=Role.COMMISSIONER, is_active=True).order_by(
            "username"
        )
        if scopes.is_region_officer(user):
            candidates = candidates.filter(commissioner_profile__region_id=user.region_id)
    return render(request, "support/enterprise.html", {
        "e": e, "commissioners": e.commissioners.all(), "may_assign": may_assign,
        "candidates": candidates,
        "history": AssignmentEvent.objects.filter(enterprise=e).select_related("commissioner", "actor")[:30],
        "contacts": scopes.visible_contacts(user).filter(enterprises=e),
        "requests": scopes.visible_requests(user).filter(enterprise=e)[:20],
        "visits": scopes.visible_visits(user).filter(enterprise=e)[:20],
        "may_work": scopes.may_work_on(user, e), "may_file": scopes.may_file(user, e),
    })  # fmt: skip


@login_required
@require_POST
def enterprise_assign(request, uscc):
    e = _enterprise(request, uscc)
    User = get_user_model()
    c = User.objects.filter(
        pk=request.POST.get("commissioner") or 0, role=Role.COMMISSIONER
    ).first()
    if c is None:
        messages.error(request, _("请选择服务专员。"))
        return redirect("support:enterprise", uscc=e.uscc)
    try:
        if request.POST.get("action") == "unassign":
            services.unassign(request.user, e, c, request.POST.get("reason", ""))
        else:
            services.assign(request.user, e, c, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect("support:enterprise", uscc=e.uscc)


# ---------------------------------------------------------------------------------- plans
@login_required
def plan_own(request):
    if not scopes.is_enterprise(request.user):
        return redirect("support:index")
    return redirect("support:plan", uscc=request.user.enterprise.uscc)


@login_required
def plan_page(request, uscc):
    user = request.user
    e = _enterprise(request, uscc)  # unknown or out of scope: 404 before any role check
    _require_user(user)
    plan = ServicePlan.objects.filter(enterprise=e).first()
    if plan is not None:
        plan = access.get(user, ServicePlan, pk=plan.pk)
    may_edit = scopes.may_work_on(user, e)
    items = (
        plan.items.select_related("owner", "policy", "request") if plan else PlanItem.objects.none()
    )
    if not may_edit:
        items = items.exclude(status__in=["proposed", "dropped"])
    groups = []
    for a in config.areas():
        rows = [i for i in items if i.area == a["code"]]
        groups.append({"label": a["label"], "code": a["code"], "items": rows})
    total = [i for i in items if i.status not in ("proposed", "dropped")]
    return render(request, "support/plan.html", {
        "e": e, "plan": plan, "groups": groups, "may_edit": may_edit,
        "areas": config.areas(), "statuses": PlanItem.Status.choices,
        "departments": selectors.departments(), "owners": e.commissioners.all(),
        "n_total": len(total), "n_done": sum(1 for i in total if i.status == "done"),
    })  # fmt: skip


@login_required
@require_POST
def plan_propose(request, uscc):
    e = _enterprise(request, uscc)
    try:
        made = services.propose(request.user, e)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request, _("生成建议事项 %(n)d 项，请逐项采纳、修改或放弃。") % {"n": len(made)}
        )
    return redirect("support:plan", uscc=e.uscc)


@login_required
@require_POST
def plan_item_new(request, uscc):
    e = _enterprise(request, uscc)
    if not scopes.may_work_on(request.user, e):
        raise PermissionDenied(_("只有该企业的服务专员、所在板块或市工信局可以修改一企一策。"))
    try:
        services.save_item(request.user, services.plan_of(e),
                           request.POST.dict() | {"status": PlanItem.Status.ACCEPTED})  # fmt: skip
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已添加。"))
    return redirect("support:plan", uscc=e.uscc)


@login_required
@require_POST
def plan_item_edit(request, pk):
    item = access.get(
        request.user, PlanItem.objects.select_related("plan__enterprise"), write=True, pk=pk
    )
    try:
        if request.POST.get("verdict"):
            services.decide_item(request.user, item, request.POST["verdict"])
        else:
            services.save_item(request.user, item.plan, request.POST.dict(), item)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect("support:plan", uscc=item.plan.enterprise.uscc)


@login_required
def plan_docx(request, uscc):
    e = _enterprise(request, uscc)
    plan = ServicePlan.objects.filter(enterprise=e).first()
    if plan is None:
        raise Http404(access.not_found_message(ServicePlan))
    plan = access.get(request.user, ServicePlan, pk=plan.pk)
    content = docx.plan_docx(plan)
    return xlsx_like_response(content, f"{e.name}-一企一策.docx")


def xlsx_like_response(content: bytes, filename: str):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    resp = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    resp["Content-Disposition"] = content_disposition_header(True, filename)
    return resp


# --------------------------------------------------------------------------------- visits
@login_required
def visit_list(request):
    user = request.user
    _require_user(user)
    q = request.GET.get("q", "").strip()
    qs = scopes.visible_visits(user).select_related("enterprise", "by")
    if q:
        qs = qs.filter(enterprise__name__icontains=q)
    return render(request, "support/visit_list.html", {
        "page": _page(request, qs), "q": q,
        "may_record": scopes.is_commissioner(user) or scopes.is_region_officer(user)
        or scopes.is_admin(user),
    })  # fmt: skip


@login_required
def visit_new(request):
    user = request.user
    _require_user(user)
    uscc = request.GET.get("uscc") or request.POST.get("uscc")
    e = _enterprise(request, uscc) if uscc else None
    if e is not None and not scopes.may_work_on(user, e):
        raise PermissionDenied(_("只有该企业的服务专员、所在板块或市工信局可以记录走访。"))
    if request.method == "POST" and e is not None:
        try:
            v = services.record_visit(user, e, request.POST, request.FILES.getlist("files"))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已记录。可在下方把发现的问题转为一企一策事项或诉求。"))
            return redirect("support:visit", pk=v.pk)
    choices = []
    if e is None:
        choices = access.visible(user, Enterprise)
        choices = choices.order_by("name")[:200] if scopes.is_commissioner(user) else choices.none()
    return render(request, "support/visit_new.html", {
        "e": e, "enterprises": choices, "data": request.POST, "today": timezone.localdate(),
    })  # fmt: skip


@login_required
def visit_detail(request, pk):
    v = access.get(request.user, Visit.objects.select_related("enterprise", "by"), pk=pk)
    return render(request, "support/visit_detail.html", {
        "v": v, "files": v.files.all(), "may_work": scopes.may_work_on(request.user, v.enterprise),
        "items": v.plan_items.all(), "areas": config.areas(),
        "categories": config.category_choices(),
    })  # fmt: skip


@login_required
@require_POST
def visit_follow_up(request, pk):
    v = access.get(request.user, Visit, write=True, pk=pk)
    try:
        obj = services.follow_up(request.user, v, request.POST.get("kind", ""), request.POST.dict())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("support:visit", pk=v.pk)
    if isinstance(obj, ServiceRequest):
        messages.success(request, _("已转为诉求。"))
        return redirect("support:request", pk=obj.pk)
    messages.success(request, _("已加入一企一策。"))
    return redirect("support:visit", pk=v.pk)


@login_required
def visit_file(request, pk, file_pk):
    v = access.get(request.user, Visit, pk=pk)
    f = VisitFile.objects.filter(visit=v, pk=file_pk).first()
    if f is None:
        raise Http404(access.not_found_message(Visit))
    return FileResponse(f.file.open("rb"), as_attachment=True, filename=f.name)


# -------------------------------------------------------------------------- commissioners
def _require_official(user) -> None:
    if not (scopes.is_admin(user) or scopes.is_department(user) or scopes.is_region_officer(user)
            or scopes.is_commissioner(user)):  # fmt: skip
        raise PermissionDenied(_("仅政府部门、板块和服务专员可以查看服务专员名录。"))


@login_required
def commissioner_list(request):
    user = request.user
    _require_official(user)
    today = timezone.localdate()
    region_id = user.region_id if scopes.is_region_officer(user) else None
    rows = selectors.commissioner_measures(today, region_id)
    if scopes.is_commissioner(user):
        rows = [r for r in rows if r["user"].pk == user.pk]
    if request.GET.get("format") == "xlsx":
        content = xlsx.workbook([xlsx.Sheet(_("服务专员"), [
            _("姓名"), _("用户名"), _("所属部门"), _("所属板块"), _("服务企业"), _("服务容量"),
            _("本季度走访"), _("在办事项")],
            [[r["name"], r["username"], r["department"], r["region"], r["enterprises"],
              r["capacity"], r["visits_quarter"], r["open_items"]] for r in rows])])  # fmt: skip
        return xlsx.response(content, "服务专员.xlsx")
    return render(request, "support/commissioner_list.html", {
        "rows": rows, "cov": selectors.coverage(today, region_id), "is_admin": scopes.is_admin(user),
        "profiles": {p.user_id: p.pk for p in CommissionerProfile.objects.all()},
    })  # fmt: skip


@login_required
def commissioner_detail(request, pk):
    p = access.get(
        request.user, CommissionerProfile.objects.select_related("user", "region"), pk=pk
    )
    if request.method == "POST":
        access.require_write(request.user, p)
        data = request.POST.dict() | {"active": request.POST.get("active") == "on"}
        try:
            services.save_profile(request.user, p.user, data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("support:commissioner", pk=p.pk)
    ents = p.user.assigned_enterprises.select_related("region").order_by("name")
    return render(request, "support/commissioner_detail.html", {
        "p": p, "enterprises": ents, "may_edit": access.may_write(request.user, p),
        "regions": selectors.regions(), "departments": Department.choices,
        "department": services.department_label(p.department) if p.department else "",
    })  # fmt: skip


@login_required
def assign_preview(request):
    """The proposal of ``srdi assign`` (administrators apply it from here or the command)."""
    if not scopes.is_admin(request.user):
        raise PermissionDenied(_("只有市工信局管理员可以批量指派服务专员。"))
    proposal = assignment.propose()
    if request.method == "POST":
        n = assignment.apply(request.user, proposal)
        messages.success(request, _("已指派 %(n)d 家企业。") % {"n": n})
        return redirect("support:commissioners")
    names = dict(Enterprise.objects.filter(
        uscc__in=[a["enterprise"] for a in proposal.assignments + proposal.unassigned]
    ).values_list("uscc", "name"))  # fmt: skip
    return render(request, "support/assign.html", {"p": proposal, "names": names})


# ------------------------------------------------------------------------------- measures
@login_required
def measures_page(request):
    user = request.user
    _require_official(user)
    m = selectors.measures(user)
    return render(request, "support/measures.html", {"m": m, "charts": selectors.charts(m)})


@login_required
def contact_list(request):
    """科技镇长团 members and other paired contacts (结对联系, 三(三)) within the user's scope."""
    user = request.user
    _require_user(user)
    kind = request.GET.get("kind", "")
    qs = scopes.visible_contacts(user).select_related("region").prefetch_related("enterprises")
    if kind in Contact.Kind.values:
        qs = qs.filter(kind=kind)
    visible = set(access.visible(user, Enterprise).values_list("pk", flat=True)[:5000])
    rows = [(c, [e for e in c.enterprises.all() if e.pk in visible]) for c in qs[:500]]
    return render(request, "support/contact_list.html", {
        "rows": rows, "kind": kind, "kinds": Contact.Kind.choices,
    })  # fmt: skip

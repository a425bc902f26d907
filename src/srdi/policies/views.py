"""Pages of the policy service (thin: every read via selectors, every write via services)."""

from __future__ import annotations

import itertools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from srdi.accounts import scopes
from srdi.core import access, xlsx
from srdi.registry.models import Enterprise

from . import selectors as S
from . import services
from .catalogue import CATEGORIES, SpecError
from .forms import ApplicationForm, PaymentForm, PolicyForm, ReviewForm
from .matching import STATUS_LABELS, match_profile
from .models import Application, CategoryMute, Policy, PolicyVersion


@login_required
def policy_list(request):
    qs = S.visible_policies(request.user)
    cat = request.GET.get("category") or ""
    if cat:
        qs = qs.filter(category=cat)
    return render(
        request,
        "policies/list.html",
        {
            "policies": qs,
            "categories": CATEGORIES,
            "category": cat,
            "may_edit": S.may_edit_policies(request.user),
            "own": request.user.enterprise if request.user.role == "enterprise" else None,
        },
    )


def _policy_for(user, pk) -> Policy:
    return access.get(user, Policy, pk=pk)  # drafts: 404 to whoever may not see them


@login_required
def policy_detail(request, pk):
    from django.core.paginator import Paginator

    from . import builder as B
    from . import review as R

    policy = _policy_for(request.user, pk)
    published = policy.status == Policy.Status.PUBLISHED
    spec = S.spec_of(policy, published=published)
    ctx = {
        "policy": policy,
        "spec": spec,
        "may_edit": S.may_edit_policies(request.user),
        "conditions": [(c, B.reading(c.expr)) for c in spec.conditions],
        "non_monetary": spec.benefit.kind == "none",
        "review_department": R.department_label(R.reviewing_department(policy)),
    }
    uscc = request.GET.get("uscc") or (
        request.user.enterprise.uscc
        if request.user.role == "enterprise" and request.user.enterprise_id
        else ""
    )
    if uscc:
        ent = Enterprise.objects.filter(uscc=uscc).first()
        from srdi.finance import consent  # a partner: only with "diagnosis" granted

        if ent and consent.visible_for(request.user, "diagnosis").filter(pk=ent.pk).exists():
            ctx["enterprise"] = ent
            ctx["may_apply"] = services.may_apply(request.user, ent)
            ctx["match"] = match_profile([spec], S.profile_of(ent), date.today())[0]
            ctx["may_apply"] = (
                request.user.role == "enterprise" and request.user.enterprise_id == ent.pk
            ) or scopes.may_write(request.user, ent, "applications")
    if scopes.is_official(request.user):
        eligible = S.matches_for_policy(request.user, policy)
        ctx["eligible"] = Paginator(eligible, 50).get_page(request.GET.get("page"))
        ctx["n_eligible"] = ctx["eligible"].paginator.count
        unknown = S.matches_for_policy(request.user, policy, ("unknown",))
        near = S.matches_for_policy(request.user, policy, ("near",))
        ctx["unknown"], ctx["n_unknown"] = unknown[:100], unknown.count()
        ctx["near"], ctx["n_near"] = near[:100], near.count()
        unclaimed = S.unclaimed(request.user, policy)
        ctx["unclaimed"], ctx["n_unclaimed"] = unclaimed[:50], unclaimed.count()
        ctx["pushes"] = S.push_log(request.user, policy)[:200]
        ctx["versions"] = PolicyVersion.objects.filter(policy=policy).select_related("created_by")
    if scopes.is_official(request.user) or request.user.role == "enterprise":
        ctx["applications"] = S.applications_for(request.user, policy)[:200]
    return render(request, "policies/detail.html", ctx)


@login_required
def matches_xlsx(request, pk):
    """Every match of the policy in the user's scope (eligible, 待补充数据, 差一项)."""
    from srdi.core import formatting as F
    from srdi.core import xlsx

    from .matching import STATUS_LABELS

    policy = access.get(request.user, Policy, pk=pk)  # unknown or out of scope: 404 first
    scopes.require_official(request.user)
    qs = S.matches_for_policy(request.user, policy, ("eligible", "unknown", "near"))
    spec = S.spec_of(policy, published=policy.status == Policy.Status.PUBLISHED)
    money = spec.benefit.kind != "none"
    headers = ["统一社会信用代码", "企业名称", "所属板块", "匹配结果", "匹配日期"]
    if money:
        headers.insert(4, "预计金额(万元)")

    def rows():
        for m in qs.iterator():
            e = m.enterprise
            r = [
                e.uscc,
                e.name,
                e.region.name if e.region_id else "",
                str(STATUS_LABELS.get(m.status, "")),
            ]
            if money:
                r.append("待核定" if m.amount is None else m.amount)
            r.append(F.date_iso(m.matched_at))
            yield r

    content = xlsx.workbook([xlsx.Sheet("匹配结果", headers, rows())])
    return xlsx.response(content, f"{policy.title}-匹配结果.xlsx")


def _editor(request):
    if not S.may_edit_policies(request.user):
        raise PermissionDenied(_("仅市工信局管理员或部门用户可编辑政策。"))


@login_required
def policy_edit(request, pk=None):
    policy = access.get(request.user, Policy, pk=pk, write=True) if pk else None
    _editor(request)
    initial = PolicyForm.initial_from(policy.spec) if policy else {}
    if request.method == "POST":
        form = PolicyForm(request.POST, initial=initial, editing=policy is not None)
        if form.is_valid():
            try:
                policy = services.save_policy(request.user, form.raw, policy)
            except SpecError as exc:
                for p in exc.problems:
                    form.add_error(None, p)
            else:
                messages.success(
                    request,
                    _("已保存为第 %(v)d 版，请预览匹配结果后发布。") % {"v": policy.version},
                )
                return redirect("policies:preview", pk=policy.pk)
    else:
        form = PolicyForm(initial=initial, editing=policy is not None)
    from . import builder as B

    return render(
        request,
        "policies/edit.html",
        {"form": form, "policy": policy, "catalogue": B.catalogue()},
    )


@login_required
@require_POST
def conditions_expr(request):
    """The builder's trees written as the rules language (for the 高级 tab), with readings."""
    import json

    from django.http import JsonResponse

    from . import builder as B

    _editor(request)
    if len(request.body) > 100_000:
        return JsonResponse({"detail": _("内容过长。")}, status=400)
    try:
        rows = json.loads(request.body or b"[]")
    except ValueError:
        return JsonResponse({"detail": _("内容格式不正确。")}, status=400)
    out = []
    for i, row in enumerate(rows if isinstance(rows, list) else [], 1):
        tree = row.get("tree") if isinstance(row, dict) else None
        if not tree:
            out.append({"expr": (row or {}).get("expr", ""), "reading": "", "error": ""})
            continue
        try:
            out.append(
                {
                    "expr": B.to_expr(tree, where=f"条件{i}"),
                    "reading": B.describe(tree),
                    "error": "",
                }
            )
        except B.BuilderError as exc:
            out.append({"expr": "", "reading": "", "error": str(exc)})
    return JsonResponse({"rows": out})


@login_required
def policy_preview(request, pk):
    """Which enterprises the current version would match: a job (progress bar), then the list."""
    import json

    from srdi.core import jobs
    from srdi.core.models import Job

    from .tasks import preview_task

    policy = access.get(request.user, Policy, pk=pk, write=True)
    _editor(request)
    job_id = request.GET.get("job")
    if not job_id:
        job = jobs.create(
            "policy_preview",
            _("发布前预览：%(t)s") % {"t": policy.title},
            request.user,
            params={"policy": policy.pk, "version": policy.version},
            total=2,
        )
        job.params["next"] = f"/policies/{policy.pk}/preview/?job={job.pk}"
        job.save(update_fields=["params"])
        preview_task(job.pk)
        return redirect("core:job", pk=job.pk)
    job = access.get(
        request.user,
        Job.objects.filter(kind="policy_preview"),
        pk=int(job_id) if str(job_id).isdigit() else 0,
    )
    if job.created_by_id != request.user.pk or job.params.get("policy") != policy.pk:
        from django.http import Http404

        raise Http404(_("未找到该预览。"))
    if job.status != Job.Status.DONE or not job.result_file:
        return redirect("core:job", pk=job.pk)
    with job.result_file.open("rb") as fh:
        res = json.loads(fh.read().decode("utf-8"))
    return render(
        request,
        "policies/preview.html",
        {"policy": policy, "res": res, "stale": job.params.get("version") != policy.version},
    )


@login_required
@require_POST
def policy_publish(request, pk):
    policy = access.get(request.user, Policy, pk=pk, write=True)
    _editor(request)
    newly = services.publish_policy(request.user, policy)
    messages.success(
        request,
        _("已发布第 %(v)d 版；新匹配 %(n)d 家企业，已定向推送。")
        % {"v": policy.version, "n": len(newly)},
    )
    return redirect("policies:detail", pk=policy.pk)


@login_required
@require_POST
def policy_archive(request, pk):
    policy = access.get(request.user, Policy, pk=pk, write=True)
    _editor(request)
    services.archive_policy(request.user, policy)
    messages.success(request, _("政策已下线。"))
    return redirect("policies:list")


@login_required
@require_POST
def rematch(request):
    _editor(request)
    from srdi.core import jobs

    from .tasks import rematch_all_task

    job = jobs.create("policy_rematch", _("全部企业 × 全部政策重新匹配"), request.user)
    rematch_all_task(job.pk)
    return redirect("core:job", pk=job.pk)


@login_required
def my_matches(request):
    if request.user.role == "enterprise" and request.user.enterprise_id:
        return redirect("policies:enterprise", uscc=request.user.enterprise.uscc)
    return redirect("policies:list")


@login_required
def enterprise_matches(request, uscc):
    ent = access.get(request.user, Enterprise, uscc=uscc)
    pols = S.published_policies(date.today())
    results = match_profile([s for _p, s in pols], S.profile_of(ent), date.today())
    rows = [(p, r) for (p, _s), r in zip(pols, results, strict=True)]
    groups = {k: [(p, r) for p, r in rows if r["status"] == k] for k in STATUS_LABELS}
    muted = set(CategoryMute.objects.filter(enterprise=ent).values_list("category", flat=True))
    return render(
        request,
        "policies/enterprise.html",
        {
            "enterprise": ent,
            "groups": groups,
            "labels": STATUS_LABELS,
            "categories": CATEGORIES,
            "muted": muted,
            "applications": S.applications_for(request.user).filter(enterprise=ent),
            "may_apply": services.may_apply(request.user, ent),
            "may_set_mutes": services.may_set_mutes(request.user, ent),
        },
    )


@login_required
@require_POST
def set_mutes(request, uscc):
    ent = access.get(request.user, Enterprise, uscc=uscc)
    cats = [c for c in request.POST.getlist("muted") if c in CATEGORIES]
    services.set_mutes(request.user, ent, cats)
    messages.success(request, _("推送设置已保存。"))
    return redirect("policies:enterprise", uscc=uscc)


@login_required
@require_POST
def apply(request, pk, uscc):
    policy = _policy_for(request.user, pk)
    ent = access.get(request.user, Enterprise, uscc=uscc)
    try:
        app = services.start_application(request.user, policy, ent)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("policies:detail", pk=pk)
    return redirect("policies:application", pk=app.pk)


def _application_for(user, pk) -> Application:
    from srdi.core import access

    return access.get(
        user,
        Application.objects.select_related("policy", "enterprise", "enterprise__region"),
        pk=pk,
    )


FIGURE_LABELS = {
    "revenue": _lazy("营业收入"),
    "main_revenue": _lazy("主营业务收入"),
    "employees": _lazy("从业人员"),
    "rd_expense": _lazy("研发费用"),
    "local_contribution": _lazy("地方贡献"),
    "net_profit": _lazy("净利润"),
}
FIGURE_UNITS = {"employees": "人"}


def _figures(app: Application) -> list[tuple]:
    from srdi.core import formatting as F

    out = []
    for k, v in (app.data.get("figures") or {}).items():
        if k in FIGURE_UNITS:
            shown = F.count(v, unit=FIGURE_UNITS[k])
        else:
            shown = F.wan(v)
        out.append((FIGURE_LABELS.get(k, k), shown))
    return out


@login_required
def application_detail(request, pk):
    from . import review as R
    from .forms import AttachmentForm

    app = _application_for(request.user, pk)
    materials = list(app.data.get("materials") or [])
    form = ApplicationForm(
        initial={
            "contact_person": app.data.get("contact_person"),
            "contact_phone": app.data.get("contact_phone"),
            "remarks": app.data.get("remarks"),
            "amount_requested": app.amount_requested or app.amount_estimated,
        }
    )
    review_form, pay_form = (
        ReviewForm(),
        PaymentForm(initial={"amount": app.amount_approved, "paid_on": date.today()}),
    )
    attach_form = AttachmentForm(materials=materials)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit"):
                form = ApplicationForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.update_application(
                        request.user,
                        app,
                        contact_person=d["contact_person"],
                        contact_phone=d["contact_phone"],
                        remarks=d["remarks"],
                        amount_requested=d["amount_requested"],
                    )
                    if action == "submit":
                        services.submit_application(request.user, app)
                        messages.success(
                            request,
                            _("申报已提交，已通知%(d)s审核。")
                            % {"d": R.department_label(R.reviewing_department(app.policy))},
                        )
                    else:
                        messages.success(request, _("已保存。"))
                    return redirect("policies:application", pk=app.pk)
            elif action == "attach":
                attach_form = AttachmentForm(request.POST, request.FILES, materials=materials)
                if attach_form.is_valid():
                    services.add_attachment(
                        request.user,
                        app,
                        material=attach_form.cleaned_data["material"],
                        upload=attach_form.cleaned_data["file"],
                    )
                    messages.success(request, _("申报材料已上传。"))
                    return redirect("policies:application", pk=app.pk)
            elif action == "review":
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    d = review_form.cleaned_data
                    services.review_application(
                        request.user,
                        app,
                        approve=d["decision"] == "approve",
                        reason=d["reason"],
                        amount=d["amount"],
                        confirm_unmet=d["confirm_unmet"],
                    )
                    messages.success(request, _("审核结果已保存，已通知申报企业。"))
                    return redirect("policies:application", pk=app.pk)
            elif action == "pay":
                pay_form = PaymentForm(request.POST)
                if pay_form.is_valid():
                    services.pay_application(request.user, app, **pay_form.cleaned_data)
                    messages.success(request, _("兑付已登记，已通知申报企业。"))
                    return redirect("policies:application", pk=app.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    may_review = S.may_edit_policies(request.user) and R.may_review(request.user, app.policy)
    current = services.current_conditions(app) if app.status != Application.Status.DRAFT else None
    unmet = [c for c in current or [] if c["met"] is not True]
    return render(
        request,
        "policies/application.html",
        {
            "app": app,
            "figures": _figures(app),
            "form": form,
            "review_form": review_form,
            "pay_form": pay_form,
            "attach_form": attach_form,
            "attachments": list(app.attachments.all()),
            "limits": R.limits(),
            "current": current,
            "condition_rows": list(
                itertools.zip_longest(
                    app.data.get("match", {}).get("conditions") or [], current or []
                )
            ),
            "unmet": unmet,
            "review_department": R.department_label(R.reviewing_department(app.policy)),
            "may_review": may_review,
            "is_applicant": request.user.role == "enterprise"
            or scopes.may_write(request.user, app.enterprise, "applications"),
        },
    )


@login_required
def attachment_download(request, pk):
    from django.http import FileResponse, Http404

    from srdi.core import access

    from .models import ApplicationAttachment

    att = access.get(request.user, ApplicationAttachment, pk=pk)
    try:
        fh = att.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("文件不存在。")) from exc
    return FileResponse(fh, as_attachment=True, filename=att.original_name)


@login_required
@require_POST
def attachment_delete(request, pk):
    from srdi.core import access

    from .models import ApplicationAttachment

    att = access.get(request.user, ApplicationAttachment, write=True, pk=pk)
    app_pk = att.application_id
    try:
        services.remove_attachment(request.user, att)
        messages.success(request, _("已删除该申报材料。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("policies:application", pk=app_pk)


@login_required
def application_download(request, pk, fmt):
    from django.http import Http404

    if fmt not in ("docx", "xlsx"):
        raise Http404
    app = _application_for(request.user, pk)
    from .documents import application_docx, application_xlsx

    if fmt == "docx":
        content, ctype = (
            application_docx(app),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        content, ctype = (
            application_xlsx(app),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    resp = HttpResponse(content, content_type=ctype)
    xlsx.attachment(resp, f"政策申报_{app.enterprise.name}_{app.pk}.{fmt}")
    return resp


@login_required
def unclaimed_xlsx(request, pk):
    from srdi.core import formatting as F
    from srdi.core import xlsx

    policy = access.get(request.user, Policy, pk=pk)
    scopes.require_official(request.user)
    rows = (
        [
            m.enterprise.uscc,
            m.enterprise.name,
            m.enterprise.region.name if m.enterprise.region_id else "",
            "待核定" if m.amount is None else m.amount,
            F.date_iso(m.matched_at),
        ]
        for m in S.unclaimed(request.user, policy).iterator()
    )
    headers = ["统一社会信用代码", "企业名称", "所属板块", "预计金额(万元)", "匹配日期"]
    content = xlsx.workbook([xlsx.Sheet("应享未享", headers, rows)])
    return xlsx.response(content, f"{policy.title}-应享未享.xlsx")


LEDGER_TABS = {
    "pending": ("submitted",),
    "approved": ("approved",),
    "paid": ("paid",),
    "rejected": ("rejected",),
    "draft": ("draft",),
}


@login_required
def ledger(request):
    from django.core.paginator import Paginator

    from . import review as R

    if not scopes.is_official(request.user) and request.user.role != "enterprise":
        raise PermissionDenied(_("您无权查看申报台账。"))
    qs = S.applications_for(request.user).order_by("-submitted_at", "-created_at")
    tab = request.GET.get("tab") or ""
    if tab == "mine":  # 待我审核: submitted and routed to the user's department
        qs = qs.filter(pk__in=[a.pk for a in S.pending_reviews(request.user)])
    elif tab in LEDGER_TABS:
        qs = qs.filter(status__in=LEDGER_TABS[tab])
    if request.GET.get("format") == "xlsx":
        return _ledger_xlsx(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.review_dept = R.department_label(R.reviewing_department(a.policy))
    return render(
        request,
        "policies/ledger.html",
        {
            "ledger": S.ledger(request.user),
            "page": page,
            "tab": tab,
            "n_pending": S.applications_for(request.user).filter(status="submitted").count(),
            "n_mine": len(S.pending_reviews(request.user)),
        },
    )


def _ledger_xlsx(qs):
    from srdi.core import formatting as F
    from srdi.core import xlsx

    from . import review as R

    rows = (
        [
            a.pk,
            a.policy.title,
            a.enterprise.name,
            a.enterprise.uscc,
            str(a.get_status_display()),
            R.department_label(R.reviewing_department(a.policy)),
            F.date_iso(a.submitted_at, unknown=""),
            a.amount_approved,
            a.amount_paid,
            F.date_iso(a.paid_on, unknown=""),
        ]
        for a in qs.iterator()
    )
    content = xlsx.workbook(
        [
            xlsx.Sheet(
                "申报台账",
                [
                    "申报编号",
                    "政策",
                    "企业",
                    "统一社会信用代码",
                    "状态",
                    "审核部门",
                    "提交日期",
                    "核定金额(万元)",
                    "兑付金额(万元)",
                    "兑付日期",
                ],
                rows,
            )
        ]
    )
    return xlsx.response(content, "申报兑付台账.xlsx")

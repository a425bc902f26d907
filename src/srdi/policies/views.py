"""Pages of the policy service (thin: every read via selectors, every write via services)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.accounts import scopes
from srdi.core import access
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
    policy = _policy_for(request.user, pk)
    published = policy.status == Policy.Status.PUBLISHED
    spec = S.spec_of(policy, published=published)
    ctx = {"policy": policy, "spec": spec, "may_edit": S.may_edit_policies(request.user)}
    uscc = request.GET.get("uscc") or (
        request.user.enterprise.uscc
        if request.user.role == "enterprise" and request.user.enterprise_id
        else ""
    )
    if uscc:
        ent = Enterprise.objects.filter(uscc=uscc).first()
        if ent and scopes.can_view(request.user, ent):
            ctx["enterprise"] = ent
            ctx["match"] = match_profile([spec], S.profile_of(ent), date.today())[0]
    if scopes.is_official(request.user):
        ctx["eligible"] = S.matches_for_policy(request.user, policy)[:200]
        ctx["unknown"] = S.matches_for_policy(request.user, policy, ("unknown",))[:100]
        ctx["near"] = S.matches_for_policy(request.user, policy, ("near",))[:100]
        ctx["n_eligible"] = S.matches_for_policy(request.user, policy).count()
        ctx["unclaimed"] = S.unclaimed(request.user, policy)[:200]
        ctx["pushes"] = S.push_log(request.user, policy)[:200]
        ctx["versions"] = PolicyVersion.objects.filter(policy=policy).select_related("created_by")
    if scopes.is_official(request.user) or request.user.role == "enterprise":
        ctx["applications"] = S.applications_for(request.user, policy)[:200]
    return render(request, "policies/detail.html", ctx)


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
    return render(request, "policies/edit.html", {"form": form, "policy": policy})


@login_required
def policy_preview(request, pk):
    policy = access.get(request.user, Policy, pk=pk, write=True)
    _editor(request)
    res = services.preview(request.user, policy.spec)
    return render(request, "policies/preview.html", {"policy": policy, "res": res})


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
    return access.get(user, Application.objects.select_related("policy", "enterprise"), pk=pk)


@login_required
def application_detail(request, pk):
    app = _application_for(request.user, pk)
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
                        messages.success(request, _("申报已提交。"))
                    else:
                        messages.success(request, _("已保存。"))
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
                    )
                    messages.success(request, _("审核结果已保存。"))
                    return redirect("policies:application", pk=app.pk)
            elif action == "pay":
                pay_form = PaymentForm(request.POST)
                if pay_form.is_valid():
                    services.pay_application(request.user, app, **pay_form.cleaned_data)
                    messages.success(request, _("兑付已登记。"))
                    return redirect("policies:application", pk=app.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(
        request,
        "policies/application.html",
        {
            "app": app,
            "form": form,
            "review_form": review_form,
            "pay_form": pay_form,
            "may_review": S.may_edit_policies(request.user),
            "is_applicant": request.user.role == "enterprise"
            or scopes.may_write(request.user, app.enterprise, "applications"),
        },
    )


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
    resp["Content-Disposition"] = f'attachment; filename="application-{app.pk}.{fmt}"'
    return resp


@login_required
def unclaimed_xlsx(request, pk):
    policy = access.get(request.user, Policy, pk=pk)
    scopes.require_official(request.user)
    from srdi.core import xlsx

    rows = (
        [
            m.enterprise.uscc,
            m.enterprise.name,
            m.enterprise.region.name if m.enterprise.region_id else "",
            None if m.amount is None else float(m.amount),
            m.matched_at.strftime("%Y-%m-%d"),
        ]
        for m in S.unclaimed(request.user, policy)
    )
    headers = ["统一社会信用代码", "企业名称", "所属板块", "预计金额(万元)", "匹配时间"]
    content = xlsx.workbook([xlsx.Sheet("应享未享", headers, rows)])
    return xlsx.response(content, f"应享未享-{policy.key}.xlsx")


@login_required
def ledger(request):
    if not scopes.is_official(request.user) and request.user.role != "enterprise":
        raise PermissionDenied(_("您无权查看申报台账。"))
    return render(
        request,
        "policies/ledger.html",
        {"ledger": S.ledger(request.user), "applications": S.applications_for(request.user)[:500]},
    )

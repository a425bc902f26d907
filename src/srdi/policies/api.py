"""JSON API of the policy service (/api/policies): same selectors, services and scope checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Router, Schema

from srdi.accounts import scopes
from srdi.audit.services import jsonable
from srdi.core import access

from . import selectors as S
from . import services
from .matching import match_profile
from .models import Policy

router = Router()


def _policy(user, pk: int) -> Policy:
    return access.get(user, Policy, pk=pk)  # drafts: 404 to whoever may not see them


@router.get("/", summary="政策目录")
def list_policies(request, category: str = ""):
    qs = S.visible_policies(request.auth)
    if category:
        qs = qs.filter(category=category)
    return [
        {
            "id": p.pk,
            "key": p.key,
            "title": p.title,
            "category": p.category,
            "status": p.status,
            "version": p.version,
            "published_version": p.published_version,
            "verified": p.verified,
        }
        for p in qs
    ]


@router.get("/{int:pk}", summary="政策详情（含条件与奖补公式）")
def get_policy(request, pk: int):
    p = _policy(request.auth, pk)
    spec = p.published_spec if p.status == Policy.Status.PUBLISHED and p.published_spec else p.spec
    return {"id": p.pk, "status": p.status, "version": p.version, "spec": spec}


@router.get("/{int:pk}/matches", summary="符合该政策的企业（权限范围内）")
def policy_matches(request, pk: int, status: str = "eligible"):
    p = _policy(request.auth, pk)
    scopes.require_official(request.auth)
    return [
        {
            "uscc": m.enterprise.uscc,
            "name": m.enterprise.name,
            "status": m.status,
            "amount": None if m.amount is None else float(m.amount),
            "conditions": m.codes,
        }
        for m in S.matches_for_policy(request.auth, p, (status,))
    ]


@router.get("/enterprise/{uscc}", summary="企业的政策匹配（含每项条件的理由）")
def enterprise_matches(request, uscc: str, all: bool = False):  # noqa: A002
    from srdi.registry.models import Enterprise

    ent = access.get(request.auth, Enterprise, uscc=uscc)
    day = date.today()
    pols = S.published_policies(day)
    res = match_profile([s for _p, s in pols], S.profile_of(ent), day)
    out = []
    for (p, _s), r in zip(pols, res, strict=True):
        if all or r["status"] != "ineligible":
            out.append({"id": p.pk, **jsonable(r)})
    return {"uscc": uscc, "as_of": day.isoformat(), "matches": out}


@router.post("/{int:pk}/publish", summary="发布当前版本并定向推送新匹配的企业")
def publish(request, pk: int):
    p = access.get(request.auth, Policy, pk=pk, write=True)
    newly = services.publish_policy(request.auth, p)
    return {"version": p.published_version, "newly_matched": [e.uscc for e in newly]}


def _app_json(a) -> dict:
    def d(x):
        return None if x is None else float(x)

    return {
        "id": a.pk,
        "policy": a.policy.key,
        "version": a.version,
        "uscc": a.enterprise.uscc,
        "status": a.status,
        "amount_estimated": d(a.amount_estimated),
        "amount_requested": d(a.amount_requested),
        "amount_approved": d(a.amount_approved),
        "amount_paid": d(a.amount_paid),
        "paid_on": a.paid_on.isoformat() if a.paid_on else None,
        "review_reason": a.review_reason,
        "data": a.data,
    }


@router.get("/applications", summary="申报与兑付台账（权限范围内）")
def list_applications(request, policy: int | None = None):
    from django.core.exceptions import PermissionDenied

    user = request.auth
    if not (scopes.is_official(user) or user.role == "enterprise"):
        raise PermissionDenied("您无权查看申报台账。")
    qs = S.applications_for(user)
    if policy:
        qs = qs.filter(policy_id=policy)
    return [_app_json(a) for a in qs]


@router.post("/{int:pk}/applications/{uscc}", summary="一键申报：按企业库数据预填申报（草稿）")
def create_application(request, pk: int, uscc: str):
    from srdi.registry.models import Enterprise

    p = _policy(request.auth, pk)
    ent = access.get(request.auth, Enterprise, uscc=uscc)
    return _app_json(services.start_application(request.auth, p, ent))


# ---------------------------------------------------------------------------------------------
# the application flow (the same services as the pages): submit, review, pay; conditions


class ReviewIn(Schema):
    approve: bool
    reason: str = ""
    amount: Decimal | None = None
    confirm_unmet: bool = False


class PayIn(Schema):
    amount: Decimal
    paid_on: date


def _run(fn, *args, **kwargs):
    """A service call; its Chinese ValidationError becomes a 400 {"detail": …}."""
    from django.core.exceptions import ValidationError
    from ninja.errors import HttpError

    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        raise HttpError(400, "；".join(exc.messages)) from None


def _application(request, pk: int, write: bool = False):
    from srdi.core import access

    from .models import Application

    return access.get(
        request.auth, Application.objects.select_related("policy", "enterprise"), write=write, pk=pk
    )


@router.get("/applications/pending", summary="待我审核的申报（按审核部门分送）")
def pending_reviews(request):
    return [_app_json(a) for a in S.pending_reviews(request.auth)]


@router.post("/applications/{int:pk}/submit", summary="提交申报（通知审核部门）")
def submit_application(request, pk: int):
    app = _application(request, pk, write=True)
    return _app_json(_run(services.submit_application, request.auth, app))


@router.get("/applications/{int:pk}/conditions", summary="申报各项条件按当前数据的结果")
def application_conditions(request, pk: int):
    return services.current_conditions(_application(request, pk))


@router.post("/applications/{int:pk}/review", summary="审核申报（未满足条件的批准需确认）")
def review_application(request, pk: int, body: ReviewIn):
    app = _application(request, pk, write=True)
    _run(
        services.review_application,
        request.auth,
        app,
        approve=body.approve,
        reason=body.reason,
        amount=body.amount,
        confirm_unmet=body.confirm_unmet,
    )
    return _app_json(app)


@router.post("/applications/{int:pk}/pay", summary="登记兑付（通知申报企业）")
def pay_application(request, pk: int, body: PayIn):
    app = _application(request, pk, write=True)
    return _app_json(
        _run(services.pay_application, request.auth, app, amount=body.amount, paid_on=body.paid_on)
    )


@router.get("/conditions/catalogue", summary="条件设置可选的指标、比较方式、称号、荣誉与认定标准")
def conditions_catalogue(request):
    from . import builder

    return builder.catalogue()


class TreeIn(Schema):
    tree: dict


@router.post("/conditions/expr", summary="把条件设置（树）写成规则表达式，并给出中文读法")
def conditions_expr(request, body: TreeIn):
    from ninja.errors import HttpError

    from . import builder

    if not S.may_edit_policies(request.auth):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("仅市工信局管理员或部门用户可编辑政策。")
    try:
        return {"expr": builder.to_expr(body.tree), "reading": builder.describe(body.tree)}
    except builder.BuilderError as exc:
        raise HttpError(400, str(exc)) from None

"""JSON API of finance: consents (/api/consents) and finance records (/api/finance).

Same services, same scope as the pages (out of scope = 404, read-only = 403, bad input = 400 with
a Chinese message). A partner reads an enterprise through the ordinary enterprise endpoints
(``GET /api/enterprises/{uscc}`` returns only the granted sections, every read logged).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from srdi.accounts.models import User
from srdi.accounts.roles import PartnerKind, Role
from srdi.core import access, cleaning
from srdi.registry.models import DataShare, Enterprise

from . import consent, scopes, selectors, services
from .models import ListingCandidate, Need, PartnerAccess, Product

consents_router = Router()
router = Router()


def _bad(exc: ValidationError):
    raise HttpError(400, "；".join(str(m) for m in exc.messages))


def _consent(c: DataShare) -> dict:
    return {
        "id": c.pk,
        "enterprise": {"uscc": c.enterprise.uscc, "name": c.enterprise.name},
        "partner": c.organization or None,
        "all_banks": c.all_banks,
        "sections": c.sections,
        "until": c.until.isoformat() if c.until else None,
        "granted_at": c.granted_at.isoformat(),
        "withdrawn_at": c.revoked_at.isoformat() if c.revoked_at else None,
        "in_force": DataShare.active().filter(pk=c.pk).exists(),
    }


class ConsentIn(Schema):
    partner: str | None = None
    partners: list[str] = []
    all_banks: bool = False
    sections: list[str]
    until: str | None = None
    purpose: str = ""


@consents_router.get(
    "", summary="数据共享授权（企业：本企业的；政府部门：权限范围内；银行：授予本机构的）"
)
def list_consents(request):
    qs = access.visible(request.auth, DataShare).select_related("enterprise")
    return [_consent(c) for c in qs.order_by("-granted_at")[:1000]]


def _bank_of(username: str) -> str:
    u = User.objects.filter(
        username=username, role=Role.PARTNER, partner_kind=PartnerKind.BANK, is_active=True
    ).first()
    if u is None or not u.organization:
        raise HttpError(400, f"共享对象：“{username}”不是本平台的合作银行用户")
    return u.organization


@consents_router.post("", summary="授权共享（仅企业本身）", response={201: list[dict]})
def grant(request, payload: ConsentIn):
    user = request.auth
    if not scopes.is_enterprise(user):
        raise HttpError(403, "数据共享授权只能由企业本身办理，他人不能代为授权。")
    names = [payload.partner] if payload.partner else []
    names += payload.partners
    banks = sorted({_bank_of(n) for n in names})
    try:
        made = services.grant_consent(
            user, user.enterprise, banks_=banks, all_banks=payload.all_banks,
            sections=payload.sections, until=payload.until, purpose=payload.purpose,
        )  # fmt: skip
    except ValidationError as exc:
        _bad(exc)
    return Status(201, [_consent(c) for c in made])


@consents_router.delete("/{int:pk}", summary="撤回授权（仅企业本身）")
def withdraw(request, pk: int):
    c = access.get(request.auth, DataShare.objects.select_related("enterprise"), pk=pk, write=True)
    try:
        services.withdraw_consent(request.auth, c)
    except ValidationError as exc:
        _bad(exc)
    return _consent(c)


@consents_router.get("/log", summary="谁在何时查看了我的哪些数据（合作机构查看记录）")
def access_log(request, uscc: str = ""):
    qs = access.visible(request.auth, PartnerAccess).select_related("enterprise")
    if uscc:
        qs = qs.filter(enterprise__uscc=uscc.strip().upper())
    return [
        {"at": a.at.isoformat(), "organization": a.organization,
         "user": a.user.username if a.user_id else None, "enterprise": a.enterprise.uscc,
         "sections": a.sections, "section_labels": consent.labels(a.sections),
         "door": a.door, "what": a.what}
        for a in qs.select_related("user")[:1000]
    ]  # fmt: skip


# ------------------------------------------------------------------------------------ needs
def _need(n: Need, user) -> dict:
    return {
        "id": n.pk, "enterprise": {"uscc": n.enterprise.uscc, "name": n.enterprise.name},
        "amount": float(n.amount), "purpose": n.purpose, "term_months": n.term_months,
        "kinds": n.kinds, "collateral": n.collateral, "state": n.state,
        "state_label": n.get_state_display(), "created_at": n.created_at.isoformat(),
        "responses": [
            {"bank": r.bank, "kind": r.kind, "amount": float(r.amount) if r.amount else None,
             "rate": float(r.rate) if r.rate else None, "term_months": r.term_months,
             "on": r.on.isoformat(), "reason": r.reason}
            for r in selectors_responses(user, n)
        ],
        "actions": services.allowed_events(user, n),
    }  # fmt: skip


def selectors_responses(user, n):
    return scopes.responses(user, n.responses.all()).order_by("at")


class NeedIn(Schema):
    uscc: str | None = None
    amount: str
    purpose: str
    term_months: int
    kinds: list[str]
    collateral: str = ""


@router.get("/needs", summary="融资需求（权限范围内；银行：已授权“融资需求”的企业）")
def list_needs(request, state: str = ""):
    qs = scopes.needs(request.auth).select_related("enterprise")
    if state:
        qs = qs.filter(state=state)
    out = [_need(n, request.auth) for n in qs[:500]]
    if consent.is_partner(request.auth):
        for n in {x.enterprise for x in qs[:500]}:
            consent.record(request.auth, n, ["financing"], "api", "融资需求列表（接口）")
    return out


@router.get("/needs/{int:pk}", summary="融资需求详情")
def get_need(request, pk: int):
    n = services.get_need(request.auth, pk)
    consent.record(request.auth, n.enterprise, ["financing"], "api", f"融资需求 {pk}")
    return _need(n, request.auth)


@router.post(
    "/needs", summary="发布融资需求（企业本身，或经企业授权的服务专员）", response={201: dict}
)
def post_need(request, payload: NeedIn):
    user = request.auth
    if scopes.is_enterprise(user) and not payload.uscc:
        ent = user.enterprise
    else:
        ent = access.get(user, Enterprise, uscc=(payload.uscc or "").strip().upper())
    try:
        n = services.post_need(user, ent, payload.dict())
    except ValidationError as exc:
        _bad(exc)
    return Status(201, _need(n, user))


class ResponseIn(Schema):
    kind: str
    amount: str | None = None
    rate: str | None = None
    term_months: int | None = None
    on: str | None = None
    reason: str = ""
    product: int | None = None


@router.post("/needs/{int:pk}/responses", summary="银行答复：contact 接洽 / credit 授信 / loan 放款 / reject 拒绝",
             response={201: dict})  # fmt: skip
def respond(request, pk: int, payload: ResponseIn):
    n = services.get_need(request.auth, pk)
    try:
        services.respond(request.auth, n, payload.dict())
    except ValidationError as exc:
        _bad(exc)
    n.refresh_from_db()
    return Status(201, _need(n, request.auth))


class CloseIn(Schema):
    action: str  # withdraw | decline
    note: str = ""


@router.post("/needs/{int:pk}/close", summary="企业撤回需求（withdraw）或登记未获融资（decline）")
def close(request, pk: int, payload: CloseIn):
    n = services.get_need(request.auth, pk)
    try:
        services.close_need(request.auth, n, payload.action, payload.note)
    except ValidationError as exc:
        _bad(exc)
    return _need(n, request.auth)


# ------------------------------------------------------------------------------------ products
def _product(p: Product) -> dict:
    return {
        "id": p.pk, "bank": p.bank, "name": p.name, "kind": p.kind,
        "amount_min": float(p.amount_min) if p.amount_min is not None else None,
        "amount_max": float(p.amount_max) if p.amount_max is not None else None,
        "rate_min": float(p.rate_min) if p.rate_min is not None else None,
        "rate_max": float(p.rate_max) if p.rate_max is not None else None,
        "term_months": p.term_months, "conditions": p.conditions, "active": p.active,
    }  # fmt: skip


class ProductIn(Schema):
    name: str
    kind: str
    bank: str | None = None
    amount_min: str | None = None
    amount_max: str | None = None
    rate_min: str | None = None
    rate_max: str | None = None
    term_months: int | None = None
    conditions: list[dict] = []
    description: str = ""
    active: bool = True


@router.get("/products", summary="金融产品")
def list_products(request):
    return [_product(p) for p in scopes.products(request.auth)[:500]]


@router.post("/products", summary="新增金融产品（银行本身或市金融监管局）", response={201: dict})
def add_product(request, payload: ProductIn):
    try:
        p = services.save_product(request.auth, payload.dict())
    except ValidationError as exc:
        _bad(exc)
    return Status(201, _product(p))


@router.put("/products/{int:pk}", summary="修改金融产品")
def edit_product(request, pk: int, payload: ProductIn):
    p = access.get(request.auth, Product, pk=pk, write=True)
    try:
        p = services.save_product(request.auth, payload.dict(), p)
    except ValidationError as exc:
        _bad(exc)
    return _product(p)


@router.get("/match/{uscc}", summary="为企业匹配金融产品（含理由；银行只用企业授权的数据）")
def match(request, uscc: str, need: int | None = None):
    user = request.auth
    e = access.get(user, Enterprise, uscc=uscc.strip().upper())
    n = services.get_need(user, need) if need else None
    if n is not None and n.enterprise_id != e.pk:
        raise HttpError(400, "融资需求不属于该企业")
    if consent.is_partner(user):
        consent.record(user, e, sorted(consent.granted(user, e)), "api", "产品匹配")
    return [
        {"product": _product(r["product"]), "verdict": r["verdict"], "reasons": r["reasons"]}
        for r in selectors.match_products(user, e, n)
    ]


# ------------------------------------------------------------------------------------ outcomes
@router.get(
    "/outcomes", summary="融资成效：按银行、方式、板块、梯度；余额；平均利率；需求到放款天数"
)
def outcomes(request, start: str | None = None, end: str | None = None):
    try:
        s = cleaning.date(start, _("统计起始日期（start）"))
        e = cleaning.date(end, _("统计截止日期（end）"))
    except ValidationError as exc:
        _bad(exc)
    d = selectors.outcomes(request.auth, s, e)

    def rows(rs):
        return [{"key": r["key"], "n": r["n"], "amount": float(r["amount"])} for r in rs]

    return {
        "start": d["start"].isoformat(), "end": d["end"].isoformat(), "count": d["count"],
        "amount": float(d["amount"]), "avg_rate": float(d["avg_rate"]) if d["avg_rate"] else None,
        "avg_days_need_to_loan": float(d["avg_days"]) if d["avg_days"] is not None else None,
        "by_bank": rows(d["by_bank"]), "by_kind": rows(d["by_kind"]),
        "by_region": rows(d["by_region"]), "by_tier": rows(d["by_tier"]),
        "balance": [{"month": m, "amount": float(b)} for m, b in zip(d["months"], d["balance"],
                                                                     strict=True)],
    }  # fmt: skip


# ------------------------------------------------------------------------------------ listing
@router.get("/listing", summary="上市后备企业库（与 srdi listing --format json 相同）")
def listing(request, all: bool = False):  # noqa: A002
    qs = access.visible(request.auth, ListingCandidate).select_related("enterprise")
    if not all:
        qs = qs.filter(stage__in=selectors.POOL_STAGES)
    return {"results": [
        {"uscc": c.enterprise.uscc, "name": c.enterprise.name, "stage": c.get_stage_display(),
         "score": float(c.score) if c.score is not None else None}
        for c in qs.order_by("-score", "enterprise__uscc")
    ]}  # fmt: skip

"""Every write of finance: permission check, change, audit record, notification.

The web pages, the API and the ``srdi`` commands all call these.
"""

from __future__ import annotations

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from srdi.accounts import scopes as acc
from srdi.accounts.models import User
from srdi.accounts.roles import PartnerKind, Role
from srdi.audit.services import record
from srdi.core import access
from srdi.core.cleaning import date as _date
from srdi.core.cleaning import decimal
from srdi.core.cleaning import integer as _int
from srdi.core.cleaning import text as _text
from srdi.core.notifications import notify

from . import consent, scopes
from .models import (
    FinancingKind,
    InsuranceClaim,
    Intermediary,
    ListingCandidate,
    ListingProblem,
    Loan,
    Need,
    Product,
    Response,
)

MAX_AMOUNT = Decimal("10000000")  # 万元: 1 000 亿, beyond any SME financing


# ------------------------------------------------------------------------------------ helpers
def _dec(value, label: str, *, required: bool = True, low=Decimal(0), high=MAX_AMOUNT):
    """An amount (万元) or a rate: required and from 0 to ``MAX_AMOUNT`` unless said otherwise."""
    return decimal(value, label, required=required, low=low, high=high)


def enterprise_users(enterprise):
    return User.objects.filter(role=Role.ENTERPRISE, enterprise=enterprise, is_active=True)


def bank_users(bank: str):
    return User.objects.filter(
        role=Role.PARTNER, partner_kind=PartnerKind.BANK, organization=bank, is_active=True
    )


def banks() -> list[str]:
    """The partner banks (organisations of active bank users)."""
    return sorted(
        set(
            User.objects.filter(role=Role.PARTNER, partner_kind=PartnerKind.BANK, is_active=True)
            .exclude(organization="")
            .values_list("organization", flat=True)
        )
    )


def finance_officials():
    from srdi.accounts.roles import Department

    return User.objects.filter(role=Role.DEPARTMENT, department=Department.JRJ, is_active=True)


# ------------------------------------------------------------------------------------ consent
def _require_owner(user, enterprise) -> None:
    if not (scopes.is_enterprise(user) and user.enterprise_id == enterprise.pk):
        if acc.can_view(user, enterprise):
            raise PermissionDenied(_("数据共享授权只能由企业本身办理，他人不能代为授权或撤回。"))
        from django.http import Http404

        raise Http404(_("未找到该企业，或您无权查看。"))


@transaction.atomic
def grant_consent(
    user, enterprise, *, banks_: list[str] | None = None, all_banks: bool = False,
    sections: list[str], until=None, purpose: str = "",
):  # fmt: skip
    """The enterprise grants one, several or all partner banks some sections until a date."""
    from srdi.registry.models import DataShare

    _require_owner(user, enterprise)
    secs = [s for s in consent.section_keys() if s in set(sections or [])]
    unknown = sorted(set(sections or []) - set(consent.section_keys()))
    if unknown:
        raise ValidationError(
            _("共享内容：未知的栏目“%(s)s”，可选：%(k)s")
            % {"s": "、".join(unknown), "k": "、".join(consent.section_keys())}
        )
    if not secs:
        raise ValidationError(_("共享内容：至少选择一项"))
    until = _date(until, _("有效期至"))
    today = timezone.localdate()
    if until is not None and until < today:
        raise ValidationError(_("有效期至：不能早于今天"))
    if until is not None and until > today + relativedelta(years=5):
        raise ValidationError(_("有效期至：最长五年"))
    known = set(banks())
    targets = [] if all_banks else sorted(set(banks_ or []))
    if not all_banks:
        if not targets:
            raise ValidationError(_("共享对象：至少选择一家银行，或选择“全部合作银行”"))
        bad = [b for b in targets if b not in known]
        if bad:
            raise ValidationError(_("共享对象：“%(b)s”不是本平台的合作银行") % {"b": bad[0]})
    purpose = _text(purpose, _("用途"), max_len=200, required=False)
    made = []
    for org in targets or [""]:
        c = DataShare.objects.create(
            enterprise=enterprise, organization=org, all_banks=all_banks, sections=secs,
            until=until, purpose=purpose or _("融资对接"), granted_by=user,
        )  # fmt: skip
        record(
            actor=user, action="finance.consent.grant", obj=c, enterprise_uscc=enterprise.uscc,
            object_repr=f"{enterprise.name} → {org or _('全部合作银行')}",
            after={"organization": org, "all_banks": all_banks, "sections": secs,
                   "until": until.isoformat() if until else None},
        )  # fmt: skip
        who = bank_users(org) if org else User.objects.filter(
            role=Role.PARTNER, partner_kind=PartnerKind.BANK, is_active=True)  # fmt: skip
        notify(
            who, kind="finance.consent", title=_("%(e)s 向贵机构共享了数据") % {"e": enterprise.name},
            body=_("共享内容：%(s)s") % {"s": consent.labels(secs)},
            link=f"/finance/shared/{enterprise.uscc}/", enterprise_uscc=enterprise.uscc,
        )  # fmt: skip
        made.append(c)
    return made


@transaction.atomic
def withdraw_consent(user, share, note: str = ""):
    _require_owner(user, share.enterprise)
    if share.revoked_at is not None:
        raise ValidationError(_("该授权已撤回。"))
    share.revoked_at = timezone.now()
    share.revoked_by = user
    share.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor=user, action="finance.consent.withdraw", obj=share,
        enterprise_uscc=share.enterprise.uscc, before={"revoked_at": None},
        after={"revoked_at": share.revoked_at.isoformat()}, note=note,
    )  # fmt: skip
    return share


# ------------------------------------------------------------------------------------ needs
def may_post_need(user, enterprise) -> bool:
    """The enterprise, or its commissioner once the enterprise shares "financing" with a bank."""
    if scopes.is_enterprise(user):
        return user.enterprise_id == enterprise.pk
    if user.is_authenticated and user.role == Role.COMMISSIONER:
        return enterprise.commissioners.filter(pk=user.pk).exists() and any(
            "financing" in (c.sections or []) for c in enterprise.shares.all() if _in_force(c)
        )
    return False


def _in_force(c) -> bool:
    from srdi.registry.models import DataShare

    return DataShare.active().filter(pk=c.pk).exists()


def _need_fields(data: dict) -> dict:
    kinds = data.get("kinds") or []
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",") if k]
    bad = [k for k in kinds if k not in FinancingKind.values]
    if bad:
        raise ValidationError(_("可接受方式：未知的方式“%(k)s”") % {"k": bad[0]})
    if not kinds:
        raise ValidationError(_("可接受方式：至少选择一种"))
    return {
        "amount": _dec(data.get("amount"), _("金额（万元）"), low=Decimal("0.01")),
        "purpose": _text(data.get("purpose"), _("用途"), max_len=300, required=True),
        "term_months": _int(
            data.get("term_months"), _("期限（月）"), required=True, low=1, high=600
        ),
        "kinds": [k for k in FinancingKind.values if k in kinds],
        "collateral": _text(data.get("collateral"), _("担保/抵质押"), max_len=300, required=False),
    }


@transaction.atomic
def post_need(user, enterprise, data: dict) -> Need:
    if not may_post_need(user, enterprise):
        if acc.can_view(user, enterprise):
            raise PermissionDenied(_("只有企业本身（或经企业授权的服务专员）可以发布融资需求。"))
        from django.http import Http404

        raise Http404(_("未找到该企业，或您无权查看。"))
    n = Need.objects.create(enterprise=enterprise, created_by=user, **_need_fields(data))
    record(actor=user, action="finance.need.post", obj=n, after=_need_fields(data) | {
        "amount": str(n.amount)}, enterprise_uscc=enterprise.uscc)  # fmt: skip
    banks_seeing = sorted({b for b in banks() if _bank_sees(b, enterprise)})
    for b in banks_seeing:
        notify(
            bank_users(b), kind="finance.need", dedupe_key=f"finance.need.{n.pk}",
            title=_("新的融资需求：%(e)s") % {"e": enterprise.name},
            body=_("%(a)s万元，%(p)s") % {"a": n.amount.normalize(), "p": n.purpose},
            link=f"/finance/needs/{n.pk}/", enterprise_uscc=enterprise.uscc,
        )  # fmt: skip
    notify(finance_officials(), kind="finance.need", dedupe_key=f"finance.need.{n.pk}",
           title=_("新的融资需求：%(e)s") % {"e": enterprise.name},
           link=f"/finance/needs/{n.pk}/")  # fmt: skip
    return n


def _bank_sees(bank: str, enterprise) -> bool:
    from django.db.models import Q

    from srdi.registry.models import DataShare

    for c in DataShare.active().filter(
        Q(organization=bank) | Q(all_banks=True), enterprise=enterprise
    ):
        if "financing" in (c.sections or []):
            return True
    return False


def banks_for_need(need: Need) -> list[str]:
    """The banks a need is shared with (consent "financing" in force)."""
    return [b for b in banks() if _bank_sees(b, need.enterprise)]


class NeedMachine(StateMachine):
    """待银行响应 → 接洽中 → 已授信 → 已放款; 撤回 or 未获融资 before a loan."""

    open = State(_("待银行响应"), initial=True, value=Need.State.OPEN)
    contacted = State(_("接洽中"), value=Need.State.CONTACTED)
    credited = State(_("已授信"), value=Need.State.CREDITED)
    loaned = State(_("已放款"), final=True, value=Need.State.LOANED)
    declined = State(_("未获融资"), final=True, value=Need.State.DECLINED)
    withdrawn = State(_("已撤回"), final=True, value=Need.State.WITHDRAWN)

    contact = open.to(contacted) | contacted.to.itself() | credited.to.itself()
    credit = open.to(credited) | contacted.to(credited) | credited.to.itself()
    loan = credited.to(loaned)
    reject = open.to.itself() | contacted.to.itself() | credited.to.itself()
    decline = open.to(declined) | contacted.to(declined) | credited.to(declined)
    withdraw = open.to(withdrawn) | contacted.to(withdrawn) | credited.to(withdrawn)


#: who may make each transition
NEED_EVENT_ROLES = {
    "contact": {"bank"},
    "credit": {"bank"},
    "loan": {"bank"},
    "reject": {"bank"},
    "decline": {"enterprise", "jrj"},
    "withdraw": {"enterprise"},
}
EVENT_OF_RESPONSE = {
    Response.Kind.CONTACT: "contact",
    Response.Kind.CREDIT: "credit",
    Response.Kind.LOAN: "loan",
    Response.Kind.REJECT: "reject",
}


def _sides(user, need: Need) -> set[str]:
    out = set()
    if consent.is_bank(user) and _bank_sees(user.organization, need.enterprise):
        out.add("bank")
    if scopes.is_enterprise(user) and user.enterprise_id == need.enterprise_id:
        out.add("enterprise")
    if scopes.is_finance_official(user):
        out.add("jrj")
    return out


def allowed_events(user, need: Need) -> list[str]:
    sm = NeedMachine(model=need, state_field="state")
    sides = _sides(user, need)
    return [e.id for e in sm.allowed_events if NEED_EVENT_ROLES.get(e.id, set()) & sides]


def _send(user, need: Need, event: str) -> str:
    if not NEED_EVENT_ROLES[event] & _sides(user, need):
        raise PermissionDenied(_("您无权对该融资需求执行此操作。"))
    before = need.state
    sm = NeedMachine(model=need, state_field="state")
    try:
        sm.send(event)
    except TransitionNotAllowed:
        raise ValidationError(
            _("融资需求当前为“%(s)s”，不能执行此操作。") % {"s": Need.State(before).label}
        ) from None
    need.save(update_fields=["state", "updated_at"])
    return before


@transaction.atomic
def close_need(user, need: Need, event: str, note: str = "") -> Need:
    """The enterprise withdraws its need, or records that it got no financing."""
    need = Need.objects.select_for_update().select_related("enterprise").get(pk=need.pk)
    if event not in ("withdraw", "decline"):
        raise ValidationError(_("未知的操作"))
    before = _send(user, need, event)
    record(actor=user, action=f"finance.need.{event}", obj=need, before={"state": before},
           after={"state": need.state}, note=note)  # fmt: skip
    for b in banks_for_need(need):
        notify(bank_users(b), kind="finance.need", title=_("融资需求已%(s)s：%(e)s") % {
            "s": need.get_state_display(), "e": need.enterprise.name}, link="/finance/")  # fmt: skip
    return need


@transaction.atomic
def respond(user, need: Need, data: dict) -> Response:
    """A bank answers a need: 接洽 / 授信 / 放款 / 拒绝 (with reason); a 放款 makes a loan."""
    need = Need.objects.select_for_update().select_related("enterprise").get(pk=need.pk)
    kind = data.get("kind")
    if kind not in Response.Kind.values:
        raise ValidationError(_("答复：应为 接洽、授信、放款 或 拒绝"))
    on = _date(data.get("on"), _("日期")) or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError(_("日期：不能晚于今天"))
    amount = _dec(data.get("amount"), _("金额（万元）"), required=kind in ("credit", "loan"),
                  low=Decimal("0.01"))  # fmt: skip
    rate = _dec(data.get("rate"), _("年利率（%）"), required=kind == "loan", high=Decimal(36))
    term = _int(data.get("term_months"), _("期限（月）"), required=kind == "loan", low=1, high=600)
    reason = _text(data.get("reason"), _("拒绝原因"), max_len=300, required=kind == "reject")
    product = None
    if data.get("product"):
        product = Product.objects.filter(pk=data["product"], bank=user.organization).first()
        if product is None:
            raise ValidationError(_("产品：不是贵机构的产品"))
    before = _send(user, need, EVENT_OF_RESPONSE[kind])
    r = Response.objects.create(
        need=need, bank=user.organization, kind=kind, product=product, amount=amount, rate=rate,
        term_months=term, on=on, reason=reason, by=user,
    )  # fmt: skip
    if kind == "loan":
        Loan.objects.create(
            enterprise=need.enterprise, bank=user.organization,
            kind=product.kind if product else (need.kinds[0] if need.kinds else "credit"),
            amount=amount, rate=rate, term_months=term, loaned_on=on,
            matures_on=on + relativedelta(months=term), need=need, source=Loan.Source.RESPONSE,
        )  # fmt: skip
    record(actor=user, action=f"finance.need.{kind}", obj=need, before={"state": before},
           after={"state": need.state, "bank": user.organization, "amount": str(amount or ""),
                  "rate": str(rate or ""), "term_months": term, "on": on.isoformat()},
           note=reason)  # fmt: skip
    notify(
        enterprise_users(need.enterprise), kind="finance.response",
        title=_("%(b)s 答复了您的融资需求：%(k)s") % {"b": user.organization, "k": r.get_kind_display()},
        body=reason, link=f"/finance/needs/{need.pk}/", enterprise_uscc=need.enterprise.uscc,
    )  # fmt: skip
    return r


# ------------------------------------------------------------------------------------ products
def _conditions(raw) -> list[dict]:
    from srdi.policies.conditions import ConditionError, compile_expr

    if isinstance(raw, str):
        rows = []
        for line in raw.splitlines():
            line = line.strip()
            if not line:
                continue
            label, sep, expr = line.partition("|")
            rows.append({"label": label.strip(), "expr": expr.strip()} if sep else
                        {"label": "", "expr": label.strip()})  # fmt: skip
        raw = rows
    if not isinstance(raw, list) or len(raw) > 20:
        raise ValidationError(_("准入条件：应为不超过 20 条的列表"))
    out = []
    for i, c in enumerate(raw, 1):
        if not isinstance(c, dict) or not isinstance(c.get("expr"), str):
            raise ValidationError(_("准入条件第%(i)s条：应包含表达式") % {"i": i})
        try:
            compile_expr(c["expr"], where=_("准入条件第%(i)s条") % {"i": i})
        except ConditionError as exc:
            raise ValidationError(str(exc)) from None
        out.append({"label": _text(c.get("label") or c["expr"], _("条件说明"), max_len=100, required=True),
                    "expr": c["expr"].strip()})  # fmt: skip
    return out


@transaction.atomic
def save_product(user, data: dict, product: Product | None = None) -> Product:
    if not scopes.may_edit_product(user, product):
        raise PermissionDenied(_("只有银行本身或市金融监管局可以维护金融产品。"))
    bank = (
        product.bank
        if product
        else (
            user.organization
            if consent.is_bank(user)
            else _text(data.get("bank"), _("银行"), max_len=200, required=True)
        )
    )
    kind = data.get("kind")
    if kind not in FinancingKind.values:
        raise ValidationError(_("类型：请选择产品类型"))
    fields = {
        "name": _text(data.get("name"), _("产品名称"), max_len=200, required=True),
        "kind": kind,
        "amount_min": _dec(data.get("amount_min"), _("额度下限"), required=False),
        "amount_max": _dec(data.get("amount_max"), _("额度上限"), required=False),
        "rate_min": _dec(data.get("rate_min"), _("年利率下限"), required=False, high=Decimal(36)),
        "rate_max": _dec(data.get("rate_max"), _("年利率上限"), required=False, high=Decimal(36)),
        "term_months": _int(
            data.get("term_months"), _("最长期限（月）"), required=False, low=1, high=600
        ),
        "conditions": _conditions(data.get("conditions") or []),
        "description": _text(data.get("description"), _("说明"), max_len=2000, required=False),
        "active": bool(data.get("active", True)),
    }
    for lo, hi, w in (("amount_min", "amount_max", _("额度")), ("rate_min", "rate_max", _("利率"))):
        if fields[lo] is not None and fields[hi] is not None and fields[lo] > fields[hi]:
            raise ValidationError(_("%(w)s：下限不能高于上限") % {"w": w})
    dup = Product.objects.filter(bank=bank, name=fields["name"])
    if product:
        dup = dup.exclude(pk=product.pk)
    if dup.exists():
        raise ValidationError(_("产品名称：本行已有同名产品"))
    before = None
    if product is None:
        product = Product(bank=bank, created_by=user)
    else:
        before = {k: str(getattr(product, k)) for k in fields}
    for k, v in fields.items():
        setattr(product, k, v)
    product.save()
    record(actor=user, action="finance.product.save", obj=product, before=before,
           after={k: str(v) for k, v in fields.items()})  # fmt: skip
    return product


# ------------------------------------------------------------------------------------ loans
@transaction.atomic
def add_loan(user, enterprise, data: dict, *, source=Loan.Source.IMPORT) -> Loan:
    """A loan reported by a bank's outcome file (or entered by 金融监管局)."""
    if not (
        scopes.is_finance_official(user)
        or (consent.is_bank(user) and data.get("bank", user.organization) == user.organization)
    ):
        raise PermissionDenied(_("只有市金融监管局或放款银行本身可以登记贷款。"))  # fmt: skip
    bank = (
        user.organization
        if consent.is_bank(user)
        else _text(data.get("bank"), _("银行"), max_len=200, required=True)
    )
    kind = data.get("kind")
    if kind not in FinancingKind.values:
        labels = {str(v): k for k, v in FinancingKind.choices}
        kind = labels.get(str(kind or "").strip())
        if kind is None:
            raise ValidationError(_("类型：“%(k)s”不是已知的融资类型") % {"k": data.get("kind")})
    on = _date(data.get("loaned_on"), _("放款日期"), required=True)
    term = _int(data.get("term_months"), _("期限（月）"), required=True, low=1, high=600)
    ref = _text(data.get("reference"), _("业务编号"), max_len=100, required=False)
    fields = dict(
        bank=bank, kind=kind, amount=_dec(data.get("amount"), _("金额（万元）"), low=Decimal("0.01")),
        rate=_dec(data.get("rate"), _("年利率（%）"), required=False, high=Decimal(36)),
        term_months=term, loaned_on=on, matures_on=on + relativedelta(months=term),
    )  # fmt: skip
    if ref:
        loan, created = Loan.objects.update_or_create(
            bank=bank, reference=ref, defaults=fields | {"enterprise": enterprise, "source": source}
        )
    else:  # fmt: skip
        loan, created = Loan.objects.create(enterprise=enterprise, source=source, **fields), True
    record(actor=user, action="finance.loan.add" if created else "finance.loan.update", obj=loan,
           after={k: str(v) for k, v in fields.items()})  # fmt: skip
    return loan


# ------------------------------------------------------------------------------------ listing
class ListingMachine(StateMachine):
    """待确认 → 培育 → 辅导备案 → 申报 → 审核/注册 → 上市; 出库 from any stage before 上市."""

    proposed = State(_("待确认"), initial=True, value=ListingCandidate.Stage.PROPOSED)
    cultivating = State(_("培育"), value=ListingCandidate.Stage.CULTIVATING)
    tutoring = State(_("辅导备案"), value=ListingCandidate.Stage.TUTORING)
    filed = State(_("申报"), value=ListingCandidate.Stage.FILED)
    review = State(_("审核/注册"), value=ListingCandidate.Stage.REVIEW)
    listed = State(_("上市"), final=True, value=ListingCandidate.Stage.LISTED)
    removed = State(_("已出库"), final=True, value=ListingCandidate.Stage.REMOVED)

    confirm = proposed.to(cultivating)
    tutor = cultivating.to(tutoring)
    file = tutoring.to(filed)
    accept = filed.to(review)
    list_ = review.to(listed)
    remove = (proposed.to(removed) | cultivating.to(removed) | tutoring.to(removed)
              | filed.to(removed) | review.to(removed))  # fmt: skip


LISTING_EVENTS = {
    "confirm": _("确认入库"),
    "tutor": _("进入辅导备案"),
    "file": _("提交申报"),
    "accept": _("进入审核/注册"),
    "list_": _("上市"),
    "remove": _("出库"),
}


def _require_jrj(user) -> None:
    if not scopes.is_finance_official(user):
        raise PermissionDenied(_("仅市金融监管局或市工信局管理员可维护上市后备企业库。"))


@transaction.atomic
def propose_candidates(user, rows: list[dict]) -> tuple[int, int]:
    """Put the scoring's selection into the pool as 待确认 (scores refreshed on existing rows)."""
    _require_jrj(user)
    added = updated = 0
    for r in rows:
        c, created = ListingCandidate.objects.get_or_create(
            enterprise_id=r["enterprise_id"],
            defaults={"score": r["score"], "score_detail": r["detail"]},
        )
        if created:
            added += 1
        else:
            c.score, c.score_detail = r["score"], r["detail"]
            c.save(update_fields=["score", "score_detail", "updated_at"])
            updated += 1
    record(actor=user, action="finance.listing.propose", object_type="finance.listingcandidate",
           object_repr=_("上市后备遴选"), after={"added": added, "updated": updated})  # fmt: skip
    return added, updated


@transaction.atomic
def advance(user, c: ListingCandidate, event: str, *, note: str = "", data: dict | None = None):
    _require_jrj(user)
    c = ListingCandidate.objects.select_for_update().select_related("enterprise").get(pk=c.pk)
    if event not in LISTING_EVENTS:
        raise ValidationError(_("未知的操作"))
    data = data or {}
    before = c.stage
    sm = ListingMachine(model=c, state_field="stage")
    if event == "list_":
        board = _text(data.get("board"), _("上市板块"), max_len=40, required=True)
        code = _text(data.get("stock_code"), _("股票代码"), max_len=20, required=True)
        on = _date(data.get("listed_on"), _("上市日期"), required=True)
    try:
        sm.send(event)
    except TransitionNotAllowed:
        raise ValidationError(
            _("当前阶段为“%(s)s”，不能“%(a)s”。")
            % {"s": ListingCandidate.Stage(before).label, "a": LISTING_EVENTS[event]}
        ) from None
    if event == "confirm":
        c.confirmed_on, c.confirmed_by = timezone.localdate(), user
    if event == "list_":
        c.board, c.stock_code, c.listed_on = board, code, on
    if note:
        c.note = (c.note + "\n" if c.note else "") + note[:500]
    c.save()
    record(actor=user, action="finance.listing.stage", obj=c, before={"stage": before},
           after={"stage": c.stage, "board": c.board, "stock_code": c.stock_code,
                  "listed_on": c.listed_on.isoformat() if c.listed_on else None}, note=note)  # fmt: skip
    notify(enterprise_users(c.enterprise), kind="finance.listing",
           title=_("上市后备企业库：%(s)s") % {"s": c.get_stage_display()},
           link="/finance/listing/")  # fmt: skip
    return c


LISTING_SOURCE = "finance.listing"  # the service requests filed from listing problems


def problem_request_kind(kind: str) -> tuple[str, str]:
    """The routing table's category and sub-kind a listing problem of ``kind`` is filed as."""
    from . import selectors

    rows = selectors.listing_rules()["problem_requests"]
    row = rows.get(kind) or rows["other"]
    return row["category"], row.get("subkind", "")


def route_problem(kind: str) -> str:
    """The department the routing table sends a listing problem of ``kind`` to."""
    from srdi.support import config

    return config.route(*problem_request_kind(kind))["department"]


@transaction.atomic
def add_problem(user, c: ListingCandidate, data: dict) -> ListingProblem:
    """Register a problem of a pool enterprise and file it as a service request (诉求) routed to
    the responsible department; the request's 办结 marks the problem solved."""
    from srdi.accounts.roles import Department
    from srdi.support import services as support

    _require_jrj(user)
    kind = data.get("kind")
    if kind not in ListingProblem.Kind.values:
        raise ValidationError(_("问题类型：请选择"))
    dept = data.get("department") or route_problem(kind)
    if dept not in Department.values:
        raise ValidationError(_("责任部门：请选择"))
    description = _text(data.get("description"), _("问题描述"), max_len=500, required=True)
    category, subkind = problem_request_kind(kind)
    r = support.file_request(
        user, c.enterprise, category,
        _("上市后备企业%(e)s在上市过程中遇到的问题（%(k)s）：%(d)s")
        % {"e": c.enterprise.name, "k": ListingProblem.Kind(kind).label, "d": description},
        subkind=subkind, source=LISTING_SOURCE, department=dept,
        title=_("上市问题：%(d)s") % {"d": description[:50]},
    )  # fmt: skip
    p = ListingProblem.objects.create(
        candidate=c, kind=kind, department=r.department, description=description, request=r
    )
    record(actor=user, action="finance.listing.problem", obj=p, enterprise_uscc=c.enterprise.uscc,
           after={"kind": kind, "department": p.department, "description": p.description,
                  "request": r.pk})  # fmt: skip
    return p


@transaction.atomic
def solve_problem(user, p: ListingProblem, resolution: str) -> ListingProblem:
    """Solve a problem registered before problems became requests; one filed as a request is
    solved by the request's 办结 (:func:`request_moved`)."""
    if not (
        scopes.is_finance_official(user)
        or (user.role == Role.DEPARTMENT and user.department == p.department)
    ):
        raise PermissionDenied(_("仅责任部门或市金融监管局可办结该问题。"))  # fmt: skip
    if p.status == ListingProblem.Status.SOLVED:
        raise ValidationError(_("该问题已解决。"))
    if p.request_id:
        raise ValidationError(
            _("该问题已作为服务诉求交%(d)s办理，请在诉求中办结；诉求办结后问题即标为已解决。")
            % {"d": p.get_department_display()}
        )
    p.status, p.solved_on = ListingProblem.Status.SOLVED, timezone.localdate()
    p.resolution = _text(resolution, _("解决情况"), max_len=500, required=True)
    p.save()
    record(actor=user, action="finance.listing.solve", obj=p,
           enterprise_uscc=p.candidate.enterprise.uscc, after={"resolution": p.resolution})  # fmt: skip
    return p


def request_moved(actor, r, event: str, note: str) -> None:
    """A listing problem's request moved (registered with srdi.support.sources): 办结 marks the
    problem solved with the request's result; 转办 makes the new department responsible."""
    for p in ListingProblem.objects.select_for_update().filter(request=r):
        before = {"status": p.status, "department": p.department}
        if event == "close" and p.status != ListingProblem.Status.SOLVED:
            p.status, p.solved_on = ListingProblem.Status.SOLVED, r.closed_on
            p.resolution = (r.result or "")[:500]
        elif event == "transfer":
            p.department = r.department
        else:
            continue
        p.save()
        record(actor=actor, action="finance.listing.solve" if event == "close"
               else "finance.listing.transfer", obj=p, enterprise_uscc=r.enterprise.uscc,
               before=before, after={"status": p.status, "department": p.department,
                                     "resolution": p.resolution},
               note=_("随服务诉求办理"))  # fmt: skip


@transaction.atomic
def add_intermediary(user, c: ListingCandidate, data: dict) -> Intermediary:
    _require_jrj(user)
    kind = data.get("kind")
    if kind not in Intermediary.Kind.values:
        raise ValidationError(_("中介类型：请选择"))
    m = Intermediary.objects.create(
        candidate=c, kind=kind, name=_text(data.get("name"), _("机构名称"), max_len=200, required=True),
        engaged_on=_date(data.get("engaged_on"), _("签约日期")),
    )  # fmt: skip
    record(actor=user, action="finance.listing.intermediary", obj=m,
           enterprise_uscc=c.enterprise.uscc, after={"kind": kind, "name": m.name})  # fmt: skip
    return m


# ------------------------------------------------------------------------------------ insurance
@transaction.atomic
def apply_insurance(user, enterprise, data: dict) -> InsuranceClaim:
    from srdi.policies.models import Policy

    if not (
        (scopes.is_enterprise(user) and user.enterprise_id == enterprise.pk)
        or scopes.is_finance_official(user)
    ):
        raise PermissionDenied(_("只有企业本身或市金融监管局可以登记保险补贴申请。"))  # fmt: skip
    kind = data.get("kind")
    if kind not in InsuranceClaim.Kind.values:
        raise ValidationError(_("险种：请选择"))
    policy = Policy.objects.filter(pk=data.get("policy"), status=Policy.Status.PUBLISHED).first()
    if policy is None:
        raise ValidationError(_("政策：请选择已发布的政策"))
    c = InsuranceClaim.objects.create(
        enterprise=enterprise, kind=kind, policy=policy, created_by=user,
        insurer=_text(data.get("insurer"), _("保险机构"), max_len=200, required=True),
        subject=_text(data.get("subject"), _("投保产品/专利"), max_len=200, required=True),
        insured_amount=_dec(data.get("insured_amount"), _("保险金额")),
        premium=_dec(data.get("premium"), _("保费")),
        subsidy_requested=_dec(data.get("subsidy_requested"), _("申请补贴")),
        applied_on=_date(data.get("applied_on"), _("申请日期")) or timezone.localdate(),
    )  # fmt: skip
    record(actor=user, action="finance.insurance.apply", obj=c,
           after={"kind": kind, "policy": policy.pk, "premium": str(c.premium)})  # fmt: skip
    return c


@transaction.atomic
def settle_insurance(user, c: InsuranceClaim, status: str, *, amount=None, paid_on=None):
    if not scopes.is_finance_official(user):
        raise PermissionDenied(_("仅市金融监管局可核定、兑付保险补贴。"))
    allowed = {"applied": {"approved", "rejected"}, "approved": {"paid"}}
    if status not in allowed.get(c.status, set()):
        raise ValidationError(
            _("当前状态为“%(s)s”，不能执行此操作。") % {"s": c.get_status_display()}
        )
    before = c.status
    c.status = status
    if status == "paid":
        c.subsidy_paid = _dec(amount, _("兑付补贴"))
        c.paid_on = _date(paid_on, _("兑付日期"), required=True)
    c.save()
    record(actor=user, action="finance.insurance.settle", obj=c, before={"status": before},
           after={"status": status, "paid": str(c.subsidy_paid or "")})  # fmt: skip
    notify(enterprise_users(c.enterprise), kind="finance.insurance",
           title=_("保险补贴申请：%(s)s") % {"s": c.get_status_display()}, link="/finance/")  # fmt: skip
    return c


def get_need(user, pk, *, write=False) -> Need:
    return access.get(user, Need.objects.select_related("enterprise"), pk=pk, write=write)

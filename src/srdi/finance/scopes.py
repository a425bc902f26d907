"""Who sees which finance records (registered with srdi.core.access).

* 金融监管局 (department jrj), admins and other city-wide officials (department users): all;
  only 金融监管局 and admins write pool, products of every bank, loans imports;
* 板块 officers / commissioners: the records of enterprises in their scope;
* an enterprise: its own;
* a bank (partner of kind bank): needs only of enterprises that granted it "financing", its own
  answers, products and loans — nothing without a consent in force.
"""

from __future__ import annotations

from django.db.models import Q

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Department, Role
from srdi.core import access
from srdi.support import sources

from . import consent
from .models import (
    InsuranceClaim,
    ListingCandidate,
    Loan,
    Need,
    PartnerAccess,
    Product,
    Response,
)


def is_finance_official(user) -> bool:
    """金融监管局 or an admin: manages the pool, sees and imports every finance record."""
    return bool(
        user
        and user.is_authenticated
        and (
            acc.is_admin(user)
            or (user.role == Role.DEPARTMENT and user.department == Department.JRJ)
        )
    )


def is_enterprise(user) -> bool:
    return bool(
        user and user.is_authenticated and user.role == Role.ENTERPRISE and user.enterprise_id
    )


def needs(user, qs=None):
    qs = Need.objects.all() if qs is None else qs
    if consent.is_partner(user):
        if not consent.is_bank(user):
            return qs.none()
        return qs.filter(enterprise__in=consent.partner_enterprises(user, section="financing"))
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


def _need_writable(user, n: Need) -> bool:
    if is_enterprise(user):
        return n.enterprise_id == user.enterprise_id
    return is_finance_official(user)


access.register(Need, visible=needs, writable=_need_writable, name="融资需求")


def responses(user, qs=None):
    qs = Response.objects.all() if qs is None else qs
    if consent.is_partner(user):
        return (
            qs.filter(bank=user.organization, need__in=needs(user))
            if consent.is_bank(user)
            else qs.none()
        )
    return qs.filter(need__in=needs(user))


access.register(
    Response,
    visible=responses,
    writable=lambda user, r: consent.is_bank(user) and r.bank == user.organization,
    name="银行答复",
)


def products(user, qs=None):
    """Products are public offers: every logged-in user sees the active ones; a bank its own."""
    qs = Product.objects.all() if qs is None else qs
    if not (user and user.is_authenticated):
        return qs.none()
    if is_finance_official(user) or acc.is_official(user):
        return qs
    if consent.is_bank(user):
        return qs.filter(Q(active=True) | Q(bank=user.organization))
    return qs.filter(active=True)


def may_edit_product(user, p: Product | None = None) -> bool:
    if is_finance_official(user):
        return True
    return consent.is_bank(user) and (p is None or p.bank == user.organization)


access.register(Product, visible=products, writable=may_edit_product, name="金融产品")


def loans(user, qs=None):
    qs = Loan.objects.all() if qs is None else qs
    if consent.is_partner(user):
        return qs.filter(bank=user.organization) if consent.is_bank(user) else qs.none()
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


access.register(Loan, visible=loans, writable=lambda u, x: is_finance_official(u), name="贷款")


def candidates(user, qs=None):
    qs = ListingCandidate.objects.all() if qs is None else qs
    if consent.is_partner(user) or not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


access.register(
    ListingCandidate,
    visible=candidates,
    writable=lambda u, x: is_finance_official(u),
    name="上市后备企业",
)


def _request_moved(actor, r, event, note):
    from .services import request_moved

    request_moved(actor, r, event, note)


# 金融监管局 files the problems of its listing reserve as service requests (诉求), follows them
# whichever department they are routed to, and a request's 办结 solves the problem
sources.register(
    "finance.listing",
    may_file=lambda u, e: (
        is_finance_official(u) and ListingCandidate.objects.filter(enterprise=e).exists()
    ),
    visible=lambda u: Q() if is_finance_official(u) else None,
    on_transition=_request_moved,
)


def claims(user, qs=None):
    qs = InsuranceClaim.objects.all() if qs is None else qs
    if consent.is_partner(user) or not (user and user.is_authenticated):
        return qs.none()
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


access.register(
    InsuranceClaim,
    visible=claims,
    writable=lambda u, c: (
        is_finance_official(u) or (is_enterprise(u) and c.enterprise_id == u.enterprise_id)
    ),
    name="保险补贴申请",
)


def accesses(user, qs=None):
    """The access log: an enterprise sees who read its data; officials see it all; a bank its own."""
    qs = PartnerAccess.objects.all() if qs is None else qs
    if consent.is_partner(user):
        return qs.filter(user=user)
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


access.register(PartnerAccess, visible=accesses, writable=lambda u, x: False, name="查看记录")


def consents(user, qs=None):
    """Consents: an enterprise its own, officials those in their scope, a bank those naming it."""
    from srdi.registry.models import DataShare

    qs = DataShare.objects.all() if qs is None else qs
    if consent.is_partner(user):
        return qs.filter(pk__in=consent.consents_for(user).values("pk"))
    return qs.filter(enterprise__in=acc.visible_enterprises(user))


def _register_consents():
    from srdi.registry.models import DataShare

    access.register(
        DataShare,
        visible=consents,
        # only the enterprise grants and withdraws (officials see, never act on its behalf)
        writable=lambda u, c: is_enterprise(u) and c.enterprise_id == u.enterprise_id,
        name="数据共享授权",
    )


_register_consents()

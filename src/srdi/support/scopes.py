"""Who sees and changes what in the service system (registered with srdi.core.access).

* 市工信局 administrators: everything;
* a department: the requests routed to it (and the enterprises' plans, read-only);
* a 板块 officer: the commissioners, plans, requests and visits of its 板块's enterprises; it
  assigns commissioners there;
* a commissioner: only the enterprises assigned to them — their plans, requests and visits,
  which they also write; their own profile;
* an enterprise: its own plan (read), its own requests (file, rate), its visits (read).
"""

from __future__ import annotations

from django.db.models import Q

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Role
from srdi.core import access

from . import sources
from .models import CommissionerProfile, Contact, PlanItem, ServicePlan, ServiceRequest, Visit


def _auth(user) -> bool:
    return bool(user and user.is_authenticated)


def is_admin(user) -> bool:
    return acc.is_admin(user)


def is_department(user) -> bool:
    return _auth(user) and user.role == Role.DEPARTMENT and bool(user.department)


def is_commissioner(user) -> bool:
    return _auth(user) and user.role == Role.COMMISSIONER


def is_region_officer(user) -> bool:
    return _auth(user) and user.role == Role.REGION_OFFICER and bool(user.region_id)


def is_enterprise(user) -> bool:
    return _auth(user) and user.role == Role.ENTERPRISE and bool(user.enterprise_id)


def serves(user, enterprise) -> bool:
    """The user is a commissioner assigned to ``enterprise``."""
    return is_commissioner(user) and enterprise.commissioners.filter(pk=user.pk).exists()


def may_assign(user, enterprise) -> bool:
    """Administrators anywhere; 板块 officers within their 板块."""
    if is_admin(user):
        return True
    return is_region_officer(user) and enterprise.region_id == user.region_id


def may_work_on(user, enterprise) -> bool:
    """Write plans and visits, file requests on its behalf: admin, its commissioners, its 板块."""
    return (
        is_admin(user)
        or serves(user, enterprise)
        or (is_region_officer(user) and enterprise.region_id == user.region_id)
    )


def may_file(user, enterprise) -> bool:
    return may_work_on(user, enterprise) or (
        is_enterprise(user) and user.enterprise_id == enterprise.pk
    )


def _enterprise_filter(user, qs, prefix="enterprise"):
    """Rows of enterprises the user's role covers (not departments, not partners)."""
    if is_admin(user):
        return qs
    if is_region_officer(user):
        return qs.filter(**{f"{prefix}__region_id": user.region_id})
    if is_commissioner(user):
        return qs.filter(**{f"{prefix}__in": acc.visible_enterprises(user).values("pk")})
    if is_enterprise(user):
        return qs.filter(**{f"{prefix}_id": user.enterprise_id})
    return qs.none()


def visible_requests(user, qs=None):
    """By role, plus the requests a registered source lets the user follow (e.g. 市金融监管局:
    the requests filed from its listing reserve, whichever department they are routed to)."""
    qs = ServiceRequest.objects.all() if qs is None else qs
    extra = sources.visible_q(user)
    if is_department(user):
        own = Q(department=user.department)
        return qs.filter(own | extra if extra is not None else own)
    scoped = _enterprise_filter(user, qs)
    if extra is None or is_admin(user):
        return scoped
    return qs.filter(Q(pk__in=scoped.values("pk")) | extra)


def visible_plans(user, qs=None):
    qs = ServicePlan.objects.all() if qs is None else qs
    if is_department(user):
        return qs  # departments own plan items; they read the plans
    return _enterprise_filter(user, qs)


def visible_plan_items(user, qs=None):
    qs = PlanItem.objects.all() if qs is None else qs
    if is_department(user):
        return qs.filter(owner_department=user.department)
    return _enterprise_filter(user, qs, "plan__enterprise")


def visible_visits(user, qs=None):
    qs = Visit.objects.all() if qs is None else qs
    return _enterprise_filter(user, qs)


def visible_commissioners(user, qs=None):
    qs = CommissionerProfile.objects.all() if qs is None else qs
    if is_admin(user) or is_department(user):
        return qs
    if is_region_officer(user):
        return qs.filter(
            Q(region_id=user.region_id) | Q(user__assigned_enterprises__region_id=user.region_id)
        ).distinct()
    if is_commissioner(user):
        return qs.filter(user=user)
    if is_enterprise(user):
        return qs.filter(user__assigned_enterprises=user.enterprise_id)
    return qs.none()


def visible_contacts(user, qs=None):
    qs = Contact.objects.all() if qs is None else qs
    if is_admin(user) or is_department(user):
        return qs
    if is_region_officer(user):
        return qs.filter(region_id=user.region_id)
    if is_commissioner(user) or is_enterprise(user):
        return qs.filter(enterprises__in=acc.visible_enterprises(user).values("pk")).distinct()
    return qs.none()


access.register(
    ServiceRequest,
    visible=lambda user, qs: visible_requests(user, qs),
    writable=lambda user, r: (
        is_admin(user)
        or (is_department(user) and r.department == user.department)
        or may_file(user, r.enterprise)
        or sources.may_file(user, r.enterprise, r.source)
    ),
    name="诉求",
)
access.register(
    ServicePlan,
    visible=lambda user, qs: visible_plans(user, qs),
    writable=lambda user, p: may_work_on(user, p.enterprise),
    name="一企一策",
)
access.register(
    PlanItem,
    visible=lambda user, qs: visible_plan_items(user, qs),
    writable=lambda user, i: (
        may_work_on(user, i.plan.enterprise)
        or (is_department(user) and i.owner_department == user.department)
    ),
    name="一企一策事项",
)
access.register(
    Visit,
    visible=lambda user, qs: visible_visits(user, qs),
    writable=lambda user, v: may_work_on(user, v.enterprise),
    name="走访记录",
)
access.register(
    CommissionerProfile,
    visible=lambda user, qs: visible_commissioners(user, qs),
    writable=lambda user, p: is_admin(user),
    name="服务专员",
)
access.register(
    Contact,
    visible=lambda user, qs: visible_contacts(user, qs),
    writable=lambda user, c: (
        is_admin(user) or (is_region_officer(user) and c.region_id == user.region_id)
    ),
    name="结对联系人",
)

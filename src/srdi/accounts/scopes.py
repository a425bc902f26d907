"""Who may see and change which enterprise: the one place these rules live.

Every view, API endpoint and CLI path that touches enterprise data goes through these
functions (services and selectors call them), so the UI and the API cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import DEPARTMENT_DOMAINS, OFFICIAL_ROLES, Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from srdi.registry.models import Enterprise

    from .models import User


def is_official(user) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.role in OFFICIAL_ROLES)
    )


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def sees_all_enterprises(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.role in {Role.ADMIN, Role.DEPARTMENT})
    )


def visible_enterprises(user: User, qs: QuerySet | None = None) -> QuerySet:
    """The enterprises `user` may read."""
    from srdi.registry.models import Enterprise

    qs = Enterprise.objects.all() if qs is None else qs
    if not user or not user.is_authenticated:
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    if user.role == Role.REGION_OFFICER:
        return qs.filter(region_id=user.region_id) if user.region_id else qs.none()
    if user.role == Role.COMMISSIONER:
        return qs.filter(commissioners=user).distinct()
    if user.role == Role.ENTERPRISE:
        return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
    if user.role == Role.PARTNER:
        # only through the enterprise's consent: the one check in srdi.finance.consent
        from srdi.finance import consent

        return consent.partner_enterprises(user, qs)
    return qs.none()


def can_view(user: User, enterprise: Enterprise) -> bool:
    return visible_enterprises(user).filter(pk=enterprise.pk).exists()


def writable_sections(user: User, enterprise: Enterprise) -> frozenset[str]:
    """Profile sections `user` may change on `enterprise` ("*" = all)."""
    if not user or not user.is_authenticated:
        return frozenset()
    if is_admin(user):
        return frozenset({"*"})
    if user.role == Role.DEPARTMENT:
        return DEPARTMENT_DOMAINS.get(user.department, frozenset())
    if (
        user.role == Role.REGION_OFFICER
        and user.region_id
        and enterprise.region_id == user.region_id
    ):
        return frozenset({"*"})
    if user.role == Role.ENTERPRISE and user.enterprise_id == enterprise.pk:
        # An enterprise maintains its own data; titles and compliance records come from officials.
        return frozenset({"*", "-titles", "-compliance"})
    return frozenset()


def may_write(user: User, enterprise: Enterprise, section: str) -> bool:
    """May `user` write `section` (e.g. "quality", "years.revenue", "titles") of `enterprise`?"""
    sections = writable_sections(user, enterprise)
    top = section.split(".", 1)[0]
    if f"-{section}" in sections or f"-{top}" in sections:
        return False
    return "*" in sections or section in sections or top in sections


def may_create_enterprise(user: User) -> bool:
    return is_admin(user) or bool(
        user and user.is_authenticated and user.role == Role.REGION_OFFICER
    )


def require_view(user: User, enterprise: Enterprise) -> None:
    if not can_view(user, enterprise):
        raise PermissionDenied(_("您无权查看该企业的信息。"))


def require_write(user: User, enterprise: Enterprise, section: str) -> None:
    if not may_write(user, enterprise, section):
        raise PermissionDenied(_("您无权修改该企业的“%(section)s”数据。") % {"section": section})


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied(_("仅市工信局管理员可执行此操作。"))


def require_official(user: User) -> None:
    if not is_official(user):
        raise PermissionDenied(_("仅政府部门工作人员可执行此操作。"))

"""Scope of policies and applications for srdi.core.access (issue 10, items 4 and 5).

- A policy is visible to everyone once published; drafts and archived ones only to officials
  (a user who may not see a draft gets 404: its existence is not revealed).
- A policy is writable by the administrator, and by a department user only when the policy's
  发布部门 names that department (``data/departments.yaml``).
- An application is visible with its enterprise; reviewed (written by an official) only by the
  administrator or the department that publishes its policy; the applicant side (enterprise,
  板块, commissioner) goes through ``services._require_applicant``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from django.db.models import Q

from srdi.accounts import scopes
from srdi.core import access

from .models import Application, ApplicationAttachment, Policy

DATA = Path(__file__).with_name("data") / "departments.yaml"


@cache
def department_names() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    return {k: tuple(v) for k, v in raw.items()}


def department_q(user, prefix: str = "") -> Q:
    names = department_names().get(getattr(user, "department", "") or "", ())
    q = Q(pk__in=[])
    for n in names:
        q |= Q(**{f"{prefix}department__contains": n})
    return q


def owns_policy(user, policy: Policy) -> bool:
    """May `user` manage `policy` (edit, publish, archive, review its applications)?"""
    from srdi.accounts.roles import Role

    if scopes.is_admin(user):
        return True
    if not (user and user.is_authenticated and user.role == Role.DEPARTMENT):
        return False
    names = department_names().get(user.department or "", ())
    return any(n in (policy.department or "") for n in names)


def owns_department_text(user, department: str) -> bool:
    from srdi.accounts.roles import Role

    if scopes.is_admin(user):
        return True
    if not (user and user.is_authenticated and user.role == Role.DEPARTMENT):
        return False
    return any(n in (department or "") for n in department_names().get(user.department or "", ()))


def visible_policies(user, qs):
    if scopes.is_official(user):
        return qs
    return qs.filter(status=Policy.Status.PUBLISHED)


access.register(Policy, visible=visible_policies, writable=owns_policy, name="政策")


def _may_write_application(user, app) -> bool:
    """The applicant side (the enterprise, officials who may write its applications) or the
    reviewing side (the department the policy routes to, data/review.yaml; the policy's owner)."""
    from . import review

    if user.role == "enterprise" and user.enterprise_id == app.enterprise_id:
        return True
    return (
        scopes.may_write(user, app.enterprise, "applications")
        or review.may_review(user, app.policy)
        or owns_policy(user, app.policy)
    )


access.register(
    Application,
    visible=lambda user, qs: qs.filter(enterprise__in=scopes.visible_enterprises(user)),
    writable=_may_write_application,
    name="申报",
)
access.register(
    ApplicationAttachment,
    visible=lambda user, qs: qs.filter(
        application__enterprise__in=scopes.visible_enterprises(user)
    ),
    writable=lambda user, att: _may_write_application(user, att.application),
    name="申报材料",
)

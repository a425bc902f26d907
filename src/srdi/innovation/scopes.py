"""Who sees and changes what in innovation (registered with srdi.core.access).

* 市工信局 administrators and the 科技局 (department kjj) see everything;
* 板块 officers and commissioners: the needs, matches and projects of the enterprises they see;
* an enterprise: its own needs, their matches, its projects and 科技副总, and the capability
  catalogue (what universities offer);
* a university (partner of kind university): needs that are public, shared with partner
  universities, or shared with it by name — never another confidential one — and its own
  teams, capabilities, matches, projects, 科技副总 and applications;
* a published 揭榜挂帅 list: every signed-in user.
"""

from __future__ import annotations

from django.db.models import Q

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Department, PartnerKind, Role
from srdi.core import access

from .models import (
    Application,
    Capability,
    Challenge,
    ChallengeItem,
    Match,
    Milestone,
    Need,
    Project,
    Team,
    TechVP,
)


def is_university(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.role == Role.PARTNER
        and user.partner_kind == PartnerKind.UNIVERSITY
        and user.organization
    )


def is_kjj(user) -> bool:
    """The 科技局 (and the 市工信局 administrators): run 揭榜挂帅, record projects and 科技副总."""
    return bool(
        user
        and user.is_authenticated
        and (
            acc.is_admin(user)
            or (user.role == Role.DEPARTMENT and user.department == Department.KJJ)
        )
    )


def sees_all(user) -> bool:
    return is_kjj(user) or bool(
        user
        and user.is_authenticated
        and user.role == Role.DEPARTMENT
        and user.department == Department.GXJ
    )


def is_enterprise(user) -> bool:
    return bool(
        user and user.is_authenticated and user.role == Role.ENTERPRISE and user.enterprise_id
    )


def need_filter_for_institution(institution: str) -> Q:
    return (
        Q(confidentiality=Need.Confidentiality.PUBLIC)
        | Q(confidentiality=Need.Confidentiality.PARTNERS)
        | Q(confidentiality=Need.Confidentiality.NAMED, shares__institution=institution)
    )


def visible_needs(user, qs=None):
    qs = Need.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(need_filter_for_institution(user.organization)).distinct()
    if user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}:
        return qs.filter(enterprise__in=acc.visible_enterprises(user))
    return qs.none()


def may_post_need(user, enterprise) -> bool:
    """The enterprise itself, its commissioner, the administrators."""
    if not (user and user.is_authenticated):
        return False
    if acc.is_admin(user):
        return True
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise.pk
    if user.role == Role.COMMISSIONER:
        return enterprise.commissioners.filter(pk=user.pk).exists()
    return False


def visible_teams(user, qs=None):
    qs = Team.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(institution=user.organization)
    if user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}:
        return qs.filter(capabilities__active=True).distinct()
    return qs.none()


def visible_capabilities(user, qs=None):
    qs = Capability.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(team__institution=user.organization)
    if user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}:
        return qs.filter(active=True)
    return qs.none()


def visible_matches(user, qs=None):
    qs = Match.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(capability__team__institution=user.organization).filter(
            need__in=visible_needs(user)
        )
    if user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}:
        return qs.filter(need__enterprise__in=acc.visible_enterprises(user))
    return qs.none()


def visible_projects(user, qs=None):
    qs = Project.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(institution=user.organization)
    if user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}:
        return qs.filter(enterprise__in=acc.visible_enterprises(user))
    return qs.none()


def visible_tech_vps(user, qs=None):
    qs = TechVP.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(institution=user.organization)
    if user.role in {Role.ENTERPRISE, Role.REGION_OFFICER, Role.COMMISSIONER}:
        return qs.filter(enterprise__in=acc.visible_enterprises(user))
    return qs.none()


def visible_challenges(user, qs=None):
    qs = Challenge.objects.all() if qs is None else qs
    if is_kjj(user):
        return qs
    return qs.exclude(status=Challenge.Status.DRAFT)


def visible_applications(user, qs=None):
    qs = Application.objects.all() if qs is None else qs
    if sees_all(user):
        return qs
    if is_university(user):
        return qs.filter(team__institution=user.organization)
    if is_enterprise(user):
        return qs.filter(item__need__enterprise_id=user.enterprise_id)
    return qs.none()


def _party_of_match(user, m: Match) -> bool:
    if is_kjj(user):
        return True
    if is_university(user):
        return m.capability.team.institution == user.organization
    return may_post_need(user, m.need.enterprise)


access.register(
    Need,
    visible=visible_needs,
    writable=lambda user, n: may_post_need(user, n.enterprise),
    name="技术需求",
)
access.register(
    Team,
    visible=visible_teams,
    writable=lambda user, t: (
        acc.is_admin(user) or (is_university(user) and t.institution == user.organization)
    ),
    name="科研团队",
)
access.register(
    Capability,
    visible=visible_capabilities,
    writable=lambda user, c: (
        acc.is_admin(user) or (is_university(user) and c.team.institution == user.organization)
    ),
    name="技术能力",
)
access.register(Match, visible=visible_matches, writable=_party_of_match, name="对接")
access.register(
    Project, visible=visible_projects, writable=lambda user, p: is_kjj(user), name="产学研项目"
)
access.register(
    TechVP, visible=visible_tech_vps, writable=lambda user, v: is_kjj(user), name="科技副总"
)
access.register(
    Challenge, visible=visible_challenges, writable=lambda user, c: is_kjj(user), name="榜单"
)
access.register(
    Application,
    visible=visible_applications,
    writable=lambda user, a: (
        is_kjj(user) or (is_university(user) and a.team.institution == user.organization)
    ),
    name="揭榜申请",
)
access.register(
    ChallengeItem,
    visible=lambda user, qs: qs.filter(challenge__in=visible_challenges(user)),
    writable=lambda user, i: is_kjj(user),
    name="榜单项目",
)
access.register(
    Milestone,
    visible=lambda user, qs: qs.filter(application__in=visible_applications(user)),
    writable=lambda user, m: is_kjj(user),
    name="里程碑",
)

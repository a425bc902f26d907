"""Reads of the policy service (scoped through srdi.accounts.scopes)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from srdi.accounts import scopes

from . import conditions as C
from .catalogue import Spec, SpecError, parse_spec
from .models import Application, Policy, PolicyMatch, PushRecord


def spec_of(policy: Policy, published: bool = False) -> Spec:
    raw = policy.published_spec if published and policy.published_spec else policy.spec
    return parse_spec(raw)


def published_spec(key: str) -> Spec | None:
    p = Policy.objects.filter(key=key, status=Policy.Status.PUBLISHED).first()
    return spec_of(p, published=True) if p else None


def visible_policies(user) -> QuerySet:
    """Published policies for everyone signed in; drafts and archived ones for officials."""
    qs = Policy.objects.all()
    if not scopes.is_official(user):
        qs = qs.filter(status=Policy.Status.PUBLISHED)
    return qs


def published_policies(day: date | None = None) -> list[tuple[Policy, Spec]]:
    """(policy, published spec) for every published policy in force on ``day``."""
    out = []
    for p in Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("pk"):
        try:
            s = spec_of(p, published=True)
        except SpecError:
            continue
        if day is None or s.in_force(day):
            out.append((p, s))
    return out


def may_edit_policies(user) -> bool:
    from srdi.accounts.roles import Role

    return scopes.is_admin(user) or bool(
        user and user.is_authenticated and user.role == Role.DEPARTMENT
    )


def profiles_of(qs) -> tuple[list, list[C.Profile]]:
    """(enterprises, normalised rules profiles) for a queryset of enterprises."""
    from srdi.registry.selectors import iter_normalised_profiles

    ents, profs = [], []
    for e, p in iter_normalised_profiles(qs):
        ents.append(e)
        profs.append(C.normalise(p))
    return ents, profs


def profile_of(enterprise) -> C.Profile:
    from srdi.registry.selectors import normalised_profile

    return C.normalise(normalised_profile(enterprise))


def matches_for_policy(user, policy: Policy, statuses=("eligible",)) -> QuerySet:
    ents = scopes.visible_enterprises(user)
    return (
        PolicyMatch.objects.filter(policy=policy, status__in=statuses, enterprise__in=ents)
        .select_related("enterprise", "enterprise__region")
        .order_by("-amount", "enterprise__name")
    )


def unclaimed(user, policy: Policy) -> QuerySet:
    """应享未享: eligible enterprises in the user's scope without an application for the policy."""
    applied = Application.objects.filter(policy=policy).exclude(status=Application.Status.DRAFT)
    return matches_for_policy(user, policy).exclude(enterprise__in=applied.values("enterprise"))


def push_log(user, policy: Policy) -> list[dict]:
    """Who was notified of this policy and who read it (enterprises in the user's scope)."""
    from srdi.core.models import Notification

    ents = scopes.visible_enterprises(user)
    pushes = (
        PushRecord.objects.filter(policy=policy, enterprise__in=ents)
        .select_related("enterprise")
        .order_by("-created_at")
    )
    out = []
    for p in pushes:
        notes = list(Notification.objects.filter(dedupe_key=p.dedupe_key).select_related("user"))
        out.append(
            {
                "push": p,
                "enterprise": p.enterprise,
                "notified": [n.user for n in notes],
                "read": [n.user for n in notes if n.read_at],
                "emailed": sum(1 for n in notes if n.emailed_at),
            }
        )
    return out


def applications_for(user, policy: Policy | None = None) -> QuerySet:
    qs = Application.objects.filter(enterprise__in=scopes.visible_enterprises(user))
    if policy is not None:
        qs = qs.filter(policy=policy)
    return qs.select_related("policy", "enterprise")


def ledger(user) -> dict:
    """Per policy and per enterprise: applications, approved and paid sums."""
    from django.db.models import Sum

    qs = applications_for(user)
    by_policy = (
        qs.values("policy__pk", "policy__title")
        .annotate(
            n=Count("pk"),
            approved=Count("pk", filter=Q(status__in=["approved", "paid"])),
            paid=Count("pk", filter=Q(status="paid")),
            paid_sum=Sum("amount_paid"),
        )
        .order_by("policy__title")
    )
    by_enterprise = (
        qs.values("enterprise__uscc", "enterprise__name")
        .annotate(
            n=Count("pk"),
            paid=Count("pk", filter=Q(status="paid")),
            paid_sum=Sum("amount_paid"),
        )
        .order_by("enterprise__name")
    )
    return {"by_policy": list(by_policy), "by_enterprise": list(by_enterprise)}


def pending_reviews(user) -> list[Application]:
    """待我审核: submitted applications in the user's scope that its department reviews."""
    from . import review

    if not may_edit_policies(user):
        return []
    qs = (
        applications_for(user)
        .filter(status=Application.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
    )
    return [a for a in qs if review.may_review(user, a.policy)]

"""Reads more than one view needs (lists with search and filters, the 科技局 overview)."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils import timezone

from . import scopes
from .models import Challenge, Match, Need, Project, TechVP


def needs_for(user, *, q: str = "", field: str = "", status: str = ""):
    qs = scopes.visible_needs(user).select_related("enterprise")
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(enterprise__name__icontains=q)
        )
    if field:
        qs = qs.filter(field=field)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "pk")


def matches_for(user, *, state: str = "", q: str = ""):
    qs = scopes.visible_matches(user).select_related("need__enterprise", "capability__team")
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(need__title__icontains=q) | Q(capability__title__icontains=q)
                       | Q(capability__team__institution__icontains=q))  # fmt: skip
    return qs.order_by("-updated_at", "pk")


def overview() -> dict:
    year = timezone.localdate().year
    states = dict(Match.objects.values_list("state").annotate(n=Count("pk")))
    projects = Project.objects.filter(signed_on__year=year)
    return {
        "year": year,
        "needs_open": Need.objects.filter(status=Need.Status.OPEN).count(),
        "states": [(label, states.get(value, 0)) for value, label in Match.State.choices],
        "projects_year": projects.count(),
        "contract_year": projects.aggregate(s=Sum("contract_amount"))["s"],
        "vps_year": TechVP.objects.filter(term_start__year=year).count(),
        "challenges": Challenge.objects.exclude(status=Challenge.Status.DRAFT).count(),
        "link": "/innovation/",
    }

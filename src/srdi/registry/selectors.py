"""Reads of the registry: enterprise profiles in the exchange format.

    from srdi.registry.selectors import build_profile, iter_profiles
    doc = build_profile(enterprise)             # the JSON document export writes
    for doc in iter_profiles(Enterprise.objects.filter(region=r)):
        ...                                     # 2 000 enterprises per round of 7 queries

Both return exactly what ``srdi export --format json`` writes for the enterprise: a
JSON-ready dict (dates as ISO strings, numbers as int / float, or Decimal when a float cannot
hold the value exactly), declarations written out (false / 0 / "none" / [] / null), absent
measurements left out (unknown, never 0). Revoked titles are not part of a profile.
Callers are responsible for scope: pass ``visible_enterprises(user)`` (srdi.accounts.scopes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet

from srdi.exchange import to_json_obj

from .models import (
    AnnualFigures,
    Award,
    DevelopmentScore,
    Enterprise,
    Honor,
    MakerChinaResult,
    Region,
    Title,
)
from .profiles import profile_from_rows

__all__ = ["build_profile", "iter_normalised_profiles", "iter_profiles", "region_names"]


def region_names() -> dict[int, str]:
    return dict(Region.objects.values_list("id", "name"))


def normalised_profile(enterprise: Enterprise) -> dict:
    """The normalised profile (dates, Decimals; absent left out) of one enterprise."""
    e = enterprise
    return profile_from_rows(
        e,
        region_name=e.region.name if e.region_id else None,
        years=list(AnnualFigures.objects.filter(enterprise=e)),
        awards=list(Award.objects.filter(enterprise=e)),
        maker_china=list(MakerChinaResult.objects.filter(enterprise=e)),
        honors=list(Honor.objects.filter(enterprise=e)),
        titles=list(Title.objects.filter(enterprise=e)),
        scores=list(DevelopmentScore.objects.filter(enterprise=e)),
    )


def build_profile(enterprise: Enterprise) -> dict:
    """The exchange-format document of one enterprise (what export writes for it)."""
    return to_json_obj(normalised_profile(enterprise))


_CHILDREN = (
    ("years", AnnualFigures),
    ("awards", Award),
    ("maker_china", MakerChinaResult),
    ("honors", Honor),
    ("titles", Title),
    ("scores", DevelopmentScore),
)


def iter_normalised_profiles(queryset: QuerySet | None = None, chunk: int = 2000) -> Iterator:
    """``(enterprise, normalised profile)`` for every enterprise of ``queryset``, in chunks.

    Each chunk costs one query for the enterprises and one per child table (no N+1); memory
    stays bounded by the chunk size. Ordered by primary key.
    """
    qs = Enterprise.objects.all() if queryset is None else queryset
    if qs.query.is_sliced:  # a page: take its members
        qs = Enterprise.objects.filter(pk__in=list(qs.values_list("pk", flat=True)))
    qs = qs.order_by("pk")
    names = region_names()
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:chunk])
        if not batch:
            return
        ids = [e.pk for e in batch]
        rows: dict[str, dict[int, list]] = {}
        for key, model in _CHILDREN:
            by = defaultdict(list)
            for obj in model.objects.filter(enterprise_id__in=ids).order_by():
                by[obj.enterprise_id].append(obj)
            rows[key] = by
        for e in batch:
            pk = e.pk
            yield (
                e,
                profile_from_rows(
                    e,
                    region_name=names.get(e.region_id),
                    years=rows["years"].get(pk, ()),
                    awards=rows["awards"].get(pk, ()),
                    maker_china=rows["maker_china"].get(pk, ()),
                    honors=rows["honors"].get(pk, ()),
                    titles=rows["titles"].get(pk, ()),
                    scores=rows["scores"].get(pk, ()),
                ),
            )
        last = ids[-1]
        if len(batch) < chunk:
            return


def iter_profiles(queryset: QuerySet | None = None, chunk: int = 2000) -> Iterator[dict]:
    """The exchange-format document of every enterprise of ``queryset`` (see module doc)."""
    for _e, p in iter_normalised_profiles(queryset, chunk):
        yield to_json_obj(p)

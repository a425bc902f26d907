"""Each 板块's part of the plan's targets (data/region_shares.yaml).

Default share = the 板块's share of the registry's enterprises; fixed shares and parts in the
data file override it. Count targets (split: count) are split and rounded up to whole units;
rate targets (split: rate) apply unchanged to every 板块; split: none is not split.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml
from django.db.models import Count

from srdi.registry.models import Enterprise, Region

DATA = Path(__file__).resolve().parent / "data" / "region_shares.yaml"


def config(plan_key: str) -> dict:
    doc = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    return (doc.get("plans") or {}).get(plan_key) or {}


def region_shares(plan_key: str) -> dict[int, Fraction]:
    """{region id: share} summing to 1 over the active 板块."""
    regions = {r.pk: r.name for r in Region.objects.filter(active=True)}
    if not regions:
        return {}
    counts = dict(
        Enterprise.objects.filter(region_id__in=regions)
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    fixed_by_name = {
        str(k): Fraction(Decimal(str(v))) for k, v in (config(plan_key).get("shares") or {}).items()
    }
    fixed = {rid: fixed_by_name[name] for rid, name in regions.items() if name in fixed_by_name}
    rest = max(Fraction(0), 1 - sum(fixed.values()))
    others = {rid: counts.get(rid, 0) for rid in regions if rid not in fixed}
    total = sum(others.values())
    out = dict(fixed)
    for rid, n in others.items():
        out[rid] = rest * Fraction(n, total) if total else rest / len(others)
    return out


def split_target(plan: dict, defn: dict) -> dict[int, Fraction]:
    """{region id: the 板块's part} for one target ({} when the target is not split)."""
    split = defn.get("split", "count")
    if split == "none" or defn.get("target") is None:
        return {}
    target = Fraction(Decimal(str(defn["target"])))
    regions = {r.pk: r.name for r in Region.objects.filter(active=True)}
    if split == "rate":
        return dict.fromkeys(regions, target)
    fixed = (config(plan["key"]).get("parts") or {}).get(defn["id"]) or {}
    out = {}
    for rid, share in region_shares(plan["key"]).items():
        if regions.get(rid) in fixed:
            out[rid] = Fraction(Decimal(str(fixed[regions[rid]])))
        else:
            out[rid] = Fraction(math.ceil(target * share))
    return out


def parts(plan: dict, scope) -> dict[str, Fraction]:
    """{target id: the part of `scope`'s 板块} for every split target."""
    out = {}
    for d in plan["targets"]:
        split = split_target(plan, d)
        if scope.region_id in split:
            out[d["id"]] = split[scope.region_id]
    return out

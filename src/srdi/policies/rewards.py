"""The plan's growth reward (三(二)) for a year Y, with every input shown.

For an enterprise whose 小巨人 or 专精特新中小企业 title is valid on 31 December of Y and whose
operating revenue of Y grew by the threshold or more over Y-1: the rate of the increase of its
local fiscal contribution (Y over Y-1; nothing when it did not increase), at most the cap.
Threshold, rate, cap and tiers are the catalogue entry ``plan-growth-reward`` (YAML, or the
published database version when there is one) — nothing is a literal here.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from . import conditions as C
from .catalogue import Spec, catalogue_spec
from .matching import ELIGIBLE, UNKNOWN, estimate, json_number, match_one

GROWTH_KEY = "plan-growth-reward"


def growth_spec() -> Spec:
    """The published database version when the app is set up, else the YAML entry."""
    try:
        from .selectors import published_spec

        spec = published_spec(GROWTH_KEY)
        if spec is not None:
            return spec
    except Exception:  # noqa: BLE001 - no database (pure CLI use on a file)
        pass
    return catalogue_spec(GROWTH_KEY)


def _n(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, Fraction):
        return json_number(v) if _finite(v) else round(float(v), 4)
    return v


def _finite(x: Fraction) -> bool:
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def growth_reward(profile: C.Profile, year: int, spec: Spec | None = None) -> dict:
    spec = spec or growth_spec()
    as_of = date(year + 1, 1, 1)  # assessment year Y+1: y1 = Y, y2 = Y-1
    ref = spec.reference_date(as_of)  # 31 December of Y
    m = match_one(spec, profile, as_of)
    rev, rev0 = profile.get_year(year, "revenue"), profile.get_year(year - 1, "revenue")
    lc, lc0 = (
        profile.get_year(year, "local_contribution"),
        profile.get_year(year - 1, "local_contribution"),
    )
    growth = None if rev is None or rev0 in (None, 0) else (rev / rev0 - 1) * 100
    inc = None if lc is None or lc0 is None else lc - lc0
    titles = sorted(
        {
            t["tier"]
            for t in profile.lists.get("titles", [])
            if (t.get("granted") is None or t["granted"] <= ref)
            and (t.get("valid_until") is None or ref <= t["valid_until"])
        }
    )
    status = m["status"]
    amount: Any
    missing: list[str] = []
    if status == ELIGIBLE:
        a = estimate(spec, profile, as_of.year, as_of)
        amount = a.json()
        note = a.note
        if a.state == "missing":
            missing = [
                f"years.{y}.local_contribution"
                for y, v in ((year - 1, lc0), (year, lc))
                if v is None
            ]
    elif status == UNKNOWN:
        amount, note, missing = (
            None,
            "数据不全，无法判定：缺少 " + "、".join(m["missing"]),
            m["missing"],
        )
    else:
        amount = 0
        note = "不符合：" + "；".join(m["lacking"])
    b = spec.benefit
    return {
        "uscc": profile.uscc,
        "name": profile.name,
        "amount": amount,
        "eligible": {ELIGIBLE: True, UNKNOWN: None}.get(status, False),
        "title_valid_on": ref.isoformat(),
        "valid_titles": titles,
        "revenue": _n(rev),
        "revenue_prev": _n(rev0),
        "revenue_growth_pct": _n(growth),
        "local_contribution": _n(lc),
        "local_contribution_prev": _n(lc0),
        "contribution_increase": _n(inc),
        "rate_pct": _n(b.rate_pct),
        "cap": _n(b.cap),
        "conditions": [
            {"id": c["id"], "label": c["label"], "met": c["met"]} for c in m["conditions"]
        ],
        "missing": missing,
        "note": note,
    }


def rewards(profiles: list[C.Profile], year: int) -> dict:
    spec = growth_spec()
    with C.verdict_cache():
        return {"year": year, "results": [growth_reward(p, year, spec) for p in profiles]}

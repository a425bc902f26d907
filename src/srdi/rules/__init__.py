"""The rules core: official standards as versioned, explainable rule files, two evaluators.

Pure Python — imports nothing from Django. Public API (other apps code against these names):

* :func:`load_standard`, :func:`list_standards` — the rule files (``standards/<id>.yaml``);
* :func:`standards_in_force` / :func:`standard_for` — which standard applies on a date;
* :func:`evaluate` — one profile, one standard: the contract's result (+ ``trace``);
* :func:`evaluate_many` — the columnar (Polars) evaluator over many profiles;
* :func:`next_tier` — readiness across the cultivation ladder, with gaps.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .catalog import (
    ladder,
    list_standards,
    load_standard,
    standard_for,
    standards_in_force,
    tier_label,
)
from .engine import evaluate_profile
from .expr import RuleError
from .profile import Profile, ProfileValueError, normalise
from .standard import Standard, load_file

__all__ = [
    "Profile",
    "ProfileValueError",
    "RuleError",
    "Standard",
    "as_date",
    "evaluate",
    "evaluate_many",
    "evaluate_with",
    "list_standards",
    "load_file",
    "load_standard",
    "next_tier",
    "normalise",
    "standard_for",
    "standards_in_force",
]

SIZE_STANDARD = "sme-size@2011"


def as_date(value: date | str | None) -> date:
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def evaluate(
    profile: dict | Profile,
    standard_id: str,
    as_of: date | str | None = None,
    review: bool = False,
    *,
    explain: bool = True,
) -> dict:
    """Evaluate one profile against one standard; the contract's result dict (JSON-ready)."""
    return evaluate_with(load_standard(standard_id), profile, as_of, review, explain=explain)


def evaluate_with(
    std: Standard,
    profile: dict | Profile,
    as_of: date | str | None = None,
    review: bool = False,
    *,
    explain: bool = True,
) -> dict:
    """As :func:`evaluate`, with a :class:`Standard` object (e.g. a what-if copy)."""
    prof = normalise(profile)
    return evaluate_profile(
        std, prof, as_of_date := as_date(as_of), review, explain, load_standard(SIZE_STANDARD)
    ) | {"as_of": as_of_date.isoformat(), "review": review}


def evaluate_many(
    profiles: list[dict],
    standard_ids: list[str],
    as_of: date | str | None = None,
    review: bool = False,
) -> list[dict]:
    """Columnar evaluation: outcome/score/size_class/dimensions per profile × standard."""
    from .columnar import evaluate_many as _many

    return _many(profiles, [load_standard(s) for s in standard_ids], as_date(as_of), review)


def next_tier(
    profile: dict | Profile, as_of: date | str | None = None, review: bool = False
) -> dict:
    """Readiness across the ladder (创新型 → 专精特新 → 小巨人 → 单项冠军), with gaps."""
    day = as_date(as_of)
    prof = normalise(profile)
    steps: list[dict[str, Any]] = []
    current = None
    nxt = None
    for tier in ladder():
        sid = standard_for(tier, day, review)
        if sid is None:
            continue
        r = evaluate(prof, sid, day, review, explain=False)
        steps.append(
            {
                "tier": tier,
                "tier_label": tier_label(tier),
                "standard": sid,
                "outcome": r["outcome"],
                "score": r["score"],
                "pass_score": r["pass_score"],
                "missing": r["missing"],
                "gaps": r["gaps"],
            }
        )
        if r["outcome"] == "eligible" and nxt is None:
            current = tier
        elif nxt is None:
            nxt = tier
    return {
        "uscc": prof.uscc,
        "as_of": day.isoformat(),
        "current": current,
        "current_label": tier_label(current) if current else None,
        "next": nxt,
        "next_label": tier_label(nxt) if nxt else None,
        "ladder": steps,
    }

"""The one door from the diagnosis to the rules core and the registry.

Every verdict, score, indicator, condition and gap in a report comes from ``srdi.rules``
through this module, unchanged: the diagnosis explains and ranks them, it never recomputes
them. When the rules core is not installed the diagnosis refuses (``EngineUnavailable``)
instead of showing made-up verdicts.

Profiles come from ``srdi.registry.selectors.build_profile`` / ``iter_profiles``. Until the
registry selectors exist, a read-only fallback below builds the same exchange-format dict
from the registry models (it is used only when the selectors cannot be imported).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)


class EngineUnavailable(RuntimeError):
    """The rules core (srdi.rules) is not available: no verdicts can be given."""


def _rules():
    try:
        import srdi.rules as rules
    except ImportError as exc:  # pragma: no cover - only before the rules core lands
        raise EngineUnavailable("规则引擎（srdi.rules）尚未安装，无法生成诊断结论。") from exc
    if not hasattr(rules, "evaluate"):
        raise EngineUnavailable("规则引擎（srdi.rules）尚未提供 evaluate，无法生成诊断结论。")
    return rules


def available() -> bool:
    try:
        _rules()
    except EngineUnavailable:
        return False
    return True


def evaluate(profile: dict, standard_id: str, as_of: dt.date, review: bool = False) -> dict:
    """The contract's result dict for one profile and one standard (explain=True)."""
    return _rules().evaluate(profile, standard_id, as_of, review=review, explain=True)


def evaluate_many(profiles: list[dict], standard_ids: list[str], as_of: dt.date) -> list[dict]:
    """Results for many profiles (columnar in the rules core when it offers it)."""
    rules = _rules()
    if hasattr(rules, "evaluate_many"):
        try:
            out = rules.evaluate_many(profiles, standard_ids, as_of)
        except Exception as exc:  # noqa: BLE001 - columnar evaluator unavailable or failing
            # peers' scores only feed the radar's median: fall back to one at a time
            log.warning(
                "rules.evaluate_many failed (%s); evaluating one by one", exc.__class__.__name__
            )
            out = None
        if out is not None:
            return list(out.get("results", []) if isinstance(out, dict) else out)
    return [rules.evaluate(p, s, as_of, explain=False) for p in profiles for s in standard_ids]


def standards_in_force(as_of: dt.date, review: bool = False) -> list[str]:
    out = _rules().standards_in_force(as_of, review)
    return [s if isinstance(s, str) else s.id for s in out]


def next_tier(profile: dict, as_of: dt.date) -> dict | None:
    """Readiness across the ladder: {"current", "current_label", "next", "next_label", "ladder"}."""
    rules = _rules()
    if not hasattr(rules, "next_tier"):
        return None
    return rules.next_tier(profile, as_of)


@lru_cache(maxsize=64)
def standard(standard_id: str):
    """The loaded rule file (``.document``, ``.version``, ``.status``, indicators, bands …)."""
    return _rules().load_standard(standard_id)


def tier_label(tier: str | None) -> str:
    """Tier code → Chinese name (from the rules core's ladder file)."""
    if not tier:
        return ""
    rules = _rules()
    return rules.tier_label(tier) if hasattr(rules, "tier_label") else tier


# --- profiles ------------------------------------------------------------------------------


def build_profile(enterprise) -> dict:
    try:
        from srdi.registry.selectors import build_profile as registry_build
    except ImportError:
        return _fallback_profile(enterprise)
    return registry_build(enterprise)


def iter_profiles(qs) -> Iterator[dict]:
    try:
        from srdi.registry.selectors import iter_profiles as registry_iter
    except ImportError:
        for e in _prefetched(qs):
            yield _fallback_profile(e)
        return
    yield from registry_iter(qs)


def _prefetched(qs) -> Iterable:
    return qs.select_related("region", "industry").prefetch_related(
        "years", "awards", "maker_china", "honors", "titles", "development_scores"
    )


def _num(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _fallback_profile(e) -> dict:  # pragma: no cover - replaced by the registry selectors
    """Read-only exchange-format dict from the registry models (until selectors land)."""
    p: dict[str, Any] = {"uscc": e.uscc, "name": e.name}
    if e.region_id:
        p["region"] = e.region.name
    for f in ("industry_code", "size_sector", "main_product", "sei_code", "foundation_field"):
        if getattr(e, f):
            p[f] = getattr(e, f)
    for f in ("established", "niche_since"):
        if getattr(e, f):
            p[f] = getattr(e, f).isoformat()
    for f in (
        "priority_field", "modern_industry_field", "time_honored_brand", "serves_chain_leader",
        "chain_breakthrough", "key_chain_position", "mgmt_certified", "intl_product_cert",
        "info_system",
    ):  # fmt: skip
        if getattr(e, f):
            p[f] = True
    market = {
        "share_pct": _num(e.market_share_pct),
        "domestic_rank": e.market_domestic_rank,
        "global_rank": e.market_global_rank,
        "leading": e.market_leading or None,
    }
    if any(v is not None for v in market.values()):
        p["market"] = {k: v for k, v in market.items() if v is not None}
    if e.digital_level is not None:
        p["digital_level"] = e.digital_level
    quality = {
        k: getattr(e, f"quality_{k}")
        for k in ("provincial_award", "iso9001", "own_brand", "standards")
    }
    if any(quality.values()):
        p["quality"] = {k: v for k, v in quality.items() if v}
    p["rd_institution"] = e.rd_institution or "none"
    p["ip"] = {
        k: getattr(e, f"ip_{k}")
        for k in (
            "class1",
            "class1_self_developed",
            "class1_high_value",
            "class1_applied",
            "class2",
        )
    }
    if e.local_featured_points is not None:
        p["local_featured_points"] = _num(e.local_featured_points)
    comp = {
        k: getattr(e, f"compliance_{k}")
        for k in ("abnormal_list", "serious_dishonesty", "major_incident_3y", "prohibited_industry")
    }
    if any(comp.values()):
        p["compliance"] = {k: v for k, v in comp.items() if v}
    p["awards"] = [{"level": a.level, "year": a.year, "rank": a.rank} for a in e.awards.all()]
    p["maker_china"] = [{"year": m.year, "group": m.group} for m in e.maker_china.all()]
    p["honors"] = [
        {"type": h.type, "valid_until": h.valid_until.isoformat() if h.valid_until else None}
        for h in e.honors.all()
    ]
    p["titles"] = [
        {
            "tier": t.tier,
            "level": t.level,
            "granted": t.granted.isoformat(),
            "valid_until": t.valid_until.isoformat(),
        }
        for t in e.titles.all()
        if t.status != "revoked"
    ]
    scores = {str(s.year): _num(s.score) for s in e.development_scores.all()}
    if scores:
        p["development_scores"] = scores
    years = {}
    for y in e.years.all():
        row = {f: _num(getattr(y, f)) for f in y.FIGURES if getattr(y, f) is not None}
        years[str(y.year)] = row
    p["years"] = years
    return p

"""The one place this app calls the rules core (``srdi.rules``) and the registry's profile builder.

    outcomes = meets_for(enterprises_qs, "srdi_sme", as_of)   # {enterprise_id: True|False|None}

"meets the conditions" = the rules core's outcome for the standard that applies to a new
application for the tier on the date: eligible → True, ineligible → False, undetermined → None.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

OUTCOME = {"eligible": True, "ineligible": False}


class RulesUnavailable(RuntimeError):
    """The rules core is not importable (yet)."""


def _rules():
    try:
        import srdi.rules as rules
    except ImportError as exc:  # pragma: no cover - depends on the rules core landing
        raise RulesUnavailable(f"认定规则引擎不可用：{exc}") from exc
    return rules


def standard_for(tier: str, as_of: dt.date, review: bool = False) -> str | None:
    return _rules().standard_for(tier, as_of, review)


def _profiles(queryset, chunk: int):
    from srdi.registry.selectors import iter_normalised_profiles

    return iter_normalised_profiles(queryset, chunk)


def evaluate_profiles(
    pairs: list[tuple[int, dict]], standard_id: str, as_of: dt.date, review: bool = False
) -> dict[int, bool | None]:
    """Outcome (True/False/None) per enterprise id for one standard; columnar when available."""
    rules = _rules()
    if not pairs:
        return {}
    profiles = [p for _, p in pairs]
    try:
        results = rules.evaluate_many(profiles, [standard_id], as_of, review)
    except Exception as exc:  # noqa: BLE001 - the scalar evaluator is the reference
        # The columnar evaluator is an optimisation; when it is missing or fails on some
        # input, the scalar evaluator (the reference, same rule files) decides.
        log.warning("evaluate_many 失败，改用逐个评估：%s", exc)
        results = [rules.evaluate(p, standard_id, as_of, review, explain=False) for p in profiles]
    out: dict[int, bool | None] = {}
    for (pk, _), r in zip(pairs, results, strict=True):
        out[pk] = OUTCOME.get(r.get("outcome"))
    return out


def meets_for(
    queryset, tier: str, as_of: dt.date, chunk: int = 2000
) -> Iterable[tuple[int, str, bool | None]]:
    """``(enterprise_id, standard_id, meets)`` for every enterprise of ``queryset``."""
    sid = standard_for(tier, as_of)
    if sid is None:
        return
    buf: list[tuple[int, dict]] = []
    for enterprise, profile in _profiles(queryset, chunk):
        buf.append((enterprise.pk, profile))
        if len(buf) >= chunk:
            for pk, ok in evaluate_profiles(buf, sid, as_of).items():
                yield pk, sid, ok
            buf = []
    for pk, ok in evaluate_profiles(buf, sid, as_of).items():
        yield pk, sid, ok

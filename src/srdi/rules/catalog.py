"""The catalogue of rule files, choosing the standard for a date, and the cultivation ladder."""

from __future__ import annotations

from datetime import date
from functools import cache

from .engine import common
from .standard import STANDARDS_DIR, Standard, load_file


@cache
def _all() -> dict[str, Standard]:
    out: dict[str, Standard] = {}
    for path in sorted(STANDARDS_DIR.glob("*.yaml")):
        if path.name.startswith("_") or path.name.endswith(".cases.yaml"):
            continue
        std = load_file(path)
        if path.stem != std.id:
            from .expr import RuleError

            raise RuleError(str(path), 1, f"文件名应与 id 一致：{std.id}.yaml")
        out[std.id] = std
    return out


def load_standard(standard_id: str) -> Standard:
    try:
        return _all()[standard_id]
    except KeyError:
        known = "、".join(_all())
        raise KeyError(f"未知的认定标准“{standard_id}”，可选：{known}") from None


def list_standards() -> list[Standard]:
    return sorted(_all().values(), key=lambda s: (s.effective_from, s.id))


def standards_in_force(as_of: date, review: bool = False) -> list[str]:
    """Standards that apply on ``as_of``: in force, or (for 复核) still used for renewals."""
    return [s.id for s in list_standards() if s.in_force(as_of, review)]


def standard_for(tier: str, as_of: date, review: bool = False) -> str | None:
    """The one standard a tier is judged on.

    New application: the newest standard of the tier in force on ``as_of``. Review (复核): a
    standard whose renewal window (``review_until``) covers ``as_of`` after its own end is
    preferred (the 2026 小巨人复核 is judged on the 2022 standard, 工信厅企业函〔2026〕117号),
    otherwise the newest in force.
    """
    cands = [s for s in list_standards() if s.tier == tier and s.in_force(as_of, review)]
    if not cands:
        return None
    if review:
        renewal = [s for s in cands if s.effective_until is not None and as_of > s.effective_until]
        if renewal:
            return renewal[0].id
    return max(cands, key=lambda s: s.effective_from).id


def ladder() -> list[str]:
    return list(common()["ladder"])


def tier_label(tier: str) -> str:
    return common()["tier_labels"].get(tier, tier)

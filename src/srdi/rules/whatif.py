"""What-if: evaluate a population under a modified copy of a standard and report the changes.

A change is ``path = value`` on the rule file's data, lists addressed by their items' ``id``
(conditions, indicators) or ``band``: ``score.pass = 55``,
``score.indicators.rd_input.bands.C.from = [250, 5]``,
``conditions.market.rule = "market.leading or market.share_pct >= 5"``. The copy is re-checked like any rule file
(a bad change fails with the line and the reason) and evaluated with the columnar evaluator.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import yaml

from .catalog import load_standard
from .expr import RuleError
from .standard import Standard, load_file


def parse_change(text: str) -> tuple[str, Any]:
    """``"score.pass=55"`` → ("score.pass", 55); the value is read as YAML."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ValueError(f"修改项“{text}”应为 路径=值，如 score.pass=55")
    return path.strip(), yaml.safe_load(raw.strip()) if raw.strip() else None


def _step(node: Any, key: str, path: str) -> Any:
    if isinstance(node, dict):
        if key not in node:
            raise KeyError(f"路径 {path} 中找不到“{key}”")
        return node[key]
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and (
                str(item.get("id")) == key or str(item.get("band")) == key
            ):
                return item
        if key.isdigit() and int(key) < len(node):
            return node[int(key)]
        raise KeyError(f"路径 {path} 中找不到 id 或档位为“{key}”的项")
    raise KeyError(f"路径 {path} 在“{key}”处不是映射或列表")


def modified(std: Standard, changes: list[tuple[str, Any]]) -> Standard:
    data = copy.deepcopy(std.data)
    for path, value in changes:
        parts = path.split(".")
        node = data
        for key in parts[:-1]:
            node = _step(node, key, path)
        last = parts[-1]
        if isinstance(node, dict):
            if last not in node and not any(
                k == last for k in ("pass", "from", "upto", "points", "rule", "when", "min", "max")
            ):
                raise KeyError(f"路径 {path} 中找不到“{last}”")
            node[last] = value
        else:
            raise KeyError(f"路径 {path} 的末项应为映射中的键")
    data.pop("version", None)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    copy_std = load_file(f"{std.id}（测算副本）.yaml", text)
    copy_std.version = f"{std.id}#whatif"
    return copy_std


def whatif(
    profiles: list[dict],
    standard_id: str,
    changes: list[tuple[str, Any]],
    as_of: date,
    review: bool = False,
) -> dict:
    """How many verdicts change, and which, when ``standard_id`` is modified by ``changes``."""
    from .columnar import evaluate_many as columnar_many

    base = load_standard(standard_id)
    try:
        alt = modified(base, changes)
    except RuleError:
        raise
    before = columnar_many(profiles, [base], as_of, review)
    after = columnar_many(profiles, [alt], as_of, review)
    changed = []
    counts: dict[str, dict[str, int]] = {"before": {}, "after": {}}
    for p, b, a in zip(profiles, before, after, strict=True):
        counts["before"][b["outcome"]] = counts["before"].get(b["outcome"], 0) + 1
        counts["after"][a["outcome"]] = counts["after"].get(a["outcome"], 0) + 1
        if b["outcome"] != a["outcome"] or b.get("score") != a.get("score"):
            changed.append(
                {
                    "uscc": b["uscc"],
                    "name": p.get("name"),
                    "before": {"outcome": b["outcome"], "score": b.get("score")},
                    "after": {"outcome": a["outcome"], "score": a.get("score")},
                    "verdict_changed": b["outcome"] != a["outcome"],
                }
            )
    return {
        "standard": standard_id,
        "as_of": as_of.isoformat(),
        "review": review,
        "changes": [{"path": p, "value": v} for p, v in changes],
        "population": len(profiles),
        "verdicts_changed": sum(1 for c in changed if c["verdict_changed"]),
        "scores_changed": sum(1 for c in changed if not c["verdict_changed"]),
        "counts": counts,
        "changed": changed,
    }

"""规则测算 without typing rule paths: pick a standard, one of its thresholds, a new value.

The thresholds offered are read from the standard's own rule file: every comparison of an
input with a number in a condition (``y1.revenue >= 1500``) and the pass mark of a scored
standard. Changing a threshold rewrites that condition's rule with the new number (every
comparison of the same input with the same number, so ``x >= 1500 or (x < 1500 and …)`` moves
as one) and runs :func:`srdi.rules.whatif.whatif` on the copy.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CMP = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)")
OPS_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def _input_label(std, name: str) -> str:
    from srdi.policies import builder

    f = builder.fields().get(name)
    if f:
        return f["label"]
    d = std.defines.get(name)
    if d is not None and getattr(d, "label", None):
        return str(d.label)
    if name.startswith("y0."):
        f = builder.fields().get("y1." + name[3:])
        if f:
            return "本年" + f["label"][2:]
    return ""


def thresholds(std) -> list[dict]:
    """The thresholds of a standard an official may move: key, label, current value."""
    out: list[dict] = []
    seen = set()
    score = (std.data.get("score") or {}) if isinstance(std.data, dict) else {}
    if score.get("pass") is not None:
        out.append(
            {"key": "score.pass", "label": "评分通过线（分）", "current": str(score["pass"])}
        )
    for c in std.data.get("conditions") or []:
        rule = c.get("rule")
        if not isinstance(rule, str):
            continue
        for m in _CMP.finditer(rule):
            name, op, num = m.groups()
            key = f"{c['id']}|{name}|{num}"
            if key in seen:
                continue
            seen.add(key)
            label = _input_label(std, name)
            if not label:
                continue
            cond = str(c.get("label") or "")
            out.append(
                {
                    "key": key,
                    "label": f"{label} {OPS_ZH[op]} {num}" + (f"（{cond}）" if cond else ""),
                    "current": num,
                }
            )
    return out


def changes_for(std, key: str, value: str) -> list[tuple[str, object]]:
    """The what-if changes for one moved threshold; ValueError (Chinese) when not possible."""
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(f"新阈值“{value}”不是有效数字") from None
    if not d.is_finite() or abs(d) >= Decimal(10) ** 12:
        raise ValueError(f"新阈值“{value}”不是有效数字")
    new = format(d.normalize(), "f")
    known = {t["key"] for t in thresholds(std)}
    if key not in known:
        raise ValueError("请选择要调整的指标")
    if key == "score.pass":
        return [("score.pass", int(d) if d == d.to_integral_value() else float(d))]
    cid, name, num = key.split("|")
    cond = next(c for c in std.data.get("conditions") or [] if c.get("id") == cid)
    pattern = re.compile(
        rf"(?<![A-Za-z0-9_.]){re.escape(name)}\s*(>=|<=|>|<)\s*{re.escape(num)}(?![0-9.])"
    )
    rule = pattern.sub(lambda m: f"{name} {m.group(1)} {new}", cond["rule"])
    return [(f"conditions.{cid}.rule", rule)]


def by_region(changed: list[dict]) -> dict:
    """Gains and losses of eligibility per 板块 (chart data), names not codes."""
    from srdi.registry.models import Enterprise

    regions = dict(
        Enterprise.objects.filter(uscc__in=[c["uscc"] for c in changed]).values_list(
            "uscc", "region__name"
        )
    )
    gains: dict[str, int] = {}
    losses: dict[str, int] = {}
    for c in changed:
        if not c.get("verdict_changed"):
            continue
        r = regions.get(c["uscc"]) or "未填写板块"
        c["region"] = r
        if c["after"]["outcome"] == "eligible":
            gains[r] = gains.get(r, 0) + 1
        elif c["before"]["outcome"] == "eligible":
            losses[r] = losses.get(r, 0) + 1
    names = sorted(set(gains) | set(losses), key=lambda n: -(gains.get(n, 0) + losses.get(n, 0)))
    return {
        "regions": names,
        "gains": [gains.get(n, 0) for n in names],
        "losses": [-losses.get(n, 0) for n in names],
        "total_gains": sum(gains.values()),
        "total_losses": sum(losses.values()),
    }

"""Key figures of one profile over the years: the trend table and the data-quality warnings.

Only descriptive figures live here (trends, plausibility). Verdicts, scores and the values the
standards score come from the rules core (engine.py), never from this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SETTINGS_FILE = Path(__file__).with_name("settings.yaml")


@lru_cache(maxsize=1)
def settings() -> dict:
    return yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))


def frac(v: Any) -> Fraction | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, Fraction):
        return v
    if isinstance(v, float):
        return Fraction(Decimal(str(v)))
    try:
        return Fraction(v)
    except (TypeError, ValueError):
        try:
            return Fraction(Decimal(str(v)))
        except Exception:  # noqa: BLE001 - not a number: unknown
            return None


def ratio_pct(num: Any, den: Any) -> Fraction | None:
    n, d = frac(num), frac(den)
    if n is None or d is None or d == 0:
        return None
    return n * 100 / d


def year_row(profile: dict, year: int) -> dict:
    return (profile.get("years") or {}).get(str(year)) or {}


def metric_value(profile: dict, metric: dict, year: int) -> Fraction | None:
    row = year_row(profile, year)
    if metric["kind"] == "figure":
        return frac(row.get(metric["field"]))
    return ratio_pct(row.get(metric["num"]), row.get(metric["den"]))


def display(v: Fraction | float | None, unit: str | None = None) -> str:
    """A figure for people: 1 decimal for percentages, grouped thousands for money."""
    if v is None:
        return "—"
    x = float(v)
    if unit == "%":
        return f"{x:.1f}%"
    if unit == "万元":
        return f"{x:,.1f} 万元" if x != int(x) else f"{int(x):,} 万元"
    if x == int(x):
        return f"{int(x)}" + (f" {unit}" if unit else "")
    return f"{x:.2f}" + (f" {unit}" if unit else "")


def trend(profile: dict, as_of_year: int) -> dict:
    """Five-year trend (Y-5 … Y-1) of the key figures in settings.yaml."""
    n = settings()["trend_years"]
    years = list(range(as_of_year - n, as_of_year))
    series = []
    for m in settings()["trend_metrics"]:
        values = [metric_value(profile, m, y) for y in years]
        series.append(
            {
                "id": m["id"],
                "label": m["label"],
                "unit": m["unit"],
                "values": [None if v is None else round(float(v), 2) for v in values],
                "display": [display(v, m["unit"]) for v in values],
            }
        )
    return {"years": years, "series": series}


@dataclass
class Warning:
    kind: str  # missing | implausible | jump
    year: int | None
    field: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


_FIELD_LABELS = {
    "employees": "从业人员",
    "rd_staff": "研发人员",
    "revenue": "营业收入",
    "main_revenue": "主营业务收入",
    "total_assets": "资产总额",
    "total_liabilities": "负债总额",
    "net_profit": "净利润",
    "rd_expense": "研发费用",
    "equity_financing": "新增股权融资",
}


def field_label(name: str) -> str:
    return _FIELD_LABELS.get(name, name)


def missing_label(path: str) -> str:
    """``years.2024.rd_expense`` → 2024年研发费用 (the exchange format's labels)."""
    from srdi.exchange.schema import path_label

    return path_label(path)


def quality_warnings(profile: dict, as_of_year: int, rule_missing: list[str]) -> list[dict]:
    """Missing and implausible figures, and sudden jumps (thresholds from settings.yaml)."""
    cfg = settings()
    out: list[Warning] = []
    y1 = as_of_year - 1
    seen: set[str] = set()
    for path in rule_missing:
        if path in seen:
            continue
        seen.add(path)
        year = None
        parts = path.split(".")
        if len(parts) == 3 and parts[0] == "years" and parts[1].isdigit():
            year = int(parts[1])
        out.append(
            Warning(
                "missing",
                year,
                path,
                f"缺少{missing_label(path)}：评估所需，相关结论为“无法判断”。",
            )
        )
    row1 = year_row(profile, y1)
    for f in cfg["required_figures"]:
        path = f"years.{y1}.{f}"
        if path not in seen and row1.get(f) is None:
            seen.add(path)
            out.append(Warning("missing", y1, path, f"缺少{y1}年{field_label(f)}。"))
    years = sorted(int(y) for y in (profile.get("years") or {}) if str(y).isdigit())
    horizon = [y for y in years if as_of_year - cfg["trend_years"] <= y < as_of_year]
    for y in horizon:
        row = year_row(profile, y)
        pairs = [
            ("rd_staff", "employees", "研发人员（{a}人）多于从业人员（{b}人）"),
            ("main_revenue", "revenue", "主营业务收入（{a}万元）大于营业收入（{b}万元）"),
            ("rd_expense", "revenue", "研发费用（{a}万元）大于营业收入（{b}万元）"),
        ]
        for a, b, text in pairs:
            va, vb = frac(row.get(a)), frac(row.get(b))
            if va is not None and vb is not None and va > vb:
                msg = text.format(a=display(va), b=display(vb))
                out.append(Warning("implausible", y, f"years.{y}.{a}", f"{y}年{msg}，请核实。"))
        liab, assets = frac(row.get("total_liabilities")), frac(row.get("total_assets"))
        if liab is not None and liab > 0 and (assets is None or assets == 0):
            out.append(
                Warning(
                    "implausible",
                    y,
                    f"years.{y}.total_assets",
                    f"{y}年有负债总额但资产总额为空或为0，请核实。",
                )
            )
        for f in ("employees", "rd_staff", "revenue", "main_revenue", "rd_expense", "total_assets"):
            v = frac(row.get(f))
            if v is not None and v < 0:
                out.append(
                    Warning(
                        "implausible", y, f"years.{y}.{f}", f"{y}年{field_label(f)}为负数，请核实。"
                    )
                )
    for prev, cur in zip(horizon, horizon[1:], strict=False):
        if cur != prev + 1:
            continue
        a, b = year_row(profile, prev), year_row(profile, cur)
        for j in cfg["jumps"]:
            old, new = frac(a.get(j["field"])), frac(b.get(j["field"]))
            if old is None or new is None or old <= frac(j["min_base"]):
                continue
            r = new / old
            if r > frac(j["up"]) or r < frac(j["down"]):
                out.append(
                    Warning(
                        "jump",
                        cur,
                        f"years.{cur}.{j['field']}",
                        f"{j['label']}由{prev}年的{display(old)}变为{cur}年的{display(new)}"
                        f"（{float(r):.2f}倍），变化异常，请核实。",
                    )
                )
        metrics = {m["id"]: m for m in cfg["trend_metrics"]}
        profile_years = {"years": {str(prev): a, str(cur): b}}
        for j in cfg["ratio_jumps"]:
            m = metrics[j["id"]]
            old = metric_value(profile_years, m, prev)
            new = metric_value(profile_years, m, cur)
            if old is None or new is None:
                continue
            if abs(new - old) > frac(j["max_pp"]):
                out.append(
                    Warning(
                        "jump",
                        cur,
                        f"years.{cur}.{j['id']}",
                        f"{j['label']}由{prev}年的{display(old, '%')}变为{cur}年的{display(new, '%')}，"
                        f"变化超过{j['max_pp']}个百分点，请核实。",
                    )
                )
    return [w.as_dict() for w in out]

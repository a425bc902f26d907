"""Profile access for the rules engine: the exchange-format fields and what "absent" means.

The exchange format (docs/contracts/enterprise-profile.md) has two kinds of value:

* **measurements** (figures, dates, levels): absent or null means *unknown*;
* **declarations** (flags, codes, counts, lists, ``equity_financing``): absent means *none
  claimed* (false / null / ``none`` / 0 / empty).

This module is the one place that knows which is which. A profile is accepted both as raw JSON
(ISO date strings, int/float numbers) and normalised (``datetime.date``, int/Decimal/Fraction);
every number becomes an exact :class:`fractions.Fraction` (floats via ``Decimal(str(x))``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

# kind: "num" | "bool" | "str" | "date" | "list"; decl: declaration (absent = default).
# name -> (kind, is_declaration, default_when_absent)
TOP_FIELDS: dict[str, tuple[str, bool, Any]] = {
    "niche_since": ("date", False, None),
    "established": ("date", False, None),
    "digital_level": ("num", False, None),
    "local_featured_points": ("num", False, None),
    "size_sector": ("str", False, None),
    "industry_code": ("str", False, None),
    "region": ("str", False, None),
    "sei_code": ("str", True, None),
    "foundation_field": ("str", True, None),
    "rd_institution": ("str", True, "none"),
    "priority_field": ("bool", True, False),
    "modern_industry_field": ("bool", True, False),
    "time_honored_brand": ("bool", True, False),
    "serves_chain_leader": ("bool", True, False),
    "chain_breakthrough": ("bool", True, False),
    "key_chain_position": ("bool", True, False),
    "mgmt_certified": ("bool", True, False),
    "intl_product_cert": ("bool", True, False),
    "info_system": ("bool", True, False),
    "market.share_pct": ("num", False, None),
    "market.domestic_rank": ("num", False, None),
    "market.global_rank": ("num", False, None),
    "market.leading": ("bool", True, False),
    "quality.provincial_award": ("bool", True, False),
    "quality.iso9001": ("bool", True, False),
    "quality.own_brand": ("bool", True, False),
    "quality.standards": ("bool", True, False),
    "ip.class1": ("num", True, 0),
    "ip.class1_self_developed": ("num", True, 0),
    "ip.class1_high_value": ("num", True, 0),
    "ip.class1_applied": ("num", True, 0),
    "ip.class2": ("num", True, 0),
    "compliance.abnormal_list": ("bool", True, False),
    "compliance.serious_dishonesty": ("bool", True, False),
    "compliance.major_incident_3y": ("bool", True, False),
    "compliance.prohibited_industry": ("bool", True, False),
}

COMPLIANCE_FLAGS = tuple(k for k in TOP_FIELDS if k.startswith("compliance."))

YEAR_FIELDS: dict[str, tuple[str, bool, Any]] = {
    "employees": ("num", False, None),
    "rd_staff": ("num", False, None),
    "revenue": ("num", False, None),
    "main_revenue": ("num", False, None),
    "total_assets": ("num", False, None),
    "total_liabilities": ("num", False, None),
    "net_profit": ("num", False, None),
    "rd_expense": ("num", False, None),
    "equity_financing": ("num", True, 0),
    "local_contribution": ("num", False, None),
    "export_revenue": ("num", False, None),
    "cnc_rate": ("num", False, None),
    "digital_management": ("bool", False, None),
    "digital_rd_tools": ("bool", False, None),
    # virtual: development_scores[year] (a measurement)
    "development_score": ("num", False, None),
}

# list fields: element field -> kind
LIST_FIELDS: dict[str, dict[str, str]] = {
    "awards": {"level": "str", "year": "num", "rank": "num"},
    "maker_china": {"year": "num", "group": "str"},
    "honors": {"type": "str", "granted": "date", "valid_until": "date"},
    "titles": {"tier": "str", "level": "str", "granted": "date", "valid_until": "date"},
}


class ProfileValueError(ValueError):
    """A value in a profile that the engine cannot read (path and reason in Chinese)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def to_number(value: Any, path: str = "") -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ProfileValueError(path, "应为数字，不能是布尔值")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(str(value)))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(Decimal(value.strip()))
        except Exception as exc:  # noqa: BLE001
            raise ProfileValueError(path, f"“{value}”不是有效数字") from exc
    raise ProfileValueError(path, f"应为数字，实际为 {type(value).__name__}")


def to_date(value: Any, path: str = "") -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise ProfileValueError(path, f"“{value}”不是有效日期（应为 YYYY-MM-DD）") from exc
    raise ProfileValueError(path, f"应为日期，实际为 {type(value).__name__}")


def _convert(kind: str, value: Any, path: str) -> Any:
    if value is None:
        return None
    if kind == "num":
        return to_number(value, path)
    if kind == "date":
        return to_date(value, path)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ProfileValueError(path, "应为 true 或 false")
        return value
    if kind == "str":
        return str(value)
    return value


@dataclass(slots=True)
class Profile:
    """A normalised profile: exact numbers, real dates, integer year keys."""

    raw: dict
    uscc: str | None
    name: str | None
    top: dict[str, Any]
    years: dict[int, dict[str, Any]]
    lists: dict[str, list[dict[str, Any]]]

    def get_top(self, path: str) -> Any:
        kind, decl, default = TOP_FIELDS[path]
        v = self.top.get(path)
        return default if v is None and decl else v

    def get_year(self, year: int, field: str) -> Any:
        kind, decl, default = YEAR_FIELDS[field]
        v = self.years.get(year, {}).get(field)
        return default if v is None and decl else v


def _dig(d: dict, path: str) -> Any:
    cur: Any = d
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def normalise(profile: dict | Profile) -> Profile:
    """Read an exchange-format dict into a :class:`Profile` (raises ProfileValueError)."""
    if isinstance(profile, Profile):
        return profile
    if not isinstance(profile, dict):
        raise ProfileValueError("", "企业画像应为 JSON 对象")
    top: dict[str, Any] = {}
    for path, (kind, _decl, _default) in TOP_FIELDS.items():
        top[path] = _convert(kind, _dig(profile, path), path)
    years: dict[int, dict[str, Any]] = {}
    for key, fig in (profile.get("years") or {}).items():
        try:
            y = int(key)
        except (TypeError, ValueError) as exc:
            raise ProfileValueError(f"years.{key}", "年份键应为四位年份") from exc
        if not isinstance(fig, dict):
            raise ProfileValueError(f"years.{key}", "应为对象")
        row: dict[str, Any] = {}
        for field, (kind, _decl, _default) in YEAR_FIELDS.items():
            if field in fig:
                row[field] = _convert(kind, fig[field], f"years.{key}.{field}")
        years[y] = row
    for key, score in (profile.get("development_scores") or {}).items():
        try:
            y = int(key)
        except (TypeError, ValueError) as exc:
            raise ProfileValueError(f"development_scores.{key}", "年份键应为四位年份") from exc
        years.setdefault(y, {})["development_score"] = to_number(score, f"development_scores.{key}")
    lists: dict[str, list[dict[str, Any]]] = {}
    for name, fields in LIST_FIELDS.items():
        items = profile.get(name) or []
        if not isinstance(items, list):
            raise ProfileValueError(name, "应为数组")
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise ProfileValueError(f"{name}[{i}]", "应为对象")
            out.append({f: _convert(k, item.get(f), f"{name}[{i}].{f}") for f, k in fields.items()})
        lists[name] = out
    return Profile(
        raw=profile,
        uscc=profile.get("uscc"),
        name=profile.get("name"),
        top=top,
        years=years,
        lists=lists,
    )


def year_path(year: int, field: str) -> str:
    """The exchange-format path of a year figure (for ``missing``)."""
    if field == "development_score":
        return f"development_scores.{year}"
    return f"years.{year}.{field}"


# Chinese names of the inputs (for gaps and the trace).
FIELD_LABELS: dict[str, str] = {
    "niche_since": "从事特定细分市场起始日期",
    "digital_level": "数字化水平等级",
    "local_featured_points": "特色化指标得分",
    "size_sector": "划型行业",
    "industry_code": "行业代码",
    "sei_code": "战略性新兴产业分类代码",
    "foundation_field": "工业“六基”领域",
    "rd_institution": "研发机构级别",
    "priority_field": "属于制造强国/网络强国重点领域",
    "modern_industry_field": "属于现代化产业体系领域",
    "time_honored_brand": "中华老字号",
    "serves_chain_leader": "服务关键产业链重点龙头企业",
    "chain_breakthrough": "补短板、锻长板、填空白取得实际成效",
    "key_chain_position": "位于产业链关键环节",
    "mgmt_certified": "取得相关管理体系认证",
    "intl_product_cert": "产品通过发达国家和地区产品认证",
    "info_system": "核心业务采用信息系统支撑",
    "market.share_pct": "主导产品细分市场占有率（%）",
    "market.domestic_rank": "国内细分市场排名",
    "market.global_rank": "全球细分市场排名",
    "market.leading": "细分市场占有率较为靠前",
    "quality.provincial_award": "省级以上质量奖",
    "quality.iso9001": "质量管理体系认证",
    "quality.own_brand": "自主品牌",
    "quality.standards": "参与制修订标准",
    "ip.class1": "Ⅰ类知识产权（项）",
    "ip.class1_self_developed": "自主研发Ⅰ类知识产权（项）",
    "ip.class1_high_value": "Ⅰ类高价值知识产权（项）",
    "ip.class1_applied": "实际应用并产生效益的Ⅰ类知识产权（项）",
    "ip.class2": "Ⅱ类知识产权（项）",
    "employees": "从业人员（人）",
    "rd_staff": "研发人员（人）",
    "revenue": "营业收入（万元）",
    "main_revenue": "主营业务收入（万元）",
    "total_assets": "资产总额（万元）",
    "total_liabilities": "负债总额（万元）",
    "net_profit": "净利润（万元）",
    "rd_expense": "研发费用（万元）",
    "equity_financing": "新增股权融资（万元）",
    "development_score": "专精特新发展评价得分",
}

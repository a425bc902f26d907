"""The enterprises behind each number of the dashboard (same filters as the counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from srdi.registry.models import Enterprise, Title

from . import selectors, targets
from .bulletin import parse_month
from .models import TIER_LABELS


class DrillError(ValueError):
    """Bad drill-down parameters (message in Chinese)."""


@dataclass
class Drill:
    title: str
    enterprises: QuerySet | None = None
    figures: list = field(default_factory=list)  # manual targets: the records used
    entries: list = field(default_factory=list)  # other counted records (platforms …): names
    note: str = ""


def _tier(params) -> str:
    tier = params.get("tier", "")
    if tier not in TIER_LABELS:
        raise DrillError(f"梯度“{tier}”无效。")
    return tier


def drill(params, scope: selectors.Scope, day: dt.date) -> Drill:
    """params: kind = target | tier | funnel | new | expiring | all (with id / tier / stage /
    industry / month)."""
    kind = params.get("kind", "")
    if kind == "all":
        return Drill(f"{scope.label}全部企业", scope.enterprises())
    if kind == "target":
        selectors.require_targets(scope)
        try:
            defn = targets.definition(params.get("id", ""))
        except KeyError as exc:
            raise DrillError(str(exc)) from None
        m = defn["measure"]
        mk = m["kind"]
        name = defn["name"]
        if mk == "title_count":
            if m.get("counting") == "cumulative":
                ids = (
                    Title.objects.filter(tier__in=m["tiers"], granted__lte=day)
                    .exclude(status=Title.Status.REVOKED, revoked_at__lte=day)
                    .values("enterprise_id")
                )
                return Drill(
                    name,
                    scope.enterprises().filter(pk__in=ids),
                    note="截至统计日曾获认定且未被撤销的企业。",
                )
            return Drill(name, selectors.holders(day, m["tiers"], scope))
        if mk in targets.POPULATION_KINDS:
            year = targets.figures_year(m, day, scope)
            return Drill(
                name,
                targets.population(m, day, scope),
                note=f"按这些企业 {year} 年度数据计算（未填报该项数据的企业不计入）。",
            )
        if mk == "registered":
            if not targets.connected(defn):
                return Drill(name, None, note="该目标的计量模块尚未接入，暂无可计数的记录。")
            items, note = targets.measured_items(defn, min(day, defn["deadline"]), scope)
            if items is not None and getattr(items, "model", None) is Enterprise:
                return Drill(name, items, note=note)
            if items is not None and hasattr(items, "model") and hasattr(items.model, "enterprise"):
                ids = items.values("enterprise_id")
                return Drill(name, Enterprise.objects.filter(pk__in=ids), note=note)
            return Drill(name, None, entries=[str(x) for x in list(items or [])[:2000]], note=note)
        if mk == "manual":
            _, recs = targets.manual_value(defn["id"], day, scope)
            return Drill(name, None, figures=recs, note="该目标由手工填报，以下为计入的填报记录。")
        raise DrillError(f"目标计量方式未知：{mk}")
    if kind == "tier":
        tier = _tier(params)
        qs = selectors.holders(day, [tier], scope)
        title = f"持有有效{TIER_LABELS[tier]}称号的企业"
        division = params.get("industry", "")
        if division:
            qs = qs.filter(industry_code__startswith=division)
            title += f"（行业 {division}）"
        return Drill(title, qs)
    if kind == "funnel":
        tier = _tier(params)
        stage = params.get("stage", "")
        if stage not in selectors.STAGES:
            raise DrillError(f"培育阶段“{stage}”无效。")
        qs = scope.enterprises().filter(selectors.stage_filter(tier, stage, day))
        return Drill(
            f"{TIER_LABELS[tier]}培育库：{selectors.STAGE_LABELS[stage]}（含以后阶段）", qs
        )
    if kind in ("new", "expiring"):
        if kind == "new":
            try:
                start, end = parse_month(params.get("month", ""))
            except ValueError as exc:
                raise DrillError(str(exc)) from None
            titles = selectors.new_titles(start, end, scope)
            title = f"{start.year}年{start.month}月新增称号企业"
        else:
            titles = selectors.expiring_titles(day, scope)
            title = "即将到期称号的企业"
        ids = titles.values("enterprise_id")
        return Drill(title, Enterprise.objects.filter(pk__in=ids))
    raise DrillError("请选择要查看的统计项。")


def held_tiers(enterprise_ids: list[int], day: dt.date) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for eid, tier in (
        Title.objects.filter(selectors.holds_q(day), enterprise_id__in=enterprise_ids)
        .order_by("enterprise_id", "tier")
        .values_list("enterprise_id", "tier")
    ):
        out.setdefault(eid, []).append(TIER_LABELS.get(tier, tier))
    return out


def to_xlsx(d: Drill, day: dt.date) -> bytes:
    from srdi.core import xlsx

    wb = xlsx.new()
    ws = wb.create_sheet("企业名单")
    ws.append([d.title])
    ws.append([f"统计截至 {day.isoformat()}"] + ([d.note] if d.note else []))
    if d.entries:
        ws.append(["计入的记录"])
        for e in d.entries:
            ws.append([e])
    elif d.enterprises is None:
        ws.append(["板块", "统计截至", "数值", "来源", "备注"])
        for f in d.figures:
            ws.append(
                [
                    f.region.name if f.region_id else "全市",
                    f.as_of.isoformat(),
                    float(f.value),
                    f.source,
                    f.note,
                ]
            )
    else:
        ws.append(["统一社会信用代码", "企业名称", "所属板块", "行业代码", "有效称号"])
        qs = d.enterprises.order_by("pk").values_list(
            "pk", "uscc", "name", "region__name", "industry_code"
        )
        last = 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:5000])
            if not chunk:
                break
            tiers = held_tiers([r[0] for r in chunk], day)
            for pk, uscc, name, region, ind in chunk:
                ws.append([uscc, name, region or "", ind, "、".join(tiers.get(pk, []))])
            last = chunk[-1][0]
    return wb.bytes()

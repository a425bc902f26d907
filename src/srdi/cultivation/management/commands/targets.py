"""`srdi targets [--as-of DATE] [--region NAME] --format json|table [--snapshot]`."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from srdi.cultivation import targets
from srdi.cultivation.selectors import CITY, Scope


def _status(row: dict) -> str:
    if row["target"] is None:
        return "目标值待核实"
    if row["achieved"] is None:
        return "暂无数据"
    return "已达成" if row["achieved"] else "未达成"


class Command(BaseCommand):
    help = "计划目标任务进展：每项目标的目标值、实际值（取自平台记录或手工填报）、期限与预测。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="统计截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="table",
            help="输出格式：json（机器可读）或 table（中文表格）",
        )
        parser.add_argument("--region", help="只统计一个板块（名称）")
        parser.add_argument(
            "--snapshot", action="store_true", help="同时保存当日进度快照（用于趋势）"
        )

    def handle(self, *args, **opts):
        try:
            day = dt.date.fromisoformat(opts["as_of"]) if opts["as_of"] else dt.date.today()
        except ValueError:
            raise CommandError(f"--as-of 日期格式应为 YYYY-MM-DD，收到“{opts['as_of']}”") from None
        scope = CITY
        if opts["region"]:
            from srdi.registry.models import Region

            region = Region.objects.filter(name=opts["region"]).first()
            if region is None:
                raise CommandError(f"没有名为“{opts['region']}”的板块")
            scope = Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
        if opts["snapshot"]:
            targets.snapshot(day)
        rows = targets.evaluate(day, scope)
        if opts["format"] == "json":
            doc = {"as_of": day.isoformat(), "scope": scope.label, "targets": rows}
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"计划目标任务进展（{scope.label}，截至 {day.isoformat()}）")
        header = f"{'编号':<22}{'目标':<30}{'目标值':>10}{'实际值':>12}  {'单位':<4}{'期限':<12}{'计量':<10}状态"
        self.stdout.write(header)
        for r in rows:
            target = "待核实" if r["target"] is None else f"{r['op']}{r['target']}"
            actual = "—" if r["actual"] is None else str(r["actual"])
            marks = []
            if r["figure_status"] != "verified" or r["wording_status"] != "verified":
                marks.append("待核实")
            self.stdout.write(
                f"{r['id']:<22}{r['name'][:28]:<30}{target:>10}{actual:>12}  {r['unit']:<4}"
                f"{r['deadline']:<12}{r['measured_by_label']:<10}{_status(r)}"
                + (f" [{'/'.join(marks)}]" if marks else "")
            )

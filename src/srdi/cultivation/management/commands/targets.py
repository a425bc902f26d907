"""`srdi targets [--plan KEY] [--as-of DATE] [--region NAME] --format json|table [--snapshot]`
`srdi targets --plan 2023-2025 --final -o 总结.docx|.pdf`    the plan's final assessment
`srdi targets --load-plan next.yaml|next.xlsx [--user NAME]`  load the next plan (no code)
`srdi targets --plans`                                        the plans loaded."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from srdi.core.cleaning import option_date
from srdi.cultivation import plans, targets
from srdi.cultivation.selectors import CITY, Scope


class Command(BaseCommand):
    help = (
        "计划目标任务进展：每项目标的条目、原文表述、目标值、实际值（取自平台记录）、期限与预测；"
        "计划完成情况总结（--final）；载入新计划（--load-plan）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="计划编号（如 2023-2025；默认按统计日期选择）")
        parser.add_argument("--as-of", help="统计截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="table",
            help="输出格式：json（机器可读）或 table（中文表格）",
        )
        parser.add_argument("--region", help="只统计一个板块（名称）")
        parser.add_argument(
            "--snapshot", action="store_true", help="同时保存当日进度快照（用于趋势与总结）"
        )
        parser.add_argument("--final", action="store_true", help="输出计划完成情况总结")
        parser.add_argument("-o", "--output", help="总结文件（.docx 或 .pdf）")
        parser.add_argument("--load-plan", help="载入计划文件（.yaml 或 .xlsx）")
        parser.add_argument("--user", help="载入计划的管理员用户名（默认第一个管理员）")
        parser.add_argument("--plans", action="store_true", help="列出全部计划")

    def handle(self, *args, **opts):
        if opts["load_plan"]:
            return self._load(opts)
        if opts["plans"]:
            for p in plans.all_plans().values():
                self.stdout.write(
                    f"{p['key']}\t{p['title']}\t{p['period']['start']}—{p['period']['end']}\t"
                    f"目标{len(p['targets'])}项"
                )
            return
        day = option_date(opts["as_of"])
        try:
            plan = targets.plan(opts["plan"], day)
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        if opts["final"]:
            return self._final(plan, opts)
        scope = CITY
        if opts["region"]:
            from srdi.registry.models import Region

            region = Region.objects.filter(name=opts["region"]).first()
            if region is None:
                raise CommandError(f"没有名为“{opts['region']}”的板块")
            scope = Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
        if opts["snapshot"]:
            targets.snapshot(day, plan["key"])
        rows = targets.evaluate(day, scope, plan_key=plan["key"])
        if opts["format"] == "json":
            doc = {
                "plan": plan["key"],
                "title": plan["title"],
                "period": {k: v.isoformat() for k, v in plan["period"].items()},
                "as_of": day.isoformat(),
                "scope": scope.label,
                "targets": rows,
            }
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"{plan['title']}　目标任务进展（{scope.label}，截至 {day.isoformat()}）")
        for r in rows:
            actual = (
                "未接入"
                if not r["connected"]
                else ("—" if r["actual"] is None else f"{r['actual']}{r['unit']}")
            )
            self.stdout.write(
                f"{r['section']:<6}{r['name'][:26]:<28}{r['target_label']:>10}{actual:>12}  "
                f"{r['deadline']:<12}{r['status_label']}"
            )

    def _final(self, plan, opts):
        from srdi.cultivation import assessment

        out = opts["output"]
        if not out:
            d = assessment.data(plan["key"])
            self.stdout.write(assessment.summary(d))
            for r in d["rows"]:
                self.stdout.write(
                    f"{r['section']} {r['name']}：{r['target_label']}，{r['status_label']}"
                )
            return
        fmt = Path(out).suffix.lower().lstrip(".")
        if fmt not in ("docx", "pdf"):
            raise CommandError("总结文件应以 .docx 或 .pdf 结尾。")
        Path(out).write_bytes(assessment.render(plan["key"], fmt))
        self.stdout.write(f"已生成计划完成情况总结：{out}")

    def _load(self, opts):
        from srdi.accounts.models import User
        from srdi.accounts.roles import Role
        from srdi.cultivation import services

        path = Path(opts["load_plan"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path.name}")
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"没有用户“{opts['user']}”")
        else:
            user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError("没有可用的管理员账号，请用 --user 指定。")
        try:
            obj = services.load_plan(user, path.read_bytes(), path.name)
        except ValidationError as exc:
            raise CommandError("计划文件有误：" + "；".join(exc.messages)) from None
        except Exception as exc:  # PermissionDenied
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已载入计划：{obj.title}（{obj.key}）")

"""`srdi requests [--overdue] [--department D] --format json|table` and `--sweep`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from srdi.accounts.roles import Department
from srdi.support import config, services
from srdi.support.models import ServiceRequest


class Command(BaseCommand):
    help = (
        "列出诉求（--overdue 只列逾期的，--department 只列某部门的），"
        "或 --sweep 发送到期提醒并对逾期诉求向板块和市工信局督办（每日运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--overdue", action="store_true", help="只列逾期（按工作日）的诉求")
        parser.add_argument(
            "--department", help="部门代码，如 kjj（市科技局）、jrj（市金融监管局）"
        )
        parser.add_argument("--format", default="table", choices=["json", "table"],
                            help="输出格式：json 或 table（默认 table）")  # fmt: skip
        parser.add_argument("--sweep", action="store_true", help="发送到期提醒并督办逾期诉求")
        parser.add_argument("--limit", type=int, default=10000, help="最多列出条数（默认 10000）")

    def handle(self, *args, overdue=False, department=None, format="table", sweep=False,
               limit=10000, **options):  # fmt: skip
        today = timezone.localdate()
        if sweep:
            res = services.sweep(today)
            self.stdout.write(f"已提醒 {res['reminded']} 件，督办 {res['escalated']} 件。")
            return
        qs = ServiceRequest.objects.select_related("enterprise").order_by("close_due", "pk")
        if department:
            if department not in Department.values:
                raise CommandError(
                    "未知的部门代码：" + department + "。可选：" + "、".join(
                        f"{c}（{label}）" for c, label in Department.choices), returncode=2)  # fmt: skip
            qs = qs.filter(department=department)
        if overdue:
            qs = qs.filter(services.overdue_q(today))
        rows = []
        for r in qs[: max(limit, 1)]:
            due = services.current_due(r)
            if r.state == ServiceRequest.State.PENDING and r.close_due < today:
                due = r.close_due
            rows.append({
                "id": r.pk, "enterprise": r.enterprise.uscc, "department": r.department,
                "state": r.state, "due": due.isoformat() if due else None,
                "working_days_overdue": services.overdue_days(r, today),
            })  # fmt: skip
        if format == "json":
            self.stdout.write(json.dumps({"results": rows}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"共 {len(rows)} 件。")
        labels = dict(ServiceRequest.State.choices)
        for x, r in zip(rows, qs, strict=False):
            self.stdout.write(
                f"  #{x['id']:<6} {r.enterprise.name[:20]:<20} {config.category_label(r.category):<4} "
                f"{services.department_label(x['department']):<8} {labels[x['state']]:<4} "
                f"期限 {x['due'] or '—'}  逾期 {x['working_days_overdue']} 个工作日"
            )

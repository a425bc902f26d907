"""`srdi alerts [--as-of DATE] [--digest] [--no-scan] [--refresh-pool]`: daily monitoring."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from srdi.core.cleaning import option_date
from srdi.cultivation import lifecycle, services


class Command(BaseCommand):
    help = (
        "培育监测预警：标记到期称号，扫描即将到期、年度数据未按期更新、指标不满足复核标准的企业，"
        "（可选）重算培育库是否符合条件，并向板块工作人员和服务专员发送站内预警；--digest 发送每日汇总。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="监测日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--digest", action="store_true", help="发送当日预警汇总（站内+邮件）")
        parser.add_argument("--no-scan", action="store_true", help="不扫描，只发送汇总")
        parser.add_argument(
            "--refresh-pool",
            action="store_true",
            help="先用认定规则重算培育库（发现新符合更高梯度的企业）",
        )

    def handle(self, *args, **opts):
        day = option_date(opts["as_of"])
        if not opts["no_scan"]:
            n = services.expire_due(day)
            self.stdout.write(f"标记到期称号：{n}")
            if opts["refresh_pool"]:
                for tier in lifecycle.ladder():
                    c = services.refresh_pool(tier, day)
                    self.stdout.write(
                        f"培育库 {tier}：测算 {c['evaluated']}，符合 {c['meets']}，新符合 {c['newly']}"
                    )
            c = services.scan_alerts(day)
            self.stdout.write(
                f"新预警：即将到期 {c['expiring']}，数据未更新 {c['not_updated']}，"
                f"复核风险 {c['review_risk']}；已解除 {c['resolved']}"
            )
        if opts["digest"]:
            self.stdout.write(f"已发送预警日报：{services.digest(day)} 人")

"""`srdi purge_audit`: delete audit and login records older than the retention period.

The retention period is at least 180 days (网络安全等级保护 2.0, level 3: 审计记录留存不少于
六个月); a shorter one is refused, whether given with --days or as SRDI_AUDIT_DAYS.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from srdi.accounts.models import LoginAttempt
from srdi.audit.models import AuditLog
from srdi.audit.services import record
from srdi.core.jobs import retention_days


def check_retention(days: int) -> None:
    """Refuses a retention shorter than SRDI_AUDIT_MIN_DAYS (180) with a Chinese message."""
    if days < settings.SRDI_AUDIT_MIN_DAYS:
        raise CommandError(
            f"审计记录至少保留 {settings.SRDI_AUDIT_MIN_DAYS} 天（等级保护要求不少于六个月），"
            f"不能按 {days} 天清理。",
            returncode=2,
        )


class Command(BaseCommand):
    help = (
        "删除超过保留期限的审计日志与登录记录（保留天数默认取 SRDI_AUDIT_DAYS，"
        "不少于 180 天，少于 180 天拒绝执行）。建议每月运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=retention_days,
            default=None,
            help="保留天数（默认取设置 SRDI_AUDIT_DAYS，不得少于 180）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.SRDI_AUDIT_DAYS if days is None else days
        check_retention(days)
        cutoff = timezone.now() - dt.timedelta(days=days)
        logs = AuditLog.objects.filter(at__lt=cutoff)
        logins = LoginAttempt.objects.filter(at__lt=cutoff)
        n_logs, n_logins = logs.count(), logins.count()
        if not dry_run and (n_logs or n_logins):
            with transaction.atomic():
                logs._raw_delete(logs.db)
                logins._raw_delete(logins.db)
                record(
                    action="audit.purge",
                    object_type="audit.auditlog",
                    object_repr=f"{cutoff:%Y-%m-%d} 以前的记录",
                    after={"days": days, "audit": n_logs, "logins": n_logins},
                    note=f"保留 {days} 天",
                )
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            f"{verb} {n_logs} 条审计日志、{n_logins} 条登录记录（{days} 天以前，"
            f"即 {timezone.localtime(cutoff):%Y年%m月%d日} 之前）。"
        )

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from srdi.core.jobs import retention_days
from srdi.core.models import Job


class Command(BaseCommand):
    help = _(
        "删除超过保留期限的后台任务结果文件（导出、批量报告等）；任务记录保留，"
        "页面提示文件已清理。建议每日运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=retention_days,
            default=None,
            help=_("保留天数（默认取设置 SRDI_JOB_FILE_DAYS）"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("只列出，不删除"))

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.SRDI_JOB_FILE_DAYS if days is None else days
        if days < 1:
            raise CommandError(_("保留天数应为正整数：%(d)s") % {"d": days})
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = (
            Job.objects.filter(finished_at__lt=cutoff)
            .exclude(result_file="")
            .exclude(result_file__isnull=True)
        )
        n = size = 0
        for job in old.iterator():
            try:
                size += job.result_file.size
            except OSError:
                pass  # the file is already gone: only the reference is cleared
            if not dry_run:
                job.result_file.delete(save=False)
                job.result_file = None
                job.message = (job.message + " " if job.message else "") + _(
                    "结果文件已超过保留期限（%(d)s 天）被清理，如需请重新生成。"
                ) % {"d": days}
                job.save(update_fields=["result_file", "message"])
            n += 1
        verb = _("将清理") if dry_run else _("已清理")
        self.stdout.write(
            _("%(verb)s %(n)s 个任务的结果文件，共 %(mb).1f MB（完成于 %(d)s 天以前）")
            % {"verb": verb, "n": n, "mb": size / 2**20, "d": days}
        )

"""`srdi restore FILE`: the whole platform back from a backup, into an empty database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from srdi.core import backup
from srdi.core.management.commands.backup import _message


class Command(BaseCommand):
    help = (
        "从备份文件恢复整个平台（数据表与存储的文件）。只能恢复到新建并已 srdi migrate 的空数据库；"
        "恢复不触发任何自动处理（不重新匹配政策、不推送消息、不发邮件），恢复后逐表核对行数与内容。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（srdi backup -o 生成）")

    def handle(self, file, verbosity=1, **options):
        started = time.monotonic()
        try:
            summary = backup.restore(
                file,
                progress=(lambda label: self.stdout.write(f"  {label}")) if verbosity > 1 else None,
            )
        except backup.BackupError as exc:
            raise CommandError("未恢复：" + _message(exc), returncode=2) from None
        self.stdout.write(
            f"已恢复：{len(summary.tables)} 张数据表共 {summary.rows:,} 行（逐表核对一致），"
            f"{len(summary.media)} 个文件，用时 {time.monotonic() - started:.1f} 秒。"
        )

"""`srdi backup -o FILE` / `srdi backup --check FILE` (see srdi.core.backup)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from srdi.core import backup


class Command(BaseCommand):
    help = (
        "备份整个平台：全部数据表（用户、令牌、政策、申报、授权、评估、审计日志、消息……）"
        "与存储的文件（上传的原始文件、任务结果），写入一个备份文件；--check 校验备份文件。"
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("-o", "--output", metavar="FILE", help="备份文件（.zip）的保存位置")
        group.add_argument(
            "--check", metavar="FILE", help="校验一个备份文件：每张表的行数与校验值、每个文件"
        )

    def handle(self, output=None, check=None, verbosity=1, **options):
        started = time.monotonic()
        try:
            if check:
                manifest = backup.check(check)
                rows = sum(t["rows"] for t in manifest["tables"].values())
                self.stdout.write(
                    f"备份文件完好：{len(manifest['tables'])} 张数据表共 {rows:,} 行，"
                    f"{len(manifest['media'])} 个文件，备份于 {manifest['created']}"
                    f"（{manifest['database']}）。"
                )
                differences = backup.schema_differences(manifest)
                if differences:
                    self.stdout.write(
                        "注意：备份的数据库结构版本与本程序不同，须用相同版本的程序恢复："
                        + "；".join(differences)
                    )
                return
            summary = backup.backup(
                output,
                progress=(lambda label: self.stdout.write(f"  {label}")) if verbosity > 1 else None,
            )
        except backup.BackupError as exc:
            raise CommandError(_message(exc), returncode=2) from None
        except OSError as exc:
            raise CommandError(
                f"无法写入备份文件：{exc.strerror}（{output}）", returncode=2
            ) from None
        self.stdout.write(
            f"已备份到 {output}：{len(summary.tables)} 张数据表共 {summary.rows:,} 行，"
            f"{len(summary.media)} 个文件（{summary.media_bytes / 2**20:.1f} MB），"
            f"用时 {time.monotonic() - started:.1f} 秒。"
        )


def _message(exc: backup.BackupError) -> str:
    return "\n".join([str(exc), *[f"  - {p}" for p in exc.problems[:50]]])

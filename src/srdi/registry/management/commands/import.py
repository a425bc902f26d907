import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from srdi.registry.models import DataSource, ImportBatch, Region
from srdi.registry.refdata import load_reference
from srdi.registry.services import import_profiles


class Command(BaseCommand):
    help = (
        "导入企业画像文件（JSON、JSON Lines 或 .xlsx 模板）。默认全部记录无误才导入，"
        "有任何问题则什么也不导入、在标准错误输出列出全部问题并以状态码 2 退出；"
        "--partial 导入有效记录，被拒记录另存为文件。同一文件重复导入不会改变任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument("--partial", action="store_true", help="只导入有效记录")
        parser.add_argument("--department", default="", help="数据提供部门，如 市统计局")
        parser.add_argument("--rejected-out", help="--partial 时被拒记录写入的文件")
        parser.add_argument("--chunk", type=int, default=2000, help=argparse_suppress())

    def handle(self, *args, file, partial=False, department="", rejected_out=None, chunk=2000, **o):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        if not Region.objects.exists():
            result = load_reference()
            self.stderr.write("数据库中还没有参考数据，已先载入：" + result.summary_zh())
        mode = ImportBatch.Mode.PARTIAL if partial else ImportBatch.Mode.ALL_OR_NOTHING
        batch = import_profiles(
            path,
            department=department,
            mode=mode,
            chunk=chunk,
            source_kind=DataSource.Kind.IMPORT,
        )
        for p in batch.problems:
            self.stderr.write(f"{path.name} {p['text']}")
        if batch.status == ImportBatch.Status.REJECTED:
            self.stderr.write(
                f"共 {batch.total} 条记录，发现 {len(batch.problems)} 个问题"
                f"（涉及 {batch.rejected} 条记录）；按“全部无误才导入”规则，未导入任何数据。"
                "可修改后重新导入，或用 --partial 只导入有效记录。"
            )
            raise SystemExit(2)
        msg = (
            f"导入完成（批次 #{batch.pk}）：共 {batch.total} 条，新增 {batch.created}，"
            f"更新 {batch.updated}，未变化 {batch.unchanged}，拒绝 {batch.rejected}"
        )
        if batch.rejected_file:
            if rejected_out:
                with batch.rejected_file.open("rb") as src, open(rejected_out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                msg += f"；被拒记录已写入 {rejected_out}"
            else:
                msg += f"；被拒记录：{batch.rejected_file.path}"
        self.stdout.write(msg)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS

import sys

from django.core.management.base import BaseCommand, CommandError

from srdi.registry.models import Enterprise, Region
from srdi.registry.services import EXPORT_FORMATS, export_profiles


class Command(BaseCommand):
    help = "按企业画像交换格式导出企业数据（json / jsonl / xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="json", help="导出格式")
        parser.add_argument("-o", "--output", help="输出文件（默认标准输出；xlsx 必须指定文件）")
        parser.add_argument(
            "--region", action="append", default=[], help="只导出该板块的企业（可重复）"
        )
        parser.add_argument("--uscc", action="append", default=[], help="只导出这些企业（可重复）")

    def handle(self, *args, format, output=None, region=(), uscc=(), **options):
        qs = Enterprise.objects.all()
        if region:
            known = set(Region.objects.filter(name__in=region).values_list("name", flat=True))
            unknown = [r for r in region if r not in known]
            if unknown:
                raise CommandError("未知的板块：" + "、".join(unknown))
            qs = qs.filter(region__name__in=region)
        if uscc:
            qs = qs.filter(uscc__in=[u.strip().upper() for u in uscc])
        if output:
            n = export_profiles(qs, format, output)
            self.stderr.write(f"已导出 {n} 家企业到 {output}")
        else:
            if format == "xlsx":
                raise CommandError("导出 xlsx 时请用 -o 指定输出文件")
            n = export_profiles(qs, format, sys.stdout)
            self.stderr.write(f"已导出 {n} 家企业")

"""`srdi bulletin --month YYYY-MM -o FILE.docx|pdf [--region NAME]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from srdi.cultivation import bulletin
from srdi.cultivation.selectors import CITY, Scope


class Command(BaseCommand):
    help = "生成月度工作通报（目标进展、新增称号、到期称号、板块排名），输出 .docx 或 .pdf。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="通报月份 YYYY-MM")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.docx 或 .pdf）")
        parser.add_argument("--region", help="只通报一个板块（名称）")

    def handle(self, *args, **opts):
        out = Path(opts["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("docx", "pdf"):
            raise CommandError(f"输出文件应以 .docx 或 .pdf 结尾：{out}")
        try:
            bulletin.parse_month(opts["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        scope = CITY
        if opts["region"]:
            from srdi.registry.models import Region

            region = Region.objects.filter(name=opts["region"]).first()
            if region is None:
                raise CommandError(f"没有名为“{opts['region']}”的板块")
            scope = Scope(f"r{region.pk}", region_id=region.pk, label=region.name)
        content = bulletin.render(opts["month"], fmt, scope)
        out.write_bytes(content)
        self.stdout.write(f"已生成 {out}（{len(content)} 字节）")

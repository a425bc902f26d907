"""`srdi title_batch FILE.xlsx --name 批次 --tier T --level L --granted DATE [--valid-until DATE] [--partial] --user NAME`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from srdi.accounts.models import User
from srdi.cultivation import services
from srdi.cultivation.models import LEVEL_LABELS, TIER_LABELS, TitleBatch


class Command(BaseCommand):
    help = "录入公告的认定批次：上传名单（xlsx，企业名称或统一社会信用代码），匹配企业库并创建称号；未匹配的列出待更正。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", required=True, help="批次名称，如“2025年度第七批”")
        parser.add_argument("--tier", required=True, choices=list(TIER_LABELS))
        parser.add_argument("--level", required=True, choices=list(LEVEL_LABELS))
        parser.add_argument("--granted", required=True, help="认定日期 YYYY-MM-DD")
        parser.add_argument("--valid-until", help="有效期至（默认按规则文件：认定日起3年）")
        parser.add_argument("--partial", action="store_true", help="有未匹配企业时仍录入已匹配的")
        parser.add_argument("--user", required=True, help="操作人用户名（市工信局管理员）")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"没有用户“{opts['user']}”")
        try:
            granted = dt.date.fromisoformat(opts["granted"])
            until = dt.date.fromisoformat(opts["valid_until"]) if opts["valid_until"] else None
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{exc}") from None
        try:
            res = services.record_batch(
                user,
                content=path.read_bytes(),
                filename=path.name,
                name=opts["name"],
                tier=opts["tier"],
                level=opts["level"],
                granted=granted,
                valid_until=until,
                mode=TitleBatch.Mode.PARTIAL if opts["partial"] else TitleBatch.Mode.ALL_OR_NOTHING,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        b = res.batch
        self.stdout.write(
            f"{b.name}：{b.get_status_display()}。名单 {b.total} 条，匹配 {b.matched}，新建称号 {b.created}，已有 {b.already}，未匹配 {len(b.unmatched)}"
        )
        for p in b.unmatched:
            sug = f"（可能是：{'、'.join(p['suggestions'])}）" if p["suggestions"] else ""
            self.stdout.write(f"  第{p['row']}行 {p['text']}：{p['reason']}{sug}")
        if b.status == TitleBatch.Status.REJECTED:
            raise CommandError(
                "存在未匹配企业，本批次未录入任何称号；请更正名单后重新上传，或使用 --partial。"
            )

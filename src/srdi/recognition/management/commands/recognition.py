"""`srdi recognition template -o 模板.xlsx` · `srdi recognition import 文件.xlsx [--dry-run]
[--user NAME]` · `srdi recognition list [--kind KIND] [--format json|table]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from srdi.recognition import kinds, services
from srdi.recognition.models import Honour, Platform


class Command(BaseCommand):
    help = "荣誉认证与平台登记：下载模板、批量导入（全部成功或全部不导入）、列出记录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["template", "import", "list"],
            help="操作：template 生成模板、import 导入、list 列出记录",
        )
        parser.add_argument("file", nargs="?", help="导入的 Excel 文件")
        parser.add_argument("-o", "--output", help="模板保存位置")
        parser.add_argument("--dry-run", action="store_true", help="只检查不导入")
        parser.add_argument("--user", help="导入人（用户名；默认第一个管理员）")
        parser.add_argument("--kind", default="", help="只列出一个类别")
        parser.add_argument(
            "--format", choices=["json", "table"], default="table", help="输出格式：json 或 table"
        )

    def handle(self, *args, **o):
        if o["action"] == "template":
            out = Path(o["output"] or "荣誉认证与平台登记模板.xlsx")
            out.write_bytes(services.template_xlsx())
            self.stdout.write(f"已生成模板：{out}")
            return
        if o["action"] == "import":
            return self._import(o)
        qs = Honour.objects.select_related("enterprise")
        if o["kind"]:
            qs = qs.filter(kind=o["kind"])
        rows = [
            {"uscc": h.enterprise.uscc, "enterprise": h.enterprise.name, "kind": kinds.honour_label(h.kind),
             "level": kinds.level_label(h.level), "year": h.year, "item": h.item, "stars": h.stars,
             "revoked": bool(h.revoked_on)}
            for h in qs
        ]  # fmt: skip
        plats = [
            {"name": p.name, "kind": kinds.platform_label(p.kind), "level": kinds.level_label(p.level), "year": p.year}
            for p in Platform.objects.all()
        ]  # fmt: skip
        if o["format"] == "json":
            self.stdout.write(
                json.dumps({"honours": rows, "platforms": plats}, ensure_ascii=False, indent=2)
            )
            return
        for r in rows:
            self.stdout.write(
                f"{r['year']}\t{r['kind']}\t{r['level']}\t{r['enterprise']}\t{r['item']}"
            )
        for p in plats:
            self.stdout.write(f"{p['year']}\t{p['kind']}\t{p['level']}\t{p['name']}")

    def _import(self, o):
        from srdi.accounts.models import User
        from srdi.accounts.roles import Role

        if not o["file"] or not Path(o["file"]).is_file():
            raise CommandError("请给出要导入的 Excel 文件。")
        user = (
            User.objects.filter(username=o["user"]).first()
            if o["user"]
            else User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError("没有可用的导入人账号，请用 --user 指定。")
        try:
            result = services.import_xlsx(user, Path(o["file"]).read_bytes(), dry_run=o["dry_run"])
        except ValidationError as exc:
            raise CommandError("文件未导入：\n" + "\n".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))

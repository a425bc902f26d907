"""srdi innovation match NEEDS.json CAPABILITIES.json [--top 5] --format json

Also: ``srdi innovation match-capabilities CAPABILITIES.json NEEDS.json`` (the other direction).
NEEDS.json: [{"id", "title", "description", "field"?}]; CAPABILITIES.json: [{"id", "institution",
"title", "description", "keywords"?, "scenarios"?}] — ``scenarios`` (应用场景 / 可解决的问题, the
problems the method solves in a plant's words) is a list of strings or one string, one per line.
Bad input: a Chinese message naming where and what, exit status 2.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "技术需求与高校院所能力匹配（汇科创）：为每条需求给出最合适的团队能力及理由。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", title="操作", required=False)
        m = sub.add_parser("match", help="为每条需求匹配能力")
        m.add_argument("needs", help="需求 JSON 文件")
        m.add_argument(
            "capabilities",
            help="能力 JSON 文件：[{id, institution, title, description, keywords?, "
            "scenarios?（应用场景 / 可解决的问题：文字数组，或每行一条的文字）}]",
        )
        m.add_argument("--top", default="5", help="每条需求给出的匹配数（默认 5）")
        m.add_argument("--format", default="json", help="输出格式：json")
        m.add_argument("-o", "--output", help="输出文件（默认打印到屏幕）")
        r = sub.add_parser("match-capabilities", help="为每项能力匹配需求")
        r.add_argument("capabilities", help="能力 JSON 文件")
        r.add_argument("needs", help="需求 JSON 文件")
        r.add_argument("--top", default="5", help="每项能力给出的匹配数（默认 5）")
        r.add_argument("--format", default="json", help="输出格式：json")
        r.add_argument("-o", "--output", help="输出文件（默认打印到屏幕）")
        t = sub.add_parser("patents-template", help="知识产权清单导入模板（xlsx）")
        t.add_argument("-o", "--output", required=True, help="输出文件")
        i = sub.add_parser("patents-import", help="导入知识产权清单（xlsx，全部成功才导入）")
        i.add_argument("file", help="xlsx 文件")
        i.add_argument("--user", required=True, help="经办人用户名（按其权限导入）")

    def handle(self, *args, **options):
        from srdi.innovation import matching
        from srdi.innovation.matching.inputs import read_json_file

        action = options.get("action")
        if action == "patents-template":
            from srdi.innovation.patents import template

            with open(options["output"], "wb") as fh:
                fh.write(template())
            self.stdout.write(f"已写入 {options['output']}")
            return
        if action == "patents-import":
            return self._import(options)
        if action not in {"match", "match-capabilities"}:
            raise CommandError(
                "请指定操作：srdi innovation match 需求.json 能力.json [--top 5] --format json",
                returncode=2,
            )
        if options["format"] != "json":
            raise CommandError(f"--format 只支持 json：{options['format']}", returncode=2)
        try:
            needs = read_json_file(options["needs"], "需求")
            caps = read_json_file(options["capabilities"], "能力")
            if action == "match":
                out = matching.match(needs, caps, options["top"])
            else:
                out = matching.match_capabilities(caps, needs, options["top"])
        except matching.InputError as exc:
            raise CommandError(
                "输入有误：\n" + "\n".join(f"  - {p}" for p in exc.problems), returncode=2
            ) from None
        text = json.dumps(out, ensure_ascii=False, indent=2)
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"已写入 {options['output']}（{len(out['results'])} 条）")
        else:
            self.stdout.write(text)

    def _import(self, options):
        from pathlib import Path

        from django.core.exceptions import ValidationError

        from srdi.accounts.models import User
        from srdi.innovation.patents import import_xlsx

        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['user']}", returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        try:
            res = import_xlsx(user, path.read_bytes())
        except ValidationError as exc:
            raise CommandError(
                "导入失败，未导入任何数据：\n" + "\n".join(f"  - {m}" for m in exc.messages),
                returncode=2,
            ) from None
        self.stdout.write(f"已导入知识产权 {res['rows']} 条，涉及企业 {res['enterprises']} 家。")

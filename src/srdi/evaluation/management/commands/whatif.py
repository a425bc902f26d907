"""srdi whatif PROFILES|--from-db --standard ID --set PATH=VALUE [--set …] [--as-of DATE] [--review]"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from srdi.evaluation.formatting import outcome_zh, table
from srdi.rules import RuleError, as_date
from srdi.rules.whatif import parse_change, whatif


class Command(BaseCommand):
    help = _("规则测算：按修改后的认定标准副本重新评估一批企业，报告结论变化")

    def add_arguments(self, parser):
        parser.add_argument("profiles", nargs="?", help=_("画像文件；- 表示标准输入"))
        parser.add_argument(
            "--standard", required=True, metavar="ID", help="要测算的认定标准编号，如 srdi-sme@2022"
        )
        parser.add_argument(
            "--set",
            action="append",
            dest="changes",
            default=[],
            metavar="PATH=VALUE",
            help=_("修改项，如 score.pass=55 或 score.indicators.rd_input.bands.C.from=[250,5]"),
        )
        parser.add_argument(
            "--as-of", dest="as_of", default=None, help="评估日期（YYYY-MM-DD，默认今天）"
        )
        parser.add_argument("--review", action="store_true", help="按复核（而非新申报）评估")
        parser.add_argument("--from-db", action="store_true", help=_("测算库中已登记的企业"))
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="table",
            help="输出格式：json（机器可读）或 table（中文表格）",
        )

    def fail(self, problems: list[str]) -> None:
        for p in problems:
            sys.stderr.write(p + "\n")
        raise SystemExit(2)

    def handle(self, *args, **o):
        problems = []
        try:
            changes = [parse_change(c) for c in o["changes"]]
        except ValueError as exc:
            problems.append(str(exc))
            changes = []
        if not o["changes"]:
            problems.append(_("请至少用 --set 给出一项修改"))
        try:
            day = as_date(o["as_of"])
        except ValueError:
            problems.append(_("评估日期“%(d)s”无效，应为 YYYY-MM-DD") % {"d": o["as_of"]})
        if problems:
            self.fail(problems)
        if o["from_db"]:
            from srdi.exchange import to_json_obj
            from srdi.registry.selectors import iter_normalised_profiles

            profiles = [to_json_obj(p) for _e, p in iter_normalised_profiles()]
        elif o["profiles"]:
            from srdi.exchange import ProfileErrors

            from .evaluate import read_profile_file

            try:
                profiles = read_profile_file(o["profiles"])
            except ProfileErrors as exc:
                self.fail([p.format_zh(with_file=True) for p in exc.problems])
            except OSError as exc:
                self.fail([_("无法读取画像文件：%(e)s") % {"e": exc}])
        else:
            self.fail([_("请指定画像文件，或使用 --from-db")])
        try:
            rep = whatif(profiles, o["standard"], changes, day, o["review"])
        except (RuleError, KeyError) as exc:
            self.fail(
                [
                    _("修改后的规则无效：%(e)s")
                    % {"e": exc.args[0] if isinstance(exc, KeyError) else exc}
                ]
            )
        if o["format"] == "json":
            self.stdout.write(json.dumps(rep, ensure_ascii=False, indent=2))
            return
        self.stdout.write(render_report(rep))


def render_report(rep: dict) -> str:
    head = _(
        "规则测算：%(s)s，评估日期 %(d)s，共 %(n)d 家企业；结论变化 %(v)d 家，仅得分变化 %(c)d 家"
    ) % {
        "s": rep["standard"],
        "d": rep["as_of"],
        "n": rep["population"],
        "v": rep["verdicts_changed"],
        "c": rep["scores_changed"],
    }
    mods = "；".join(f"{c['path']} = {c['value']}" for c in rep["changes"])
    rows = [
        [
            c.get("name") or "",
            c["uscc"],
            outcome_zh(c["before"]["outcome"]),
            outcome_zh(c["after"]["outcome"]),
            "" if c["before"]["score"] is None else str(c["before"]["score"]),
            "" if c["after"]["score"] is None else str(c["after"]["score"]),
        ]
        for c in rep["changed"]
    ]
    body = (
        table(
            [_("企业"), _("统一社会信用代码"), _("原结论"), _("新结论"), _("原得分"), _("新得分")],
            rows,
        )
        if rows
        else _("（无变化）")
    )
    return f"{head}\n{_('修改')}：{mods}\n{body}"

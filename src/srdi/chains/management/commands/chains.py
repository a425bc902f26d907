"""srdi chains coverage|clusters|load|suggest|template|export|import — industry chains and clusters.

``srdi chains coverage --format json`` prints ``{"chains": [{"id", "name", "nodes", "covered",
"coverage_pct", "gaps"}], "total": {...}}`` from the records (the same figures as the page, the
API and the targets dashboard). Bad input: a Chinese message, exit status 2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from srdi.core.cleaning import option_date


def _table(headers, rows) -> str:
    from unicodedata import east_asian_width

    def w(s: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)

    rows = [[str(c) for c in r] for r in rows]
    widths = [max([w(h)] + [w(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c + " " * (widths[i] - w(c)) for i, c in enumerate(r))  # noqa: E731
    return "\n".join([line(headers), line(["-" * x for x in widths]), *map(line, rows)])


class Command(BaseCommand):
    help = "产业链与特色产业集群：配套覆盖、集群统计、参考数据载入、企业位置建议、Excel 导入导出。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", title="操作", required=False, help="要执行的操作"
        )
        c = sub.add_parser(
            "coverage", help="重点产业链配套覆盖（按链：环节数、已覆盖、覆盖率、断点）"
        )
        c.add_argument("--format", default="table", help="输出格式：json 或 table（默认 table）")
        c.add_argument("--as-of", default="", help="统计日期 YYYY-MM-DD（默认今天）")
        k = sub.add_parser("clusters", help="中小企业特色产业集群（省级、国家级认定数）")
        k.add_argument("--format", default="table", help="输出格式：json 或 table（默认 table）")
        k.add_argument("--as-of", default="", help="统计日期 YYYY-MM-DD（默认今天）")
        ld = sub.add_parser("load", help="载入产业链、环节与已知集群参考数据（不覆盖页面上的修改）")
        ld.add_argument("--overwrite", action="store_true", help="用数据文件覆盖已有产业链与环节")
        sub.add_parser("suggest", help="按行业代码与主导产品重新计算企业在产业链上的位置建议")
        t = sub.add_parser("template", help="产业链环节导入模板（xlsx）")
        t.add_argument("-o", "--output", required=True, help="输出文件")
        e = sub.add_parser("export", help="导出全部产业链环节（xlsx）")
        e.add_argument("-o", "--output", required=True, help="输出文件")
        i = sub.add_parser("import", help="导入产业链环节（xlsx，全部无误才导入）")
        i.add_argument("file", help="xlsx 文件")
        i.add_argument("--user", required=True, help="经办人用户名（按其权限导入）")

    def handle(self, *args, **options):
        action = options.get("action")
        if action is None:
            raise CommandError("请指定操作，例如：srdi chains coverage --format json", returncode=2)
        return getattr(self, "_" + action)(options)

    def _day(self, options) -> dt.date | None:
        return option_date(options.get("as_of"), default=None, returncode=2)

    def _fmt(self, options) -> str:
        f = options["format"]
        if f not in {"json", "table"}:
            raise CommandError(f"--format 只支持 json 或 table：{f}", returncode=2)
        return f

    def _coverage(self, options):
        from srdi.chains import selectors
        from srdi.core import formatting as fmt

        f = self._fmt(options)
        out = selectors.coverage_json(self._day(options))
        if f == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        rows = [[r["name"], fmt.count(r["nodes"]), fmt.count(r["covered"]), fmt.pct(r["coverage_pct"]),
                 "、".join(r["gaps"]) or "无"] for r in out["chains"]]  # fmt: skip
        t = out["total"]
        rows.append(["合计", fmt.count(t["nodes"]), fmt.count(t["covered"]), fmt.pct(t["coverage_pct"]),
                     f"全覆盖的产业链 {t['chains_full']} 条"])  # fmt: skip
        self.stdout.write(f"重点产业链配套覆盖（截至 {out['as_of']}）")
        self.stdout.write(_table(["产业链", "环节数", "已覆盖", "覆盖率", "断点环节"], rows))

    def _clusters(self, options):
        from django.utils import timezone

        from srdi.chains import selectors
        from srdi.chains.models import FeaturedCluster

        f = self._fmt(options)
        day = self._day(options) or timezone.localdate()
        counts = selectors.cluster_counts(day)
        items = [
            {"id": c.pk, "name": c.name, "status": c.get_status_display(), "year": c.year,
             "provincial_year": c.provincial_year, "national_year": c.national_year,
             "members": c.members.count(), "verification": c.get_verification_display()}
            for c in FeaturedCluster.objects.order_by("name")
        ]  # fmt: skip
        out = {"as_of": day.isoformat(), "provincial": counts["provincial"].count(),
               "national": counts["national"].count(), "clusters": items}  # fmt: skip
        if f == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"特色产业集群：省级 {out['provincial']} 个，国家级 {out['national']} 个（截至 {out['as_of']}）"
        )
        self.stdout.write(_table(["集群", "状态", "省级", "国家级", "成员企业", "核实"],
                                 [[c["name"], c["status"], c["provincial_year"] or "—",
                                   c["national_year"] or "—", c["members"], c["verification"]]
                                  for c in items]))  # fmt: skip

    def _load(self, options):
        from srdi.chains import reference

        n = reference.load(overwrite=options["overwrite"])
        self.stdout.write(
            f"已载入：产业链 {n['chains']} 条、环节 {n['nodes']} 个、集群 {n['clusters']} 个（新增）。"
        )

    def _suggest(self, options):
        from srdi.chains import services

        n = services.suggest_placements()
        self.stdout.write(f"企业位置建议：新增 {n['created']} 条，更新 {n['updated']} 条。")

    def _template(self, options):
        from srdi.chains import xlsx_io

        Path(options["output"]).write_bytes(xlsx_io.template())
        self.stdout.write(f"已写入 {options['output']}")

    def _export(self, options):
        from srdi.chains import xlsx_io
        from srdi.chains.models import Chain

        Path(options["output"]).write_bytes(xlsx_io.export(Chain.objects.prefetch_related("nodes")))
        self.stdout.write(f"已写入 {options['output']}")

    def _import(self, options):
        from django.core.exceptions import PermissionDenied, ValidationError

        from srdi.accounts.models import User
        from srdi.chains import xlsx_io

        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['user']}", returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        try:
            n = xlsx_io.import_xlsx(user, path.read_bytes())
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from None
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages), returncode=2) from None
        self.stdout.write(f"已导入：产业链 {n['chains']} 条，环节 {n['nodes']} 个。")

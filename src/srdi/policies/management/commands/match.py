"""srdi match [PROFILES | --from-db] --format json|table [--as-of DATE] [--store]."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from srdi.core.cleaning import option_date

from ._common import add_source_args, read_source


class Command(BaseCommand):
    help = "政策匹配：每家企业符合、待补充数据、差一项的政策及理由和预计金额。"

    def add_arguments(self, parser):
        add_source_args(parser)
        parser.add_argument("--as-of", help="匹配日期（默认今天）")
        parser.add_argument(
            "--catalogue", action="store_true", help="使用计划目录（YAML）而非数据库中已发布的政策"
        )
        parser.add_argument(
            "--store", action="store_true", help="与 --from-db 同用：保存匹配结果并推送新匹配"
        )
        parser.add_argument("--all", action="store_true", help="也列出不符合的政策")

    def handle(self, *args, **options):
        from srdi.policies.catalogue import catalogue_specs
        from srdi.policies.matching import match_profile

        day = option_date(options.get("as_of"))
        if options["store"]:
            if not options["from_db"]:
                raise CommandError("--store 只能与 --from-db 一起使用")
            from srdi.policies.services import rematch_all

            res = rematch_all(day)
            self.stdout.write(json.dumps(res, ensure_ascii=False, indent=2))
            return
        specs = None
        if not options["catalogue"]:
            try:
                from srdi.policies.selectors import published_policies

                specs = [s for _p, s in published_policies(day)]
            except Exception:  # noqa: BLE001 - no database
                specs = None
        if not specs:
            specs = [s for s in catalogue_specs() if s.in_force(day)]
        profiles = read_source(options, self.stderr)
        results = []
        for p in profiles:
            rows = match_profile(specs, p, day)
            if not options["all"]:
                rows = [r for r in rows if r["status"] != "ineligible"]
            results.append({"uscc": p.uscc, "name": p.name, "matches": rows})
        out = {"as_of": day.isoformat(), "results": results}
        if options["format"] == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"匹配日期 {out['as_of']}，政策 {len(specs)} 项")
        for r in results:
            self.stdout.write(f"\n{r['uscc']} {r['name']}")
            for m in r["matches"]:
                amt = "" if m["amount"] is None else f" 预计 {m['amount']} 万元"
                extra = ""
                if m["status"] == "near":
                    extra = "；尚缺：" + "；".join(m["lacking"])
                elif m["status"] == "unknown":
                    extra = "；缺少数据：" + "、".join(m["missing"])
                self.stdout.write(f"  [{m['status_label']}] {m['title']}{amt}{extra}")

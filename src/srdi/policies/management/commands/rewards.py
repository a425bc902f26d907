"""srdi rewards --year Y [PROFILES | --from-db] --format json|table — the plan's growth reward."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from ._common import add_source_args, read_source


class Command(BaseCommand):
    help = "计算专精特新企业营业收入增长奖励（行动计划三(二)）：金额单位万元，缺数据时为 null。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="奖励年度 Y")
        add_source_args(parser)

    def handle(self, *args, **options):
        from srdi.policies.rewards import rewards

        profiles = read_source(options, self.stderr)
        out = rewards(profiles, options["year"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        head = f"{'统一社会信用代码':<20}{'企业名称':<24}{'奖励(万元)':>12}  {'营收增长%':>10}  {'贡献增量':>10}  说明"
        self.stdout.write(f"奖励年度 {out['year']}（称号有效日 {out['year']}-12-31）")
        self.stdout.write(head)
        for r in out["results"]:
            amt = "—" if r["amount"] is None else str(r["amount"])
            g = "—" if r["revenue_growth_pct"] is None else str(r["revenue_growth_pct"])
            inc = "—" if r["contribution_increase"] is None else str(r["contribution_increase"])
            self.stdout.write(
                f"{r['uscc'] or '':<20}{(r['name'] or '')[:22]:<24}{amt:>12}  {g:>10}  {inc:>10}  {r['note']}"
            )

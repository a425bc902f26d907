"""srdi listing [--format json|table] [--all]: the listing reserve pool (上市后备企业库).

``--format json`` prints ``{"results": [{"uscc", "name", "stage", "score"}]}`` — the confirmed
pool (培育 … 审核/注册), the same enterprises the dashboard's 上市后备 target counts.
Also: ``srdi listing --select --user NAME`` proposes enterprises by the scoring rule file
(data/listing.yaml) as 待确认; ``srdi listing --score USCC`` explains one enterprise's score;
``srdi listing --import-loans FILE --user NAME`` imports a bank's outcome file.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "上市后备企业库：列出库内企业（--format json）、按评分规则遴选（--select）、解释评分（--score）。"

    def add_arguments(self, parser):
        parser.add_argument("--format", default="table", choices=["json", "table"], help="输出格式")
        parser.add_argument("--all", action="store_true", help="包括待确认、已上市和已出库的企业")
        parser.add_argument("--select", action="store_true", help="按评分规则遴选，加入待确认名单")
        parser.add_argument("--score", metavar="USCC", help="解释一家企业的评分")
        parser.add_argument(
            "--import-loans", metavar="FILE", help="导入银行放款报送文件（xlsx/csv）"
        )
        parser.add_argument("--user", help="经办人用户名（按其权限操作）")

    def _user(self, name):
        from srdi.accounts.models import User

        if not name:
            raise CommandError("请用 --user 指定经办人用户名")
        u = User.objects.filter(username=name, is_active=True).first()
        if u is None:
            raise CommandError(f"用户“{name}”不存在或已停用")
        return u

    def handle(self, *args, **o):
        from srdi.accounts import scopes as acc
        from srdi.finance import exchange, selectors, services
        from srdi.finance.models import ListingCandidate
        from srdi.registry.models import Enterprise

        try:
            if o["import_loans"]:
                p = Path(o["import_loans"])
                if not p.is_file():
                    raise CommandError(f"文件不存在：{p}")
                r = exchange.import_outcomes(self._user(o["user"]), p.name, p.read_bytes())
                self.stdout.write(f"已导入 {r['rows']} 笔放款。")
                return
            if o["select"]:
                user = self._user(o["user"])
                rows = selectors.select_for_pool(acc.visible_enterprises(user))
                added, updated = services.propose_candidates(user, rows)
                self.stdout.write(f"按评分规则遴选：新增待确认 {added} 家。")
                return
            if o["score"]:
                e = Enterprise.objects.filter(uscc=o["score"].strip().upper()).first()
                if e is None:
                    raise CommandError(f"企业库中没有统一社会信用代码“{o['score']}”")
                (row,) = selectors.score_enterprises(Enterprise.objects.filter(pk=e.pk))
                self.stdout.write(
                    json.dumps(
                        {
                            "uscc": e.uscc,
                            "name": e.name,
                            "score": float(row["score"]),
                            "detail": row["detail"],
                        },
                        ensure_ascii=False,
                        indent=2,
                    )
                )
                return
        except exchange.ImportProblems as exc:
            raise CommandError("文件有问题，未导入任何数据：\n" + "\n".join(exc.messages)) from None
        except (ValidationError, PermissionDenied) as exc:
            msg = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(msg) from None
        qs = ListingCandidate.objects.select_related("enterprise")
        if not o["all"]:
            qs = qs.filter(stage__in=selectors.POOL_STAGES)
        results = [
            {"uscc": c.enterprise.uscc, "name": c.enterprise.name, "stage": c.get_stage_display(),
             "score": float(c.score) if c.score is not None else None}
            for c in qs.order_by("-score", "enterprise__uscc")
        ]  # fmt: skip
        if o["format"] == "json":
            self.stdout.write(json.dumps({"results": results}, ensure_ascii=False))
            return
        for r in results:
            self.stdout.write(f"{r['uscc']}  {r['stage']:<6} {r['score'] or 0:>6.2f}  {r['name']}")
        self.stdout.write(f"共 {len(results)} 家")

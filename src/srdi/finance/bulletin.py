"""The finance part of the monthly work bulletin (plan 二(七)), via the bulletin's contributions."""

from __future__ import annotations

from django.db.models import Count, Sum

from srdi.core import formatting
from srdi.cultivation import bulletin

from .models import ListingCandidate, Loan, Need
from .selectors import POOL_STAGES


@bulletin.contribute("finance")
def finance_section(start, end, scope):
    loans = Loan.objects.filter(loaned_on__gte=start, loaned_on__lte=end)
    needs = Need.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    pool = ListingCandidate.objects.filter(stage__in=POOL_STAGES)
    if not getattr(scope, "is_city", True):
        ents = scope.enterprises()
        loans, needs, pool = (x.filter(enterprise__in=ents) for x in (loans, needs, pool))
    total = loans.aggregate(n=Count("id"), amount=Sum("amount"))
    by_bank = loans.values("bank").annotate(n=Count("id"), amount=Sum("amount")).order_by("-amount")
    return {
        "title": "特色金融：融资对接与上市后备",
        "paragraphs": [
            f"本月新发布融资需求 {formatting.count(needs.count())} 条；"
            f"向专精特新等企业放款 {formatting.count(total['n'] or 0)} 笔，"
            f"金额 {formatting.wan(total['amount'] or 0)}；"
            f"上市后备企业库现有 {formatting.count(pool.count())} 家。"
        ],
        "headers": ["银行", "放款笔数", "放款金额"],
        "rows": [
            [r["bank"], formatting.count(r["n"]), formatting.wan(r["amount"])] for r in by_bank
        ],
    }

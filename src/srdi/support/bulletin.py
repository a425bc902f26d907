"""The service system's part of the monthly work bulletin (plan 二(八), issue 12 item 6), via the
bulletin's contributions: requests filed in the month by department, with the same measures as
the service charts (selectors.request_measures)."""

from __future__ import annotations

from srdi.core import formatting
from srdi.cultivation import bulletin

from . import selectors
from .models import ServiceRequest


@bulletin.contribute("support")
def support_section(start, end, scope):
    qs = ServiceRequest.objects.filter(filed_on__gte=start, filed_on__lte=end)
    if not getattr(scope, "is_city", True):
        qs = qs.filter(enterprise__in=scope.enterprises().values("pk"))
    rows = selectors.request_measures(qs, end, "department")
    received = sum(r["received"] for r in rows)
    closed = sum(r["closed"] for r in rows)
    overdue = sum(r["overdue"] for r in rows)

    def days(v):
        return "—" if v is None else f"{formatting.number(v, 1)}个工作日"

    return {
        "title": "服务体系：企业诉求办理",
        "paragraphs": [
            f"本月企业提交诉求 {formatting.count(received)} 件，已办结 {formatting.count(closed)} 件，"
            f"截至月末逾期未办 {formatting.count(overdue)} 件（时限按工作日计）。"
        ],
        "headers": ["责任部门", "收到", "受理用时中位数", "办结用时中位数", "按期办结率", "逾期"],
        "rows": [
            [
                str(r["label"]),
                formatting.count(r["received"]),
                days(r["median_accept"]),
                days(r["median_close"]),
                "—" if r["ontime_pct"] is None else formatting.pct(r["ontime_pct"]),
                formatting.count(r["overdue"]),
            ]
            for r in rows
        ],
    }

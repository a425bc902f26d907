"""The diagnosis report's section of policies the enterprise can claim (惠企政策).

Registered with :mod:`srdi.diagnosis.sections` when the app is ready. It lists, from the policies
published and in force on the report's date, those the enterprise meets, those waiting for data
and those it misses by one condition, each with the estimated amount and its reason — the same
matching the policy pages use (:func:`srdi.policies.matching.match_profile`).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from srdi.diagnosis.sections import Section, SectionContext

from . import conditions as C
from . import selectors as S
from .catalogue import fmt_amount
from .matching import ELIGIBLE, NEAR, UNKNOWN, match_profile

SHOWN = (ELIGIBLE, UNKNOWN, NEAR)


class MatchedPolicies:
    key = "policies"
    title = gettext_lazy("可享受的惠企政策")
    order = 100

    def build(self, ctx: SectionContext) -> Section | None:
        pols = S.published_policies(ctx.as_of)
        if not pols:
            return None
        # the report's own profile (already read): no second read of the registry per report
        results = match_profile([s for _p, s in pols], C.normalise(ctx.profile), ctx.as_of)
        shown = [r for r in results if r["status"] in SHOWN]
        if not shown:
            return None
        shown.sort(key=lambda r: (SHOWN.index(r["status"]), -(r["amount"] or 0), r["title"]))
        rows = []
        for r in shown:
            if r["status"] == NEAR:
                why = _("还差：%(x)s") % {"x": "、".join(r["lacking"])}
            elif r["status"] == UNKNOWN:
                why = _("需补充：%(x)s") % {"x": "、".join(r["missing"]) or _("数据")}
            else:
                why = "；".join(c["label"] for c in r["conditions"] if c["met"])
            amount = (
                fmt_amount(Decimal(str(r["amount"])))
                if r["amount"] is not None
                else (r["amount_note"] or "—")
            )
            rows.append([r["title"], r["status_label"], amount, why])
        eligible = [r for r in shown if r["status"] == ELIGIBLE]
        priced = [Decimal(str(r["amount"])) for r in eligible if r["amount"] is not None]
        if priced:
            money = _("可测算金额合计约 %(t)s 万元") % {"t": fmt_amount(sum(priced))}
            if len(priced) < len(eligible):
                money += _("（另有 %(n)d 项金额待核定或非资金类）") % {
                    "n": len(eligible) - len(priced)
                }
        elif eligible:
            money = _("金额待核定或为非资金类支持")
        else:
            money = _("暂无可测算金额")
        paragraphs = [
            _(
                "按 %(d)s 的数据，符合 %(n)d 项已发布的惠企政策，%(money)s；"
                "另有 %(u)d 项待补充数据、%(m)d 项差一项条件。金额为按政策文件公式的测算，以审核兑现为准。"
            )
            % {
                "d": ctx.as_of.isoformat(),
                "n": len(eligible),
                "money": money,
                "u": sum(r["status"] == UNKNOWN for r in shown),
                "m": sum(r["status"] == NEAR for r in shown),
            }
        ]
        return Section(
            self.key,
            str(self.title),
            self.order,
            paragraphs=paragraphs,
            columns=[_("政策"), _("状态"), _("预计金额（万元）"), _("依据 / 还差什么")],
            rows=rows,
            link=f"/policies/enterprise/{ctx.enterprise.uscc}/",
        )

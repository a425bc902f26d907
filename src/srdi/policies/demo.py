"""Demo data of the policy service (synthetic): the plan's catalogue published, and
applications in every state (草稿、已提交待审核、已批准、已兑付、已驳回) for enterprises that
match, so the ledger, 待审核 and the home panel have content. Idempotent; seeded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from srdi.core import demo

STATES = ("submitted", "submitted", "submitted", "approved", "paid", "paid", "rejected", "draft")


@demo.step("policy_applications", order=70)
def applications_demo(ctx: demo.Context) -> str | None:
    from .models import Application, Policy, PolicyMatch
    from .services import load_plan_catalogue, prefill

    load_plan_catalogue(publish=True)
    made = 0
    for policy in Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("pk"):
        matches = list(
            PolicyMatch.objects.filter(policy=policy, status="eligible")
            .select_related("enterprise")
            .order_by("enterprise__uscc")[:6]
        )
        for m in matches:
            if Application.objects.filter(policy=policy, enterprise=m.enterprise).exists():
                continue
            state = ctx.rng.choice(STATES)
            data = prefill(policy, m.enterprise)
            data.update(contact_person="（演示）联系人", contact_phone="0512-00000000")
            amount = m.amount if m.amount is not None else Decimal("10")
            now = timezone.now() - dt.timedelta(days=ctx.rng.randint(1, 60))
            app = Application(
                policy=policy,
                version=policy.published_version or policy.version,
                enterprise=m.enterprise,
                data=data,
                amount_estimated=m.amount,
                status=state,
                created_at=now,
            )
            if state != "draft":
                app.submitted_at = now
            if state in ("approved", "paid", "rejected"):
                app.reviewed_at = now + dt.timedelta(days=3)
                app.review_reason = (
                    "（演示）材料齐全" if state != "rejected" else "（演示）材料不全"
                )
                app.amount_approved = None if state == "rejected" else amount
            if state == "paid":
                app.amount_paid = amount
                app.paid_on = (now + dt.timedelta(days=10)).date()
            app.save()
            made += 1
    n = Application.objects.count()
    return f"政策申报 {n} 件（本次新增 {made} 件，演示数据）"

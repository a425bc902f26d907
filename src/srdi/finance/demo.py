"""Demo data of finance (synthetic): partner banks with products, consents (some expired, some
withdrawn), financing needs in every state with the banks' answers, loans (answers and imported
outcome files), the listing reserve pool in every stage with problems and intermediaries,
insurance claims. Idempotent (natural keys); seeded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from srdi.core import demo

BANKS = {
    "常熟农商银行（演示）": "bank",
    "中国银行常熟支行（演示）": "bank_boc",
    "工商银行常熟支行（演示）": "bank_icbc",
    "江苏银行常熟支行（演示）": "bank_jsb",
}
PRODUCTS = [
    ("专精特新贷", "credit", 100, 3000, "3.20", "4.50", 36,
     [("持有专精特新及以上称号", 'holds("srdi_sme", "little_giant", "single_champion")'),
      ("上年营业收入不低于2000万元", "y1.revenue >= 2000")]),
    ("知识产权质押贷", "ip_pledge", 50, 2000, "3.45", "4.80", 36,
     [("Ⅰ类知识产权不少于2项", "ip.class1 >= 2")]),
    ("科技信用贷", "credit", 50, 1000, "3.60", "5.20", 24,
     [("持有创新型中小企业及以上称号", 'holds("innovative_sme", "srdi_sme", "little_giant", "single_champion")'),
      ("上年研发费用不低于100万元", "y1.rd_expense >= 100")]),
    ("中长期技改贷", "medium_long", 500, 10000, "3.30", "4.20", 96,
     [("上年营业收入不低于1亿元", "y1.revenue >= 10000")]),
]  # fmt: skip
PURPOSES = [
    "购置生产设备",
    "补充流动资金",
    "研发中心建设",
    "智能化改造",
    "新产品量产备料",
    "厂房扩建",
]


def _banks():
    from srdi.accounts.models import User
    from srdi.accounts.roles import PartnerKind, Role

    for org, username in BANKS.items():
        u, created = User.objects.get_or_create(
            username=username,
            defaults={"role": Role.PARTNER, "partner_kind": PartnerKind.BANK, "organization": org,
                      "display_name": f"{org}普惠金融部"},
        )  # fmt: skip
        if created:
            u.set_unusable_password()
            u.save()


@demo.step("finance", order=70)
def finance_demo(ctx: demo.Context) -> str | None:
    from srdi.registry.models import DataShare

    from . import selectors, services
    from .models import (
        Intermediary,
        ListingCandidate,
        ListingProblem,
        Loan,
        Need,
        Product,
        Response,
    )

    enterprises = list(ctx.enterprises()[:300])
    if len(enterprises) < 20:
        return None
    rng, today = ctx.rng, ctx.today
    _banks()
    banks = list(BANKS)
    for i, bank in enumerate(banks):
        for j, (name, kind, lo, hi, rlo, rhi, term, conds) in enumerate(PRODUCTS):
            if (i + j) % 4 == 3:
                continue
            Product.objects.get_or_create(
                bank=bank, name=name,
                defaults={"kind": kind, "amount_min": lo, "amount_max": hi, "rate_min": Decimal(rlo),
                          "rate_max": Decimal(rhi), "term_months": term,
                          "conditions": [{"label": a, "expr": b} for a, b in conds]},
            )  # fmt: skip
    all_secs = ["basic", "years", "ip", "titles", "diagnosis", "financing"]
    # consents: 60 enterprises; every 7th expired, every 9th withdrawn, every 5th to all banks
    sharing = enterprises[:60]
    for k, e in enumerate(sharing):
        bank = banks[k % len(banks)]
        secs = all_secs if k % 3 == 0 else ["basic", "years", "financing"] if k % 3 == 1 else [
            "basic", "titles", "ip", "financing"]  # fmt: skip
        until = (
            today - dt.timedelta(days=10 + k)
            if k % 7 == 6
            else today + relativedelta(months=6 + k % 12)
        )
        c, created = DataShare.objects.get_or_create(
            enterprise=e, organization="" if k % 5 == 4 else bank, all_banks=k % 5 == 4,
            purpose="融资对接（演示）",
            defaults={"sections": secs, "until": until,
                      "granted_at": dt.datetime.combine(today - dt.timedelta(days=200 - k),
                                                        dt.time(9), tzinfo=dt.UTC)},
        )  # fmt: skip
        if created and k % 9 == 8:
            c.revoked_at = dt.datetime.combine(
                today - dt.timedelta(days=5), dt.time(10), tzinfo=dt.UTC
            )
            c.save(update_fields=["revoked_at"])
    # needs in every state
    states = [Need.State.OPEN, Need.State.CONTACTED, Need.State.CREDITED, Need.State.LOANED,
              Need.State.LOANED, Need.State.DECLINED, Need.State.WITHDRAWN]  # fmt: skip
    n_loans = 0
    for k, e in enumerate(sharing[:42]):
        state = states[k % len(states)]
        bank = banks[k % len(banks)]
        created_at = dt.datetime.combine(
            today - dt.timedelta(days=20 + 9 * k), dt.time(9), tzinfo=dt.UTC
        )
        amount = Decimal(rng.choice([200, 300, 500, 800, 1000, 1500, 3000]))
        term = rng.choice([12, 24, 36])
        n, created = Need.objects.get_or_create(
            enterprise=e, purpose=PURPOSES[k % len(PURPOSES)],
            defaults={"amount": amount, "term_months": term, "state": state, "created_at": created_at,
                      "kinds": rng.choice([["credit"], ["credit", "ip_pledge"], ["ip_pledge"],
                                           ["credit", "equity"], ["insurance", "credit"]]),
                      "collateral": rng.choice(["", "知识产权质押", "设备抵押", "担保公司担保"])},
        )  # fmt: skip
        if not created:
            continue
        day0 = created_at.date()
        steps = {Need.State.CONTACTED: ["contact"], Need.State.CREDITED: ["contact", "credit"],
                 Need.State.LOANED: ["contact", "credit", "loan"], Need.State.DECLINED: ["reject"],
                 Need.State.WITHDRAWN: ["contact"]}.get(state, [])  # fmt: skip
        rate = Decimal(rng.choice(["3.35", "3.55", "3.80", "3.95", "4.20"]))
        for s, kind in enumerate(steps):
            on = min(day0 + dt.timedelta(days=4 + 6 * s + rng.randint(0, 5)), today)
            Response.objects.create(
                need=n, bank=bank, kind=kind, on=on,
                amount=amount if kind in ("credit", "loan") else None,
                rate=rate if kind in ("credit", "loan") else None,
                term_months=term if kind in ("credit", "loan") else None,
                reason="企业近两年净利润为负，暂不符合授信条件（演示）" if kind == "reject" else "",
            )  # fmt: skip
            if kind == "loan":
                Loan.objects.create(
                    enterprise=e, bank=bank, kind=n.kinds[0] if n.kinds[0] != "insurance" else "credit",
                    amount=amount, rate=rate, term_months=term, loaned_on=on,
                    matures_on=on + relativedelta(months=term), need=n, source=Loan.Source.RESPONSE,
                )  # fmt: skip
                n_loans += 1
    # loans reported in banks' outcome files over the last two years
    for k, e in enumerate(enterprises[60:160]):
        bank = banks[k % len(banks)]
        on = today - dt.timedelta(days=rng.randint(15, 720))
        term = rng.choice([12, 24, 36, 60])
        _, created = Loan.objects.get_or_create(
            bank=bank, reference=f"DEMO-{k:04d}",
            defaults={"enterprise": e, "kind": rng.choice(["credit", "ip_pledge", "medium_long", "credit"]),
                      "amount": Decimal(rng.choice([100, 200, 300, 500, 1000, 2000])),
                      "rate": Decimal(rng.choice(["3.25", "3.45", "3.65", "3.85", "4.10"])),
                      "term_months": term, "loaned_on": on, "matures_on": on + relativedelta(months=term),
                      "source": Loan.Source.IMPORT},
        )  # fmt: skip
        n_loans += created
    # listing reserve pool: the best-scored enterprises, every stage
    pool_n = 0
    if not ListingCandidate.objects.exists():
        from srdi.registry.models import Enterprise

        rows = selectors.score_enterprises(
            Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]), today
        )
        plan = (["listed"] * 4 + ["review"] * 3 + ["filed"] * 4 + ["tutoring"] * 7
                + ["cultivating"] * 18 + ["proposed"] * 8 + ["removed"] * 2)  # fmt: skip
        for r, stage in zip(rows, plan, strict=False):
            c = ListingCandidate.objects.create(
                enterprise_id=r["enterprise_id"], score=r["score"], score_detail=r["detail"], stage=stage,
                confirmed_on=None if stage == "proposed" else today - dt.timedelta(days=rng.randint(200, 900)),
            )  # fmt: skip
            if stage == "listed":
                c.board = rng.choice(selectors.listing_rules()["boards"][:5])
                c.stock_code = f"{rng.choice(['688', '301', '603', '920'])}{rng.randint(100, 999)}"
                c.listed_on = dt.date(
                    rng.choice([2023, 2024, 2025]), rng.randint(1, 12), rng.randint(1, 28)
                )
                c.listed_on = min(c.listed_on, today)
                c.save()
            if stage in ("tutoring", "filed", "review", "cultivating") and rng.random() < 0.5:
                kind = rng.choice(ListingProblem.Kind.values[:5])
                ListingProblem.objects.create(
                    candidate=c, kind=kind, department=services.route_problem(kind),
                    description={"approval": "募投项目备案审批进度慢", "property": "历史厂房产权证明缺失",
                                 "licence": "部分资质证照需补办", "tax": "历史年度税费补缴确认",
                                 "ip": "核心专利权属需确认"}[kind] + "（演示）",
                    status="solved" if rng.random() < 0.4 else "open",
                )  # fmt: skip
            if stage in ("tutoring", "filed", "review", "listed"):
                for kind, name in (("broker", "东吴证券（演示）"), ("accountant", "天衡会计师事务所（演示）"),
                                   ("law", "国浩律师事务所（演示）")):  # fmt: skip
                    Intermediary.objects.create(
                        candidate=c,
                        kind=kind,
                        name=name,
                        engaged_on=today - dt.timedelta(days=rng.randint(100, 700)),
                    )
            pool_n += 1
    _insurance(enterprises, ctx)
    return f"特色金融：银行 {len(banks)} 家，授权 {len(sharing)} 项，新增贷款 {n_loans} 笔，上市后备遴选 {pool_n} 家"


def _insurance(enterprises, ctx):
    from srdi.policies.models import Policy

    from .models import InsuranceClaim

    policy = Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("pk").first()
    if policy is None or InsuranceClaim.objects.exists():
        return
    rng, today = ctx.rng, ctx.today
    for k, e in enumerate(enterprises[5:17]):
        kind = InsuranceClaim.Kind.values[k % 3]
        status = ["applied", "approved", "paid", "paid", "rejected"][k % 5]
        premium = Decimal(rng.choice([8, 12, 20, 35]))
        InsuranceClaim.objects.create(
            enterprise=e, kind=kind, policy=policy, insurer=rng.choice(["人保财险常熟支公司（演示）", "太平洋财险常熟支公司（演示）"]),
            subject={"first_set": "数控成套装备（演示）", "first_batch": "高性能复合材料（演示）",
                     "ip": "发明专利组合（演示）"}[kind],
            insured_amount=premium * 50, premium=premium, subsidy_requested=premium * Decimal("0.8"),
            status=status, applied_on=today - dt.timedelta(days=30 + 11 * k),
            subsidy_paid=premium * Decimal("0.8") if status == "paid" else None,
            paid_on=today - dt.timedelta(days=5 + k) if status == "paid" else None,
        )  # fmt: skip

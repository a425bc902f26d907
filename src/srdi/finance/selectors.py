"""Reads of finance more than one view needs: listing scores, product matching, outcomes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import yaml
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from srdi.core import access

from . import consent, scopes
from .models import FinancingKind, ListingCandidate, Need

DATA = Path(__file__).parent / "data"
TWO = Decimal("0.01")
POOL_STAGES = (
    ListingCandidate.Stage.CULTIVATING,
    ListingCandidate.Stage.TUTORING,
    ListingCandidate.Stage.FILED,
    ListingCandidate.Stage.REVIEW,
)


@cache
def listing_rules() -> dict:
    return yaml.safe_load((DATA / "listing.yaml").read_text(encoding="utf-8"))


@cache
def exchange_layout() -> dict:
    return yaml.safe_load((DATA / "exchange.yaml").read_text(encoding="utf-8"))


@cache
def _compiled_dimensions():
    from srdi.policies.conditions import compile_expr

    out = []
    for d in listing_rules()["dimensions"]:
        conds = [(c["label"], compile_expr(c["expr"], where=c["label"]), int(c["points"]))
                 for c in d["conditions"]]  # fmt: skip
        out.append((d["key"], d["label"], Decimal(str(d["weight"])), conds))
    return out


def ref_year(profile, as_of: dt.date) -> int:
    """The year whose y1 is the latest year with figures (a bank reads the latest accounts)."""
    years = [y for y in getattr(profile, "years", {}) or {} if y < as_of.year]
    return (max(years) + 1) if years else as_of.year


def score_profile(profile, as_of: dt.date) -> tuple[Decimal, dict]:
    """Score of one rules profile by the listing rule file: (score 0–100, detail per dimension)."""
    from srdi.policies.conditions import evaluate

    total = Decimal(0)
    detail = {}
    year = ref_year(profile, as_of)
    for key, label, weight, conds in _compiled_dimensions():
        got = possible = 0
        met = []
        for clabel, comp, pts in conds:
            possible += pts
            if evaluate(comp, profile, year, as_of).value is True:
                got += pts
                met.append(clabel)
        part = (weight * got / possible) if possible else Decimal(0)
        total += part
        detail[key] = {"label": label, "score": str(part.quantize(TWO, ROUND_HALF_UP)), "met": met}
    return total.quantize(TWO, ROUND_HALF_UP), detail


def score_enterprises(qs, as_of: dt.date | None = None) -> list[dict]:
    """Every enterprise of ``qs`` scored, best first."""
    from srdi.policies.conditions import normalise, verdict_cache
    from srdi.registry.selectors import iter_normalised_profiles

    as_of = as_of or timezone.localdate()
    rows = []
    with verdict_cache():
        for e, p in iter_normalised_profiles(qs):
            score, detail = score_profile(normalise(p), as_of)
            rows.append({"enterprise_id": e.pk, "uscc": e.uscc, "name": e.name,
                         "score": score, "detail": detail})  # fmt: skip
    rows.sort(key=lambda r: (-r["score"], r["uscc"]))
    return rows


def select_for_pool(qs, as_of=None) -> list[dict]:
    rules = listing_rules()
    cut = Decimal(str(rules["min_score"]))
    already = set(ListingCandidate.objects.values_list("enterprise_id", flat=True))
    rows = [r for r in score_enterprises(qs, as_of) if r["score"] >= cut
            and r["enterprise_id"] not in already]  # fmt: skip
    return rows[: int(rules["max_proposed"])]


def reserve_pool(user=None):
    """The confirmed reserve pool (培育 … 审核/注册)."""
    qs = ListingCandidate.objects.filter(stage__in=POOL_STAGES)
    if user is not None:
        qs = access.visible(user, qs)
    return qs.select_related("enterprise", "enterprise__region").order_by(
        "-score", "enterprise__uscc"
    )


def listed_between(start: dt.date, end: dt.date, user=None):
    qs = ListingCandidate.objects.filter(
        stage=ListingCandidate.Stage.LISTED, listed_on__gte=start, listed_on__lte=end
    )
    if user is not None:
        qs = access.visible(user, qs)
    return qs.select_related("enterprise").order_by("-listed_on")


# ------------------------------------------------------------------------------------ products
def _partner_profile(user, enterprise):
    """The rules profile a user may use for matching: a bank only the sections granted to it."""
    from srdi.policies.conditions import normalise
    from srdi.registry.selectors import normalised_profile

    p = normalised_profile(enterprise)
    if consent.is_partner(user):
        p = consent.filter_profile(p, consent.granted(user, enterprise))
    return normalise(p)


def section_of_column(col: str) -> str:
    """The consent section a rules-language input belongs to."""
    import re

    if col.startswith("ip."):
        return "ip"
    if col in ("titles", "honors", "awards", "maker_china") or col.startswith("development"):
        return "titles"
    if re.match(r"^y\d+\.", col):
        return "years"
    if col.startswith("verdict:"):
        return "diagnosis"
    return "basic"


def match_products(user, enterprise, need: Need | None = None, products=None) -> list[dict]:
    """Products for an enterprise (and need) with reasons: every condition met / not / unknown."""
    from srdi.policies.conditions import compile_expr, evaluate

    today = timezone.localdate()
    profile = _partner_profile(user, enterprise)
    year = ref_year(profile, today)
    granted = consent.granted(user, enterprise)
    products = products if products is not None else scopes.products(user).filter(active=True)
    out = []
    for p in products:
        reasons, ok, unknown = [], True, False
        for c in p.conditions or []:
            comp = compile_expr(c["expr"])
            if any(section_of_column(col) not in granted for col in comp.columns()):
                v = None  # the enterprise did not share what this condition reads
            else:
                v = evaluate(comp, profile, year, today).value
            state = {True: "met", False: "unmet", None: "unknown"}[
                v if v in (True, False) else None
            ]
            ok &= v is True
            unknown |= v is None
            reasons.append({"label": c["label"], "state": state})
        if need is not None:
            if need.kinds and p.kind not in need.kinds:
                reasons.append({"label": "融资方式与需求不符", "state": "unmet"})
                ok = False
            if p.amount_max is not None and need.amount > p.amount_max:
                reasons.append({"label": "需求金额超过产品额度上限", "state": "unmet"})
                ok = False
            if p.term_months and need.term_months > p.term_months:
                reasons.append({"label": "需求期限超过产品最长期限", "state": "unmet"})
                ok = False
        verdict = "fit" if ok else ("unknown" if unknown and all(
            r["state"] != "unmet" for r in reasons) else "unfit")  # fmt: skip
        out.append({"product": p, "verdict": verdict, "reasons": reasons})
    order = {"fit": 0, "unknown": 1, "unfit": 2}
    out.sort(key=lambda r: (order[r["verdict"]], r["product"].bank, r["product"].name))
    return out


# ------------------------------------------------------------------------------------ outcomes
def loans_for(user):
    return scopes.loans(user).select_related("enterprise", "enterprise__region", "need")


def outcomes(user, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Loans by bank, kind, 板块, tier; balance by month; average rate; days from need to loan."""
    from srdi.registry.listing import TIER_LABELS

    end = end or timezone.localdate()
    start = start or dt.date(end.year - 2, 1, 1)
    qs = loans_for(user).filter(loaned_on__gte=start, loaned_on__lte=end)
    total = qs.aggregate(n=Count("id"), amount=Sum("amount"))
    rated = qs.exclude(rate=None)
    w = sum((x.amount * x.rate for x in rated), Decimal(0))
    wsum = sum((x.amount for x in rated), Decimal(0))
    avg_rate = (w / wsum).quantize(Decimal("0.0001")) if wsum else None

    def group(field):
        rows = qs.values(field).annotate(n=Count("id"), amount=Sum("amount")).order_by("-amount")
        return [{"key": r[field] or "", "n": r["n"], "amount": r["amount"]} for r in rows]

    kinds = dict(FinancingKind.choices)
    by_kind = [dict(r, key=str(kinds.get(r["key"], r["key"]))) for r in group("kind")]
    by_region = [dict(r, key=r["key"] or "未填板块") for r in group("enterprise__region__name")]
    tiers = _tiers(qs.values_list("enterprise_id", flat=True), end)
    by_tier_acc: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for x in qs:
        t = tiers.get(x.enterprise_id)
        key = str(TIER_LABELS.get(t, "无称号")) if t else "无称号"
        by_tier_acc[key][0] += 1
        by_tier_acc[key][1] += x.amount
    by_tier = sorted(({"key": k, "n": v[0], "amount": v[1]} for k, v in by_tier_acc.items()),
                     key=lambda r: -r["amount"])  # fmt: skip
    # balance at each month end: loans granted on or before and maturing after
    months, balance = [], []
    m = dt.date(start.year, start.month, 1)
    all_loans = list(loans_for(user).values_list("loaned_on", "matures_on", "amount"))
    while m <= end:
        nxt = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
        day = min(nxt - dt.timedelta(days=1), end)
        months.append(f"{m.year}-{m.month:02d}")
        balance.append(sum((a for lo, ma, a in all_loans if lo <= day < ma), Decimal(0)))
        m = nxt
    waits = [
        (x.loaned_on - timezone.localtime(x.need.created_at).date()).days
        for x in qs.exclude(need=None)
        if x.need
    ]
    return {
        "start": start,
        "end": end,
        "count": total["n"] or 0,
        "amount": total["amount"] or Decimal(0),
        "avg_rate": avg_rate,
        "avg_days": (Decimal(sum(waits)) / len(waits)).quantize(Decimal("0.1")) if waits else None,
        "by_bank": group("bank"),
        "by_kind": by_kind,
        "by_region": by_region,
        "by_tier": by_tier,
        "months": months,
        "balance": balance,
    }


def _tiers(enterprise_ids, day) -> dict[int, str]:
    """Highest tier held on ``day`` per enterprise (valid titles)."""
    from srdi.registry.listing import TIER_ORDER
    from srdi.registry.models import Title

    rank = {t: i for i, t in enumerate(TIER_ORDER)}
    out: dict[int, str] = {}
    qs = (
        Title.objects.filter(enterprise_id__in=list(enterprise_ids), granted__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .exclude(status="revoked")
    )
    for eid, tier in qs.values_list("enterprise_id", "tier"):
        if eid not in out or rank.get(tier, -1) > rank.get(out[eid], -1):
            out[eid] = tier
    return out


def need_counts(user) -> dict:
    qs = scopes.needs(user)
    counts = dict(qs.values_list("state").annotate(n=Count("id")))
    return {s: counts.get(s, 0) for s in Need.State.values}


def waiting_needs(user):
    """Needs shared with a bank that it has not answered yet (its home panel)."""
    qs = scopes.needs(user).filter(state__in=(Need.State.OPEN, Need.State.CONTACTED,
                                                Need.State.CREDITED))  # fmt: skip
    if consent.is_bank(user):
        qs = qs.exclude(
            responses__bank=user.organization, responses__kind__in=("credit", "loan", "reject")
        )
    return qs.select_related("enterprise").order_by("created_at")


def avg(qs, field):
    return qs.aggregate(v=Avg(field))["v"]

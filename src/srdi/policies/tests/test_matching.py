"""Conditions in the rules language, reasons per condition, scalar = columnar."""

import random
from datetime import date

import pytest

from srdi.policies import conditions as C
from srdi.policies.catalogue import SpecError, catalogue_specs, parse_spec
from srdi.policies.matching import decode_codes, match_all, match_one, match_profile

from .conftest import growth_profile

AS_OF = date(2026, 3, 1)


def spec(conds, benefit=None, **kw):
    raw = {
        "key": "t",
        "title": "测试政策",
        "category": "资金奖补",
        "conditions": [
            {"id": f"c{i}", "label": lab, "expr": e} for i, (lab, e) in enumerate(conds)
        ],
        "benefit": benefit or {"kind": "fixed", "amount": 10},
        **kw,
    }
    return parse_spec(raw)


def prof(**kw):
    return C.normalise({"uscc": "91320581712345672C", "name": "甲", **kw})


def test_reason_per_condition_met_not_met_unknown():
    s = spec(
        [
            ("上年营收不低于2000万元", "y1.revenue >= 2000"),
            ("有Ⅰ类知识产权", "ip.class1 >= 1"),
            ("研发投入占比不低于3%", "pct(y1.rd_expense, y1.revenue) >= 3"),
        ]
    )
    p = prof(years={"2025": {"revenue": 3000}}, ip={"class1": 0})
    r = match_one(s, p, AS_OF)
    met = [c["met"] for c in r["conditions"]]
    assert met == [True, False, None]
    assert r["conditions"][2]["missing"] == ["years.2025.rd_expense"]
    assert r["status"] == "near"  # one not met (the unknown one does not count against)
    assert r["lacking"] == ["有Ⅰ类知识产权"]


def test_unknown_names_missing_data():
    s = spec([("上年营收不低于2000万元", "y1.revenue >= 2000")])
    r = match_one(s, prof(), AS_OF)
    assert r["status"] == "unknown"
    assert r["missing"] == ["years.2025.revenue"]


def test_declarations_absent_mean_none_claimed():
    s = spec([("未列入严重失信名单", "not compliance.serious_dishonesty")])
    assert match_one(s, prof(), AS_OF)["status"] == "eligible"


def test_holds_macro_and_first_recognized():
    titles = [
        {
            "tier": "srdi_sme",
            "level": "provincial",
            "granted": "2025-09-01",
            "valid_until": "2028-08-31",
        }
    ]
    s = spec(
        [("持有专精特新称号", 'holds("srdi_sme")'), ("首次认定", 'first_recognized("srdi_sme")')]
    )
    assert match_one(s, prof(titles=titles), AS_OF)["status"] == "eligible"
    old = titles + [
        {
            "tier": "srdi_sme",
            "level": "provincial",
            "granted": "2021-09-01",
            "valid_until": "2024-08-31",
        }
    ]
    r = match_one(s, prof(titles=old), AS_OF)
    assert [c["met"] for c in r["conditions"]] == [True, False]


def test_verdict_macro_uses_the_rules_core():
    s = spec([("符合专精特新中小企业认定标准", 'eligible("srdi-sme@2026")')])
    r = match_one(s, prof(), AS_OF)
    assert r["conditions"][0]["met"] in (False, None)  # an empty profile is never eligible
    if r["conditions"][0]["met"] is None:
        assert r["missing"]


def test_bad_expressions_are_reported_in_chinese():
    with pytest.raises(SpecError) as exc:
        spec([("x", "y1.revenu >= 1"), ("y", 'holds("giant")'), ("z", "__import__('os')")])
    msg = "；".join(exc.value.problems)
    assert "revenu" in msg and "未知" in msg
    assert "giant" in msg
    assert len(exc.value.problems) == 3


def test_bad_benefit_reported():
    with pytest.raises(SpecError) as exc:
        spec(
            [("a", "y1.revenue >= 1")],
            {"kind": "percent", "base": "y1.revenue >=", "rate_pct": 150},
        )
    msg = "；".join(exc.value.problems)
    assert "rate_pct" in msg and "base" in msg


def test_bad_dates_reported_with_the_field_and_the_value():
    with pytest.raises(SpecError) as exc:
        spec([("a", "y1.revenue >= 1")], published="2025/03/01", valid_until="明年")
    assert exc.value.problems == [
        "“published（发布日期）”不是有效日期（应如 2026-06-30）：2025/03/01",
        "“valid_until（有效期止）”不是有效日期（应如 2026-06-30）：明年",
    ]
    s = spec([("a", "y1.revenue >= 1")], published=date(2025, 3, 1), valid_until="2027-12-31")
    assert (s.published, s.valid_until) == (date(2025, 3, 1), date(2027, 12, 31))
    with pytest.raises(SpecError) as exc:
        parse_spec({**s.raw, "valid_from": "2025-13-01"}, "p.yaml:k: ")
    assert exc.value.problems[0].startswith("p.yaml:k: “valid_from（有效期起）”不是有效日期")


def test_percent_benefit_with_cap_and_per_item():
    s = spec(
        [("a", "y1.revenue >= 0")], {"kind": "per_item", "count": "ip.class1", "per": 2.5, "cap": 6}
    )
    assert (
        match_one(s, prof(years={"2025": {"revenue": 1}}, ip={"class1": 2}), AS_OF)["amount"] == 5
    )
    assert (
        match_one(s, prof(years={"2025": {"revenue": 1}}, ip={"class1": 9}), AS_OF)["amount"] == 6
    )


def test_pending_amount_is_not_presented_as_a_number():
    s = spec([("a", "y1.revenue >= 0")], {"kind": "fixed", "amount": None})
    r = match_one(s, prof(years={"2025": {"revenue": 1}}), AS_OF)
    assert r["amount"] is None and r["amount_state"] == "pending"


def _random_profile(rng, i):
    def maybe(v):
        return None if rng.random() < 0.15 else v

    years = {}
    for y in (2023, 2024, 2025):
        years[str(y)] = {
            k: v
            for k, v in {
                "revenue": maybe(round(rng.uniform(500, 30000), 2)),
                "local_contribution": maybe(round(rng.uniform(0, 800), 4)),
                "rd_expense": maybe(round(rng.uniform(0, 900), 1)),
                "net_profit": maybe(round(rng.uniform(-100, 900), 1)),
                "digital_management": maybe(rng.random() < 0.5),
            }.items()
            if v is not None
        }
    titles = []
    for tier in ("innovative_sme", "srdi_sme", "little_giant", "single_champion"):
        if rng.random() < 0.3:
            g = date(rng.randint(2020, 2026), rng.randint(1, 12), 1)
            titles.append(
                {
                    "tier": tier,
                    "level": "national",
                    "granted": g.isoformat(),
                    "valid_until": date(g.year + 3, g.month, 1).isoformat(),
                }
            )
    return {
        "uscc": f"U{i}",
        "name": f"企业{i}",
        "years": years,
        "titles": titles,
        "ip": {"class1": rng.randint(0, 3), "class2": rng.randint(0, 2)},
        "foundation_field": rng.choice([None, "basic_material", "components"]),
        "priority_field": rng.random() < 0.3,
        "compliance": {"serious_dishonesty": rng.random() < 0.1},
        "honors": [{"type": "high_tech", "granted": "2024-01-01", "valid_until": "2026-12-31"}]
        if rng.random() < 0.3
        else [],
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_columnar_agrees_with_scalar_on_the_catalogue(seed):
    rng = random.Random(seed)
    specs = catalogue_specs()
    profiles = [C.normalise(_random_profile(rng, i)) for i in range(150)]
    df = match_all(specs, profiles, AS_OF)
    got = {(r["row"], r["policy"]): r for r in df.iter_rows(named=True)}
    for i, p in enumerate(profiles):
        for j, r in enumerate(match_profile(specs, p, AS_OF)):
            c = got.get((i, j))
            if r["status"] == "ineligible":
                assert c is None, (i, specs[j].key)
                continue
            assert c is not None and c["status"] == r["status"], (i, specs[j].key, r["status"])
            assert decode_codes(c["codes"], len(specs[j].conditions)) == [
                x["met"] for x in r["conditions"]
            ]
            if r["amount"] is None:
                assert c["amount"] is None, (i, specs[j].key)
            else:
                assert c["amount"] == pytest.approx(r["amount"], abs=1e-4), (i, specs[j].key)


def test_columnar_growth_reward_exact_edge():
    specs = [s for s in catalogue_specs() if s.key == "plan-growth-reward"]
    ps = [
        C.normalise(growth_profile(rev=(0.7, 0.84), lc=(10.1, 10.3))),
        C.normalise(growth_profile(rev=(1000, 1199.9999))),
        C.normalise(growth_profile(rev=(1000, 2000), lc=(100, 600))),
        C.normalise(growth_profile(valid_until="2025-12-30")),
    ]
    df = match_all(specs, ps, date(2026, 1, 1))
    rows = {r["row"]: r for r in df.iter_rows(named=True)}
    assert rows[0]["status"] == "eligible" and rows[0]["amount"] == pytest.approx(0.1)
    assert rows[1]["status"] == "near"
    assert rows[2]["amount"] == 200
    assert rows[3]["status"] == "near"


def test_verdict_condition_columnar_agrees_with_scalar():
    s = spec(
        [
            ("符合2026专精特新中小企业标准", 'eligible("srdi-sme@2026")'),
            ("未列入严重失信名单", "not compliance.serious_dishonesty"),
        ]
    )
    rng = random.Random(7)
    profiles = [C.normalise(_random_profile(rng, i)) for i in range(40)]
    df = match_all([s], profiles, date(2026, 6, 30))
    got = {r["row"]: r for r in df.iter_rows(named=True)}
    for i, p in enumerate(profiles):
        r = match_one(s, p, date(2026, 6, 30))
        c = got.get(i)
        assert (c["status"] if c else "ineligible") == r["status"], i

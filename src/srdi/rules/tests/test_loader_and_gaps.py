"""Bad rule files fail loudly (file, line, reason); gaps and the trace say what they should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srdi.rules import (
    RuleError,
    evaluate,
    list_standards,
    load_file,
    next_tier,
    standard_for,
    standards_in_force,
)
from srdi.rules.standard import STANDARDS_DIR

GOOD = (STANDARDS_DIR / "innovative-sme@2022.yaml").read_text(encoding="utf-8")


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("rule: financing_3y >= 500", "rule: financing_3y >= ", "语法错误"),
        ("rule: financing_3y >= 500", "rule: financing_4y >= 500", "未知的名称“financing_4y”"),
        ("rule: financing_3y >= 500", "rule: __import__('os').system('true')", "只能调用内置函数"),
        ("rule: financing_3y >= 500", "rule: financing_3y.real >= 500", "未知的名称"),
        ("rule: financing_3y >= 500", "rule: financing_3y + 500", "应为条件"),
        ("rule: financing_3y >= 500", "rule: rd_institution >= 500", "类型不同"),
        ("- {band: A, from: 5, points: 20", "- {band: A, from: 5, points: 1", "从高到低"),
        ("- {band: B, from: 3, points: 15", "- {band: B, points: 15", "只有最后一档可省略"),
        ("effective_from: 2022-06-01", "effective_from: soon", "日期"),
        ("rule: financing_3y >= 500", "rule: financing_3y >= 500 or manual()", "manual 需要"),
        ("rule: financing_3y >= 500", "rule: financing_3y >= 500 or manual(1)", "manual 需要"),
    ],
)
def test_bad_rule_file_fails_with_file_line_and_reason(old, new, reason):
    text = broken(old, new)
    with pytest.raises(RuleError) as exc:
        load_file(Path("bad.yaml"), text)
    err = exc.value
    assert err.file == "bad.yaml" and reason in err.reason
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if new in ln)
    assert err.line == line, (err.line, line, str(err))


def test_every_shipped_file_loads_and_has_a_version():
    stds = list_standards()
    assert len(stds) == 7
    for s in stds:
        assert (
            s.version.startswith(s.id + "#")
            and s.document
            and s.status in ("verified", "partial", "unverified")
        )


def test_standard_choice_by_date_and_review():
    from datetime import date

    assert "srdi-sme@2022" in standards_in_force(date(2026, 3, 31))
    assert "srdi-sme@2022" not in standards_in_force(date(2026, 4, 1))
    assert "little-giant@2022" in standards_in_force(date(2026, 6, 30), review=True)
    assert standard_for("little_giant", date(2026, 6, 30)) == "little-giant@2026"
    assert standard_for("little_giant", date(2026, 6, 30), review=True) == "little-giant@2022"
    assert standard_for("srdi_sme", date(2025, 6, 30)) == "srdi-sme@2022"
    assert standard_for("innovative_sme", date(2027, 1, 1)) == "innovative-sme@2022"


BASE = json.loads(
    """{"uscc": "91320581712345672C", "name": "甲", "industry_code": "C3451", "niche_since": "2016-03-01",
    "sei_code": "2.1", "foundation_field": "components", "digital_level": 2, "quality": {"iso9001": true, "own_brand": true},
    "rd_institution": "municipal", "ip": {"class1": 3, "class1_self_developed": 2, "class2": 5}, "local_featured_points": 0,
    "years": {"2022": {"employees": 240, "rd_staff": 30, "revenue": 8000, "main_revenue": 7200, "total_assets": 11000, "total_liabilities": 6000, "net_profit": 600, "rd_expense": 300},
              "2023": {"employees": 250, "rd_staff": 35, "revenue": 9000, "main_revenue": 8100, "total_assets": 11500, "total_liabilities": 6300, "net_profit": 680, "rd_expense": 380},
              "2024": {"employees": 260, "rd_staff": 39, "revenue": 6000, "main_revenue": 5400, "total_assets": 12000, "total_liabilities": 6600, "net_profit": 450, "rd_expense": 260}}}"""
)


def test_score_gap_is_the_fewest_moves():
    r = evaluate(BASE, "srdi-sme@2022", "2025-06-30")
    assert r["outcome"] == "ineligible" and r["score"] < r["pass_score"]
    needed = r["pass_score"] - r["score"]
    (score_gap,) = [g for g in r["gaps"] if g["kind"] == "score"]
    moves = score_gap["moves"]
    assert sum(m["points"] for m in moves) >= needed
    if any(i["max"] - i["points"] >= needed for i in r["indicators"] if i["points"] is not None):
        assert len(moves) == 1


def test_rd_move_from_260_to_300_is_plus_2():
    from srdi.rules import evaluate_with, load_standard
    from srdi.rules.whatif import modified

    top = json.loads(json.dumps(BASE))
    top.update(
        niche_since="2013-01-01",
        chain_breakthrough=True,
        digital_level=3,
        rd_institution="national",
        local_featured_points=15,
        ip={"class1": 1, "class1_self_developed": 1, "class1_high_value": 1},
    )
    top["years"]["2024"].update(
        revenue=10000,
        main_revenue=9000,
        net_profit=1000,
        total_liabilities=6000,
        rd_expense=260,
        employees=100,
        rd_staff=20,
    )
    top["years"]["2023"]["main_revenue"] = 8100
    r = evaluate(top, "srdi-sme@2022", "2025-06-30")
    assert r["score"] == 94  # every indicator at its top band except R&D input (260 万元: D, 4)
    std = modified(load_standard("srdi-sme@2022"), [("score.pass", 96)])
    g = evaluate_with(std, top, "2025-06-30")
    (move,) = next(x for x in g["gaps"] if x["kind"] == "score")["moves"]
    assert (move["indicator"], move["from"], move["target"], move["unit"], move["points"]) == (
        "rd_input",
        260,
        300,
        "万元",
        2,
    )
    assert move["text"] == "上年度研发费用投入：260 → 300万元（+2分）"


def test_failed_condition_gap_gives_the_needed_value():
    p = json.loads(json.dumps(BASE))
    p["years"]["2024"]["rd_expense"] = 99
    r = evaluate(p, "srdi-sme@2022", "2025-06-30")
    (g,) = [g for g in r["gaps"] if g.get("id") == "rd_amount"]
    assert (
        g["needs"][0]["value"] == 99
        and g["needs"][0]["target"] == 100
        and g["needs"][0]["op"] == ">="
    )


def test_trace_goes_from_verdict_to_rules_inputs_and_document():
    r = evaluate(BASE, "srdi-sme@2022", "2025-06-30")
    verdict, *steps = r["trace"]
    assert (
        verdict["item"] == "verdict"
        and verdict["result"] == r["outcome"]
        and "63号" in verdict["document"]
    )
    rd = next(s for s in steps if s["item"] == "condition:rd_amount")
    assert rd["rule"] == "y1.rd_expense >= 100" and rd["inputs"] == {"years.2024.rd_expense": 260}
    assert rd["file"] == "srdi-sme@2022.yaml" and rd["line"] > 0 and rd["text"].startswith("（二）")


def test_next_tier_walks_the_ladder():
    nt = next_tier(BASE, "2025-06-30")
    assert [s["tier"] for s in nt["ladder"]] == [
        "innovative_sme",
        "srdi_sme",
        "little_giant",
        "single_champion",
    ]
    first_not = next(s["tier"] for s in nt["ladder"] if s["outcome"] != "eligible")
    assert nt["next"] == first_not and all(
        s["gaps"] for s in nt["ladder"] if s["outcome"] == "ineligible"
    )


def test_float_and_decimal_inputs_are_exact():
    from decimal import Decimal

    p = json.loads(json.dumps(BASE))
    p["years"]["2024"].update(
        revenue=10000.0, rd_expense=0.1 + 0.2 + 299.7
    )  # float noise stays out
    a = evaluate(p, "innovative-sme@2022", "2025-06-30", explain=False)
    p["years"]["2024"].update(revenue=Decimal("10000"), rd_expense=Decimal("300"))
    b = evaluate(p, "innovative-sme@2022", "2025-06-30", explain=False)
    ind = lambda r: {i["id"]: i for i in r["indicators"]}["rd_intensity"]  # noqa: E731
    assert ind(b)["band"] == "B"  # exactly 3 % → band B (3%–5%)
    assert ind(a)["value"] == pytest.approx(3.0, abs=1e-6)


def test_ratio_condition_gap_names_the_money_needed():
    """研发费用占营业收入比重 ≥ 3% at revenue 8,000万元 means 研发费用 ≥ 240万元."""
    p = json.loads(json.dumps(BASE))
    p["years"]["2024"].update(revenue=8000, rd_expense=160)
    r = evaluate(p, "srdi-sme@2022", "2025-06-30")
    (g,) = [g for g in r["gaps"] if g.get("id") == "rd_ratio"]
    eq = g["needs"][0]["equivalent"]
    assert (eq["what"], eq["op"], eq["amount"], eq["unit"]) == ("2024年研发费用", ">=", 240, "万元")
    assert eq["basis"] == {"what": "2024年营业收入", "value": 8000, "unit": "万元"}
    assert "即2024年研发费用≥240万元（按2024年营业收入8,000万元计）" in g["text"]


def test_ratio_amounts_round_towards_meeting_the_rule():
    from fractions import Fraction

    from srdi.rules.engine import _amount_text

    assert _amount_text(Fraction(99999, 10000), ">=") == "10"  # 9.9999 → at least 10
    assert _amount_text(Fraction(99999, 10000), "<=") == "9.99"  # at most 9.99
    assert _amount_text(Fraction(123456789, 100), ">=") == "1,234,567.89"
    assert _amount_text(Fraction(241, 10), ">=") == "24.1"


def test_lower_is_better_ratio_move_gives_a_ceiling():
    """A debt-ratio move (lower is better) is shown as a ceiling on liabilities."""
    from srdi.rules import evaluate_with, load_standard
    from srdi.rules.whatif import modified

    p = json.loads(json.dumps(BASE))
    p["years"]["2024"].update(total_assets=10000, total_liabilities=8000)  # 80%: band D, 0 points
    std = modified(load_standard("srdi-sme@2022"), [("score.pass", 100)])
    r = evaluate_with(std, p, "2025-06-30")
    moves = next(x for x in r["gaps"] if x["kind"] == "score")["moves"]
    (debt,) = [m for m in moves if m["indicator"] == "debt_ratio"]
    assert debt["equivalent"]["op"] == "<="
    assert debt["equivalent"]["amount"] == debt["target"] * 100  # target % of 10,000万元
    assert "即2024年负债总额≤" in debt["text"] and "按2024年资产总额10,000万元计" in debt["text"]


def test_single_champion_5_to_10_years_is_a_manual_check_not_a_failure():
    """新产品 need only 5 years in the field; the profile cannot say whether the product is new, so
    5–9 years is undetermined with a manual-check gap, under 5 years ineligible."""
    p = {
        "uscc": "91320581712345672C",
        "industry_code": "C3451",
        "niche_since": "2017-03-01",  # 7 whole years to 1 January 2025
        "market": {"global_rank": 2},
        "years": {
            "2022": {"main_revenue": 40000},
            "2023": {"main_revenue": 40000},
            "2024": {"employees": 2000, "revenue": 45000, "main_revenue": 40000},
        },
    }
    r = evaluate(p, "single-champion@2023", "2025-06-30")
    assert r["outcome"] == "undetermined" and r["missing"] == []
    (g,) = [g for g in r["gaps"] if g.get("id") == "years_in_field"]
    assert g["kind"] == "unknown" and g["missing"] == []
    assert g["text"].startswith("需人工核实：") and "新产品" in g["text"]
    assert g["manual"] == ["申请产品属于新产品（新产品从事相关领域5年及以上即可）"]
    p["niche_since"] = "2020-06-01"  # 4 whole years
    assert evaluate(p, "single-champion@2023", "2025-06-30")["outcome"] == "ineligible"


def test_gaps_read_lists_and_declarations_in_chinese_not_rule_source():
    from srdi.rules.describe import describe
    from srdi.rules.expr import Scope, parse_rule

    sc = Scope("t.yaml", {}, None)
    node = parse_rule('any_recent(awards, 3, level == "national" and rank <= 3)', sc, 1)
    assert describe(node) == "近3年有科技奖励（级别为国家级、排名不超过3）"
    node = parse_rule('any_valid(honors, type in ["high_tech", "ip_demo"])', sc, 1)
    assert describe(node) == "有在有效期内的荣誉（类型属于高新技术企业、知识产权示范企业）"
    assert describe(parse_rule("info_system", sc, 1)) == "核心业务采用信息系统支撑"
    assert describe(parse_rule("y1.revenue >= 5000", sc, 1), 2025) == "2024年营业收入不低于5000"
    # in a real result: no gap text shows rule syntax
    p = json.loads(json.dumps(BASE))
    r = evaluate(p, "little-giant@2022", "2025-06-30")
    texts = " ".join(g["text"] for g in r["gaps"])
    for code in ("any_recent", "any_valid", "info_system", "==", "none →", "_"):
        assert code not in texts, (code, texts)


def test_growth_target_names_the_revenue_needed():
    """主营业务收入增长率 ≥ 10% over 5,000万元 the year before → 主营业务收入 ≥ 5,500万元."""
    from datetime import date
    from fractions import Fraction

    from srdi.rules import load_standard
    from srdi.rules.engine import ratio_equivalent
    from srdi.rules.expr import Ctx
    from srdi.rules.profile import normalise

    std = load_standard("innovative-sme@2022")
    (growth,) = [i for i in std.indicators if i.id == "main_growth"]
    p = json.loads(json.dumps(BASE))
    p["years"]["2023"]["main_revenue"] = 5000
    ctx = Ctx(profile=normalise(p), year=2025, as_of=date(2025, 6, 30), review=False)
    eq = ratio_equivalent(growth.measures[0].rule, Fraction(10), ">=", ctx)
    assert eq["amount"] == 5500 and eq["what"] == "2024年主营业务收入"
    assert eq["text"] == "即2024年主营业务收入≥5,500万元（按2023年主营业务收入5,000万元计）"

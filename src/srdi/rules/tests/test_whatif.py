"""What-if: a modified copy of a standard, verdicts compared over a population."""

from __future__ import annotations

from datetime import date

import pytest

from srdi.rules import RuleError, evaluate, load_standard
from srdi.rules.whatif import modified, parse_change, whatif

BASE = {
    "uscc": "A",
    "name": "甲",
    "industry_code": "C3451",
    "niche_since": "2016-03-01",
    "years": {"2024": {"employees": 50, "revenue": 900, "main_revenue": 800, "rd_expense": 100}},
}


def test_lowering_the_revenue_threshold_changes_the_condition():
    std = modified(
        load_standard("srdi-sme@2022"),
        [parse_change('conditions.revenue.rule="y1.revenue >= 800"')],
    )
    got = evaluate(BASE, "srdi-sme@2022", "2025-06-30")
    assert {c["id"]: c["met"] for c in got["conditions"]}["revenue"] is False
    from srdi.rules import evaluate_with

    alt = evaluate_with(std, BASE, "2025-06-30")
    assert {c["id"]: c["met"] for c in alt["conditions"]}["revenue"] is True


def test_whatif_counts_changed_verdicts():
    pop = [
        BASE,
        dict(
            BASE,
            uscc="B",
            years={
                "2024": {"employees": 50, "revenue": 700, "main_revenue": 600, "rd_expense": 100}
            },
        ),
    ]
    # pass score lowered to 0 and revenue test relaxed: A becomes eligible (its conditions hold), B not (700 < 800)
    rep = whatif(
        pop,
        "srdi-sme@2022",
        [("score.pass", 0), ("conditions.revenue.rule", "y1.revenue >= 800")],
        date(2025, 6, 30),
    )
    assert rep["population"] == 2
    assert rep["verdicts_changed"] == 1
    assert [c["uscc"] for c in rep["changed"] if c["verdict_changed"]] == ["A"]


def test_moving_a_band_edge_changes_scores():
    rep = whatif(
        [BASE],
        "srdi-sme@2022",
        [
            ("score.indicators.rd_input.bands.F.points", 0),
            ("score.indicators.rd_input.bands.E.from", [90, 3]),
        ],
        date(2025, 6, 30),
    )
    assert rep["population"] == 1


def test_bad_change_fails_loudly_with_line():
    with pytest.raises(RuleError) as exc:
        modified(load_standard("srdi-sme@2022"), [("conditions.revenue.rule", "y1.revenu >= 800")])
    assert "revenu" in str(exc.value) and "测算副本" in str(exc.value)
    with pytest.raises(KeyError):
        modified(load_standard("srdi-sme@2022"), [("conditions.nope.rule", "True")])

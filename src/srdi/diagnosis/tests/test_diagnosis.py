"""The diagnosis: figures equal the rules core's; ranking, next tier, peers, trends, warnings."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

import srdi.rules as rules
from srdi.diagnosis import engine, figures, services
from srdi.diagnosis.peers import PeerBook, division_of
from srdi.diagnosis.sections import Section, register, unregister

from .factories import example_profiles, store_profiles

AS_OF = dt.date(2025, 6, 30)
JINGGONG = "91320581712345672C"


@pytest.fixture
def examples(db):
    return store_profiles(example_profiles())


def _core(e, sid, as_of=AS_OF):
    r = rules.evaluate(engine.build_profile(e), sid, as_of)
    r.pop("trace", None)
    return r


def test_report_figures_equal_the_rules_core(examples):
    for e in examples:
        d = services.diagnose(e, AS_OF)
        assert [s["id"] for s in d["standards"]] == rules.standards_in_force(AS_OF)
        for s in d["standards"]:
            core = _core(e, s["id"])
            assert s["outcome"] == core["outcome"]
            assert s["score"] == core["score"]
            assert s["pass_score"] == core["pass_score"]
            assert s["size_class"] == core.get("size_class")
            assert {x["name"]: x["points"] for x in s["dimensions"]} == (core["dimensions"] or {})
            keys = ("id", "value", "band", "points", "max")
            assert [{k: i[k] for k in keys} for i in s["indicators"]] == [
                {k: i[k] for k in keys} for i in core["indicators"]
            ]
            assert [(c["id"], c["met"], c["value"]) for c in s["conditions"]] == [
                (c["id"], c["met"], c["value"]) for c in core["conditions"]
            ]
            assert s["result"]["gaps"] == core["gaps"]
            assert s["missing"] == core["missing"]


def test_contract_example_score_71_and_its_explanations(examples):
    d = services.diagnose(examples[0], AS_OF)
    srdi = next(s for s in d["standards"] if s["id"] == "srdi-sme@2022")
    assert (srdi["outcome"], srdi["score"]) == ("eligible", 71)
    share = next(i for i in srdi["indicators"] if i["id"] == "main_revenue_share")
    assert share["text_zh"] == (
        "上年度主营业务收入总额占营业收入总额比重为90%，属于“80%以上”档，得5分（满分5分），已达最高档。"
    )
    debt = next(i for i in srdi["indicators"] if i["id"] == "debt_ratio")
    assert "距最高档差2分" in debt["text_zh"] and debt["verify_label"] == "部分待核实"
    niche = next(c for c in srdi["conditions"] if c["id"] == "niche_years")
    assert niche["text_zh"] == "从事特定细分市场时间达到2年以上：实际值8年，满足。"
    sme = next(c for c in srdi["conditions"] if c["id"] == "sme")
    assert "小型" in sme["text_zh"]
    assert {r["version"] for r in d["rule_versions"]} == {
        rules.load_standard(s).version for s in rules.standards_in_force(AS_OF)
    }


def test_strengths_and_weaknesses_are_ranked(examples):
    d = services.diagnose(examples[0], AS_OF)
    assert d["focus_standard"] == "srdi-sme@2022"  # next tier 小巨人 has no score
    assert d["strengths"] and all(s["lost"] == 0 for s in d["strengths"])
    lost = [w["lost"] for w in d["weaknesses"]]
    assert lost == sorted(lost, reverse=True) and all(x > 0 for x in lost)
    # featured (9/15) and net margin / rd institution (6 of 10 lost) head the list
    assert d["weaknesses"][0]["lost"] == 6
    assert {w["id"] for w in d["weaknesses"][:3]} == {"featured", "net_margin", "rd_institution"}


def test_next_tier_and_gap_plan_come_from_the_rules_core(examples):
    e = examples[0]
    d = services.diagnose(e, AS_OF)
    core = rules.next_tier(engine.build_profile(e), AS_OF)
    nt = d["next_tier"]
    assert (
        (nt["current"], nt["next"])
        == (core["current"], core["next"])
        == ("srdi_sme", "little_giant")
    )
    assert nt["standard"] == "little-giant@2022"
    row = nt["plan"][0]
    assert (row["what"], row["from"], row["to"]) == ("主导产品细分市场占有率（%）", "8", "≥10")
    assert (row["from_num"], row["to_num"]) == (8.0, 10.0)


def test_score_gap_rows_name_the_figure_from_and_to():
    rows = services.gap_plan(
        [
            {
                "kind": "score",
                "score": 57,
                "pass_score": 60,
                "moves": [
                    {"indicator": "digital_level", "label": "数字化水平", "from": None, "target": 2,
                     "unit": "级", "points": 3, "text": "数字化水平：未知 → 2级（+3分）"}
                ],
            },
            {"kind": "unknown", "id": "x", "label": "L", "missing": ["years.2024.rd_expense"], "text": "缺少"},
        ]
    )  # fmt: skip
    assert rows[0]["what"] == "数字化水平" and rows[0]["from"] == "未知" and rows[0]["to"] == "2级"
    assert rows[0]["item"] == "评价得分 57 → 及格 60"
    assert rows[1]["what"] == "2024年研发费用"


def _ent(uscc_n, region, code, y2024, y2023=None):
    return {
        "uscc": uscc_n,
        "name": f"对标企业{uscc_n[-4:]}",
        "region": region,
        "industry_code": code,
        "years": {"2024": y2024, **({"2023": y2023} if y2023 else {})},
    }


VALID_USCCS = [
    "91320581712345672C",
    "91320581723456781R",
    "9132058172345679XH",
    "91320581756789013E",
]


@pytest.fixture
def peer_group(db):
    """Four enterprises of division C34 in 梅李镇 with R&D intensity 1, 2, 3, 4 %."""
    profiles = []
    for i, uscc in enumerate(VALID_USCCS):
        profiles.append(
            _ent(
                uscc,
                "梅李镇",
                "C3451",
                {"revenue": 1000, "main_revenue": 900, "rd_expense": 10 * (i + 1), "employees": 100,
                 "rd_staff": 10, "total_assets": 1000, "total_liabilities": 100 * (i + 3)},
            )
        )  # fmt: skip
    return store_profiles(profiles)


def _metric(bench, mid):
    return next(m for m in bench["metrics"] if m["id"] == mid)


def test_peer_percentiles_with_polars(peer_group):
    book = PeerBook(AS_OF)
    top = _metric(book.benchmarks(peer_group[3]), "rd_intensity")
    assert top["value"] == pytest.approx(4.0)
    assert top["division"]["percentile"] == 100.0 and top["division"]["peers"] == 3
    assert top["region"]["percentile"] == 100.0
    assert top["division"]["median"] == pytest.approx(2.5)
    second = _metric(book.benchmarks(peer_group[1]), "rd_intensity")
    assert second["division"]["percentile"] == pytest.approx(100 / 3, abs=0.1)
    # debt ratio: lower is better: enterprise 0 (30 %) beats all others
    debt = _metric(book.benchmarks(peer_group[0]), "debt_ratio")
    assert debt["better"] == "lower" and debt["division"]["percentile"] == 100.0
    # ties count half: every main share is 90 %
    share = _metric(book.benchmarks(peer_group[0]), "main_share")
    assert share["division"]["percentile"] == 50.0


def test_no_percentile_with_too_few_peers(peer_group, monkeypatch):
    cfg = copy.deepcopy(figures.settings())
    cfg["min_peers"] = 4
    monkeypatch.setattr("srdi.diagnosis.peers.settings", lambda: cfg)
    m = _metric(PeerBook(AS_OF).benchmarks(peer_group[0]), "rd_intensity")
    assert m["division"]["percentile"] is None and m["division"]["peers"] == 3


def test_division_of():
    assert division_of("C3451") == "C34"
    assert division_of("3451") == "34"
    assert division_of("") is None


def test_trend_five_years():
    profile = {
        "years": {
            "2021": {"revenue": 100, "main_revenue": 50, "rd_expense": 5},
            "2024": {"revenue": 200, "main_revenue": 180, "total_assets": 400, "total_liabilities": 100,
                     "employees": 40, "rd_staff": 10},
        }
    }  # fmt: skip
    t = figures.trend(profile, 2025)
    assert t["years"] == [2020, 2021, 2022, 2023, 2024]
    series = {s["id"]: s for s in t["series"]}
    assert series["revenue"]["values"] == [None, 100, None, None, 200]
    assert series["main_share"]["values"] == [None, 50.0, None, None, 90.0]
    assert (
        series["rd_intensity"]["values"][1] == 5.0 and series["rd_intensity"]["values"][4] is None
    )
    assert series["debt_ratio"]["values"][4] == 25.0
    assert series["rd_staff_share"]["values"][4] == 25.0
    assert series["revenue"]["display"][0] == "—"


def test_quality_warnings():
    profile = {
        "years": {
            "2023": {"revenue": 1000, "main_revenue": 900, "employees": 100, "rd_staff": 10, "rd_expense": 50},
            "2024": {"revenue": 5000, "main_revenue": 5200, "employees": 100, "rd_staff": 120, "rd_expense": 60,
                     "total_liabilities": 10},
        }
    }  # fmt: skip
    w = figures.quality_warnings(profile, 2025, ["years.2024.net_profit"])
    kinds = {(x["kind"], x["field"]) for x in w}
    assert ("missing", "years.2024.net_profit") in kinds
    assert ("missing", "years.2024.total_assets") in kinds
    assert ("implausible", "years.2024.rd_staff") in kinds  # R&D staff above employees
    assert ("implausible", "years.2024.main_revenue") in kinds  # main revenue above revenue
    assert ("implausible", "years.2024.total_assets") in kinds  # liabilities without assets
    assert ("jump", "years.2024.revenue") in kinds  # ×5
    msg = next(x["message"] for x in w if x["field"] == "years.2024.rd_staff")
    assert "研发人员（120人）多于从业人员（100人）" in msg
    # no duplicate for a path both the rules core and the settings ask for
    assert sum(1 for x in w if x["field"] == "years.2024.net_profit") == 1


def test_jump_thresholds_come_from_the_settings_file(monkeypatch):
    profile = {"years": {"2023": {"revenue": 1000}, "2024": {"revenue": 2500}}}
    assert not [x for x in figures.quality_warnings(profile, 2025, []) if x["kind"] == "jump"]
    cfg = copy.deepcopy(figures.settings())
    next(j for j in cfg["jumps"] if j["field"] == "revenue")["up"] = 2
    monkeypatch.setattr(figures, "settings", lambda: cfg)
    jumps = [x for x in figures.quality_warnings(profile, 2025, []) if x["kind"] == "jump"]
    assert [x["field"] for x in jumps] == ["years.2024.revenue"]
    assert "2.50倍" in jumps[0]["message"]


def test_settings_file_holds_the_thresholds():
    text = figures.SETTINGS_FILE.read_text(encoding="utf-8")
    assert "jumps:" in text and "min_peers:" in text and "ratio_jumps:" in text


def test_sections_extension_point(examples):
    d = services.diagnose(examples[0], AS_OF)
    assert d["sections"] == []  # nothing registered: no section, no placeholder

    class Policies:
        key = "test-policies"
        title = "可享受的惠企政策"
        order = 10

        def build(self, ctx):
            assert ctx.results["srdi-sme@2022"]["score"] == 71
            return Section(self.key, self.title, self.order, paragraphs=["示例段落"],
                           columns=["政策"], rows=[["首次认定奖励"]])  # fmt: skip

    class Broken:
        key = "test-broken"
        title = "坏的"
        order = 20

        def build(self, ctx):
            raise RuntimeError("boom")

    register(Policies())
    register(Broken())
    try:
        d = services.diagnose(examples[0], AS_OF)
    finally:
        unregister("test-policies")
        unregister("test-broken")
    assert [s["key"] for s in d["sections"]] == ["test-policies"]
    from srdi.diagnosis import render

    html = render.to_html(d)
    assert "可享受的惠企政策" in html and "首次认定奖励" in html


def test_no_rules_core_no_verdicts(examples, monkeypatch):
    def unavailable():
        raise engine.EngineUnavailable("规则引擎（srdi.rules）尚未安装，无法生成诊断结论。")

    monkeypatch.setattr(engine, "_rules", unavailable)
    with pytest.raises(services.DiagnosisError, match="规则引擎"):
        services.diagnose(examples[0], AS_OF)


def test_titles_and_validity(db):
    p = copy.deepcopy(example_profiles()[0])
    p["titles"] = [
        {
            "tier": "innovative_sme",
            "level": "provincial",
            "granted": "2023-01-01",
            "valid_until": "2025-12-31",
        },
        {
            "tier": "srdi_sme",
            "level": "provincial",
            "granted": "2021-01-01",
            "valid_until": "2024-12-31",
        },
    ]
    (e,) = store_profiles([p])
    d = services.diagnose(e, AS_OF)
    by_tier = {t["tier"]: t for t in d["titles"]}
    assert by_tier["innovative_sme"]["valid_on_as_of"] is True
    assert "剩余184天" in by_tier["innovative_sme"]["validity_text"]
    assert by_tier["srdi_sme"]["valid_on_as_of"] is False
    assert "到期" in by_tier["srdi_sme"]["validity_text"]
    assert by_tier["innovative_sme"]["tier_label"] == "创新型中小企业"


def test_parse_as_of():
    assert services.parse_as_of("2025-06-30") == AS_OF
    with pytest.raises(services.DiagnosisError, match="YYYY-MM-DD"):
        services.parse_as_of("2025/06/30")


def test_missing_labels_in_chinese():
    assert figures.missing_label("years.2024.rd_expense") == "2024年研发费用"
    assert figures.missing_label("market.global_rank") == "全球细分市场排名"
    assert figures.missing_label("development_scores.2025") == "2025年专精特新发展评价得分"


def test_radar_peer_median_is_the_rules_cores(db):
    from statistics import median

    profiles = []
    for i, uscc in enumerate(VALID_USCCS):
        p = copy.deepcopy(example_profiles()[0])
        p.update(uscc=uscc, name=f"雷达企业{i}", local_featured_points=3 * i)
        p["years"]["2024"]["rd_staff"] = 10 + 10 * i
        profiles.append(p)
    ents = store_profiles(profiles)
    d = services.diagnose(ents[0], AS_OF)
    assert d["radar"]["standard"] == "srdi-sme@2022"
    others = [_core(e, "srdi-sme@2022")["dimensions"] for e in ents[1:]]
    for dim in d["radar"]["dimensions"]:
        assert dim["peer_median"] == median(o[dim["name"]] for o in others)
        assert dim["points"] == _core(ents[0], "srdi-sme@2022")["dimensions"][dim["name"]]

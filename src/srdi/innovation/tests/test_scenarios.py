"""Capability scenarios (应用场景 / 可解决的问题): data, matcher field, input, model, pages, API."""

import json

import pytest
from django.core.exceptions import ValidationError

from srdi.innovation import matching
from srdi.innovation.matching.engine import Doc, Ranker, Weights
from srdi.innovation.matching.inputs import InputError, parse_capabilities
from srdi.innovation.matching.lexicon import DATA_DIR

# two capabilities whose titles and descriptions say nothing of the query; only a scenario does
CAPS = [
    Doc(
        "A",
        "热封工艺窗口研究",
        "研究温度压力时间参数",
        scenarios=["包装袋封口处漏气", "袋子运输中破包"],
    ),
    Doc("B", "瓦楞纸板配方研究", "研究淀粉胶黏剂", scenarios=["纸箱受潮后塌陷"]),
    Doc("C", "薄膜吹塑工艺", "研究吹胀比与冷却", scenarios=[]),
]
QUERY = Doc("q", "食品袋封口漏气", "客户投诉包装袋封口处漏气，货架期内胀袋")


def _w(**kw) -> Weights:
    return Weights(**(Weights().as_dict() | kw))


def test_labelled_capabilities_all_carry_scenarios():
    caps = json.loads((DATA_DIR / "labelled" / "capabilities.json").read_text(encoding="utf-8"))
    assert len(caps) >= 150
    for c in caps:
        s = c["scenarios"]
        assert 3 + 8 <= len(s) <= 6 + 8, c["id"]  # two writers: 3–6 phrases, then 8 more
        assert all(6 <= len(p) <= 25 for p in s), c["id"]
        assert len(set(s)) == len(s) and not any(c["title"] in p for p in s), c["id"]


def test_scenario_field_brings_the_team_and_names_the_phrase():
    top = Ranker(CAPS, weights=_w(scenarios=1.0)).rank(QUERY, 3)
    assert top[0].id == "A"
    assert "应用场景“包装袋封口处漏气”" in " ".join(top[0].reasons)
    assert top[0].features["scenarios"] == pytest.approx(1.0)


def test_without_the_scenario_weight_nothing_comes_from_scenarios():
    top = Ranker(CAPS, weights=_w(scenarios=0.0, scenario_text=0.0)).rank(QUERY, 3)
    assert all("应用场景" not in " ".join(m.reasons) for m in top)
    assert not top or top[0].features["scenarios"] == 0.0


def test_scenarios_folded_into_the_text():
    top = Ranker(CAPS, weights=_w(scenarios=0.0, scenario_text=1.0)).rank(QUERY, 3)
    assert top[0].id == "A" and "应用场景“包装袋封口处漏气”" in " ".join(top[0].reasons)


def test_a_capability_as_query_uses_its_scenarios():
    needs = [Doc("n1", "包装袋封口漏气", "胀袋"), Doc("n2", "纸箱塌陷", "受潮")]
    top = Ranker(needs, weights=_w()).rank(Doc("c", "热封工艺窗口研究", "研究温度压力",
                                                scenarios=["包装袋封口处漏气"]), 2)  # fmt: skip
    assert top[0].id == "n1"


def test_input_accepts_a_list_or_lines_and_refuses_other_types():
    base = {"institution": "某大学", "title": "热封工艺", "description": "研究温度"}
    docs, _ = parse_capabilities([base | {"id": 1, "scenarios": ["封口漏气", " ", "破包"]},
                                  base | {"id": 2, "scenarios": "封口漏气\n\n破包\n"},
                                  base | {"id": 3}])  # fmt: skip
    assert docs[0].scenarios == ["封口漏气", "破包"] == docs[1].scenarios
    assert docs[2].scenarios == []
    with pytest.raises(InputError) as e:
        parse_capabilities([base | {"id": 1, "scenarios": [1, 2]}])
    assert "“scenarios”" in e.value.problems[0] and "能力第 1 条" in e.value.problems[0]


def test_match_output_format_unchanged_with_scenarios():
    out = matching.match(
        [{"id": 7, "title": "食品袋封口漏气", "description": "包装袋封口处漏气"}],
        [{"id": "A", "institution": "甲大学", "title": "热封工艺窗口研究", "description": "研究温度",
          "scenarios": "包装袋封口处漏气\n袋子运输中破包"},
         {"id": "B", "institution": "乙大学", "title": "瓦楞纸板", "description": "淀粉胶"}],
        top=2,
    )  # fmt: skip
    (r,) = out["results"]
    assert set(r) == {"need", "matches"} and r["need"] == 7
    assert all(set(m) == {"capability", "score", "reasons"} for m in r["matches"])
    assert r["matches"][0]["capability"] == "A"


@pytest.mark.django_db
def test_service_stores_lines_and_checks_them(inno):
    from srdi.innovation import services

    data = {
        "title": "真空压铸",
        "description": "降低气孔",
        "scenarios": "铸件内部气孔多\n\n  X光探伤报废高  \n",
    }
    c = services.save_capability(inno["u1"], inno["t1"], data, inno["c1"])
    c.refresh_from_db()
    assert c.scenarios == "铸件内部气孔多\nX光探伤报废高"
    assert services._cap_doc(c).scenarios == ["铸件内部气孔多", "X光探伤报废高"]
    with pytest.raises(ValidationError):
        services.save_capability(inno["u1"], inno["t1"], data | {"scenarios": "\n".join(
            f"问题{i}" for i in range(services.MAX_SCENARIOS + 1))}, inno["c1"])  # fmt: skip
    with pytest.raises(ValidationError):
        services.save_capability(inno["u1"], inno["t1"], data | {"scenarios": "长" * 101}, c)


@pytest.mark.django_db
def test_form_detail_page_and_api(inno, as_user, bearer):
    client = as_user(inno["u1"])
    c = inno["c1"]
    r = client.post(f"/innovation/capabilities/{c.pk}/edit/",
                    {"title": c.title, "description": c.description, "keywords": "真空压铸",
                     "scenarios": "铸件内部气孔多\n热处理后起泡", "kind": "capability"})  # fmt: skip
    assert r.status_code == 302
    page = client.get(f"/innovation/capabilities/{c.pk}/").content.decode()
    assert "应用场景" in page and "热处理后起泡" in page
    assert "应用场景" in client.get(f"/innovation/capabilities/{c.pk}/edit/").content.decode()
    api = bearer(inno["u1"]).get(f"/api/innovation/capabilities/{c.pk}")
    assert api.json()["scenarios"] == ["铸件内部气孔多", "热处理后起泡"]
    client.post(f"/innovation/capabilities/{c.pk}/edit/",
                {"title": c.title, "description": c.description, "keywords": "真空压铸",
                 "scenarios": "", "kind": "capability"})  # fmt: skip
    page = client.get(f"/innovation/capabilities/{c.pk}/").content.decode()
    assert "热处理后起泡" not in page and "写下本方法能解决的问题" in page  # a nudge, not a dash


def test_the_ranker_takes_the_weights_learned_without_scenarios_when_most_teams_wrote_none():
    with_s, without = Weights.load(), Weights.load(scenarios=False)
    assert with_s.scenarios > 0 and without.scenarios == 0 and without.scenario_text == 0
    assert with_s != without
    bare = [Doc(d.id, d.title, d.description) for d in CAPS]
    assert Ranker(bare).w == without  # the exchange format: no team wrote scenarios
    assert Ranker(CAPS).w == with_s  # two of three did
    assert Ranker(bare[:2] + CAPS[2:]).w == without  # one of three did


def test_a_team_without_scenarios_is_not_buried_under_teams_with_them():
    """Among teams with scenarios, one that wrote none but whose text matches the need well gets
    scenario_fill × its word match in the scenario feature's place (not 0)."""
    docs = [
        Doc("A", "热封工艺窗口研究", "研究温度压力时间参数", scenarios=["纸箱运输中压扁"]),
        Doc("B", "瓦楞纸板配方研究", "研究淀粉胶黏剂", scenarios=["纸箱受潮后塌陷"]),
        Doc("D", "软包装封口漏气检测与改进", "食品袋封口漏气、胀袋的原因分析与封口改进", scenarios=[]),
    ]  # fmt: skip
    w = _w(words=1.0, scenarios=6.0, absolute=1.0)
    buried = Ranker(docs, weights=w).rank(QUERY, 3)
    d_off = next(m for m in buried if m.id == "D")
    assert d_off.features["scenarios"] == 0 and d_off.features["words"] > 0
    filled = Ranker(docs, weights=_w(words=1.0, scenarios=6.0, absolute=1.0, scenario_fill=2.0))
    top = filled.rank(QUERY, 3)
    assert top[0].id == "D"
    assert top[0].features["scenarios"] == pytest.approx(2.0 * top[0].features["words"])
    assert top[0].score > d_off.score
    assert not any("应用场景" in r for r in top[0].reasons)  # no phrase of its own to show


def test_scenario_phrases_cut_once_give_the_same_analysis_as_the_joined_text():
    """The ranker folds a team's scenarios into its text from the phrases' own words (cut once,
    for the field and the text alike); that must be what cutting the joined text gives."""
    from collections import Counter

    from srdi.innovation.matching.engine import shared_analyzer

    an = shared_analyzer()
    caps = json.loads((DATA_DIR / "labelled" / "capabilities.json").read_text(encoding="utf-8"))
    for c in caps[:40]:
        joined = an.analyze(c["title"], c["description"] + "\n" + "；".join(c["scenarios"]),
                            c["keywords"])  # fmt: skip
        pieces = [(p, an.words(p)) for p in c["scenarios"]]
        cut_once = an.analyze(c["title"], c["description"], c["keywords"], pieces)
        assert Counter(joined.words) == Counter(cut_once.words), c["id"]
        assert Counter(joined.bigrams) == Counter(cut_once.bigrams), c["id"]
        assert Counter(joined.chars) == Counter(cut_once.chars), c["id"]
        assert joined.concepts == cut_once.concepts and joined.expansions == cut_once.expansions
        assert joined.industries == cut_once.industries, c["id"]

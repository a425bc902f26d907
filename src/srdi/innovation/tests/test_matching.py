"""The matching engine (pure Python): ranking quality, reasons, feedback, input checks."""

import json

import pytest

from srdi.innovation import matching
from srdi.innovation.matching.engine import Doc, Feedback, Ranker, Weights
from srdi.innovation.matching.evaluate import ndcg_at, recall_at, reciprocal_rank, summary
from srdi.innovation.matching.lexicon import DATA_DIR

SET = DATA_DIR / "labelled"


@pytest.fixture(scope="module")
def labelled():
    needs = json.loads((SET / "needs.json").read_text(encoding="utf-8"))
    caps = json.loads((SET / "capabilities.json").read_text(encoding="utf-8"))
    labels = json.loads((SET / "labels.json").read_text(encoding="utf-8"))["needs"]
    return needs, caps, labels


@pytest.fixture(scope="module")
def ranker(labelled):
    _needs, caps, _ = labelled
    return Ranker(
        [Doc(c["id"], c["title"], c["description"], keywords=c["keywords"]) for c in caps]
    )


def test_labelled_set_is_large_enough_and_split(labelled):
    needs, caps, labels = labelled
    assert len(needs) >= 50 and len(caps) >= 150
    assert {v["split"] for v in labels.values()} >= {"dev", "test", "test2"}
    assert all(any(g == 2 for g in v["relevant"].values()) for v in labels.values())
    ids = {c["id"] for c in caps}
    assert all(set(v["relevant"]) <= ids for v in labels.values())


def test_ranker_beats_the_floor_on_the_dev_split(labelled, ranker):
    needs, _caps, labels = labelled
    dev = {k: v["relevant"] for k, v in labels.items() if v["split"] == "dev"}
    runs = {n["id"]: [m.id for m in ranker.rank(Doc(n["id"], n["title"], n["description"], n.get("field", "")), 10)]
            for n in needs if n["id"] in dev}  # fmt: skip
    s = summary(runs, dev)
    assert s["mrr"] >= 0.9 and s["recall@5"] >= 0.9


def test_symptom_meets_method_with_reasons(ranker):
    need = Doc("q", "铝合金转向节内部气孔多", "X光探伤发现气孔和缩松，报废率高", "汽车及零部件")
    top = ranker.rank(need, 3)
    assert top[0].id == "C001"  # 真空高压压铸与局部挤压工艺
    text = " ".join(top[0].reasons)
    assert "真空压铸" in text and "气孔" in text


def test_industry_reason_when_the_industry_feature_counts(labelled):
    _n, caps, _l = labelled
    docs = [Doc(c["id"], c["title"], c["description"], keywords=c["keywords"]) for c in caps]
    w = Weights.load(scenarios=False)  # these documents carry no scenarios
    w.industry = 0.2
    need = Doc("q", "铝合金转向节内部气孔多", "X光探伤发现气孔和缩松，报废率高", "汽车及零部件")
    top = Ranker(docs, weights=w).rank(need, 3)
    assert top[0].id == "C001" and "行业一致：汽车及零部件" in " ".join(top[0].reasons)


def test_feedback_moves_a_capability(labelled):
    _n, caps, _l = labelled
    docs = [Doc(c["id"], c["title"], c["description"], keywords=c["keywords"]) for c in caps]
    q = Doc("q", "设备经常突然停机", "冲压线突然故障停机，只能事后维修", "装备制造")
    base = [m.id for m in Ranker(docs).rank(q, 5)]
    first = base[0]
    earlier = Doc("e", "设备突然停机损失大", "空压机和冲压线突然故障停机，维修都是事后处理")
    rejected = Ranker(docs, feedback=[Feedback(earlier, first, False)]).rank(q, 10)
    assert rejected[0].id != first
    assert any("拒绝" in r for m in rejected if m.id == first for r in m.reasons)
    other = base[4]
    accepted = Ranker(docs, feedback=[Feedback(earlier, other, True)]).rank(q, 5)
    assert [m.id for m in accepted].index(other) < 4
    assert any("曾被接受" in r for m in accepted if m.id == other for r in m.reasons)
    unrelated = Doc("u", "羽绒服钻绒", "面料跑绒")
    assert [
        m.id for m in Ranker(docs, feedback=[Feedback(unrelated, first, False)]).rank(q, 5)
    ] == base


def test_metrics():
    rel = {"a": 2, "b": 1}
    assert reciprocal_rank(["x", "a"], rel) == 0.5
    assert recall_at(["x", "b"], rel, 5) == 0.0
    assert ndcg_at(["a", "b"], rel) == pytest.approx(1.0)


def test_match_output_format_extra_keys_and_int_ids():
    needs = [
        {
            "id": 7,
            "title": "刹车片高温摩擦系数下降",
            "description": "连续制动后刹车变软",
            "enterprise": "某公司",
        }
    ]
    caps = [
        {
            "id": "a",
            "institution": "南京理工大学",
            "title": "制动摩擦材料配方",
            "description": "摩擦材料热衰退改性",
            "team": "摩擦学",
        },
        {
            "id": "b",
            "institution": "苏州大学",
            "title": "图像识别",
            "description": "深度学习目标检测",
            "keywords": "视觉、算法",
        },
    ]
    out = matching.match(needs, caps, top=5)
    assert list(out) == ["results"] and out["results"][0]["need"] == 7
    ms = out["results"][0]["matches"]
    assert ms[0]["capability"] == "a" and isinstance(ms[0]["score"], float) and ms[0]["reasons"]
    assert [m["score"] for m in ms] == sorted((m["score"] for m in ms), reverse=True)
    back = matching.match_capabilities(caps, needs, top=1)
    assert back["results"][0]["matches"][0]["need"] == 7


@pytest.mark.parametrize(
    ("needs", "caps", "top", "words"),
    [
        ({"id": 1}, [], 5, "需求应为 JSON 数组"),
        ([{"id": 1, "title": "x"}], [], 5, "需求第 1 条缺少“description”"),
        ([{"title": "x", "description": "y"}], [], 5, "缺少“id”"),
        (
            [
                {"id": 1, "title": "x", "description": "y"},
                {"id": 1, "title": "x", "description": "y"},
            ],
            [],
            5,
            "重复",
        ),
        ([], [{"id": 1, "title": "x", "description": "y"}], 5, "能力第 1 条缺少“institution”"),
        (
            [],
            [{"id": 1, "institution": "a", "title": "x", "description": "y", "keywords": 3}],
            5,
            "keywords",
        ),
        ([], [], "x", "--top 应为"),
        ([], [], 0, "--top 应为"),
    ],
)
def test_bad_input_gets_a_chinese_message(needs, caps, top, words):
    with pytest.raises(matching.InputError) as exc:
        matching.match(needs, caps, top)
    assert words in str(exc.value)


# --- generalising features: method→problem expansions, pseudo-relevance feedback, characters ---

MINI = [
    Doc("clean", "激光清洗工艺", "研究脉冲激光清洗的工艺参数与表面质量"),
    Doc("mould", "模具结构设计与制造", "压铸模具和注塑模具的结构设计、模具寿命与表面处理"),
    Doc("paint", "水性涂料配方", "水性环氧涂料配方开发"),
]


def test_expansions_bring_a_method_to_a_symptom(labelled):
    """A need worded as symptoms (not in the labelled set) meets the team naming its method
    through data/expansions.yaml; switched off, a team sharing a plain word wins."""
    _n, caps, _l = labelled
    docs = [Doc(c["id"], c["title"], c["description"], keywords=c["keywords"]) for c in caps]
    need = Doc("q", "手工涂胶不均匀", "电子外壳手工涂胶经常溢胶、断胶，胶量不均")
    w = Weights.load(scenarios=False)  # these documents carry no scenarios
    assert w.expansions > 0  # learned, and the ranker relies on it
    top = Ranker(docs, weights=w).rank(need, 3)
    assert top[0].id == "C086"  # 胶黏剂自动点胶设备
    assert top[0].features["expansions"] > 0
    text = " ".join(top[0].reasons)
    assert "点胶" in text and ("溢胶" in text or "断胶" in text)
    off = Weights(**(w.as_dict() | {"expansions": 0.0}))
    assert Ranker(docs, weights=off).rank(need, 1)[0].id != "C086"


def test_expansions_work_in_the_other_direction_too():
    needs = [
        Doc("n1", "模具表面积碳难清理", "模具锈迹和积碳靠人工打磨清理"),
        Doc("n2", "涂料环保不达标", "油性涂料VOC排放超标"),
    ]
    top = Ranker(needs).rank(MINI[0], 2)
    assert top[0].id == "n1"


def test_expansion_entries_are_well_formed():
    import yaml

    from srdi.innovation.matching.lexicon import EXPANSIONS_PATH

    text = EXPANSIONS_PATH.read_text(encoding="utf-8")
    assert "# source:" in text
    rows = yaml.safe_load(text)["methods"]
    assert len(rows) >= 100
    for row in rows:
        assert row["methods"] and row["problems"], row
        assert not set(row["methods"]) & set(row["problems"]), row
        assert all(len(str(t)) >= 2 for t in row["methods"] + row["problems"]), row


def test_pseudo_relevance_feedback_reaches_a_document_without_query_words():
    docs = [
        Doc("a", "铝合金压铸气孔控制", "真空压铸 凝固模拟 补缩 铝合金 气孔"),
        Doc("b", "挤压铸造工艺", "真空压铸 凝固模拟 补缩 致密度"),
        Doc("c", "羽绒面料", "高密织物 防钻绒 轧光"),
    ]
    w = Weights(words=1.0, prf=0.5, prf_docs=1, prf_terms=5)
    ms = {m.id: m for m in Ranker(docs, weights=w).rank(Doc("q", "铝合金气孔", ""), 3)}
    assert ms["b"].features["prf"] > 0 and ms["b"].features["words"] == 0
    assert "c" not in ms
    no_prf = {
        m.id for m in Ranker(docs, weights=Weights(words=1.0)).rank(Doc("q", "铝合金气孔"), 3)
    }
    assert "b" not in no_prf


def test_characters_meet_a_compound_the_segmenter_cut_differently():
    docs = [Doc("x", "除锈", "表面除锈"), Doc("y", "喷漆", "表面喷漆")]
    q = Doc("q", "锈迹", "锈迹斑斑")
    top = Ranker(docs, weights=Weights(words=1.0, chars=1.0, chars_max_df=1.0)).rank(q, 2)
    assert top[0].id == "x" and top[0].features["chars"] > 0
    # a character found in half the documents is skipped when the limit is a fifth
    assert Ranker(docs, weights=Weights(words=1.0, chars=1.0, chars_max_df=0.2)).rank(q, 2) == []


def test_packed_analyses_come_back_whole(labelled):
    """Analyses cross from the worker processes packed into a few strings: unpacked, they are
    the analyses (and scenario phrases) the analyser made."""
    from srdi.innovation.matching.engine import _pack, _scen_phrases, _unpack, shared_analyzer

    an = shared_analyzer()
    _n, caps, _l = labelled
    for c in caps[:30] + [
        {"title": "OPC UA 网关", "description": "", "keywords": [], "scenarios": []}
    ]:
        a = an.analyze(c["title"], c["description"], c["keywords"])
        phrases = _scen_phrases(an, c["scenarios"])
        back, back_phrases = _unpack(_pack(a, phrases))
        assert back == a and back_phrases == phrases


def _caps_docs(caps):
    return [Doc(c["id"], c["title"], c["description"], keywords=c["keywords"],
                scenarios=c["scenarios"]) for c in caps]  # fmt: skip


def _postings(ix, tid: int) -> dict:
    s, e = ix.indptr[tid], ix.indptr[tid + 1]
    return dict(zip(ix.indices[s:e].tolist(), ix.data[s:e].tolist(), strict=True))


def test_indexes_counted_in_shards_score_as_bm25s_does(labelled):
    """A big set's indexes are put together from term counts made in worker processes; every
    posting must carry bm25s's own score, to the bit."""
    import numpy as np

    from srdi.innovation.matching import engine as E

    _n, caps, _l = labelled
    E._WORKER_ANALYZER = E.shared_analyzer()
    items = [(d, True, True) for d in _caps_docs(caps)]
    names = ["words", "fields", "bigrams", "chars", "concepts", "scenarios"]
    parts = [E._analyze_chunk(items[i : i + 50], names, i) for i in range(0, len(items), 50)]
    analyses = [E._unpack(E._analyze_doc(it)) for it in items]
    for k in names:
        if k == "scenarios":
            tokens = [E._scen_view(p) for _a, p in analyses]
        else:
            tokens = [E._VIEWS[k](a) for a, _p in analyses]
        ref = E._Index(tokens, 1.2, 0.75)
        got = E._Index.from_shards([s[k] for _p, s in parts], len(items), 1.2, 0.75)
        assert set(got.vocab) == set(ref.vocab) - {""}, k
        for term, tid in got.vocab.items():
            assert _postings(got, tid) == _postings(ref, ref.vocab[term]), (k, term)
        assert np.array_equal(
            got.score({"气孔": 1.0, "噪声": 0.5}), ref.score({"气孔": 1.0, "噪声": 0.5})
        )


def test_a_big_set_ranked_in_worker_processes_ranks_as_in_one(labelled):
    from srdi.innovation.matching import engine as E

    needs, caps, _l = labelled
    docs = _caps_docs(caps)
    big = [
        Doc(f"{d.id}-{i}", d.title, d.description, keywords=d.keywords, scenarios=d.scenarios)
        for i in range(13)
        for d in docs
    ]  # fmt: skip  (2,106 documents: the worker path)
    assert len(big) >= E.PARALLEL_FROM
    one, two = Ranker(big, workers=1), Ranker(big, workers=2)
    for n in needs[:12]:
        q = Doc(n["id"], n["title"], n["description"], n.get("field", ""))
        a, b = one.rank(q, 10), two.rank(q, 10)
        assert [(m.id, m.score, m.reasons) for m in a] == [(m.id, m.score, m.reasons) for m in b]


def test_a_dictionary_link_is_a_reason_only_where_its_feature_counts(labelled):
    """The method→problem expansions name a link (溢胶 → 点胶) only when their weight places it."""
    _n, caps, _l = labelled
    docs = [Doc(c["id"], c["title"], c["description"], keywords=c["keywords"]) for c in caps]
    need = Doc("q", "手工涂胶不均匀", "电子外壳手工涂胶经常溢胶、断胶，胶量不均")
    w = Weights.load(scenarios=False)
    on = Ranker(docs, weights=w).rank(need, 5)
    off = Ranker(docs, weights=Weights(**(w.as_dict() | {"expansions": 0.0}))).rank(need, 5)
    assert any("对应方法" in r and "点胶" in r for m in on for r in m.reasons)
    assert not any("点胶" in r and "对应方法" in r for m in off for r in m.reasons)


def test_rjieba_cuts_the_same_words_as_jieba(labelled):
    """Runs of Chinese characters are cut by rjieba (faster); every text must give the words
    jieba alone gives, mixed runs (T恤、X光、GC-MS) and odd characters included."""
    import jieba

    from srdi.innovation.matching import lexicon
    from srdi.innovation.matching.lexicon import Analyzer

    assert lexicon._JIEBA_BLOCK.pattern == jieba.re_han_default.pattern
    fast, plain = Analyzer(), Analyzer()
    assert fast.rj is not None
    plain.rj = None
    needs, caps, _l = labelled
    texts = [n["title"] + "。" + n["description"] for n in needs]
    texts += [c["title"] + "，" + c["description"] + "；".join(c["scenarios"]) for c in caps]
    texts += [
        "T恤印花掉色，X光探伤；GC-MS 检测 VOC，OPC UA 网关，gb/t 16886，PVDF膜 5G基站 ①② α粒子 Ｘ光"
    ]
    for t in texts:
        assert fast.words(t) == plain.words(t), t

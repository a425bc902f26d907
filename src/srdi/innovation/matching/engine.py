"""Rank documents (capabilities, or needs) for a query (a need, or a capability).

Stage 1 — features over every document, each a BM25 index built with ``bm25s`` and scored with
per-term query weights (title words count more, generic words less):

* ``words``      jieba words (with the domain dictionary) of the whole text;
* ``fields``     the same words in the document's title and keywords only (a field match);
* ``concepts``   concepts from the dictionary: synonym groups and symptom→method links, so a need
               worded as a symptom meets the team that names its method;
* ``expansions`` method → problem entries (data/expansions.yaml): a capability naming a method is
               expanded with the problems that method is known to address ("doc2query" kept as
               data), so 溢胶、断胶 meets 自动点胶 with no word in common;
* ``bigrams``    character bigrams (catches words the segmenter cut differently);
* ``chars``      single characters, those in at most ``chars_max_df`` of the documents (锈迹 ↔ 除锈);
* ``prf``        pseudo-relevance feedback (RM3-like): the words weighing most in the best
               ``prf_docs`` first-pass documents, as a second query;
* ``scenarios``  the capability's 应用场景 / 可解决的问题 (``Doc.scenarios``: short phrases in a
               factory's words, written by the team), a BM25 field of their own over words and
               character bigrams; with ``scenario_text`` they are also part of the document's text
               for every other feature;
* ``industry``   the query's industry (given, or inferred) among the document's inferred ones;
* ``feedback``   accepted (+) / rejected (−) matches of similar earlier queries with this document.

Each BM25 feature is divided by its best value for the query (or, with ``absolute``, by the
query's own bound), and the features are combined with weights from ``data/ranker.yaml``
(learned on the labelled set by ``bench/tune_innovation.py``, which also measures them by
cross-validation; two sets: learned with the teams' scenarios, and without them, taken when
most documents carry none). Stage 2 re-ranks the best ``rerank_depth`` documents with the share of the
query's concepts the document covers (a phrase-level agreement the sums miss).
Every match carries its reasons: the shared words, the concept links, the matched scenario
phrase, the fields and the feedback that placed it.

Pure Python + numpy + bm25s + jieba: no Django.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .lexicon import DATA_DIR, Analysis, Analyzer, industries_of, inferred_industries

RANKER_PATH = DATA_DIR / "ranker.yaml"
# from this many documents (or queries) on, the work is split between worker processes; below
# it, starting them is not worth it (an engineering setting of the engine, not a platform rule)
PARALLEL_FROM = 2000
FEATURES = (
    "words",
    "fields",
    "concepts",
    "expansions",
    "bigrams",
    "chars",
    "prf",
    "scenarios",
    "industry",
    "feedback",
    "coverage",
)


@dataclass
class Doc:
    """One side of a match: a need (title, description, field) or a capability."""

    id: str
    title: str
    description: str = ""
    field: str = ""
    keywords: list[str] = dataclasses.field(default_factory=list)
    institution: str = ""
    scenarios: list[str] = dataclasses.field(default_factory=list)  # 应用场景 / 可解决的问题


@dataclass
class Match:
    id: str
    score: float
    reasons: list[str]
    features: dict[str, float]


@dataclass(frozen=True)
class Feedback:
    """A verdict on an earlier match: `query` (its text) with document `doc_id`."""

    query: Doc
    doc_id: str
    accepted: bool


@dataclass
class Weights:
    words: float = 1.0
    fields: float = 0.0
    concepts: float = 0.0
    expansions: float = 0.0
    bigrams: float = 0.0
    chars: float = 0.0
    prf: float = 0.0
    scenarios: float = 0.0  # weight of the scenario field (BM25 over its words and bigrams)
    industry: float = 0.0
    feedback: float = 0.0
    coverage: float = 0.0
    title_boost: float = 0.5
    generic_weight: float = 0.3
    rerank_depth: int = 50
    chars_max_df: float = 0.2  # characters in more than this share of documents are skipped
    absolute: float = 0.0  # 1: a text feature divided by the query's own bound, not the best doc
    prf_docs: int = 3
    prf_terms: int = 10
    k1: float = 1.2
    b: float = 0.75
    scenario_text: float = 0.0  # 1: scenarios also appended to the document's text
    scenario_fill: float = 0.0  # a document without scenarios: this × its words feature stands in

    @classmethod
    def load(cls, path: str | Path | None = None, *, scenarios: bool = True) -> Weights:
        """The weights of data/ranker.yaml: those learned with the capabilities' scenarios, or
        (``scenarios=False``) those learned with every scenario left out, for a set of teams
        that mostly wrote none (the exchange format has no scenarios)."""
        with open(path or RANKER_PATH, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
        w = doc.get("weights") or {}
        if not scenarios and doc.get("weights_without_scenarios"):
            w = doc["weights_without_scenarios"] | {"scenarios": 0.0, "scenario_text": 0.0}
        known = {k: w[k] for k in cls.__dataclass_fields__ if k in w}
        return cls(**known)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class _Index:
    """A BM25 index (bm25s) over one token view of the documents, scored with weighted terms."""

    def __init__(self, token_lists: Sequence[Sequence[str]], k1: float, b: float):
        import logging

        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.n = len(token_lists)
        if not any(token_lists):  # nothing to index (e.g. no document names a known method)
            self.vocab, self.idf, self.df = {}, np.zeros(0), np.zeros(0)
            return
        bm = bm25s.BM25(k1=k1, b=b, method="lucene")
        bm.index([list(t) for t in token_lists], show_progress=False)
        sc = bm.scores
        self.data = np.asarray(sc["data"], dtype=np.float32)
        self.indices = np.asarray(sc["indices"], dtype=np.int64)
        self.indptr = np.asarray(sc["indptr"], dtype=np.int64)
        self.vocab = bm.vocab_dict
        df = np.diff(self.indptr).astype(np.float64)
        self.df = df
        self.idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5))

    @classmethod
    def from_shards(cls, shards: list, n: int, k1: float, b: float) -> _Index:
        """The index bm25s would build (method "lucene", float32 scores), from term counts made
        in worker processes: per shard (vocabulary, term ids, document ids from `offset`, term
        frequencies, document lengths, offset). The arithmetic follows bm25s's step by step, so
        the scores are the same to the bit (tested against bm25s)."""
        self = cls.__new__(cls)
        self.n = n
        vocab: dict[str, int] = {}
        terms, docs, tfs, lens = [], [], [], []
        for words, term, doc, tf, doc_len, offset in shards:
            ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in words), np.int64,
                              len(words))  # fmt: skip
            terms.append(ids[term])
            docs.append(doc + offset)
            tfs.append(tf)
            lens.append(doc_len)
        if not vocab:
            self.vocab, self.idf, self.df = {}, np.zeros(0), np.zeros(0)
            return self
        term = np.concatenate(terms)
        doc = np.concatenate(docs)
        tf = np.concatenate(tfs).astype(np.float64)
        doc_len = np.concatenate(lens).astype(np.int64)
        avg = doc_len.mean()
        df = np.bincount(term, minlength=len(vocab))
        idf32 = np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df.tolist()],
                         dtype=np.float32)  # fmt: skip
        tfc = tf / (k1 * ((1 - b) + b * doc_len[doc].astype(np.float64) / avg) + tf)
        scores = (idf32[term].astype(np.float64) * tfc).astype(np.float32)
        order = np.lexsort((doc, term))
        self.data = scores[order]
        self.indices = doc[order].astype(np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self.vocab = vocab
        self.df = df.astype(np.float64)
        self.idf = np.log(1 + (self.n - self.df + 0.5) / (self.df + 0.5))
        return self

    def df_share(self, term: str) -> float:
        tid = self.vocab.get(term)
        return 0.0 if tid is None else float(self.df[tid]) / max(self.n, 1)

    def term_idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        if tid is None:
            return 0.0
        idf = self.__dict__.get("_idf_list")
        if idf is None:  # Python floats: the same values, read faster than numpy's one by one
            idf = self._idf_list = self.idf.tolist()
        return idf[tid]

    def score(self, weighted_terms: dict[str, float]) -> np.ndarray:
        parts_i, parts_d = [], []
        for term, w in weighted_terms.items():
            tid = self.vocab.get(term)
            if tid is None or w == 0:
                continue
            s, e = self.indptr[tid], self.indptr[tid + 1]
            if s == e:
                continue
            parts_i.append(self.indices[s:e])
            parts_d.append(self.data[s:e] * w)
        if not parts_i:
            return np.zeros(self.n, dtype=np.float64)
        return np.bincount(
            np.concatenate(parts_i), weights=np.concatenate(parts_d), minlength=self.n
        )


def _norm(v: np.ndarray) -> np.ndarray:
    m = float(v.max()) if v.size else 0.0
    return v / m if m > 0 else v


class Ranker:
    """An index of documents that ranks them for queries (either direction of the matching)."""

    def __init__(
        self,
        docs: Sequence[Doc],
        *,
        weights: Weights | None = None,
        analyzer: Analyzer | None = None,
        feedback: Iterable[Feedback] = (),
        workers: int = 1,
    ):
        self.docs = list(docs)
        # most teams wrote scenarios: the weights learned with them; else those learned without
        with_scenarios = sum(1 for d in self.docs if d.scenarios) * 2 >= len(self.docs) > 0
        self.w = weights or Weights.load(scenarios=with_scenarios)
        self.an = analyzer or shared_analyzer()
        self.pos = {d.id: i for i, d in enumerate(self.docs)}
        with_text = bool(self.w.scenario_text)
        with_field = bool(self.w.scenarios) and any(d.scenarios for d in self.docs)
        k1, b = self.w.k1, self.w.b
        names = [k for k in _VIEWS if k == "words" or getattr(self.w, k)]
        names += ["scenarios"] if with_field else []
        items = [(d, with_text, with_field) for d in self.docs]
        par = workers if len(self.docs) >= PARALLEL_FROM else 1
        if par > 1:
            # big sets: the worker processes cut the texts and count their terms; the indexes
            # are put together here from the counts (_Index.from_shards, the same scores as
            # bm25s's), so no token crosses between processes one by one
            packed, shards = _analyze_sharded(self.an, items, names, par)
            self.ix = {k: _Index.from_shards(shards[k], len(self.docs), k1, b) for k in names}
        else:
            packed = _parallel(self.an, _analyze_doc, items, 1)
        # a document's analysis is unpacked when a match needs it (reasons, feedback terms)
        self.analyses = _Lazy(lambda i: _unpack_analysis(packed[i]), keep=par <= 1)
        # per doc: [(phrase, words, bigrams)], split anew at each use (a match's reasons): kept,
        # they were most of the objects the garbage collector walked after a batch
        self.scen_phrases = _Lazy(lambda i: _unpack_phrases(packed[i]), keep=False)
        self._concept_sets = _Lazy(lambda i: frozenset(packed[i][4]))
        if with_field:
            self.no_scenarios = np.fromiter((not p[8] for p in packed), bool, len(packed))
        if par <= 1:
            a = [self.analyses[i] for i in range(len(packed))]
            views = {k: [_VIEWS[k](x) for x in a] for k in names if k != "scenarios"}
            if with_field:
                views["scenarios"] = [_scen_view(self.scen_phrases[i]) for i in range(len(a))]
            self.ix = {k: _Index(v, k1, b) for k, v in views.items()}
        self._doc_terms: dict[int, dict[str, float]] = {}  # for pseudo-relevance feedback
        fields = [d.field for d in self.docs]  # (not self: no reference cycle through the lambda)
        self.doc_industries = _Lazy(
            lambda i: industries_of(packed[i][6]) | ({fields[i]} if fields[i] else set())
        )
        members: dict[str, list[int]] = {}
        for i in range(len(packed)):
            for ind in self.doc_industries.compute(i):
                members.setdefault(ind, []).append(i)
        self.industry_docs: dict[str, np.ndarray] = {}
        for ind, positions in members.items():
            mask = np.zeros(len(self.docs), dtype=np.float64)
            mask[positions] = 1.0
            self.industry_docs[ind] = mask
        self._set_feedback(list(feedback))
        if par > 1:
            # a big index lives long and is read by forked workers: its objects are left out of
            # the garbage collector's walks (a full walk over them paused single queries for
            # 0.2–0.5 s, and in the workers copied the parent's memory page by page); reference
            # counting still frees them when the ranker goes
            gc.collect(0)  # only the youngest: a full collection over the new index cost more
            gc.freeze()

    # feedback ------------------------------------------------------------------------------
    def _set_feedback(self, feedback: list[Feedback]) -> None:
        fb = [f for f in feedback if f.doc_id in self.pos]
        self.fb = fb
        self.fb_ix = None
        if not fb:
            return
        qa = [self.an.analyze(f.query.title, f.query.description, f.query.keywords) for f in fb]
        self.fb_ix = [frozenset(x.words) | frozenset(x.concepts) for x in qa]
        self.fb_doc = np.array([self.pos[f.doc_id] for f in fb], dtype=np.int64)
        self.fb_sign = np.array([1.0 if f.accepted else -1.0 for f in fb])

    def _feedback_scores(self, a: Analysis) -> np.ndarray:
        """Per document: Σ similarity(query, earlier query) × (+1 accepted / −1 rejected), where
        similarity is the overlap (Jaccard) of words and concepts; below 0.2 an earlier query
        says nothing, from 0.5 it counts fully."""
        out = np.zeros(len(self.docs))
        mine = frozenset(a.words) | frozenset(a.concepts)
        if not mine:
            return out
        sim = np.fromiter(
            (len(mine & other) / len(mine | other) for other in self.fb_ix), float, len(self.fb_ix)
        )
        sim = np.where(sim < 0.2, 0.0, np.minimum(1.0, sim / 0.5))
        np.add.at(out, self.fb_doc, sim * self.fb_sign)
        return np.clip(out, -1.0, 1.0)

    # query -------------------------------------------------------------------------------
    def _query_terms(self, a: Analysis) -> tuple[dict, dict, dict]:
        title = set(a.title_words)
        generic = self.an.lex.generic
        qw: dict[str, float] = {}
        for t in a.words:
            if t in qw:
                continue
            w = 1.0 + (self.w.title_boost if t in title else 0.0)
            if t in generic:
                w *= self.w.generic_weight
            qw[t] = w
        qc = {k: 1.0 + (self.w.title_boost if a.surfaces[k] & title else 0.0) for k in a.concepts}
        qb = {g: 1.0 for g in a.bigrams}
        return qw, qc, qb

    def _char_terms(self, chars: Sequence[str]) -> dict[str, float]:
        """The query's characters, without those common to many documents (they say little and
        their long postings cost most of the time)."""
        ix = self.ix.get("chars")
        if ix is None:
            return {}
        out = {}
        for ch in chars:
            if ch not in out and ix.df_share(ch) <= self.w.chars_max_df:
                out[ch] = 1.0
        return out

    def _scaled(self, k: str, terms: dict) -> np.ndarray:
        """One BM25 feature on a 0..1 scale: divided by the best document's score, or (with
        ``absolute``) by the query's bound Σ weight × idf, so a document matching one word
        of ten stays low even when nothing matches better."""
        ix = self.ix[k]
        v = ix.score(terms)
        if not self.w.absolute:
            return _norm(v)
        bound = sum(w * ix.term_idf(t) for t, w in terms.items())
        return v / bound if bound > 0 else v

    def _prf_terms(self, first: np.ndarray, qw: dict) -> dict[str, float]:
        """RM3-like expansion: the words that weigh most in the best first-pass documents
        (each document's term shares × its normalised score), minus the query's own words."""
        k = min(self.w.prf_docs, len(self.docs))
        if k <= 0 or not first.any():
            return {}
        top = np.argpartition(-first, k - 1)[:k]
        ix = self.ix["words"]
        acc: dict[str, float] = {}
        for di in top:
            s = float(first[di])
            if s <= 0:
                continue
            di = int(di)
            if di not in self._doc_terms:
                generic = self.an.lex.generic
                self._doc_terms[di] = _term_freqs(self.analyses[di].words, generic)
            for t, share in self._doc_terms[di].items():
                if t not in qw:
                    acc[t] = acc.get(t, 0.0) + s * share * ix.term_idf(t)
        best = sorted(acc.items(), key=lambda kv: (-kv[1], kv[0]))[: self.w.prf_terms]
        m = best[0][1] if best else 0.0
        return {t: v / m for t, v in best} if m > 0 else {}

    def features(self, q: Doc) -> tuple[dict[str, np.ndarray], Analysis]:
        a = self.an.analyze(q.title, _body(q, True), q.keywords)
        qw, qc, qb = self._query_terms(a)
        qe = {k: 1.0 + (self.w.title_boost if a.surfaces[k] & set(a.title_words) else 0.0)
              for k in a.expansions}  # fmt: skip
        qch = self._char_terms(a.chars)
        terms = {"words": qw, "fields": qw, "concepts": qc, "expansions": qe, "bigrams": qb,
                 "chars": qch}  # fmt: skip
        f = {k: self._scaled(k, t) for k, t in terms.items() if getattr(self.w, k)}
        if "scenarios" in self.ix:
            st = dict(qw)
            for g in qb:
                st[_BIGRAM + g] = st.get(_BIGRAM + g, 0.0) + 1.0
            f["scenarios"] = self._scaled("scenarios", st)
            if self.w.scenario_fill and self.no_scenarios.any():
                # a team that wrote no scenarios is not buried under those that did: its text
                # match stands in (scenario_fill chosen with half the teams' scenarios removed)
                words = f["words"] if "words" in f else self._scaled("words", qw)
                f["scenarios"] = np.where(
                    self.no_scenarios, self.w.scenario_fill * words, f["scenarios"]
                )
        if self.w.prf:
            first = sum(getattr(self.w, k) * v for k, v in f.items() if k != "scenarios")
            f["prf"] = _norm(self.ix["words"].score(self._prf_terms(_norm(first), qw)))
        inds = {q.field} if q.field else inferred_industries(a)
        ind = None
        for i in inds:
            if i in self.industry_docs:
                ind = (
                    self.industry_docs[i] if ind is None else np.maximum(ind, self.industry_docs[i])
                )
        if ind is not None and self.w.industry:
            f["industry"] = ind
        if self.fb_ix is not None and self.w.feedback:
            f["feedback"] = self._feedback_scores(a)
        return f, a

    def rank(self, q: Doc, top: int = 5, *, explain: bool = True) -> list[Match]:
        if not self.docs:
            return []
        f, a = self.features(q)
        w = self.w
        total = np.zeros(len(self.docs))
        for k, v in f.items():
            total += getattr(w, k) * v
        depth = min(len(self.docs), max(top, w.rerank_depth))
        cand = np.argpartition(-total, depth - 1)[:depth] if depth < len(self.docs) else (
            np.arange(len(self.docs)))  # fmt: skip
        cov = np.zeros(len(cand))
        if w.coverage and a.concepts:
            qset = frozenset(a.concepts)
            sets = self._concept_sets
            cov = np.fromiter((len(qset & sets[di]) for di in cand), float, len(cand)) / len(qset)
        final = total[cand] + w.coverage * cov
        order = np.lexsort((cand, -final))[:top]
        out = []
        for j in order:
            di = int(cand[j])
            if final[j] <= 0:
                break
            feats = {k: float(f[k][di]) if k in f else 0.0 for k in FEATURES[:-1]}
            feats["coverage"] = float(cov[j])
            reasons = self.reasons(a, q, di, feats) if explain else []
            out.append(Match(self.docs[di].id, round(float(final[j]), 4), reasons, feats))
        return out

    # reasons -----------------------------------------------------------------------------
    def reasons(self, a: Analysis, q: Doc, di: int, feats: dict) -> list[str]:
        da = self.analyses[di]
        out: list[str] = []
        lex = self.an.lex
        qwords = _word_set(a)
        shared = _longest((qwords & _word_set(da)) - lex.generic)
        if shared:
            ix = self.ix["words"]
            top = sorted(shared, key=lambda t: (-ix.term_idf(t), t))[:6]
            out.append("共同关键词：" + "、".join(map(_show, top)))
        in_fields = (
            _longest((qwords & set(da.title_words)) - lex.generic)
            if feats.get("fields", 0) > 0
            else set()
        )
        if in_fields:
            out.append(
                "命中对方标题或关键词：" + "、".join(_show(t) for t in sorted(in_fields)[:4])
            )
        # a link is a reason only where its feature counts in the score: the dictionary's
        # concepts (directly or through the coverage re-ranking), the method→problem expansions
        shared_keys = set()
        if self.w.concepts or self.w.coverage:
            shared_keys |= set(a.concepts) & set(da.concepts)
        if self.w.expansions:
            shared_keys |= set(a.expansions) & set(da.expansions)
        links = 0
        for key in sorted(shared_keys):
            c = lex.concept_by_key[key]
            mine, theirs = a.surfaces[key], da.surfaces[key] - a.surfaces[key]
            if not theirs or links >= 3:
                continue  # already a shared word, or enough links said
            links += 1
            if c.kind == "solves":
                out.append(
                    f"问题“{'、'.join(_show(t) for t in sorted(mine)[:3])}”对应方法"
                    f"“{'、'.join(_show(t) for t in sorted(theirs)[:3])}”（{c.name}）"
                )
            else:
                out.append(
                    f"同义：{'、'.join(_show(t) for t in sorted(mine)[:2])} ≈ "
                    f"{'、'.join(_show(t) for t in sorted(theirs)[:2])}"
                )
        if feats.get("scenarios", 0) > 0 or (self.w.scenario_text and self.docs[di].scenarios):
            phrases = self._matched_scenarios(a, di)
            if phrases:
                out.append("应用场景" + "、".join(f"“{p}”" for p in phrases))
        if feats.get("industry"):
            inds = ({q.field} if q.field else set()) | inferred_industries(a)
            common = sorted(inds & self.doc_industries[di])
            if common:
                out.append("行业一致：" + "、".join(common))
        if feats.get("feedback", 0) > 0:
            out.append("相似需求的对接曾被接受")
        elif feats.get("feedback", 0) < 0:
            out.append("相似需求的对接曾被拒绝（已降低排序）")
        if not out:
            out.append("文本相近")
        return out

    def _matched_scenarios(self, a: Analysis, di: int, most: int = 2) -> list[str]:
        """The document's scenario phrases that share most with the query: shared words (by
        idf, generic words left out) and shared character bigrams."""
        phrases = self.scen_phrases[di]
        if not phrases:
            d = self.docs[di]
            if not d.scenarios:
                return []
            phrases = _scen_phrases(self.an, d.scenarios)
            self.scen_phrases.set(di, phrases)
        qwords = _word_set(a) - self.an.lex.generic
        qgrams = _gram_set(a)
        ix = self.ix["words"]
        scored = []
        for i, (phrase, words, grams) in enumerate(phrases):
            shared_w = qwords.intersection(words)
            shared_g = qgrams.intersection(grams)
            if not shared_w and len(shared_g) < 2:
                continue  # one common bigram (生产、质量) says nothing
            s = sum(max(ix.term_idf(t), 0.5) for t in shared_w) + 0.5 * len(shared_g)
            scored.append((-s, i, phrase))
        return [p for _s, _i, p in sorted(scored)[:most]]

    def rank_many(
        self, queries: Sequence[Doc], top: int = 5, *, workers: int = 1, explain: bool = True
    ) -> list[list[Match]]:
        """`rank` for many queries; with ``workers`` > 1 (and a long list) in forked processes."""
        global _RANKER, _TOP, _EXPLAIN
        if workers <= 1 or len(queries) < PARALLEL_FROM:
            return [self.rank(q, top, explain=explain) for q in queries]
        _RANKER, _TOP, _EXPLAIN = self, top, explain
        try:
            return _parallel(None, _rank_one, list(queries), workers)
        finally:
            _RANKER = None


_VIEWS = {
    "words": lambda x: x.words,
    "fields": lambda x: x.title_words,
    "concepts": lambda x: list(x.concepts.elements()),
    "expansions": lambda x: list(x.expansions.elements()),
    "bigrams": lambda x: x.bigrams,
    "chars": lambda x: x.chars,
}
_RANKER: Ranker | None = None
_TOP = 5
_EXPLAIN = True
_WORKER_ANALYZER: Analyzer | None = None
_SHARED: Analyzer | None = None


def shared_analyzer() -> Analyzer:
    """One analyser per process (loading jieba's dictionary takes about a second)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Analyzer()
    return _SHARED


_BIGRAM = "§"  # bigram tokens of the scenario field, apart from its words


def _body(d: Doc, with_scenarios: bool) -> str:
    if not (with_scenarios and d.scenarios):
        return d.description
    return d.description + "\n" + "；".join(d.scenarios)


def _scen_phrases(an: Analyzer, scenarios: Sequence[str]) -> list[tuple[str, list, list]]:
    out = []
    for s in scenarios:
        s = s.strip()
        if s:
            out.append((s, an.words(s), an.bigrams(s)))
    return out


def _scen_view(phrases: list[tuple[str, list, list]]) -> list[str]:
    toks: list[str] = []
    for _p, words, grams in phrases:
        toks.extend(words)
        toks.extend(_BIGRAM + g for g in grams)
    return toks


def _analyze(item: tuple[Doc, bool, bool]) -> tuple[Analysis, list]:
    """One document's analysis and (if the scenario field is on) its scenario phrases."""
    d, with_text, with_field = item
    an = _WORKER_ANALYZER
    phrases = _scen_phrases(an, d.scenarios) if (with_text or with_field) and d.scenarios else []
    # the scenarios in the text: their words, cut once for both uses (jieba cuts at the "；"
    # that would join them, so this is the text "description；phrase；phrase" cut whole)
    pieces = [(p, words) for p, words, _g in phrases] if with_text else ()
    a = an.analyze(d.title, d.description, d.keywords, pieces)
    return a, (phrases if with_field else [])


def _analyze_doc(item: tuple[Doc, bool, bool]) -> tuple:
    """One document's analysis and scenario phrases, packed (`_pack`)."""
    return _pack(*_analyze(item))


def _analyze_chunk(items: list, names: list[str], offset: int) -> tuple[list, dict]:
    """In a worker: a run of documents analysed (packed without their bigrams and characters,
    which only the indexes need) and, per index, the counts of its terms (see from_shards)."""
    packed = []
    counts = {k: ({}, [], [], [], []) for k in names}
    for j, item in enumerate(items):
        a, phrases = _analyze(item)
        packed.append(_pack(a, phrases, light=True))
        for k in names:
            tokens = _scen_view(phrases) if k == "scenarios" else _VIEWS[k](a)
            vocab, term, doc, tf, lens = counts[k]
            lens.append(len(tokens))
            c = Counter(tokens)
            term.extend([vocab.setdefault(t, len(vocab)) for t in c])
            doc.extend([j] * len(c))
            tf.extend(c.values())
    shards = {
        k: (list(vocab), np.array(term, np.int64), np.array(doc, np.int64),
            np.array(tf, np.float32), np.array(lens, np.int64), offset)
        for k, (vocab, term, doc, tf, lens) in counts.items()
    }  # fmt: skip
    return packed, shards


def _analyze_sharded(analyzer, items: list, names: list[str], workers: int) -> tuple[list, dict]:
    """`_analyze_chunk` over runs of the documents in `workers` forked processes: the packed
    analyses in order, and per index the list of its shards."""
    global _WORKER_ANALYZER
    _WORKER_ANALYZER = analyzer
    import multiprocessing as mp

    size = -(-len(items) // (workers * 12))
    starts = range(0, len(items), size)
    with mp.get_context("fork").Pool(workers) as pool:
        parts = pool.starmap(_analyze_chunk, [(items[i : i + size], names, i) for i in starts])
    packed = [x for p, _s in parts for x in p]
    return packed, {k: [s[k] for _p, s in parts] for k in names}


_SEP = "\x00"  # never in a token: words, bigrams and characters come from letters and digits only


def _join(tokens: Sequence[str]) -> str:
    return _SEP.join(tokens)


def _split(packed: str) -> list[str]:
    return packed.split(_SEP) if packed else []


def _pack(a: Analysis, phrases: list, light: bool = False) -> tuple:
    """An analysis as a few strings instead of thousands of small ones: the analyses of 20,000
    documents come back from the worker processes pickled, and pickling each token separately
    cost more (14 s) than cutting the texts (6 s). ``light``: without the bigrams and characters
    (a document's are only indexed, and the index is counted in the worker)."""
    return (
        _join(a.words),
        _join(a.title_words),
        "" if light else _join(a.bigrams),
        "" if light else "".join(a.chars),
        dict(a.concepts),
        {k: tuple(v) for k, v in a.surfaces.items()},
        dict(a.industries),
        dict(a.expansions),
        tuple((p, _join(words), _join(grams)) for p, words, grams in phrases),
    )


class _Lazy:
    """Per document, a value computed on first use (kept unless ``keep`` is false). A batch of
    queries reads a few thousand of 20,000 documents: unpacking every analysis up front took
    2 s, and keeping per-document sets and lists for all made each full garbage collection walk
    hundreds of thousands of objects (0.2–0.5 s pauses in single queries)."""

    def __init__(self, fn, keep: bool = True):
        self.compute, self.keep, self.done = fn, keep, {}

    def __getitem__(self, i: int):
        v = self.done.get(i)
        if v is None:
            v = self.compute(i)
            if self.keep:
                self.done[i] = v
        return v

    def set(self, i: int, value) -> None:
        self.done[i] = value


def _unpack_phrases(t: tuple) -> list:
    return [(p, _split(w), _split(g)) for p, w, g in t[8]]


def _unpack(t: tuple) -> tuple[Analysis, list]:
    """A packed analysis and its scenario phrases, as `_pack` received them."""
    return _unpack_analysis(t), _unpack_phrases(t)


def _unpack_analysis(t: tuple) -> Analysis:
    words, title_words, bigrams, chars, concepts, surfaces, industries, expansions, _phrases = t
    return Analysis(
        words=_split(words),
        title_words=_split(title_words),
        concepts=Counter(concepts),
        surfaces={k: set(v) for k, v in surfaces.items()},
        bigrams=_split(bigrams),
        industries=Counter(industries),
        expansions=Counter(expansions),
        chars=list(chars),
    )


def _rank_one(q: Doc) -> list[Match]:
    return _RANKER.rank(q, _TOP, explain=_EXPLAIN)


def _chunk(fn, items):
    return [fn(x) for x in items]


def _parallel(analyzer, fn, items: list, workers: int) -> list:
    """`fn` over `items`, split between `workers` forked processes (inherit the index)."""
    global _WORKER_ANALYZER
    _WORKER_ANALYZER = analyzer
    if workers <= 1:
        return [fn(x) for x in items]
    import multiprocessing as mp

    size = -(-len(items) // (workers * 12))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with mp.get_context("fork").Pool(workers) as pool:
        parts = pool.starmap(_chunk, [(fn, c) for c in chunks])
    return [x for p in parts for x in p]


def _term_freqs(words: Sequence[str], generic: frozenset) -> dict[str, float]:
    """Each non-generic word's share of the document's words."""
    counts: dict[str, int] = {}
    for t in words:
        if t not in generic:
            counts[t] = counts.get(t, 0) + 1
    n = sum(counts.values()) or 1
    return {t: c / n for t, c in counts.items()}


def _word_set(a: Analysis) -> frozenset:
    """The analysis' words as a set, computed once (reasons ask for it per match)."""
    ws = a.__dict__.get("_word_set")
    if ws is None:
        ws = a.__dict__["_word_set"] = frozenset(a.words)
    return ws


def _gram_set(a: Analysis) -> frozenset:
    """The analysis' bigrams as a set, computed once."""
    gs = a.__dict__.get("_gram_set")
    if gs is None:
        gs = a.__dict__["_gram_set"] = frozenset(a.bigrams)
    return gs


def _longest(terms: set[str]) -> set[str]:
    """Leave out words contained in a longer one (合金 beside 铝合金)."""
    return {t for t in terms if not any(t != o and t in o for o in terms)}


@functools.lru_cache(maxsize=65536)
def _show(term: str) -> str:
    return "".join(ch.upper() if ch.isascii() else ch for ch in term)

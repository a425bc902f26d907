"""The domain dictionary (data/lexicon.yaml, with the method → problem expansions of
data/expansions.yaml) and the analyser that turns Chinese text into words (jieba with the
dictionary), concepts (synonym groups and symptom→method links), expansion hits, character
bigrams and single characters. Pure Python: no Django.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.yaml"
EXPANSIONS_PATH = DATA_DIR / "expansions.yaml"

_ASCII = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+/\-]*$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPLIT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
# jieba's own blocks (jieba.re_han_default) and its Chinese characters
_JIEBA_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_JIEBA_HAN_ONLY = re.compile("[\u4e00-\u9fd5]+")


def _rust_jieba():
    """rjieba's segmenter with its own copy of jieba's dictionary, or None (jieba alone)."""
    try:
        import rjieba
    except ImportError:  # pragma: no cover - rjieba is in requirements.lock
        return None
    return rjieba.Jieba()


@dataclass(frozen=True)
class Concept:
    """One concept: a synonym group (kind "same") or a symptom → method link (kind "solves")."""

    key: str  # the token used in the concept index
    kind: str  # "same" | "solves"
    name: str  # shown in reasons
    problem_terms: frozenset  # symptom wording ("solves") or every synonym ("same")
    method_terms: frozenset  # method wording ("solves") or every synonym ("same")


@dataclass
class Lexicon:
    industries: dict[str, list[str]]
    concepts: list[Concept]
    generic: frozenset
    stopwords: frozenset
    term_concepts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    term_industries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concept_by_key: dict[str, Concept] = field(default_factory=dict)
    expansions: list[Concept] = field(default_factory=list)
    term_expansions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, doc: dict, expansions: dict | None = None) -> Lexicon:
        concepts: list[Concept] = []
        for i, group in enumerate(doc.get("synonyms") or []):
            terms = frozenset(str(t) for t in group)
            concepts.append(Concept(f"≡{i}", "same", str(group[0]), terms, terms))
        for i, row in enumerate(doc.get("symptoms") or []):
            concepts.append(
                Concept(
                    f"⇒{i}",
                    "solves",
                    str(row["name"]),
                    frozenset(str(t) for t in row.get("symptoms") or []),
                    frozenset(str(t) for t in row.get("methods") or []),
                )
            )
        lex = cls(
            industries={
                str(k): [str(t) for t in v] for k, v in (doc.get("industries") or {}).items()
            },
            concepts=concepts,
            generic=frozenset(str(t).lower() for t in doc.get("generic") or []),
            stopwords=frozenset(str(t).lower() for t in doc.get("stopwords") or []),
        )
        tc: dict[str, list[str]] = {}
        for c in concepts:
            for t in c.problem_terms | c.method_terms:
                tc.setdefault(t.lower(), []).append(c.key)
        lex.term_concepts = {k: tuple(v) for k, v in tc.items()}
        ti: dict[str, list[str]] = {}
        for ind, terms in lex.industries.items():
            for t in terms:
                ti.setdefault(t.lower(), []).append(ind)
        lex.term_industries = {k: tuple(v) for k, v in ti.items()}
        ex: list[Concept] = []
        for i, row in enumerate((expansions or {}).get("methods") or []):
            ex.append(
                Concept(
                    f"⇝{i}",
                    "solves",
                    str(row["methods"][0]),
                    frozenset(str(t) for t in row.get("problems") or []),
                    frozenset(str(t) for t in row.get("methods") or []),
                )
            )
        lex.expansions = ex
        te: dict[str, list[str]] = {}
        for c in ex:
            for t in c.problem_terms | c.method_terms:
                te.setdefault(t.lower(), []).append(c.key)
        lex.term_expansions = {k: tuple(v) for k, v in te.items()}
        lex.concept_by_key = {c.key: c for c in concepts + ex}
        return lex

    def all_terms(self) -> set[str]:
        out = set()
        for terms in self.industries.values():
            out.update(terms)
        for c in self.concepts + self.expansions:
            out.update(c.problem_terms)
            out.update(c.method_terms)
        return out


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None, expansions: str | None = None) -> Lexicon:
    """The dictionary, with the method → problems expansions (data/expansions.yaml) beside it."""
    with open(path or LEXICON_PATH, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    ex_path = Path(expansions or EXPANSIONS_PATH)
    ex = None
    if ex_path.exists():
        with open(ex_path, encoding="utf-8") as fh:
            ex = yaml.safe_load(fh)
    return Lexicon.from_dict(doc, ex)


@dataclass
class Analysis:
    """What the analyser found in one text."""

    words: list[str]  # jieba words (search mode), lower-case, stopwords removed
    title_words: list[str]  # the words of the title (and keywords)
    concepts: Counter  # concept key → count
    surfaces: dict[str, set[str]]  # concept key → the terms that produced it here
    bigrams: list[str]  # character bigrams of the Chinese runs
    industries: Counter  # industry → number of its terms found
    expansions: Counter = field(default_factory=Counter)  # method→problems entries hit
    chars: list[str] = field(default_factory=list)  # single Chinese characters (no stop chars)


class Analyzer:
    """jieba with the domain dictionary, one private tokenizer (the global one is left alone)."""

    _lock = threading.Lock()

    def __init__(self, lexicon: Lexicon | None = None):
        import jieba

        self.lex = lexicon or load_lexicon()
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.setLogLevel(logging.WARNING)
        self.tk = jieba.Tokenizer()
        with self._lock:
            self.tk.initialize()
        self.rj = _rust_jieba()
        for term in sorted(self.lex.all_terms()):
            # a high frequency makes the segmenter keep the term whole
            self.tk.add_word(term, freq=200000)
            if self.rj is not None:
                self.rj.add_word(term, 200000, None)
        self._terms_with_space = [t for t in self.lex.all_terms() if " " in t]
        self._cache: dict[str, list[str]] = {}

    # words ---------------------------------------------------------------------------------
    def words(self, text: str) -> list[str]:
        text = text or ""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        out = []
        stop = self.lex.stopwords
        for tok in self._cut(text):
            t = tok.strip().lower()
            if not t or t in stop:
                continue
            if _HAN.search(t):
                if len(t) < 2:
                    continue
            elif not _ASCII.match(t) or len(t) < 2:
                continue
            out.append(t)
        for term in self._terms_with_space:  # "gb/t 16886", "opc ua": jieba splits on spaces
            if term.lower() in text.lower():
                out.append(term.lower())
        if len(self._cache) < 200000:
            self._cache[text] = out
        return out

    def _cut(self, text: str) -> Iterable[str]:
        """jieba's search-mode cut (no HMM). Runs of Chinese characters alone go to rjieba (the
        same algorithm and dictionary in Rust, about 7× faster; the same words, tested); runs
        with letters or digits go to jieba itself, whose handling of them rjieba does not
        share (it splits GC-MS further). What lies between runs (punctuation, spaces) makes no
        word the filter keeps, so it is skipped."""
        if self.rj is None:
            yield from self.tk.cut_for_search(text, HMM=False)
            return
        for block in _JIEBA_BLOCK.split(text):
            if not block:
                continue
            if _JIEBA_HAN_ONLY.fullmatch(block):
                yield from self.rj.cut_for_search(block, False)
            elif _JIEBA_BLOCK.fullmatch(block):
                yield from self.tk.cut_for_search(block, HMM=False)

    @staticmethod
    def bigrams(text: str) -> list[str]:
        out = []
        for run in _SPLIT.split(text or ""):
            if not run:
                continue
            if _HAN.search(run):
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
            elif len(run) >= 2:
                out.append(run.lower())
        return out

    def analyze(
        self,
        title: str,
        body: str = "",
        keywords: list[str] | None = None,
        pieces: Sequence[tuple[str, list[str]]] = (),
    ) -> Analysis:
        """The analysis of a title, body and keywords; `pieces` are more of the body already cut
        into words ((text, words) pairs, e.g. a capability's scenario phrases): the same as
        appending them to the body (jieba cuts at punctuation), without cutting them twice."""
        kw_text = " ".join(keywords or [])
        tw = self.words(title) + (self.words(kw_text) if kw_text else [])
        bw = self.words(body)
        for _text, piece_words in pieces:
            bw = bw + piece_words
        if pieces:
            body = "\n".join([body] + [text for text, _w in pieces])
        words = tw + bw
        concepts: Counter = Counter()
        surfaces: dict[str, set[str]] = {}
        industries: Counter = Counter()
        expansions: Counter = Counter()
        tc, ti, te = self.lex.term_concepts, self.lex.term_industries, self.lex.term_expansions
        for w in set(words):
            for key in tc.get(w, ()):
                concepts[key] += 1
                surfaces.setdefault(key, set()).add(w)
            for ind in ti.get(w, ()):
                industries[ind] += 1
            for key in te.get(w, ()):
                expansions[key] += 1
                surfaces.setdefault(key, set()).add(w)
        text = f"{title} {kw_text} {body}"
        return Analysis(
            words=words,
            title_words=tw,
            concepts=concepts,
            surfaces=surfaces,
            bigrams=self.bigrams(text),
            industries=industries,
            expansions=expansions,
            chars=[ch for ch in _HAN.findall(text) if ch not in self.lex.stopwords],
        )


def inferred_industries(a: Analysis) -> set[str]:
    """The industries a text belongs to: those with at least half the hits of the best one."""
    return industries_of(a.industries)


def industries_of(hits: Counter) -> set[str]:
    """`inferred_industries` from the industry hits alone."""
    if not hits:
        return set()
    top = max(hits.values())
    return {k for k, v in hits.items() if v * 2 >= top}

"""Where on the chains does an enterprise belong? Suggestions with their reasons.

Two signals, both data: the node's GB/T 4754 industry code prefixes (``industry_codes``) against
the enterprise's 国民经济行业代码, and the node's keywords and products against the
enterprise's product text (主导产品, segmented with jieba; synonyms from data/synonyms.yaml).
An officer confirms or corrects each suggestion (services.decide_placement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache


def weights() -> dict:
    """The weights and threshold (data/suggest.yaml)."""
    from .reference import data

    return data("suggest")


@dataclass
class Suggestion:
    node_id: int
    score: float
    reasons: list[str] = field(default_factory=list)


@cache
def _synonyms() -> dict[str, str]:
    from .reference import data

    out: dict[str, str] = {}
    for group in data("synonyms")["groups"]:
        head = str(group[0])
        for w in group:
            out[str(w).lower()] = head
    return out


def normalise(word: str) -> str:
    return _synonyms().get(word.lower(), word.lower())


@cache
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    for w in _synonyms():
        jieba.add_word(w)
    return jieba


def terms(text: str) -> set[str]:
    """Normalised terms of a product text (jieba words, each mapped to its synonym head)."""
    if not text:
        return set()
    jb = _jieba()
    return {normalise(w) for w in jb.lcut(text) if len(w.strip()) > 1}


def code_match(industry_code: str, prefixes) -> str:
    """The longest of `prefixes` that `industry_code` starts with ("" if none)."""
    best = ""
    code = (industry_code or "").upper()
    for p in prefixes or ():
        p = str(p).upper()
        if code.startswith(p) and len(p) > len(best):
            best = p
    return best


def score_node(industry_code: str, text: str, node, text_terms: set[str] | None = None):
    w = weights()
    reasons = []
    score = 0.0
    prefix = code_match(industry_code, node.industry_codes)
    if prefix:
        score += w["code_base"] + w["code_per_digit"] * (len(prefix) - 1)
        reasons.append(f"行业代码 {industry_code} 属于该环节对应行业（{prefix}）")
    tt = terms(text) if text_terms is None else text_terms
    hits = []
    low = (text or "").lower()
    for kw in list(node.keywords or []) + list(node.products or []):
        k = str(kw)
        if k.lower() in low or normalise(k) in tt:
            hits.append(k)
    if hits:
        score += w["keyword"] * min(len(set(hits)), w["keyword_max"])
        reasons.append("主导产品含“" + "、".join(sorted(set(hits))[:4]) + "”")
    return score, reasons


def suggest(enterprise, nodes, threshold: float | None = None, top: int | None = None):
    """The nodes `enterprise` most likely belongs to, best first, each with its reasons."""
    w = weights()
    threshold = w["threshold"] if threshold is None else threshold
    top = w["top"] if top is None else top
    text = " ".join(filter(None, [enterprise.main_product, (enterprise.ext or {}).get("products", "")
                                  if isinstance(enterprise.ext, dict) else ""]))  # fmt: skip
    tt = terms(text)
    out = []
    for node in nodes:
        score, reasons = score_node(enterprise.industry_code, text, node, tt)
        if score >= threshold:
            out.append(Suggestion(node.pk, round(score, 3), reasons))
    out.sort(key=lambda s: (-s.score, s.node_id))
    return out[:top]

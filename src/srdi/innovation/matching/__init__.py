"""The technical-needs matcher (汇科创 docking): pure Python, no Django.

from srdi.innovation.matching import match

match(needs, capabilities, top=5)   # lists of dicts in the command's input format
→ {"results": [{"need": id, "matches": [{"capability": id, "score": float, "reasons": [...]}]}]}
"""

from __future__ import annotations

import os

from .engine import Doc, Feedback, Match, Ranker, Weights, shared_analyzer
from .inputs import InputError, parse_capabilities, parse_needs, parse_top

__all__ = [
    "Doc",
    "Feedback",
    "InputError",
    "Match",
    "Ranker",
    "Weights",
    "match",
    "match_capabilities",
    "shared_analyzer",
]


def match(needs: object, capabilities: object, top: int = 5, *, workers: int | None = None) -> dict:
    """For each need, the best `top` capabilities with scores and reasons (InputError if bad)."""
    top = parse_top(top)
    need_docs, need_ids = parse_needs(needs)
    cap_docs, cap_ids = parse_capabilities(capabilities)
    original = dict(zip((d.id for d in cap_docs), cap_ids, strict=True))
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    ranker = Ranker(cap_docs, workers=workers)
    ranked = ranker.rank_many(need_docs, top, workers=workers)
    return {
        "results": [
            {
                "need": nid,
                "matches": [
                    {"capability": original[m.id], "score": m.score, "reasons": m.reasons}
                    for m in ms
                ],
            }
            for nid, ms in zip(need_ids, ranked, strict=True)
        ]
    }


def match_capabilities(capabilities: object, needs: object, top: int = 5) -> dict:
    """The other direction: for each capability, the needs that fit it best."""
    top = parse_top(top)
    need_docs, need_ids = parse_needs(needs)
    cap_docs, cap_ids = parse_capabilities(capabilities)
    original = dict(zip((d.id for d in need_docs), need_ids, strict=True))
    ranker = Ranker(need_docs)
    return {
        "results": [
            {
                "capability": cid,
                "matches": [
                    {"need": original[m.id], "score": m.score, "reasons": m.reasons}
                    for m in ranker.rank(c, top)
                ],
            }
            for cid, c in zip(cap_ids, cap_docs, strict=True)
        ]
    }

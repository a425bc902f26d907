"""Ranking quality on a labelled set: MRR, recall@k and nDCG@k (pure Python)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], grade: int = 2) -> float:
    for i, doc in enumerate(ranked):
        if relevant.get(doc, 0) >= grade:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int, grade: int = 2) -> float:
    wanted = {d for d, g in relevant.items() if g >= grade}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    def dcg(gains):
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(d, 0) for d in ranked]) / ideal if ideal else 0.0


def summary(runs: Mapping[str, Sequence[str]], labels: Mapping[str, Mapping[str, int]]) -> dict:
    """Mean metrics over the queries of `runs` ({query: ranked doc ids})."""
    qs = [q for q in runs if q in labels]
    n = len(qs) or 1
    return {
        "queries": len(qs),
        "mrr": sum(reciprocal_rank(runs[q], labels[q]) for q in qs) / n,
        "recall@5": sum(recall_at(runs[q], labels[q], 5) for q in qs) / n,
        "ndcg@10": sum(ndcg_at(runs[q], labels[q], 10) for q in qs) / n,
    }

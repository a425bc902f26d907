"""Learn the ranker's weights on the development split of the labelled set (never the held-out).

    .venv/bin/python bench/tune_innovation.py [--write]

Coordinate ascent over the feature weights (a few values each, several rounds), maximising
MRR + nDCG@10 on the dev needs; `--write` stores the result in src/srdi/innovation/data/ranker.yaml.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from srdi.innovation.matching.engine import RANKER_PATH, Doc, Ranker, Weights  # noqa: E402
from srdi.innovation.matching.evaluate import summary  # noqa: E402
from srdi.innovation.matching.lexicon import Analyzer  # noqa: E402

SET = ROOT / "src" / "srdi" / "innovation" / "data" / "labelled"
GRID = {
    "fields": [0.0, 0.15, 0.3, 0.6],
    "concepts": [0.0, 0.5, 1.0, 1.5, 2.0],
    "bigrams": [0.0, 0.15, 0.3, 0.6],
    "industry": [0.0, 0.1, 0.2, 0.4],
    "coverage": [0.0, 0.25, 0.5, 1.0],
    "title_boost": [0.0, 0.5, 1.0],
    "generic_weight": [0.1, 0.3, 0.6, 1.0],
}


def load(split: str):
    needs = json.loads((SET / "needs.json").read_text(encoding="utf-8"))
    caps = json.loads((SET / "capabilities.json").read_text(encoding="utf-8"))
    labels = json.loads((SET / "labels.json").read_text(encoding="utf-8"))["needs"]
    needs = [n for n in needs if labels.get(n["id"], {}).get("split") == split]
    return needs, caps, {k: v["relevant"] for k, v in labels.items() if v["split"] == split}


def evaluate(w: Weights, needs, caps, labels, analyzer) -> dict:
    docs = [
        Doc(c["id"], c["title"], c["description"], keywords=c.get("keywords") or []) for c in caps
    ]
    r = Ranker(docs, weights=w, analyzer=analyzer)
    runs = {
        n["id"]: [
            m.id
            for m in r.rank(
                Doc(n["id"], n["title"], n["description"], n.get("field") or ""),
                top=10,
                explain=False,
            )
        ]
        for n in needs
    }
    return summary(runs, labels)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    needs, caps, labels = load("dev")
    an = Analyzer()
    w = Weights.load()

    def objective(x: Weights) -> float:
        s = evaluate(x, needs, caps, labels, an)
        return s["mrr"] + s["ndcg@10"]

    best = objective(w)
    print(f"start {best:.4f}")
    for _ in range(args.rounds):
        for key, values in GRID.items():
            for v in values:
                cand = Weights(**(w.as_dict() | {key: v}))
                score = objective(cand)
                if score > best + 1e-9:
                    best, w = score, cand
                    print(f"{key}={v}: {best:.4f}")
    print("dev", evaluate(w, needs, caps, labels, an))
    print("weights", w.as_dict())
    if args.write:
        head = [
            line
            for line in RANKER_PATH.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        ]
        RANKER_PATH.write_text(
            "\n".join(head) + "\n" + yaml.safe_dump({"weights": w.as_dict()}, sort_keys=False),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()

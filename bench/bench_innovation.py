"""Benchmark of the technical-needs matcher (srdi.innovation.matching): quality and speed.

    .venv/bin/python bench/bench_innovation.py [--needs 10000] [--capabilities 20000] [--skip-speed]

Quality on the labelled set src/srdi/innovation/data/labelled/ (needs.json × capabilities.json, labels.json with
grades and splits): MRR (first grade-2 capability), recall@5 (grade-2 capabilities in the top 5)
and nDCG@10 (graded), for plain jieba + BM25 (bm25s, default dictionary), BM25 on the domain
dictionary's words, and the ranker; per split: dev (weights tuned on it), test (held out),
test2 (held out, written after the dictionary and weights were frozen).
Speed: synthetic needs and capabilities recombined (seeded) from the set's sentences;
index + top 10 for every need (goal ≤ 30 s), and one query on the big index (goal ≤ 100 ms).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import bm25s  # noqa: E402
import jieba  # noqa: E402

from srdi.innovation.matching.engine import Doc, Ranker, Weights  # noqa: E402
from srdi.innovation.matching.evaluate import summary  # noqa: E402
from srdi.innovation.matching.lexicon import Analyzer  # noqa: E402

SET = ROOT / "src" / "srdi" / "innovation" / "data" / "labelled"
SPLITS = ("dev", "test", "test2")


def load():
    needs = json.loads((SET / "needs.json").read_text(encoding="utf-8"))
    caps = json.loads((SET / "capabilities.json").read_text(encoding="utf-8"))
    labels = json.loads((SET / "labels.json").read_text(encoding="utf-8"))["needs"]
    return needs, caps, labels


def cap_doc(c) -> Doc:
    return Doc(str(c["id"]), c["title"], c["description"], keywords=c.get("keywords") or [])


def need_doc(n) -> Doc:
    return Doc(str(n["id"]), n["title"], n["description"], n.get("field") or "")


def plain_bm25(needs, caps, tokenize) -> dict:
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    corpus = [
        tokenize(f"{c['title']} {c['description']} {' '.join(c.get('keywords') or [])}")
        for c in caps
    ]
    bm = bm25s.BM25()
    bm.index(corpus, show_progress=False)
    runs = {}
    for n in needs:
        q = [t for t in tokenize(f"{n['title']} {n['description']}") if t in bm.vocab_dict] or [""]
        docs, _ = bm.retrieve([q], k=10, show_progress=False)
        runs[n["id"]] = [caps[i]["id"] for i in docs[0]]
    return runs


def ranker_runs(needs, caps, weights: Weights, analyzer) -> dict:
    r = Ranker([cap_doc(c) for c in caps], weights=weights, analyzer=analyzer)
    return {n["id"]: [m.id for m in r.rank(need_doc(n), 10, explain=False)] for n in needs}


def quality() -> list[tuple[str, dict]]:
    needs, caps, labels = load()
    jieba.setLogLevel(logging.WARNING)
    plain_tk = jieba.Tokenizer()
    punct = set("，。、；：（）()“”,.!?！？ \n")

    def plain_tokens(s):
        return [t for t in plain_tk.lcut_for_search(s) if t.strip() and t not in punct]

    an = Analyzer()
    w = Weights.load()
    words_only = Weights(**(w.as_dict() | {"concepts": 0.0, "coverage": 0.0, "bigrams": 0.0,
                                          "industry": 0.0, "fields": 0.0}))  # fmt: skip
    no_concepts = Weights(**(w.as_dict() | {"concepts": 0.0, "coverage": 0.0}))
    systems = [
        ("plain jieba + BM25 (bm25s)", plain_bm25(needs, caps, plain_tokens)),
        ("BM25, domain dictionary words", ranker_runs(needs, caps, words_only, an)),
        ("ranker without concept links", ranker_runs(needs, caps, no_concepts, an)),
        ("ranker (data/ranker.yaml)", ranker_runs(needs, caps, w, an)),
    ]
    out = []
    for name, runs in systems:
        per = {}
        for split in SPLITS:
            lab = {k: v["relevant"] for k, v in labels.items() if v["split"] == split}
            per[split] = summary({k: runs[k] for k in lab}, lab)
        out.append((name, per))
    return out


def synthetic(n_needs: int, n_caps: int, seed: int = 1):
    needs, caps, _ = load()
    rng = random.Random(seed)
    csents = [s for c in caps for s in re.split("[，。；]", c["description"]) if s]
    nsents = [s for n in needs for s in re.split("[，。；]", n["description"]) if s]
    C = []
    for i in range(n_caps):
        c = rng.choice(caps)
        C.append(Doc(f"C{i}", c["title"] + rng.choice(["", "研究", "技术", "应用"]),
                     "，".join(rng.sample(csents, 3)), keywords=c.get("keywords") or []))  # fmt: skip
    N = []
    for i in range(n_needs):
        n = rng.choice(needs)
        N.append(Doc(f"N{i}", n["title"], "，".join(rng.sample(nsents, 3)), n.get("field", "")))
    return N, C


def speed(n_needs: int, n_caps: int) -> dict:
    N, C = synthetic(n_needs, n_caps)
    workers = min(2, os.cpu_count() or 1)
    Analyzer()  # jieba's dictionary loaded once per process, outside the timing
    t0 = time.perf_counter()
    c0 = time.process_time()
    r = Ranker(C, workers=workers)
    t1 = time.perf_counter()
    res = r.rank_many(N, 10, workers=workers)
    t2 = time.perf_counter()
    assert len(res) == n_needs and all(len(x) == 10 for x in res[:100])
    lat = []
    for q in N[:500]:
        a = time.perf_counter()
        r.rank(q, 10)
        lat.append((time.perf_counter() - a) * 1000)
    lat.sort()
    return {
        "workers": workers,
        "index_s": t1 - t0,
        "match_s": t2 - t1,
        "total_s": t2 - t0,
        "parent_cpu_s": time.process_time() - c0,
        "one_ms_median": statistics.median(lat),
        "one_ms_p95": lat[int(len(lat) * 0.95)],
        "one_ms_max": lat[-1],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--needs", type=int, default=10000)
    ap.add_argument("--capabilities", type=int, default=20000)
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    print("\n| system | split | needs | MRR | recall@5 | nDCG@10 |\n|---|---|---|---|---|---|")
    for name, per in quality():
        for split, s in per.items():
            print(f"| {name} | {split} | {s['queries']} | {s['mrr']:.3f} | {s['recall@5']:.3f} "
                  f"| {s['ndcg@10']:.3f} |")  # fmt: skip
    if args.skip_speed:
        return
    s = speed(args.needs, args.capabilities)
    print(f"\nspeed: {args.needs:,} needs × {args.capabilities:,} capabilities, top 10 each, "
          f"{s['workers']} worker processes")  # fmt: skip
    print(f"  index {s['index_s']:.1f} s + match {s['match_s']:.1f} s = {s['total_s']:.1f} s "
          f"(goal ≤ 30 s: {'met' if s['total_s'] <= 30 else 'NOT met'})")  # fmt: skip
    print(f"  one query on the {args.capabilities:,} index: median {s['one_ms_median']:.1f} ms, "
          f"p95 {s['one_ms_p95']:.1f} ms, max {s['one_ms_max']:.1f} ms "
          f"(goal ≤ 100 ms: {'met' if s['one_ms_max'] <= 100 else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    main()

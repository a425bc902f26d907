"""Regression: a decimal 特色化 score must come out of both evaluators as the same number."""

import datetime as dt
import json

from srdi import rules
from srdi.core.testing import examples_dir

EXAMPLES = examples_dir() / "profiles.json"


def test_decimal_local_points_give_identical_scores():
    base = json.loads(EXAMPLES.read_text(encoding="utf-8"))[0]
    day = dt.date(2025, 6, 30)
    # every 2-decimal value of the 15-point slot
    values = [f"{i // 100}.{i % 100:02d}" for i in range(1, 1500, 7)] + ["4.05", "9.05", "14.99"]
    profiles = [dict(base, local_featured_points=float(v)) for v in values]
    columnar = rules.evaluate_many(profiles, ["srdi-sme@2022"], day)
    for p, c in zip(profiles, columnar, strict=True):
        s = rules.evaluate(p, "srdi-sme@2022", day, explain=False)
        assert (s["outcome"], s["score"], s["dimensions"]) == (
            c["outcome"],
            c["score"],
            c["dimensions"],
        )

"""One definition, two evaluators: the columnar (Polars) evaluator agrees with the scalar one."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srdi.rules import evaluate, evaluate_many, list_standards

from .strategies import profiles

IDS = [s.id for s in list_standards()]


def _same(col: dict, sca: dict) -> list[str]:
    diffs = []
    for k in ("outcome", "score", "size_class", "route"):
        if k in col and col[k] != sca.get(k):
            diffs.append(f"{k}: columnar {col[k]!r} scalar {sca.get(k)!r}")
    if col.get("dimensions") and col["dimensions"] != sca["dimensions"]:
        diffs.append(f"dimensions: {col['dimensions']} vs {sca['dimensions']}")
    return diffs


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    ps=st.lists(profiles(), min_size=1, max_size=25),
    as_of=st.sampled_from([date(2025, 6, 30), date(2026, 3, 31), date(2026, 6, 30)]),
    review=st.booleans(),
)
def test_columnar_agrees_with_scalar(ps, as_of, review) -> None:
    many = evaluate_many(ps, IDS, as_of, review)
    assert len(many) == len(ps) * len(IDS)
    it = iter(many)
    for p in ps:
        for sid in IDS:
            col = next(it)
            assert col["standard"] == sid and col["uscc"] == p["uscc"]
            sca = evaluate(p, sid, as_of, review, explain=False)
            assert not _same(col, sca), (sid, p, _same(col, sca))


def test_generated_profiles_reach_every_outcome() -> None:
    """The generator is not vacuous: it produces all three outcomes for the scored standards."""
    seen: set[str] = set()

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(p=profiles())
    def collect(p):
        seen.add(evaluate(p, "innovative-sme@2022", "2025-06-30", explain=False)["outcome"])
        seen.add(evaluate(p, "srdi-sme@2022", "2025-06-30", explain=False)["outcome"])

    collect()
    assert {"ineligible", "undetermined"} <= seen

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


def test_niche_years_columnar_formula_matches_scalar_every_day() -> None:
    """The columnar niche_years ((Y-1) - year(d - 1 day)) equals the scalar rule on every day of
    three years, leap day, 1 January and 31 December included, and keeps unknown unknown."""
    from datetime import timedelta

    import polars as pl

    from srdi.rules.expr import NicheYears, PCtx, niche_years

    days = [date(2019, 12, 30) + timedelta(days=i) for i in range(3 * 366 + 3)]
    df = pl.DataFrame({"niche_since": [*days, None]}, schema={"niche_since": pl.Date})
    year = 2025
    c = PCtx(year=year, as_of=date(year, 6, 30), review=False, scales={})
    got = df.select(NicheYears().pl(c).n).to_series().to_list()
    assert got[:-1] == [niche_years(d, year) for d in days]
    assert got[-1] is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ps=st.lists(profiles(), min_size=3, max_size=15))
def test_frame_statistics_are_reused_without_changing_results(ps) -> None:
    """A frame keeps its column statistics (bounds, 划型 sector) between evaluations; a frame
    evaluated first for one standard gives, for all standards, what a new frame gives."""
    from srdi.rules import load_standard
    from srdi.rules.columnar import Frame, build_frame, columns_for, evaluate_frame
    from srdi.rules.profile import normalise

    stds = list_standards()
    size_std = load_standard("sme-size@2011")
    day = date(2025, 6, 30)
    frame = build_frame([normalise(p) for p in ps], columns_for(stds, size_std), day.year)
    evaluate_frame(frame, [load_standard("innovative-sme@2022")], day, False, size_std)
    assert frame._bounds is not None and frame._sectors  # computed once, kept
    again = evaluate_frame(frame, stds, day, False, size_std)
    fresh = evaluate_frame(Frame(frame.df, frame.scales, frame.year), stds, day, False, size_std)
    assert again.equals(fresh)
    assert again["innovative-sme@2022:outcome"].cast(str).to_list() == [
        evaluate(p, "innovative-sme@2022", day, explain=False)["outcome"] for p in ps
    ]

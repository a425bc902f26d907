"""The Spark backend gives the verdicts of the Polars backend and of the scalar evaluator.

Marker ``spark``: run alone with ``pytest -m spark``. One SparkSession (local[2]) per test
process; every comparison evaluates a whole batch of profiles in one Spark query, so that
hypothesis examples cost one query each (``SRDI_SPARK_EXAMPLES``, default 3; a deeper run:
``SRDI_SPARK_EXAMPLES=40 pytest -m spark``). Skipped cleanly where Java or pyspark is missing
(``make install`` installs both).
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srdi.core.testing import examples_dir
from srdi.rules import as_date, evaluate, evaluate_many, list_standards, load_standard
from srdi.rules.frameio import frame_columns, profiles_frame, write_frame

from .cases import case_files, load_cases
from .strategies import profiles

pytestmark = pytest.mark.spark

STDS = list_standards()
IDS = [s.id for s in STDS]
KEYS = ("outcome", "score", "size_class", "route", "dimensions")


@pytest.fixture(scope="session")
def spark_session():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Java 不可用（make install 会安装 openjdk-17-jre-headless）")
    from srdi.rules import spark

    s = spark.session("local[2]", memory="1g")
    yield s
    s.stop()


def on_spark(session, profs: list[dict], as_of: date, review: bool, tmp: Path) -> list[dict]:
    """All standards over ``profs`` in one Spark query, as the contract's summary rows."""
    from srdi.rules import spark

    frame = profiles_frame(profs, STDS, as_of.year)
    path = write_frame(frame, tmp / "frame", frame_columns(frame), rows_per_file=37)
    res = spark.evaluate_parquet(session, path, STDS, as_of, review)
    return spark.collect_rows(res, STDS, tmp)


def _project(r: dict) -> dict:
    return {k: r.get(k) for k in KEYS if k in r or k in ("outcome", "score")}


def _scalar(p: dict, sid: str, as_of: date, review: bool) -> dict:
    got = evaluate(p, sid, as_of, review, explain=False)
    if not got.get("dimensions"):
        got.pop("dimensions", None)
    return got


def _check_batch(rows: list[dict], profs: list[dict], as_of: date, review: bool) -> None:
    assert len(rows) == len(profs) * len(IDS)
    pol = evaluate_many(profs, IDS, as_of, review)
    it = iter(zip(rows, pol, strict=True))
    for p in profs:
        for sid in IDS:
            sp, po = next(it)
            assert sp["standard"] == po["standard"] == sid and sp["uscc"] == p.get("uscc")
            assert _project(sp) == _project(po), (sid, p, sp, po)  # Spark = Polars, every key
            sca = _scalar(p, sid, as_of, review)
            for k in KEYS:
                if k in sp and (k != "dimensions" or sp[k]):
                    assert sp[k] == sca.get(k), (sid, k, sp[k], sca.get(k), p)


@settings(
    max_examples=int(os.environ.get("SRDI_SPARK_EXAMPLES", "3")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    ps=st.lists(profiles(), min_size=20, max_size=60),
    as_of=st.sampled_from([date(2025, 6, 30), date(2026, 3, 31), date(2026, 6, 30)]),
    review=st.booleans(),
)
def test_spark_polars_scalar_agree(spark_session, tmp_path_factory, ps, as_of, review) -> None:
    """Generated profiles (unknowns, band edges, lists, review): identical outcome, score, size
    class, route and dimensions from the three evaluators."""
    tmp = tmp_path_factory.mktemp("hyp")
    _check_batch(on_spark(spark_session, ps, as_of, review, tmp), ps, as_of, review)


def test_rule_file_cases_on_spark(spark_session, tmp_path) -> None:
    """Every case of every rule file (band edges, unknowns, review) on Spark: the expected
    outcome / score / size class / route, and the scalar evaluator's values."""
    groups: dict[tuple[str, bool], list[dict]] = defaultdict(list)
    for f in case_files():
        for c in load_cases(f)[1]:
            groups[(c["as_of"], c["review"])].append(c)
    checked = 0
    for i, ((day, review), cases) in enumerate(sorted(groups.items())):
        as_of = as_date(day)
        profs = [dict(c["profile"], uscc=f"CASE{k:05d}") for k, c in enumerate(cases)]
        rows = on_spark(spark_session, profs, as_of, review, tmp_path / f"g{i}")
        by = {(r["uscc"], r["standard"]): r for r in rows}
        for p, c in zip(profs, cases, strict=True):
            got = by[(p["uscc"], c["standard"])]
            for key in ("outcome", "score", "size_class", "route"):
                if key in c["expect"]:
                    assert got.get(key) == c["expect"][key], (c["file"], c["name"], key)
            sca = _scalar(p, c["standard"], as_of, review)
            for key in KEYS:
                if key in got and (key != "dimensions" or got[key]):
                    assert got[key] == sca.get(key), (c["file"], c["name"], key)
            checked += 1
    assert checked >= 300  # every rule file's cases, not a vacuous loop


def test_worked_examples_on_spark(spark_session, tmp_path) -> None:
    ex = examples_dir()
    expected = json.loads((ex / "expected.json").read_text(encoding="utf-8"))
    profs = json.loads((ex / "profiles.json").read_text(encoding="utf-8"))
    groups: dict[tuple[str, bool], list[dict]] = defaultdict(list)
    for row in expected:
        groups[(row["as_of"], row["review"])].append(row)
    for i, ((day, review), want) in enumerate(sorted(groups.items())):
        rows = on_spark(spark_session, profs, as_date(day), review, tmp_path / f"w{i}")
        by = {(r["uscc"], r["standard"]): r for r in rows}
        for w in want:
            got = by[(w["uscc"], w["standard"])]
            for key in ("outcome", "score", "size_class"):
                if key in w:
                    assert got[key] == w[key], (w["name"], w["standard"], key)


def test_wide_numbers_stay_exact_on_spark(spark_session, tmp_path) -> None:
    """Figures so large that products pass 2^63 are computed as decimal(38,0): a ratio one part
    in 10^15 under a 3 % threshold still fails it, exactly at the threshold it passes."""
    big = 10**15
    base = json.loads((examples_dir() / "profiles.json").read_text(encoding="utf-8"))[0]
    profs = []
    for k, rd in enumerate([3 * big, 3 * big - 1]):  # rd_expense / revenue = 3 % or just under
        p = json.loads(json.dumps(base))
        p["uscc"] = f"WIDE{k}"
        for y in ("2024", "2023"):
            p["years"][y]["revenue"] = 100 * big
            p["years"][y]["rd_expense"] = rd
        profs.append(p)
    day = date(2025, 6, 30)
    rows = on_spark(spark_session, profs, day, False, tmp_path)
    _check_batch(rows, profs, day, False)
    from srdi.rules import spark

    frame = profiles_frame(profs, STDS, day.year)
    meta = spark.FrameMeta(day.year, frame.scales, frame_columns(frame), 2, frame.bounds())
    sql = spark.compile_sql(
        "v", frame.df.columns, meta, meta.bounds, STDS, day, False, load_standard("sme-size@2011")
    )
    assert "DECIMAL(38,0)" in sql


def test_parquet_output_and_frame_year_check(spark_session, tmp_path) -> None:
    from srdi.rules import spark

    profs = json.loads((examples_dir() / "profiles.json").read_text(encoding="utf-8"))
    day = date(2025, 6, 30)
    frame = profiles_frame(profs, STDS, day.year)
    path = write_frame(frame, tmp_path / "f", frame_columns(frame), rows_per_file=3)
    assert len(list(path.glob("part-*.parquet"))) == -(-len(profs) // 3)
    res = spark.evaluate_parquet(spark_session, path, STDS, day, False)
    spark.long_results(res, STDS).write.parquet(str(tmp_path / "out"))
    import polars as pl

    out = pl.read_parquet(str(tmp_path / "out" / "*.parquet")).sort("_row", "standard")
    assert out.height == len(profs) * len(STDS)
    want = {(r["uscc"], r["standard"]): r["outcome"] for r in evaluate_many(profs, IDS, day, False)}
    got = {(u, s): o for u, s, o in out.select("uscc", "standard", "outcome").iter_rows()}
    assert got == want
    with pytest.raises(ValueError, match="2025"):
        spark.evaluate_parquet(spark_session, path, STDS, date(2026, 6, 30), False)
    assert load_standard("sme-size@2011").id in set(out["standard"].to_list())

"""`srdi evaluate --engine polars|spark` and `srdi frame --from-db`: the same verdicts as the
default engine, from a profile file or from a Parquet frame exported from the registry."""

from __future__ import annotations

import io
import json
import shutil

import polars as pl
import pytest
from django.core.management import call_command

from srdi.audit.models import AuditLog
from srdi.core.testing import examples_dir
from srdi.rules import evaluate

PROFILES = str(examples_dir() / "profiles.json")
KEYS = ("uscc", "standard", "version", "outcome", "score", "route", "dimensions", "size_class")


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def project(doc: dict) -> list[dict]:
    """The default engine's results on the keys the columnar engines give."""
    out = []
    for r in doc["results"]:
        row = {k: r[k] for k in KEYS if k in r}
        if not row.get("dimensions"):
            row.pop("dimensions", None)
        if r["standard"].startswith("sme-size") or r.get("score") is None:
            row.pop("route", None)
        out.append(row)
    return out


def columnar_projection(doc: dict) -> list[dict]:
    out = []
    for r in doc["results"]:
        row = {k: r[k] for k in KEYS if k in r}
        if r.get("score") is None:
            row.pop("route", None)
        out.append(row)
    return out


ARGS = ["--standard", "srdi-sme@2022", "--as-of", "2025-06-30", "--format", "json"]


def test_polars_engine_gives_the_default_engines_verdicts() -> None:
    default = run(PROFILES, *ARGS)
    polars = run(PROFILES, *ARGS, "--engine", "polars")
    assert polars["standards"] == default["standards"] == ["srdi-sme@2022"]
    assert columnar_projection(polars) == project(default)
    assert {r["outcome"] for r in polars["results"]} >= {"eligible", "ineligible"}


def test_columnar_engines_refuse_what_only_the_default_engine_does(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("evaluate", PROFILES, "--engine", "polars", "--explain")
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        call_command("evaluate", PROFILES, "--engine", "polars", "--format", "parquet")
    err = capsys.readouterr().err
    assert "推理过程" in err and "-o" in err


@pytest.mark.spark
def test_spark_engine_output_is_the_polars_engines_exactly() -> None:
    """The Done-when command: `srdi evaluate FILE --engine spark --standard srdi-sme@2022
    --as-of 2025-06-30 --format json` — byte for byte the Polars engine's document, and the
    default engine's verdicts."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Java 不可用")
    out_s, out_p = io.StringIO(), io.StringIO()
    err = io.StringIO()
    call_command("evaluate", PROFILES, *ARGS, "--engine", "spark", stdout=out_s, stderr=err)
    call_command("evaluate", PROFILES, *ARGS, "--engine", "polars", stdout=out_p, stderr=err)
    assert out_s.getvalue() == out_p.getvalue()
    assert columnar_projection(json.loads(out_s.getvalue())) == project(run(PROFILES, *ARGS))


@pytest.mark.django_db
def test_frame_from_db_round_trip(tmp_path) -> None:
    """`srdi frame --from-db` writes a partitioned Parquet frame with its meta file;
    `srdi evaluate frame.parquet --engine polars` gives the stored enterprises' verdicts (and
    the same as evaluating their profiles with the default engine); the export is audited."""
    from srdi.registry.demo import build_demo
    from srdi.registry.refdata import load_reference
    from srdi.registry.selectors import iter_normalised_profiles

    load_reference()
    build_demo(40, seed=11)
    out = tmp_path / "frame.parquet"
    msg = io.StringIO()
    call_command(
        "frame", "--from-db", "-o", str(out), "--as-of", "2025-06-30", "--rows-per-file", "15",
        stdout=msg,
    )  # fmt: skip
    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) == 3 and (out / "_srdi_frame.json").exists()
    meta = json.loads((out / "_srdi_frame.json").read_text(encoding="utf-8"))
    assert meta["year"] == 2025 and meta["rows"] == 40
    assert pl.read_parquet(parts[0])["_row"].to_list() == list(range(15))
    assert "40" in msg.getvalue()
    assert AuditLog.objects.filter(action="evaluation.frame.export").count() == 1

    got = run(str(out), "--engine", "polars", *ARGS)
    from srdi.registry.models import Enterprise

    results = [
        evaluate(p, "srdi-sme@2022", "2025-06-30", explain=False)
        for _e, p in iter_normalised_profiles(Enterprise.objects.all())
    ]
    ref = project({"results": results})
    assert columnar_projection(got) == ref
    with pytest.raises(SystemExit):
        call_command("evaluate", str(out), "--engine", "polars", "--as-of", "2026-06-30")

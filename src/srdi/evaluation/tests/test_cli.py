"""`srdi evaluate` as the contract says: JSON out, input order, exit 2 on unusable input."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from srdi.core.testing import examples_dir

EXAMPLES = examples_dir()


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    "row",
    json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
    if EXAMPLES.exists()
    else [],
    ids=lambda r: f"{r['name']}-{r['standard']}-{r['review']}",
)
def test_cli_gives_the_worked_example(row: dict) -> None:
    args = [
        str(EXAMPLES / "profiles.json"),
        "--standard",
        row["standard"],
        "--as-of",
        row["as_of"],
        "--format",
        "json",
    ]
    if row["review"]:
        args.append("--review")
    doc = run(*args)
    got = next(
        g for g in doc["results"] if g["uscc"] == row["uscc"] and g["standard"] == row["standard"]
    )
    for key in ("outcome", "score", "size_class"):
        if key in row:
            assert got[key] == row[key]


def test_results_in_input_order_and_standards_as_asked() -> None:
    doc = run(
        str(EXAMPLES / "profiles.json"),
        "--standard",
        "srdi-sme@2022",
        "--standard",
        "sme-size@2011",
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
    )
    profiles = json.loads((EXAMPLES / "profiles.json").read_text(encoding="utf-8"))
    assert [r["uscc"] for r in doc["results"][::2]] == [p["uscc"] for p in profiles]
    assert [r["standard"] for r in doc["results"][:2]] == ["srdi-sme@2022", "sme-size@2011"]


def test_default_standards_are_those_in_force() -> None:
    doc = run(str(EXAMPLES / "profiles.json"), "--as-of", "2026-06-30", "--format", "json")
    assert "srdi-sme@2022" not in doc["standards"]
    assert "little-giant@2026" in doc["standards"]
    review = run(
        str(EXAMPLES / "profiles.json"), "--as-of", "2026-06-30", "--review", "--format", "json"
    )
    assert "little-giant@2022" in review["standards"]


def test_unknown_standard_and_bad_date_exit_2_with_every_problem(tmp_path, capsys) -> None:
    f = tmp_path / "p.json"
    f.write_text("[]", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("evaluate", str(f), "--standard", "nope@1", "--as-of", "2025-02-30")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "nope@1" in err and "2025-02-30" in err


def test_bad_profile_file_exits_2(tmp_path, capsys) -> None:
    f = tmp_path / "p.json"
    f.write_text('[{"uscc": "123", "name": "甲"}]', encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("evaluate", str(f))
    assert exc.value.code == 2
    assert "统一社会信用代码" in capsys.readouterr().err


def test_table_is_chinese() -> None:
    out = io.StringIO()
    call_command(
        "evaluate",
        str(EXAMPLES / "profiles.json"),
        "--standard",
        "srdi-sme@2022",
        "--as-of",
        "2025-06-30",
        stdout=out,
    )
    text = out.getvalue()
    assert "结论" in text and "待定（数据不全）" in text and "符合" in text


@pytest.mark.django_db
def test_from_db_with_filters_saves_results(enterprises):
    from srdi.evaluation.models import EvaluationRecord

    doc = run(
        "--from-db",
        "--industry",
        "C34",
        "--standard",
        "sme-size@2011",
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
    )
    assert [r["uscc"] for r in doc["results"]] == [enterprises[0].uscc]
    assert doc["results"][0]["size_class"] == "small"
    rec = EvaluationRecord.objects.get()
    assert rec.enterprise == enterprises[0] and rec.version.startswith("sme-size@2011#")
    summary = run(
        "--from-db",
        "--region",
        "海虞镇",
        "--summary",
        "--standard",
        "sme-size@2011",
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
    )
    assert [r["uscc"] for r in summary["results"]] == [enterprises[1].uscc]
    assert summary["results"][0]["size_class"] == "small"

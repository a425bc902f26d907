"""Import / export: the done-when checks of issue 2 and the import rules of the contract."""

import json

import pytest
from django.core.management import call_command

from srdi.audit.models import AuditLog
from srdi.core.testing import examples_dir
from srdi.exchange import read_records, to_json_obj, validate_records
from srdi.registry.models import AnnualFigures, DataSource, Enterprise, ImportBatch, Title
from srdi.registry.refdata import load_reference
from srdi.registry.selectors import build_profile
from srdi.registry.services import export_profiles, import_profiles

EXAMPLES = examples_dir() / "profiles.json"


@pytest.fixture
def refs(db):
    load_reference()


def _expected(path):
    profiles, problems = validate_records(read_records(path))
    assert not problems
    return {p["uscc"]: json.loads(json.dumps(to_json_obj(p), default=str)) for p in profiles}


def _run(*args):
    """Run a management command; (exit status, stderr)."""
    import io

    err, out = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as e:
        code = e.code
    return code, err.getvalue(), out.getvalue()


def test_import_then_export_gives_back_the_same_documents(refs, tmp_path):
    code, err, out = _run("import", str(EXAMPLES))
    assert code == 0, err
    assert "新增 7" in out
    dest = tmp_path / "out.json"
    code, err, _ = _run("export", "--format", "json", "-o", str(dest))
    assert code == 0
    exported = {d["uscc"]: d for d in json.loads(dest.read_text(encoding="utf-8"))}
    assert exported == _expected(EXAMPLES)
    # absent declarations written out, absent measurements left out
    raw = {r["uscc"]: r for r in json.loads(EXAMPLES.read_text(encoding="utf-8"))}
    doc = exported["913205817456789086"]
    assert "main_product" not in raw["913205817456789086"]
    assert doc["priority_field"] is False and doc["titles"] == [] and doc["ip"]["class1"] == 0
    assert "niche_since" not in doc and "digital_level" not in doc


@pytest.mark.parametrize("fmt", ["jsonl", "xlsx"])
def test_round_trip_through_jsonl_and_xlsx(refs, tmp_path, fmt):
    import_profiles(EXAMPLES)
    dest = tmp_path / f"out.{fmt}"
    assert export_profiles(Enterprise.objects.all(), fmt, str(dest)) == 7
    Enterprise.objects.all().delete()
    batch = import_profiles(dest)
    assert batch.status == "succeeded", batch.problems
    assert batch.created == 7
    exported = {e.uscc: build_profile(e) for e in Enterprise.objects.all()}
    assert json.loads(json.dumps(exported, default=str)) == _expected(EXAMPLES)


def test_importing_the_same_file_twice_changes_nothing(refs):
    first = import_profiles(EXAMPLES, department="市统计局")
    assert (first.created, first.updated, first.unchanged) == (7, 0, 0)
    audits = AuditLog.objects.count()
    assert AuditLog.objects.filter(action="create", source="import").count() == 7
    snapshot = {e.uscc: build_profile(e) for e in Enterprise.objects.all()}
    sources = {e.uscc: e.field_sources for e in Enterprise.objects.all()}
    second = import_profiles(EXAMPLES, department="市统计局")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 7)
    assert AuditLog.objects.count() == audits
    assert {e.uscc: build_profile(e) for e in Enterprise.objects.all()} == snapshot
    assert {e.uscc: e.field_sources for e in Enterprise.objects.all()} == sources
    assert AnnualFigures.objects.count() == 15


def test_every_stored_figure_records_its_source(refs, make_user):
    from srdi.accounts.roles import Role

    admin = make_user("gxj", Role.ADMIN)
    batch = import_profiles(EXAMPLES, actor=admin, department="市统计局")
    e = Enterprise.objects.get(uscc="91320581712345672C")
    y = e.years.get(year=2024)
    src = DataSource.objects.get(pk=y.field_sources["revenue"])
    assert src.import_batch == batch
    assert src.department == "市统计局" and src.user == admin and src.kind == "import"
    assert src.label.startswith("profiles.json")
    assert set(y.field_sources) == {
        "employees", "rd_staff", "revenue", "main_revenue", "total_assets",
        "total_liabilities", "net_profit", "rd_expense",
    }  # fmt: skip
    assert e.field_sources["market.share_pct"] == src.pk
    assert e.field_sources["name"] == src.pk
    # the original is kept
    assert batch.file.read().startswith(b"[")
    assert batch.original_name == "profiles.json"


def test_update_by_import_changes_only_what_differs_and_audits_the_diff(refs, tmp_path):
    import_profiles(EXAMPLES)
    e = Enterprise.objects.get(uscc="91320581712345672C")
    t = Title.objects.create(
        enterprise=Enterprise.objects.get(uscc="913205817345678907"),
        tier="innovative_sme",
        level="provincial",
        status="revoked",
    )
    old_source = e.years.get(year=2023).field_sources["revenue"]
    f = tmp_path / "tax.jsonl"
    f.write_text(
        json.dumps(
            {
                "uscc": "91320581712345672C",
                "name": "常熟市精工轴承有限公司",
                "years": {"2024": {"revenue": 10500.5}, "2025": {"revenue": 12000}},
            },
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps(
            {
                "uscc": "913205817345678907",
                "name": "常熟市海宏电子材料股份有限公司",
                "titles": [
                    {
                        "tier": "srdi_sme",
                        "level": "provincial",
                        "granted": "2023-12-01",
                        "valid_until": "2026-11-30",
                    }
                ],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    batch = import_profiles(f, department="市税务局")
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 1)
    y24 = e.years.get(year=2024)
    assert str(y24.revenue.normalize()) == "10500.5"
    assert y24.employees == 260  # not in the file: kept
    assert y24.field_sources["employees"] != y24.field_sources["revenue"]
    assert e.years.get(year=2023).field_sources["revenue"] == old_source
    assert e.years.get(year=2025).revenue == 12000
    log = AuditLog.objects.get(action="update", enterprise_uscc="91320581712345672C")
    assert log.before == {"years.2024.revenue": 10000}
    assert log.after == {"years.2024.revenue": 10500.5, "years.2025.revenue": 12000}
    assert "导入批次" in log.note
    # a revoked title stays, unchanged titles are not rewritten
    assert Title.objects.filter(pk=t.pk).exists()


BAD = [
    {
        "uscc": "91320581712345673C",  # wrong check character
        "name": "甲公司",
        "region": "梅李镇",
    },
    {
        "uscc": "91320581723456781R",
        "name": "乙公司",
        "region": "海虞镇",
        "years": {"2024": {"revenue": -5}},  # negative revenue
    },
    {
        "uscc": "9132058172345679XH",
        "name": "丙公司",
        "region": "海虞镇",
        "revenu": 3,  # unknown key
    },
    {"uscc": "913205817345678907", "name": "丁公司（无误）", "region": "碧溪街道"},
]


def test_bad_file_is_rejected_with_status_2_and_every_problem_named(refs, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(BAD, ensure_ascii=False), encoding="utf-8")
    code, err, _ = _run("import", str(f))
    assert code == 2
    assert "校验" in err or "统一社会信用代码" in err
    lines = [ln for ln in err.splitlines() if "第" in ln and "条记录" in ln]
    assert any("第1条记录" in ln and "uscc" in ln for ln in lines), err
    assert any("第2条记录" in ln and "years.2024.revenue" in ln and "负数" in ln for ln in lines)
    assert any("第3条记录" in ln and "revenu" in ln and "未知字段" in ln for ln in lines)
    assert "未导入任何数据" in err
    assert Enterprise.objects.count() == 0
    assert AnnualFigures.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected" and batch.rejected == 3 and batch.total == 4
    assert {p["record"] for p in batch.problems} == {1, 2, 3}


def test_partial_imports_the_valid_records_and_returns_the_rejected(refs, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(BAD, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "rejected.json"
    code, err, stdout = _run("import", str(f), "--partial", "--rejected-out", str(out))
    assert code == 0
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == ["913205817345678907"]
    rejected = json.loads(out.read_text(encoding="utf-8"))
    assert [r["name"] for r in rejected] == ["甲公司", "乙公司", "丙公司"]
    assert rejected[2]["revenu"] == 3  # as given, to be corrected and re-imported
    batch = ImportBatch.objects.get()
    assert batch.status == "partial" and batch.created == 1 and batch.rejected == 3
    assert batch.rejected_file.name.endswith(".json")


def test_partial_xlsx_rejected_file_is_xlsx(refs, tmp_path):
    from srdi.exchange import write_xlsx

    good = json.loads(EXAMPLES.read_text(encoding="utf-8"))[:2]
    bad = dict(good[1], uscc="91320581723456782R")
    f = tmp_path / "in.xlsx"
    write_xlsx([good[0], bad], f, fill_declarations=False)
    batch = import_profiles(f, mode="partial")
    assert batch.status == "partial" and batch.created == 1
    assert batch.rejected_file.name.endswith(".xlsx")
    assert any(p["sheet"] == "企业基本信息" and p["row"] == 4 for p in batch.problems)
    again = read_records(batch.rejected_file.path)
    assert [r["uscc"] for r in again] == ["91320581723456782R"]


def test_duplicates_across_chunks_and_unknown_region(refs, tmp_path):
    recs = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    recs.append(dict(recs[0]))  # same USCC again, in another chunk
    recs.append(dict(recs[1], uscc="91320581767890125W", region="火星镇"))
    f = tmp_path / "dup.json"
    f.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    batch = import_profiles(f, chunk=3)
    assert batch.status == "rejected"
    texts = [p["text"] for p in batch.problems]
    assert any("第8条记录" in t and "重复" in t and "第1条" in t for t in texts), texts
    assert any("火星镇" in t for t in texts)
    assert Enterprise.objects.count() == 0


def test_values_the_database_cannot_hold_are_problems(refs, tmp_path):
    f = tmp_path / "precise.json"
    rec = {"uscc": "913205817345678907", "name": "丁", "years": {"2024": {"revenue": 1.123456}}}
    f.write_text(json.dumps([rec]), encoding="utf-8")
    batch = import_profiles(f)
    assert batch.status == "rejected"
    assert "小数位数过多" in batch.problems[0]["text"]


def test_reimporting_an_export_changes_nothing(refs, tmp_path):
    """Declarations written out by export (equity_financing 0, false flags, empty lists) are
    what absence already meant: re-importing an export is a no-op."""
    from srdi.registry.demo import build_demo

    import_profiles(EXAMPLES)
    build_demo(40, seed=5)
    dest = tmp_path / "all.json"
    export_profiles(Enterprise.objects.all(), "json", str(dest))
    n = AuditLog.objects.count()
    batch = import_profiles(dest)
    assert (batch.created, batch.updated, batch.unchanged) == (0, 0, 47)
    assert AuditLog.objects.count() == n


def test_partial_jsonl_returns_unparseable_lines_verbatim(refs, tmp_path):
    good = json.dumps({"uscc": "913205817345678907", "name": "丁"}, ensure_ascii=False)
    bad_neg = json.dumps(
        {"uscc": "91320581723456781R", "name": "乙", "years": {"2024": {"revenue": -1}}},
        ensure_ascii=False,
    )
    f = tmp_path / "in.jsonl"
    f.write_text(f'{good}\n{{"uscc": "9132", "name": 坏\n{bad_neg}\n', encoding="utf-8")
    batch = import_profiles(f, mode="partial")
    assert batch.status == "partial" and batch.created == 1 and batch.rejected == 2
    lines = batch.rejected_file.read().decode("utf-8").splitlines()
    assert lines[0] == '{"uscc": "9132", "name": 坏'
    assert json.loads(lines[1])["name"] == "乙"
    assert {p["record"] for p in batch.problems} == {2, 3}

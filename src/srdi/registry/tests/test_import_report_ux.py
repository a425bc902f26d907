"""Issue 11 item 9: the import report — sheet and row of every rejected row, Chinese field
names, annual figures of a registered enterprise without re-listing it, "abc" reported as such."""

import json

import pytest
from openpyxl import load_workbook

from srdi.core.testing import examples_dir
from srdi.exchange import write_xlsx
from srdi.registry.models import AnnualFigures, Enterprise
from srdi.registry.refdata import load_reference
from srdi.registry.services import import_profiles

EXAMPLES = examples_dir() / "profiles.json"


@pytest.fixture
def refs(db):
    load_reference()


def _template_with_years(tmp_path, rows, base=()):
    """A template whose 年度数据 sheet carries ``rows`` ([uscc, year, {header: value}])."""
    f = tmp_path / "t.xlsx"
    write_xlsx(list(base), f, fill_declarations=False)
    wb = load_workbook(f)
    ws = wb["年度数据"]
    headers = [c.value for c in ws[1]]
    keys = [c.value for c in ws[2]]
    start = ws.max_row + 1
    for n, (uscc, year, values) in enumerate(rows):
        r = start + n
        ws.cell(r, 1, uscc)
        ws.cell(r, 2, year)
        for k, v in values.items():
            col = keys.index(k) + 1 if k in keys else headers.index(k) + 1
            ws.cell(r, col, v)
    wb.save(f)
    return f, start


def test_annual_figures_of_a_registered_enterprise_import_alone(refs, tmp_path):
    recs = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    first = import_profiles(EXAMPLES)
    assert first.status == "succeeded"
    uscc = recs[0]["uscc"]
    ent = Enterprise.objects.get(uscc=uscc)
    name_before, region_before = ent.name, ent.region_id
    f, _row = _template_with_years(tmp_path, [(uscc, 2030, {"revenue": 4321})])
    batch = import_profiles(f)
    assert batch.status == "succeeded", batch.problems
    assert batch.updated == 1 and batch.created == 0
    assert AnnualFigures.objects.get(enterprise=ent, year=2030).revenue == 4321
    ent.refresh_from_db()
    assert (ent.name, ent.region_id) == (name_before, region_before)


def test_unknown_enterprise_and_text_in_number_column_name_sheet_row_and_field(refs, tmp_path):
    import_profiles(EXAMPLES)
    uscc = json.loads(EXAMPLES.read_text(encoding="utf-8"))[0]["uscc"]
    stranger = "91320581723456782R"  # valid check digit, not registered
    f, start = _template_with_years(
        tmp_path, [(uscc, 2030, {"revenue": "abc"}), (stranger, 2030, {"revenue": 10})]
    )
    batch = import_profiles(f)
    assert batch.status == "rejected"
    by_uscc = {p["uscc"]: p for p in batch.problems}
    abc = by_uscc[uscc]
    assert (abc["sheet"], abc["row"]) == ("年度数据", start)
    assert "abc" in abc["message"]
    assert abc["field"] == "years.2030.revenue"
    unknown = by_uscc[stranger]
    assert (unknown["sheet"], unknown["row"]) == ("年度数据", start + 1)
    assert "企业基本信息" in unknown["message"] and "已登记" in unknown["message"]
    assert all(p["sheet"] and p["row"] for p in batch.problems)


def test_report_page_shows_chinese_field_names_only(tmp_path, users, enterprises, login):
    uscc = enterprises[0].uscc
    f, start = _template_with_years(tmp_path, [(uscc, 2030, {"revenue": "abc"})])
    batch = import_profiles(f, actor=users["admin"])
    html = login(users["admin"]).get(f"/io/imports/{batch.pk}/").content.decode()
    assert "2030年营业收入" in html
    assert "years.2030.revenue" not in html
    assert "年度数据" in html and f"第{start}行" in html

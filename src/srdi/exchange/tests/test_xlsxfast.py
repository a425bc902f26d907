"""The worksheet reader keeps the sheet's own row and column positions."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from srdi.exchange.xlsxfast import XlsxReader


def _book(cells: dict[str, object]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for ref, v in cells.items():
        ws[ref] = v
    wb.create_sheet("空表")
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_rows_start_at_row_1_and_column_a_even_when_the_used_range_does_not():
    r = XlsxReader(_book({"C4": "甲", "D5": 12.5, "E5": dt.date(2024, 3, 1), "C6": True}))
    assert r.sheetnames == ["数据", "空表"]
    rows = list(r.rows("数据"))
    assert len(rows) == 6 and not any(v not in (None, "") for r in rows[:3] for v in r)
    assert rows[3][2] == "甲" and rows[3][0] is None and rows[3][1] is None
    assert rows[4][3] == 12.5 and rows[4][4] in (dt.date(2024, 3, 1), dt.datetime(2024, 3, 1))
    assert rows[5][2] is True
    assert list(r.rows("空表")) == []
    r.close()


def test_a_problem_names_the_real_row_of_the_sheet(tmp_path):
    """Blank rows above the data do not shift the row numbers in problems."""
    from srdi.exchange import read_records, write_xlsx
    from srdi.exchange.xlsx import BASE_SHEET

    buf = io.BytesIO()
    write_xlsx([{"uscc": "91320581712345672C", "name": "甲公司"}], buf)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["年度数据"]
    first = ws.max_row + 3  # leave two blank rows, then a row whose enterprise is unknown
    ws.cell(first, 1, "91320581723456781R")
    ws.cell(first, 2, 2024)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    recs = read_records(path)
    # the row of an enterprise not on the base sheet is a record of its own (the importer
    # completes it from the registry); on its own it is reported at its real row
    from srdi.exchange import validate_records

    _profiles, problems = validate_records(recs)
    (p,) = [p for p in problems if p.sheet == "年度数据"]
    assert p.row == first and BASE_SHEET in p.message

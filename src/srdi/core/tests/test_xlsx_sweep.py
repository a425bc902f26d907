"""Issue 10, item 8: every xlsx the platform writes goes through srdi.core.xlsx.

The sweep reads every module under src/srdi (AST, no import) and fails on any other openpyxl
writer: ``Workbook``, ``WriteOnlyCell`` or ``Cell`` used outside the one writer. A new domain that
writes a workbook by hand fails here with the file, the line and what to use instead.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import openpyxl

SRC = Path(__file__).resolve().parents[2]  # src/srdi

# the one writer, and the exchange template writer (rows as SpreadsheetML inline strings, which
# a spreadsheet never evaluates; its own test below proves it with a formula-like name)
ALLOWED = {"core/xlsx.py", "exchange/xlsx.py"}
WRITERS = {"Workbook", "WriteOnlyCell", "Cell"}


def _writers_in(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            for a in node.names:
                if a.name in WRITERS:
                    found.append((node.lineno, f"from {node.module} import {a.name}"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in WRITERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "openpyxl"
        ):
            found.append((node.lineno, f"openpyxl.{node.attr}"))
    return found


def test_no_xlsx_writer_outside_srdi_core_xlsx():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in ALLOWED or "/tests/" in f"/{rel}":
            continue
        offenders += [f"src/srdi/{rel}:{line}: {what}" for line, what in _writers_in(path)]
    assert not offenders, (
        "xlsx written outside srdi.core.xlsx (formula injection: a name like =HYPERLINK(…) would "
        "become a live formula). Use xlsx.workbook([xlsx.Sheet(...)]) / xlsx.new() / "
        "xlsx.streaming(...) instead:\n" + "\n".join(offenders)
    )


def test_the_sweep_finds_a_hand_written_workbook(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import openpyxl\nfrom openpyxl import Workbook\nwb = openpyxl.Workbook()\n",
        encoding="utf-8",
    )
    assert [line for line, _ in _writers_in(bad)] == [2, 3]


HOSTILE = ['=HYPERLINK("http://evil.example/","点我")', "+1+2", "-3", "@SUM(A1)"]


def test_free_form_workbook_stores_formula_like_text_as_text():
    from srdi.core import xlsx

    wb = xlsx.new()
    ws = wb.create_sheet("名单", widths=(20, 20), freeze="A3")
    ws.append(["标题"])
    ws.append(["名称", "数"], bold=True)
    for h in HOSTILE:
        ws.append([h, 1])
    sheet = openpyxl.load_workbook(io.BytesIO(wb.bytes()))["名单"]
    cells = [sheet.cell(row=r, column=1) for r in range(3, 3 + len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert {c.data_type for c in cells} == {"s"}
    assert sheet.cell(row=3, column=2).value == 1


def test_exchange_export_keeps_a_formula_like_name_as_text(tmp_path):
    from srdi.exchange.xlsx import write_workbook

    out = tmp_path / "out.xlsx"
    write_workbook([{"uscc": "91320581712345672C", "name": HOSTILE[0], "region": "梅李镇"}], out)
    wb = openpyxl.load_workbook(out)
    hits = [
        c
        for ws in wb.worksheets
        for r in ws.iter_rows()
        for c in r
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert hits and all(c.data_type == "s" for c in hits)

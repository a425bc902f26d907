"""Issue 10, item 7: hostile files get a clear Chinese answer and cost little.

Memory and time of the 4 GB zip bomb are measured in bench/bench_hostile.py (README figures);
here the behaviour: refused, exit status 2, Chinese, every problem at once, limits configurable.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command

from srdi.exchange import hostile, limits
from srdi.exchange.readers import read_records

pytestmark = pytest.mark.django_db

LATIN_WORDS = re.compile(r"[A-Za-z]{4,}")  # library English ("Error", "zipfile", "Expecting" …)


def _import(path, capsys) -> tuple[int, str]:
    try:
        call_command("import", str(path))
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def _chinese_only(text: str) -> bool:
    # file names, USCCs and sheet cell refs aside, no English words reach the user
    words = LATIN_WORDS.findall(re.sub(r"\S+\.(xlsx|json|jsonl)|[A-Z]{1,3}\d+", "", text))
    return not [w for w in words if w not in {"Excel", "JSON", "xlsx", "Lines", "partial"}]


def test_a_zip_bomb_is_refused_before_decompression(regions, tmp_path, capsys):
    bomb = hostile.zip_bomb(tmp_path / "炸弹.xlsx", gigabytes=2)
    assert bomb.stat().st_size < 4_000_000
    code, err = _import(bomb, capsys)
    assert code == 2
    assert "超过上限" in err and "压缩炸弹" in err and _chinese_only(err), err


def test_a_package_whose_headers_lie_is_refused_while_decompressing(tmp_path, settings):
    settings.SRDI_XLSX_MAX_UNCOMPRESSED_MB = 8
    bomb = hostile.zip_bomb(tmp_path / "b.xlsx", gigabytes=0.05)  # 51 MB, honest
    raw = bytearray(bomb.read_bytes())
    # make the central directory claim 1 byte for the big member (a lying header)
    for m in re.finditer(rb"PK\x01\x02", raw):
        pos = m.start()
        name_len = int.from_bytes(raw[pos + 28 : pos + 30], "little")
        extra_len = int.from_bytes(raw[pos + 30 : pos + 32], "little")
        if extra_len == 20:
            extra = pos + 46 + name_len
            raw[extra + 4 : extra + 12] = (1).to_bytes(8, "little")
    check = limits.check_xlsx(io.BytesIO(bytes(raw)))
    assert check.refusal and ("超过上限" in check.refusal or "已损坏" in check.refusal)


def test_100000_deep_json_is_refused_with_status_2(regions, tmp_path, capsys):
    deep = hostile.deep_json(tmp_path / "deep.json")
    code, err = _import(deep, capsys)
    assert code == 2 and "嵌套层数超过上限" in err and _chinese_only(err), err
    lines = tmp_path / "deep.jsonl"
    lines.write_bytes(b'{"uscc": "x", "ext": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    code, err = _import(lines, capsys)
    assert code == 2 and "嵌套层数超过上限" in err


def test_json_depth_is_configurable(settings):
    rec = {"uscc": "91320581712345672C", "ext": {"a": [[[[1]]]]}}
    assert not read_records(json.dumps([rec]).encode(), "json").problems
    settings.SRDI_JSON_MAX_DEPTH = 4
    assert (
        "嵌套层数超过上限（4层）"
        in read_records(json.dumps([rec]).encode(), "json").problems[0].message
    )


def _template_with(tmp_path, edit) -> bytes:
    from srdi.exchange.xlsx import BASE_SHEET, _sheet_members, build_template

    buf = io.BytesIO()
    build_template(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    target = _sheet_members(src)[BASE_SHEET]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            z.writestr(info, edit(data) if info.filename == target else data)
    return out.getvalue()


def test_formula_cells_without_cached_values_are_reported(tmp_path):
    def add_rows(xml: bytes) -> bytes:
        rows = (
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>91320581712345672C</t></is></c>'
            b'<c r="B3" t="inlineStr"><is><t>\xe6\xb5\x8b\xe8\xaf\x95</t></is></c>'
            b'<c r="C3"><f>1+1</f></c></row>'
        )
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    content = _template_with(tmp_path, add_rows)
    recs = read_records(io.BytesIO(content), "xlsx")
    msgs = [p.message for p in recs.problems]
    assert any("C3 是公式" in m and "没有它的计算结果" in m for m in msgs), msgs


def test_cell_length_rows_and_problem_count_limits(tmp_path, settings, users):
    from srdi.registry import services

    settings.SRDI_IMPORT_MAX_CELL_CHARS = 50
    long = "长" * 51
    rows = b"".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>91320581712345672C</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>{long}</t></is></c></row>'.encode()
        for r in (3,)
    )
    content = _template_with(tmp_path, lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>"))
    msgs = [p.message for p in read_records(io.BytesIO(content), "xlsx").problems]
    assert any("超过上限 50" in m for m in msgs), msgs

    settings.SRDI_IMPORT_MAX_ROWS = 3
    lines = tmp_path / "many.jsonl"
    lines.write_text("\n".join(json.dumps({"uscc": f"x{i}"}) for i in range(10)), "utf-8")
    recs = read_records(lines, "jsonl")
    assert len(recs) == 3 and "记录数超过上限（3 条）" in recs.problems[-1].message

    settings.SRDI_IMPORT_MAX_ROWS = 1_000_000
    settings.SRDI_IMPORT_MAX_PROBLEMS = 5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"uscc": f"bad{i}", "name": "x"} for i in range(20)]), "utf-8")
    batch = services.import_profiles(bad, actor=users["admin"])
    assert len(batch.problems) == 6 and "未列出（最多列出 5 个）" in batch.problems[-1]["text"]
    assert batch.rejected == 20  # every record still counted


def test_a_broken_xlsx_gets_a_chinese_message(tmp_path):
    f = tmp_path / "坏文件.xlsx"
    f.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    msgs = [p.message for p in read_records(f, "xlsx").problems]
    assert msgs and all(_chinese_only(m) for m in msgs), msgs

"""The ``.xlsx`` exchange template: writing (streaming) and reading back to the JSON structure.

Layout (one sheet per section, same fields as the JSON, see :mod:`srdi.exchange.schema`):

* ``填写说明`` — instructions and the field dictionary (Chinese);
* ``企业基本信息`` — one row per enterprise (top-level fields);
* ``市场`` ``质量`` ``知识产权`` ``合规`` — at most one row per enterprise;
* ``科技奖励`` ``创客中国`` ``荣誉`` ``称号`` — one row per item;
* ``发展评价得分`` — one row per enterprise-year; ``年度数据`` — one row per enterprise-year;
* ``扩展`` — one row per ``ext`` key, the value as JSON text.

Row 1 holds the Chinese headers (``*`` = required), row 2 (hidden) the field keys (the reader maps
columns by them, or by the Chinese header when row 2 is missing); data from row 3.
Booleans are ``是``/``否`` and enumerations their Chinese labels, with dropdown validation.
Sheets are linked by 统一社会信用代码.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import sys
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import schema as S
from .problems import Problem, Records

__all__ = ["BASE_SHEET", "SHEETS", "build_template", "read_xlsx", "write_workbook"]

INSTRUCTIONS_SHEET = "填写说明"
BASE_SHEET = S.TOP_SECTION.sheet
FIRST_DATA_ROW = 3
TRUE_TEXT, FALSE_TEXT = "是", "否"
_TRUE = frozenset(["是", "true", "True", "TRUE", "Y", "y", "yes", "Yes", "YES", "1", "√", "有"])
_FALSE = frozenset(["否", "false", "False", "FALSE", "N", "n", "no", "No", "NO", "0", "×", "无"])


@dataclass(frozen=True, slots=True)
class Col:
    key: str  # "uscc" | "year" | "key" | "value" | field key
    header: str
    field: S.Field | None = None
    width: int = 14


@dataclass(frozen=True, slots=True)
class SheetSpec:
    title: str
    section: S.Section
    cols: tuple[Col, ...]


_USCC_COL = Col("uscc", "统一社会信用代码*", S.TOP_SECTION.by_key["uscc"], 22)
_YEAR_COL = Col("year", "年份*", None, 8)


def _col(f: S.Field) -> Col:
    header = f.header + ("*" if f.required else "")
    width = max(10, min(30, len(header) * 2 + 2))
    if f.key == "name":
        width = 30
    return Col(f.key, header, f, width)


def _specs() -> tuple[SheetSpec, ...]:
    out = []
    for sec in S.SECTIONS:
        if sec.shape == "top":
            cols = tuple(_col(f) if f.key != "uscc" else _USCC_COL for f in sec.fields)
        elif sec.shape in ("object", "array"):
            cols = (_USCC_COL, *(_col(f) for f in sec.fields))
        elif sec.shape == "year_values":
            cols = (_USCC_COL, _YEAR_COL, _col(sec.fields[0]))
        elif sec.shape == "year_objects":
            cols = (_USCC_COL, _YEAR_COL, *(_col(f) for f in sec.fields))
        else:  # ext
            cols = (_USCC_COL, Col("key", "键*", None, 20), Col("value", "值（JSON）", None, 40))
        out.append(SheetSpec(sec.sheet, sec, cols))
    return tuple(out)


SHEETS = _specs()
_SPEC_BY_TITLE = {s.title: s for s in SHEETS}


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


# ---------------------------------------------------------------- writing


def _cell_value(f: S.Field, v):
    """Profile value → cell value."""
    t = f.type
    if t == S.BOOL:
        return TRUE_TEXT if v else FALSE_TEXT if v is not None else None
    if t == S.ENUM and isinstance(v, str):
        return f.enum_labels.get(v, v)
    if t == S.DATE:
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                return v
        if isinstance(v, dt.datetime):
            return v.date()
        return v
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return v


def _row(fields, obj: dict, fill: bool) -> list:
    out = []
    for f in fields:
        v = obj.get(f.key)
        if v is None and fill and f.has_fill:
            v = f.fill
        out.append(None if v is None else _cell_value(f, v))
    return out


def _ext_text(v) -> str:
    from .writers import _ext, dumps_profile

    return dumps_profile(_ext(v))


def _instructions(ws) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    def bold(text):
        c = WriteOnlyCell(ws, value=text)
        c.font = Font(bold=True)
        return c

    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 34
    ws.column_dimensions["D"].width = 10
    ws.column_dimensions["E"].width = 12
    ws.column_dimensions["F"].width = 10
    ws.column_dimensions["G"].width = 60
    ws.append([bold(f"企业画像交换格式 v{S.FORMAT_VERSION} — Excel 填写模板")])
    lines = [
        "1. 每家企业在「企业基本信息」工作表填一行；其他工作表通过“统一社会信用代码”与之对应。",
        "2. 「市场」「质量」「知识产权」「合规」每家企业最多一行；「科技奖励」「创客中国」「荣誉」「称号」每项一行；"
        "「年度数据」「发展评价得分」每家企业每年一行；「扩展」每个键一行，值填 JSON（文本可直接填写）。",
        "3. 第1行为中文表头（带 * 为必填），第2行（已隐藏）为字段代码，请勿修改或删除；数据从第3行开始填写。",
        "4. 金额单位为万元，可带小数；百分比填百分数（12.5 表示 12.5%）；日期填 YYYY-MM-DD（如 2024-03-01）。",
        "5. 是否类字段从下拉列表选择“是/否”；枚举字段从下拉列表选择中文选项。",
        "6. 测量值（年度数据中的各项数字、市场占有率和排名、数字化水平等级、发展评价得分等）不知道时请留空，"
        "不要填 0：留空表示“未知”，0 表示“零”。",
        "7. 申报项（是否类标志、知识产权件数、研发机构、奖励、荣誉、称号、合规情况等）留空表示“无”。",
        "8. 导入时检查全部内容并一次列出所有问题（工作表、行号、字段和原因）；默认有任何错误则整个文件都不导入。",
        "",
    ]
    for line in lines:
        ws.append([line])
    ws.append(
        [
            bold("工作表"),
            bold("列（中文表头）"),
            bold("字段代码（JSON 路径）"),
            bold("类型"),
            bold("性质"),
            bold("单位"),
            bold("取值与说明"),
        ]
    )
    kinds = {S.MEASUREMENT: "测量值", S.DECLARATION: "申报项", S.ATTRIBUTE: "基本信息"}
    types = {
        S.STR: "文本",
        S.CODE: "代码",
        S.INT: "整数",
        S.NUMBER: "数字",
        S.BOOL: "是/否",
        S.DATE: "日期",
        S.ENUM: "选项",
    }
    for spec in SHEETS:
        for col in spec.cols:
            f = col.field
            if f is None or (col is _USCC_COL and spec.section.shape != "top"):
                if col.key == "year":
                    ws.append([spec.title, col.header, "年份键（如 2024）", "整数", "", "", ""])
                elif spec.section.key == "ext":
                    ws.append(
                        [spec.title, col.header, f"ext.{col.key}", "文本", "", "", "自由内容"]
                    )
                continue
            notes = []
            if f.enum:
                notes.append("；".join(f"{label}（{v}）" for v, label in f.enum))
            if f.min is not None or f.max is not None:
                lo = "" if f.min is None else f.min
                hi = "" if f.max is None else f.max
                notes.append(f"范围 {lo}–{hi}")
            if f.help:
                notes.append(f.help)
            if f.kind == S.DECLARATION and f.has_fill:
                notes.append("留空表示无")
            elif f.kind == S.MEASUREMENT:
                notes.append("留空表示未知")
            ws.append(
                [
                    spec.title,
                    col.header,
                    f.path,
                    types[f.type],
                    kinds[f.kind],
                    f.unit,
                    "；".join(notes),
                ]
            )


def _header(ws, spec: SheetSpec) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    head_fill = PatternFill("solid", fgColor="DDEBF7")
    row1, row2 = [], []
    for i, col in enumerate(spec.cols, 1):
        ws.column_dimensions[_letter(i)].width = col.width
        c = WriteOnlyCell(ws, value=col.header)
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="center")
        row1.append(c)
        k = WriteOnlyCell(ws, value=col.key)
        k.font = Font(color="808080", italic=True, size=9)
        row2.append(k)
    ws.append(row1)
    ws.append(row2)
    ws.freeze_panes = "B3"
    for i, col in enumerate(spec.cols, 1):
        f = col.field
        if f is None:
            continue
        if f.type == S.BOOL:
            choices = [TRUE_TEXT, FALSE_TEXT]
        elif f.enum:
            choices = [label if f.type == S.ENUM else str(v) for v, label in f.enum]
        else:
            continue
        formula = '"' + ",".join(choices) + '"'
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="无效的选项",
            error="请从下拉列表中选择：" + "、".join(choices),
        )
        letter = _letter(i)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}1048576")
        ws.data_validations.append(dv)


_EPOCH = dt.date(1899, 12, 30)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FROZEN_VIEW = (
    '<sheetView workbookViewId="0"><pane xSplit="1" ySplit="2" topLeftCell="B3" '
    'activePane="bottomRight" state="frozen"/><selection pane="bottomRight" activeCell="B3" '
    'sqref="B3"/></sheetView>'
)


def _xml_text(v: str) -> str:
    if _ILLEGAL_XML.search(v):
        v = _ILLEGAL_XML.sub("", v)
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _RowWriter:
    """Worksheet rows as SpreadsheetML text (inline strings, numbers, dates)."""

    def __init__(self, date_style: int):
        self.date_style = date_style
        self.letters = [_letter(i) for i in range(1, 64)]

    def row(self, r: int, values) -> str:
        parts = [f'<row r="{r}">']
        letters = self.letters
        for i, v in enumerate(values):
            if v is None:
                continue
            ref = f"{letters[i]}{r}"
            t = type(v)
            if t is str:
                sp = ' xml:space="preserve"' if (v[:1].isspace() or v[-1:].isspace()) else ""
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t{sp}>{_xml_text(v)}</t></is></c>')
            elif t is int:
                parts.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif t is Decimal:
                parts.append(f'<c r="{ref}"><v>{format(v, "f")}</v></c>')
            elif t is float:
                parts.append(f'<c r="{ref}"><v>{v!r}</v></c>')
            elif t is dt.date or t is dt.datetime:
                d = v.date() if t is dt.datetime else v
                parts.append(f'<c r="{ref}" s="{self.date_style}"><v>{(d - _EPOCH).days}</v></c>')
            elif t is bool:
                parts.append(
                    f'<c r="{ref}" t="inlineStr"><is><t>{TRUE_TEXT if v else FALSE_TEXT}</t></is></c>'
                )
            else:
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{_xml_text(str(v))}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)


def _template_bytes() -> bytes:
    """The empty template (openpyxl): instructions, headers, dropdown validation."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _instructions(wb.create_sheet(INSTRUCTIONS_SHEET))
    for spec in SHEETS:
        _header(wb.create_sheet(spec.title), spec)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _add_date_style(styles: str) -> tuple[str, int]:
    """styles.xml with one more cell format (built-in date format 14); its index."""
    m = re.search(r'<cellXfs count="(\d+)">', styles)
    n = int(m.group(1))
    styles = styles.replace(m.group(0), f'<cellXfs count="{n + 1}">', 1)
    xf = '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0"/>'
    styles = styles.replace("</cellXfs>", xf + "</cellXfs>", 1)
    return styles, n


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its worksheet XML member in the package (from workbook.xml and its rels)."""
    import posixpath
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{pkg}Relationship"):
        target = rel.get("Target", "")
        target = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        targets[rel.get("Id")] = target
    return {sh.get("name"): targets.get(sh.get(f"{rel_ns}id")) for sh in wb.iter(f"{main}sheet")}


def write_workbook(profiles, dest, *, fill_declarations: bool = False) -> int:
    """Write profiles into the template layout; returns the number of profiles.

    The template parts come from openpyxl; the data rows are written as SpreadsheetML directly
    (streamed through temporary files, one per sheet), which is ~10× faster than openpyxl cells.
    """
    import tempfile

    fill = fill_declarations
    template = _template_bytes()
    zin = zipfile.ZipFile(io.BytesIO(template))
    styles, date_style = _add_date_style(zin.read("xl/styles.xml").decode("utf-8"))
    writer = _RowWriter(date_style)
    spool = {spec.section.key: tempfile.TemporaryFile("w+", encoding="utf-8") for spec in SHEETS}
    next_row = {key: FIRST_DATA_ROW for key in spool}
    top_fields = S.TOP_SECTION.fields
    plan = [spec.section for spec in SHEETS if spec.section.key]
    n = 0

    def emit(key, values):
        r = next_row[key]
        next_row[key] = r + 1
        spool[key].write(writer.row(r, values))

    try:
        for p in profiles:
            n += 1
            emit("", _row(top_fields, p, fill))
            uscc = p.get("uscc")
            for sec in plan:
                key = sec.key
                v = p.get(key)
                shape = sec.shape
                if shape == "object":
                    if v is None and not fill:
                        continue
                    emit(key, [uscc, *_row(sec.fields, v or {}, fill)])
                elif v is None:
                    continue
                elif shape == "array":
                    for item in v:
                        emit(key, [uscc, *_row(sec.fields, item, False)])
                elif shape == "year_objects":
                    for year, fig in v.items():
                        emit(key, [uscc, _year_cell(year), *_row(sec.fields, fig or {}, fill)])
                elif shape == "year_values":
                    for year, score in v.items():
                        if score is not None:
                            emit(key, [uscc, _year_cell(year), score])
                else:  # ext
                    for k, value in v.items():
                        emit(key, [uscc, k, _ext_text(value)])
        members = _sheet_members(zin)
        member_key = {members[spec.title]: spec.section.key for spec in SHEETS}
        close = isinstance(dest, (str, os.PathLike))
        out = open(dest, "wb") if close else dest  # noqa: SIM115
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as zout:
                for info in zin.infolist():
                    name = info.filename
                    if name == "xl/styles.xml":
                        zout.writestr(info, styles)
                    elif name in member_key:
                        _write_sheet(
                            zout, name, zin.read(name).decode("utf-8"), spool[member_key[name]]
                        )
                    else:
                        zout.writestr(info, zin.read(name))
        finally:
            if close:
                out.close()
    finally:
        for fh in spool.values():
            fh.close()
    return n


def _write_sheet(zout, name: str, xml: str, rows) -> None:
    head, tail = xml.split("</sheetData>", 1)
    head = head.replace(
        '<sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1"/></sheetView>',
        _FROZEN_VIEW,
        1,
    ).replace('<row r="2">', '<row r="2" hidden="1">', 1)
    rows.seek(0)
    with zout.open(name, "w", force_zip64=True) as fh:
        fh.write(head.encode("utf-8"))
        while True:
            chunk = rows.read(1 << 20)
            if not chunk:
                break
            fh.write(chunk.encode("utf-8"))
        fh.write(("</sheetData>" + tail).encode("utf-8"))


def _year_cell(year):
    if isinstance(year, str) and year.isdigit():
        return int(year)
    return year


def build_template(dest) -> None:
    """Write the empty template (headers, dropdowns, instructions)."""
    write_workbook((), dest)


# ---------------------------------------------------------------- reading


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _to_text(v):
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _to_number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() and abs(v) < 1e15 else Decimal(repr(v))
    if isinstance(v, str):
        s = v.strip().replace(",", "").replace("，", "")
        try:
            d = Decimal(s)
        except InvalidOperation:
            return v
        if not d.is_finite():
            return v
        if d == d.to_integral_value() and "." not in s and "e" not in s.lower():
            return int(d)
        return d
    return v


def _to_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    return v


def _to_date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(v).date()
    if isinstance(v, str):
        s = v.strip().replace("/", "-").replace(".", "-")
        parts = s.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
            return f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}"
        return v.strip()
    return v


def _enum_converter(f: S.Field):
    lookup = {}
    for value, label in f.enum:
        lookup[label] = value
        lookup[str(value)] = value
        lookup[str(value).lower()] = value

    def conv(v):
        if isinstance(v, str):
            s = v.strip()
            return lookup.get(s, lookup.get(s.lower(), s))
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return lookup.get(str(v), v)
        return v

    return conv


def _converter(f: S.Field | None):
    if f is None:
        return _to_text
    t = f.type
    if f.enum:
        return _enum_converter(f)
    if t in (S.INT, S.NUMBER):
        return _to_number
    if t == S.BOOL:
        return _to_bool
    if t == S.DATE:
        return _to_date
    return _to_text


def _year_key(v):
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.date, dt.datetime)):
        return str(v.year)
    return str(v).strip()


def _ext_value(v):
    if isinstance(v, str):
        try:
            return json.loads(v, parse_float=Decimal)
        except ValueError:
            return v
    if isinstance(v, float):
        return _to_number(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return _to_text(v)
    return v


def _norm_header(h) -> str:
    return (
        str(h).replace("*", "").replace(" ", "").replace("\n", "").strip() if h is not None else ""
    )


def _map_columns(spec: SheetSpec, row1, row2, file, problems):
    """``(mapping [(index, Col, converter)], row2_is_keys)``."""
    by_key = {c.key: c for c in spec.cols}
    by_header = {}
    for c in spec.cols:
        by_header[_norm_header(c.header)] = c
        if c.field is not None:
            by_header[_norm_header(c.field.label)] = c
    row2 = row2 or ()
    keys_row = any(isinstance(v, str) and v.strip() in by_key for v in row2)
    mapping, used = [], set()
    width = max(len(row1 or ()), len(row2) if keys_row else 0)
    for i in range(width):
        k = row2[i].strip() if keys_row and i < len(row2) and isinstance(row2[i], str) else None
        h = row1[i] if row1 and i < len(row1) else None
        col = by_key.get(k) if k else None
        if col is None and not _blank(h):
            col = by_header.get(_norm_header(h))
        if col is None:
            if not _blank(h) or k:
                problems.append(
                    Problem(
                        file,
                        None,
                        2 if k else 1,
                        spec.title,
                        None,
                        k or None,
                        f"未知列「{h if not _blank(h) else k}」（不在交换格式中，该列数据无法导入）",
                    )
                )
            continue
        if col.key in used:
            problems.append(
                Problem(file, None, 1, spec.title, None, col.key, f"列「{col.header}」重复")
            )
            continue
        used.add(col.key)
        mapping.append((i, col, _converter(col.field if col.key != "uscc" else None)))
    for required in ("uscc", "year", "key"):
        if (
            required in by_key
            and required not in used
            and by_key[required].field is None
            or (required == "uscc" and "uscc" not in used)
        ):
            problems.append(
                Problem(
                    file,
                    None,
                    1,
                    spec.title,
                    None,
                    None,
                    f"缺少必需的列「{by_key[required].header}」，本工作表无法读取",
                )
            )
            return None, keys_row
    return mapping, keys_row


def read_xlsx(src, *, file: str | None = None) -> Records:
    """Read a filled template into raw records (JSON structure, not yet validated)."""
    from . import limits as L
    from .xlsxfast import XlsxReader

    problems: list[Problem] = []
    records: list[dict] = []
    locs: list[dict] = []
    lim = L.current()
    path = src if isinstance(src, str | os.PathLike) else None
    fh = open(path, "rb") if path is not None else src  # noqa: SIM115 - closed below
    try:
        check = L.check_xlsx(fh, lim)  # zip bombs refused before any library decompresses
        if check.refusal:
            problems.append(Problem(file, None, None, None, None, None, check.refusal))
            return Records(file=file, fmt="xlsx", problems=problems, locations=locs)
        problems.extend(_formula_problems(fh, check.formulas or {}, file))
    finally:
        if path is not None:
            fh.close()
    try:
        wb = XlsxReader(src)
    except Exception:  # noqa: BLE001 - any failure to open is a problem of the file
        problems.append(
            Problem(
                file,
                None,
                None,
                None,
                None,
                None,
                "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（请用 Excel 另存为 .xlsx 后重试）",
            )
        )
        return Records(file=file, fmt="xlsx", problems=problems, locations=locs)
    try:
        titles = wb.sheetnames
        for t in titles:
            if t not in _SPEC_BY_TITLE and t != INSTRUCTIONS_SHEET:
                problems.append(
                    Problem(
                        file, None, None, t, None, None, f"未知工作表「{t}」（其中数据不会导入）"
                    )
                )
        if BASE_SHEET not in titles:
            problems.append(
                Problem(file, None, None, None, None, None, f"缺少工作表「{BASE_SHEET}」")
            )
            return Records(file=file, fmt="xlsx", problems=problems, locations=locs)
        index: dict[str, int] = {}
        stubs: set[int] = set()
        # the largest sheet (annual figures) right after the base sheet: each sheet is held whole
        # while it is read, so reading it before the others' records exist lowers the peak memory
        order = sorted(SHEETS, key=lambda sp: (sp.title != BASE_SHEET, sp.section.key != "years"))
        for spec in order:
            if spec.title not in titles:
                continue
            _read_sheet(wb.rows(spec.title), spec, file, problems, records, locs, index, stubs)
    finally:
        wb.close()
    out = Records(records, file=file, fmt="xlsx", problems=problems, locations=locs)
    out.stubs = stubs  # records made from rows of other sheets only (0-based indices)
    return out


def _formula_problems(src, formulas: dict, file) -> list[Problem]:
    """Formula cells without a cached value are reported, never imported as unknown."""
    if not formulas:
        return []
    try:
        src.seek(0)
        with zipfile.ZipFile(src) as zf:
            titles = {member: title for title, member in _sheet_members(zf).items()}
    except (KeyError, zipfile.BadZipFile, SyntaxError):  # ParseError is a SyntaxError
        titles = {}
    finally:
        src.seek(0)
    out = []
    for member, cells in formulas.items():
        title = titles.get(member)
        if title is None or title == INSTRUCTIONS_SHEET:
            continue
        for col, row in cells:
            out.append(
                Problem(
                    file,
                    None,
                    row,
                    title,
                    None,
                    None,
                    f"单元格 {col}{row} 是公式，但文件中没有它的计算结果（文件未经 Excel 计算保存）；"
                    "请在 Excel 中打开、保存后再上传，或直接填写数值",
                )
            )
    return out


def _read_sheet(rows, spec, file, problems, records, locs, index, stubs=None) -> None:
    title = spec.title
    sec = spec.section
    shape = sec.shape
    key = sec.key
    row1 = next(rows, None)
    row2 = next(rows, None)
    mapping, keys_row = _map_columns(spec, row1, row2, file, problems)
    if mapping is None:
        return
    first = 3 if keys_row else 2
    if not keys_row and row2 is not None:
        import itertools

        rows = itertools.chain([row2], rows)
    uscc_i = next((i for i, c, _ in mapping if c is _USCC_COL), None)
    year_i = next((i for i, c, _ in mapping if c is _YEAR_COL), None)
    fields = [
        (i, c.key, conv) for i, c, conv in mapping if c is not _USCC_COL and c is not _YEAR_COL
    ]
    seen_rows: dict = {}
    from . import limits as L

    lim = L.current()
    max_row, max_chars = lim.rows + first - 1, lim.cell_chars
    for rowno, row in enumerate(rows, first):
        if not row:
            continue
        if rowno > max_row:
            problems.append(
                Problem(
                    file,
                    None,
                    rowno,
                    title,
                    None,
                    None,
                    f"工作表「{title}」超过 {lim.rows:,} 行的上限，其后的行未读取；请拆分文件",
                )
            )
            break
        n = len(row)
        obj = {}
        for i, k, conv in fields:
            if i < n:
                v = row[i]
                if v is None:
                    continue
                tv = type(v)
                if conv is _to_number and (tv is int or tv is float):
                    # the common case inline: whole numbers as int, others exact from the repr
                    if tv is int:
                        obj[k] = v
                    elif v.is_integer() and -1e15 < v < 1e15:
                        obj[k] = int(v)
                    else:
                        obj[k] = Decimal(repr(v))
                    continue
                if tv is str and (not v or v.isspace()):
                    continue
                if tv is str and len(v) > max_chars:
                    problems.append(
                        Problem(
                            file,
                            None,
                            rowno,
                            title,
                            None,
                            k,
                            f"单元格内容有 {len(v):,} 个字符，超过上限 {max_chars:,}",
                        )
                    )
                    continue
                obj[k] = conv(v)
        raw_uscc = row[uscc_i] if uscc_i is not None and uscc_i < n else None
        uscc = _to_text(raw_uscc) if not _blank(raw_uscc) else None
        if not obj and uscc is None and (year_i is None or year_i >= n or _blank(row[year_i])):
            continue  # a blank row (white space only)
        ukey = uscc.upper() if isinstance(uscc, str) else uscc
        if shape == "top":
            if uscc is not None:
                obj = {"uscc": uscc, **obj}
                index.setdefault(ukey, len(records))
            records.append(obj)
            locs.append({"": (title, rowno)})
            continue
        if uscc is None:
            problems.append(Problem(file, None, rowno, title, None, "uscc", "缺少统一社会信用代码"))
            continue
        ri = index.get(ukey)
        if ri is None and shape != "array" and stubs is not None:
            # a row for an enterprise not listed in the base sheet: a record of this section only
            # (the importer completes it from the registry when the enterprise exists)
            ri = index[ukey] = len(records)
            stubs.add(ri)
            records.append({"uscc": uscc})
            locs.append({"": (title, rowno)})
        if ri is None:
            problems.append(
                Problem(
                    file,
                    None,
                    rowno,
                    title,
                    uscc,
                    "uscc",
                    f"统一社会信用代码 {uscc} 不在「{BASE_SHEET}」工作表中",
                )
            )
            continue
        rec, loc = records[ri], locs[ri]
        if shape == "object":
            if key in rec:
                problems.append(
                    Problem(
                        file,
                        ri + 1,
                        rowno,
                        title,
                        uscc,
                        key,
                        f"该企业在本工作表已有一行（第{seen_rows[ukey]}行），每家企业只能一行",
                    )
                )
                continue
            seen_rows[ukey] = rowno
            rec[key] = obj
            loc[key] = (title, rowno)
        elif shape == "array":
            lst = rec.setdefault(key, [])
            loc[f"{key}[{len(lst)}]"] = (title, rowno)
            lst.append(obj)
        elif shape in ("year_objects", "year_values"):
            rv = row[year_i] if year_i is not None and year_i < n else None
            if _blank(rv):
                problems.append(Problem(file, ri + 1, rowno, title, uscc, f"{key}", "缺少年份"))
                continue
            year = sys.intern(_year_key(rv))
            d = rec.setdefault(key, {})
            if year in d:
                problems.append(
                    Problem(
                        file,
                        ri + 1,
                        rowno,
                        title,
                        uscc,
                        f"{key}.{year}",
                        f"{year}年在本工作表重复（已在第{seen_rows[(ukey, year)]}行）",
                    )
                )
                continue
            seen_rows[(ukey, year)] = rowno
            loc[f"{key}.{year}"] = (title, rowno)
            if shape == "year_objects":
                d[year] = obj
            else:
                score = obj.get("score")
                if score is not None:
                    d[year] = score
        else:  # ext
            k = obj.get("key")
            if k is None or k == "":
                problems.append(Problem(file, ri + 1, rowno, title, uscc, "ext", "缺少键"))
                continue
            k = str(k)
            d = rec.setdefault("ext", {})
            if k in d:
                problems.append(
                    Problem(file, ri + 1, rowno, title, uscc, f"ext.{k}", f"扩展键“{k}”重复")
                )
                continue
            loc[f"ext.{k}"] = (title, rowno)
            raw = (
                row[[i for i, c, _ in mapping if c.key == "value"][0]]
                if any(c.key == "value" for _, c, _ in mapping)
                else None
            )
            d[k] = None if _blank(raw) else _ext_value(raw)

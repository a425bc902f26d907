"""The one xlsx writer: every workbook the platform writes goes through here.

    from srdi.core import xlsx

    content = xlsx.workbook([xlsx.Sheet("企业名录", headers, rows, widths=(22, 36))])
    return xlsx.response(content, "企业名录.xlsx")

    wb, ws = xlsx.streaming("企业名录", headers, widths=...)   # large lists: write-only
    ws.append(xlsx.row(ws, values)); wb.save(out)

Text is always stored as text: a value such as ``=HYPERLINK(…)`` (or one starting with ``+ - @``)
is written as a string cell, never as a live formula (CWE-1236, "CSV/formula injection").
Numbers stay numbers (Decimal written exactly as a number), dates stay dates, None is empty.
CSV files get the same protection with :func:`csv_text` (a leading apostrophe).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[float] = field(default_factory=tuple)
    freeze: str | None = "A2"


def _plain(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def cell(ws, value, *, bold: bool = False):
    """A write-only cell holding `value` safely (text as text)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    value = _plain(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never a formula, whatever the text starts with
    if bold:
        c.font = Font(bold=True)
    return c


def row(ws, values: Sequence, *, bold: bool = False) -> list:
    return [cell(ws, v, bold=bold) for v in values]


def streaming(title: str, headers: Sequence[str], *, widths: Sequence[float] = (), freeze="A2"):
    """A write-only workbook with one sheet and its header row: ``(wb, ws)``."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    if freeze:
        ws.freeze_panes = freeze
    ws.append(row(ws, list(headers), bold=True))
    return wb, ws


class SafeSheet:
    """A write-only worksheet whose ``append`` stores text as text (see :func:`new`)."""

    def __init__(self, ws):
        self._ws = ws

    def append(self, values, *, bold: bool = False) -> None:
        self._ws.append(row(self._ws, list(values), bold=bold))

    def __getattr__(self, name):  # column_dimensions, freeze_panes, title …
        return getattr(self._ws, name)

    def __setattr__(self, name, value):
        if name == "_ws":
            object.__setattr__(self, name, value)
        else:
            setattr(self._ws, name, value)


class SafeWorkbook:
    """A write-only workbook whose sheets are :class:`SafeSheet` (see :func:`new`)."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook(write_only=True)

    def create_sheet(self, title: str, *, widths: Sequence[float] = (), freeze=None) -> SafeSheet:
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title[:31])
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        if freeze:
            ws.freeze_panes = freeze
        return SafeSheet(ws)

    def save(self, out) -> None:
        self.wb.save(out)

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()


def new() -> SafeWorkbook:
    """A free-form write-only workbook (title rows, several sheets, streaming): each
    ``ws.append(values)`` goes through :func:`row`, so text is always text::

        wb = xlsx.new()
        ws = wb.create_sheet("企业名单", widths=(22, 36), freeze="A4")
        ws.append([title]); ws.append(headers, bold=True)
        for r in rows: ws.append(r)
        content = wb.bytes()          # or wb.save(path_or_stream)
    """
    return SafeWorkbook()


def add_sheet(wb, sheet: Sheet):
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.title[:31])
    for i, w in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    if sheet.freeze and sheet.headers:
        ws.freeze_panes = sheet.freeze
    if sheet.headers:
        ws.append(row(ws, list(sheet.headers), bold=True))
    for values in sheet.rows:
        ws.append(row(ws, list(values)))
    return ws


def workbook(sheets: Iterable[Sheet]) -> bytes:
    """The xlsx bytes of `sheets` (write-only: memory stays flat for long lists)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for s in sheets:
        add_sheet(wb, s)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(content: bytes, filename: str):
    """An attachment response with a Chinese file name (RFC 5987)."""
    from django.http import HttpResponse

    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return attachment(resp, filename)


def attachment(resp, filename: str):
    """Mark any download (xlsx, PDF, DOCX, JSON …) as an attachment with a Chinese file name
    (RFC 5987, with an ASCII fallback for old clients)."""
    ascii_name = "".join(c if c.isascii() and c not in '"\\;' else "_" for c in filename)
    resp["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return resp


def csv_text(value):
    """A CSV field that a spreadsheet will not run: text starting with = + - @ gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value

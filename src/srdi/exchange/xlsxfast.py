"""A fast, streaming reader of the cell values of ``.xlsx`` worksheets (python-calamine).

openpyxl creates a Python object per cell and reads ~100k cells/s; a 100,000-enterprise template
holds millions of cells. calamine (Rust, the engine pandas and Polars use for Excel) reads them
about ten times faster. Each row is a list of ``str``, ``float`` (every number), ``bool``,
``date`` / ``datetime`` (cells formatted as dates), and ``""`` for an empty cell; the exchange
reader converts them field by field. Row and column positions are those of the sheet (row 1 is the first row,
even when the used range starts lower), so that problems name the right cell.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from python_calamine import CalamineWorkbook

__all__ = ["XlsxReader"]


class XlsxReader:
    """``XlsxReader(path_or_stream)``; ``.sheetnames``; ``.rows(name)`` yields value tuples."""

    def __init__(self, src):
        if isinstance(src, str | os.PathLike):
            self.wb = CalamineWorkbook.from_path(os.fspath(src))
        else:
            if hasattr(src, "seek"):
                src.seek(0)
            self.wb = CalamineWorkbook.from_filelike(src)

    @property
    def sheetnames(self) -> list[str]:
        return list(self.wb.sheet_names)

    def close(self) -> None:
        self.wb.close()

    def rows(self, name: str) -> Iterator[tuple]:
        """Yield each worksheet row from row 1, cells from column A (empty: ``""`` or None)."""
        sheet = self.wb.get_sheet_by_name(name)
        start = sheet.start
        if start is None:  # an empty sheet
            return
        r0, c1 = start[0], sheet.end[1]
        # calamine's rows may or may not include the empty area above and left of the used
        # range (0.9 yields the rows above but not the columns to the left): pad what is missing
        it = sheet.iter_rows()
        first = next(it, None)
        if first is None:
            return
        # row r0 holds a value (it starts the used range): an all-empty first row means the
        # rows above it are yielded too
        if r0 and any(v != "" for v in first):
            for _ in range(r0):
                yield ()
        pad = [None] * (c1 + 1 - len(first)) if len(first) < c1 + 1 else None
        if pad:
            yield pad + first
            for row in it:
                yield pad + row
        else:
            yield first
            yield from it

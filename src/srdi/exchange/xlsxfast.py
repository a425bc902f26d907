"""A small, fast, streaming reader of the cell values of ``.xlsx`` worksheets.

openpyxl's read-only mode creates objects per cell and reads ~100k cells/s; a 100,000-enterprise
template holds millions of cells. This reader scans the worksheet XML with regular expressions
in chunks (values only: shared / inline strings, numbers, booleans, formula results) and is
several times faster. Dates stored as serial numbers come back as numbers (the exchange reader
converts them for date fields).
"""

from __future__ import annotations

import codecs
import html
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator

__all__ = ["XlsxReader"]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# one cell, fast path: column letters, row, type, <v> text, plain inline text, rich inline text
_CELLS_R = re.compile(
    r'<c r="([A-Z]+)(\d+)"(?: s="\d+")?(?: t="(\w+)")?[^>]*?'
    r"(?:/>|>(?:<f\b[^>]*?(?:/>|>.*?</f>))?"
    r"(?:<v>(.*?)</v>|<is>(?:<t[^>]*>([^<]*)</t>|(.*?))</is>)?.*?</c>)",
    re.S,
)
# a cell tag in the one attribute layout the fast path understands (r, then s, then t)
_PLAIN_TAG = re.compile(r'<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="\w+")?/?>')
_ANY_TAG = re.compile(r"<c[ />]")
# the general case: any attributes in any order
_CELL_ANY = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_V = re.compile(r"<v>(.*?)</v>", re.S)
_IS = re.compile(r"<is>(.*?)</is>", re.S)
_T_RE = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_ROW_END = re.compile(r"</row>|<row\b[^>]*/>")

_COLS: dict[str, int] = {}
_UNESCAPED: dict[str, str] = {}


def _col_index(letters: str) -> int:
    i = _COLS.get(letters)
    if i is None:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        i = _COLS[letters] = n - 1
    return i


def _unescape(s: str) -> str:
    """XML entities and character references decoded (cached: cell texts repeat a lot)."""
    r = _UNESCAPED.get(s)
    if r is None:
        r = html.unescape(s)
        if len(_UNESCAPED) < 100_000 and len(s) < 200:
            _UNESCAPED[s] = r
    return r


class XlsxReader:
    """``XlsxReader(path_or_stream)``; ``.sheetnames``; ``.rows(name)`` yields value tuples."""

    def __init__(self, src):
        self.zf = zipfile.ZipFile(src)
        self._sheets = self._read_workbook()
        self._shared: list[str] | None = None

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def close(self) -> None:
        self.zf.close()

    def _read_workbook(self) -> dict[str, str]:
        wb = ET.fromstring(self.zf.read("xl/workbook.xml"))
        rels = ET.fromstring(self.zf.read("xl/_rels/workbook.xml.rels"))
        targets = {}
        for rel in rels.iter(f"{_NS_PKG}Relationship"):
            target = rel.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = target
        out = {}
        for sheet in wb.iter(f"{_NS_MAIN}sheet"):
            out[sheet.get("name")] = targets.get(sheet.get(f"{_NS_REL}id"))
        return out

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            try:
                fh = self.zf.open("xl/sharedStrings.xml")
            except KeyError:
                return self._shared
            with fh:
                for _, el in ET.iterparse(fh):
                    if el.tag == f"{_NS_MAIN}si":
                        self._shared.append("".join(t.text or "" for t in el.iter(f"{_NS_MAIN}t")))
                        el.clear()
        return self._shared

    def _chunks(self, member: str, size: int = 1 << 22) -> Iterator[str]:
        dec = codecs.getincrementaldecoder("utf-8")()
        buf = ""
        with self.zf.open(member) as fh:
            while True:
                data = fh.read(size)
                final = not data
                buf += dec.decode(data, final)
                if final:
                    if buf:
                        yield buf
                    return
                cut = -1
                for m in _ROW_END.finditer(buf, max(0, len(buf) - 200000)):
                    cut = m.end()
                if cut == -1:
                    continue
                yield buf[:cut]
                buf = buf[cut:]

    def rows(self, name: str) -> Iterator[tuple]:
        """Yield each worksheet row (from row 1, empty rows as ``()``) as a tuple of values."""
        expected = 1
        for chunk in self._chunks(self._sheets[name]):
            if len(_ANY_TAG.findall(chunk)) != len(_PLAIN_TAG.findall(chunk)):
                it = self._rows_generic(chunk, expected)
            else:
                it = self._rows_fast(chunk)
            for rownum, values in it:
                while expected < rownum:
                    yield ()
                    expected += 1
                expected = rownum + 1
                yield values

    def _value(self, t, v, it, rich):
        if t == "inlineStr":
            if rich:
                it = "".join(_T_RE.findall(rich))
            return _unescape(it) if "&" in it else it
        if not v:
            return None
        if t == "" or t == "n":
            try:
                return int(v)
            except ValueError:
                try:
                    return float(v)
                except ValueError:
                    return _unescape(v)
        if t == "s":
            if self._shared is None:
                self._shared_strings()
            return self._shared[int(v)]
        if t == "b":
            return v.strip() == "1"
        return _unescape(v) if "&" in v else v  # str, e, d

    def _rows_fast(self, chunk: str):
        cols = _COLS
        cur = None
        values: list = []
        for letters, rn, t, v, it, rich in _CELLS_R.findall(chunk):
            if rn != cur:
                if cur is not None:
                    yield int(cur), tuple(values)
                cur = rn
                values = []
            # the common cases inline, the rest through _value
            if v and (t == "" or t == "n"):
                if "." in v or "E" in v or "e" in v:
                    try:
                        value = float(v)
                    except ValueError:
                        value = self._value(t, v, it, rich)
                else:
                    try:
                        value = int(v)
                    except ValueError:
                        value = self._value(t, v, it, rich)
            elif t == "inlineStr" and not rich:
                value = _unescape(it) if "&" in it else it
            else:
                value = self._value(t, v, it, rich)
                if value is None:
                    continue
            col = cols.get(letters)
            if col is None:
                col = _col_index(letters)
            n = len(values)
            if col == n:
                values.append(value)
            elif col > n:
                values.extend([None] * (col - n))
                values.append(value)
            else:
                values[col] = value
        if cur is not None:
            yield int(cur), tuple(values)

    def _rows_generic(self, chunk: str, expected: int):
        pos = 0
        find = chunk.find
        while True:
            i = find("<row", pos)
            if i < 0:
                return
            j = find(">", i)
            attrs = chunk[i + 4 : j]
            ri = attrs.find('r="')
            rownum = int(attrs[ri + 3 : attrs.index('"', ri + 3)]) if ri >= 0 else expected
            expected = rownum + 1
            if attrs.endswith("/"):
                pos = j + 1
                continue
            k = find("</row>", j)
            body = chunk[j + 1 : k]
            pos = k + 6
            values: list = []
            col = -1
            for attrs, inner in _CELL_ANY.findall(body):
                a = dict(_ATTR.findall(attrs))
                ref = a.get("r")
                if ref:
                    e = 0
                    while e < len(ref) and ref[e].isalpha():
                        e += 1
                    col = _col_index(ref[:e])
                else:
                    col += 1
                if not inner:
                    continue
                t = a.get("t", "n")
                if t == "inlineStr":
                    m = _IS.search(inner)
                    value = self._value(t, "", "", m.group(1) if m else "")
                else:
                    m = _V.search(inner)
                    if m is None:
                        continue
                    value = self._value(t, m.group(1), "", "")
                if value is None:
                    continue
                n = len(values)
                if col >= n:
                    values.extend([None] * (col - n))
                    values.append(value)
                else:
                    values[col] = value
            yield rownum, tuple(values)

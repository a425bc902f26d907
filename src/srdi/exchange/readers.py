"""Reading exchange files: a JSON array, JSON Lines, or the ``.xlsx`` template.

``read_records`` gives the raw records (a :class:`~srdi.exchange.problems.Records` list that
also carries the reading problems and, for xlsx, where each value came from);
``read_profiles`` reads and validates, returning normalised profiles or raising
:class:`~srdi.exchange.problems.ProfileErrors` with every problem.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from . import limits
from .limits import depth, depth_message
from .problems import UNREADABLE, Problem, ProfileErrors, Records
from .validate import validate_records

__all__ = ["FORMATS", "iter_records", "read_profiles", "read_records", "sniff_format"]

FORMATS = ("json", "jsonl", "xlsx")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_float=Decimal)

_JSON_MESSAGES = (
    ("Expecting value", "此处应有一个值"),
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting property name enclosed in double quotes", "属性名应使用英文双引号"),
    ("Unterminated string starting at", "字符串缺少结束引号"),
    ("Invalid control character at", "字符串中有非法控制字符（如未转义的换行）"),
    ("Invalid \\escape", "非法的转义符"),
    ("Invalid \\uXXXX escape", "非法的 \\u 转义"),
    ("Extra data", "多余的内容"),
)


def _json_message(err: json.JSONDecodeError) -> str:
    text = err.msg
    for en, zh in _JSON_MESSAGES:
        if text.startswith(en):
            text = zh
            break
    return f"JSON 格式错误（第{err.lineno}行第{err.colno}列）：{text}"


def _name_of(src) -> str | None:
    if isinstance(src, (str, os.PathLike)):
        return os.fspath(src)
    name = getattr(src, "name", None)
    return name if isinstance(name, str) else None


def _read_bytes(src) -> bytes:
    if isinstance(src, (str, os.PathLike)):
        return Path(src).read_bytes()
    if isinstance(src, (bytes, bytearray)):
        return bytes(src)
    data = src.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def sniff_format(name: str | None, head: bytes) -> str:
    """``json`` / ``jsonl`` / ``xlsx`` from the file name and its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    ext = (os.path.splitext(name)[1].lower() if name else "").lstrip(".")
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    if ext == "xlsx":
        return "xlsx"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "json"


def _iter_json_array(chunks: Iterable[str], file, problems: list, locations: list) -> Iterator:
    """Yield the elements of a JSON array one by one, reading ``chunks`` of text as needed
    (memory stays around one chunk plus the records not yet consumed); ``locations`` gets the
    line each element starts on."""
    it = iter(chunks)
    lim = limits.current()
    count = 0
    buf = ""
    idx = 0
    eof = False
    line = 1  # line number at position `counted`
    counted = 0

    def fill() -> bool:
        nonlocal buf, idx, counted, eof, line
        if eof:
            return False
        for chunk in it:
            if idx > 0:  # drop what is consumed
                line += buf.count("\n", counted, idx)
                buf = buf[idx:]
                counted = idx = 0
            buf += chunk
            return True
        eof = True
        return False

    def skip_ws() -> bool:
        """Advance past white space; False at end of input."""
        nonlocal idx
        while True:
            idx = _WS.match(buf, idx).end()
            if idx < len(buf):
                return True
            if not fill():
                return False

    def where() -> int:
        nonlocal line, counted
        line += buf.count("\n", counted, idx)
        counted = idx
        return line

    def fail(msg: str) -> None:
        problems.append(Problem(file, None, where(), None, None, None, msg))

    if not skip_ws():
        fail("文件为空")
        return
    if buf[idx] == "\ufeff":
        idx += 1
        if not skip_ws():
            fail("文件为空")
            return
    if buf[idx] != "[":
        fail("JSON 文件应以 [ 开始（一个记录数组）")
        return
    idx += 1
    if not skip_ws():
        fail("JSON 格式错误：文件意外结束（缺少 ]）")
        return
    if buf[idx] == "]":
        idx += 1
    else:
        while True:
            start_line = where()
            while True:
                try:
                    obj, end = _DECODER.raw_decode(buf, idx)
                    break
                except RecursionError:
                    fail(depth_message(lim.json_depth))
                    return
                except json.JSONDecodeError as e:
                    if fill():
                        continue
                    e_line = start_line + buf.count("\n", idx, e.pos)
                    col = e.pos - (buf.rfind("\n", 0, e.pos) + 1) + 1
                    msg = _json_message(e).replace(
                        f"（第{e.lineno}行第{e.colno}列）", f"（第{e_line}行第{col}列）"
                    )
                    problems.append(Problem(file, None, e_line, None, None, None, msg))
                    return
            idx = end
            locations.append(start_line)
            count += 1
            if count > lim.rows:
                fail(f"记录数超过上限（{lim.rows:,} 条），其后的记录未读取；请拆分文件")
                return
            if depth(obj, lim.json_depth) > lim.json_depth - 1:  # the array is one level
                problems.append(
                    Problem(
                        file, count, start_line, None, None, None, depth_message(lim.json_depth)
                    )
                )
                yield UNREADABLE
            else:
                yield obj
            if not skip_ws():
                fail("JSON 格式错误：文件意外结束（缺少 ]）")
                return
            ch = buf[idx]
            if ch == ",":
                idx += 1
                if not skip_ws():
                    fail("JSON 格式错误：文件意外结束")
                    return
                continue
            if ch == "]":
                idx += 1
                break
            fail(f"JSON 格式错误（第{where()}行）：此处应为逗号或 ]，实际为“{ch}”")
            return
    if skip_ws():
        fail(f"JSON 格式错误（第{where()}行）：数组之后有多余的内容")


def _text_chunks(src, size: int = 1 << 20) -> Iterator[str]:
    """UTF-8 text of a path or binary stream in chunks (BOM removed)."""
    import codecs

    dec = codecs.getincrementaldecoder("utf-8-sig")()
    fh = open(src, "rb") if isinstance(src, (str, os.PathLike)) else src  # noqa: SIM115
    try:
        while True:
            data = fh.read(size)
            if not data:
                tail = dec.decode(b"", True)
                if tail:
                    yield tail
                return
            yield dec.decode(data)
    finally:
        if fh is not src:
            fh.close()


def _iter_jsonl(lines: Iterable[str], file, problems: list, locations: list) -> Iterator:
    record = 0
    lim = limits.current()
    for lineno, raw in enumerate(lines, 1):
        if lineno == 1 and raw.startswith("\ufeff"):
            raw = raw[1:]
        s = raw.strip()
        if not s:
            continue
        record += 1
        if record > lim.rows:
            problems.append(
                Problem(
                    file,
                    None,
                    lineno,
                    None,
                    None,
                    None,
                    f"记录数超过上限（{lim.rows:,} 条），其后的记录未读取；请拆分文件",
                )
            )
            return
        locations.append(lineno)
        try:
            obj = _DECODER.decode(s)
            if depth(obj, lim.json_depth) > lim.json_depth:
                raise RecursionError
        except RecursionError:
            problems.append(
                Problem(file, record, lineno, None, None, None, depth_message(lim.json_depth))
            )
            yield UNREADABLE
            continue
        except json.JSONDecodeError as e:
            msg = _json_message(e).replace(f"（第{e.lineno}行第{e.colno}列）", f"（第{e.colno}列）")
            problems.append(Problem(file, record, lineno, None, None, None, msg))
            yield UNREADABLE
            continue
        yield obj


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Split text chunks into lines (\\n, \\r\\n)."""
    rest = ""
    for chunk in chunks:
        parts = (rest + chunk).split("\n")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _draining(records: list) -> Iterator:
    """Yield the items of a list, dropping each from the list once yielded."""
    for i in range(len(records)):
        item = records[i]
        records[i] = None
        yield item


class _Lazy:
    """An iterable of records that fills ``problems`` and ``locations`` while it is consumed."""

    def __init__(self, it, file, fmt, problems, locations):
        self._it = it
        self.file = file
        self.fmt = fmt
        self.problems = problems
        self.locations = locations

    def __iter__(self):
        return self._it


def iter_records(src, fmt: str | None = None):
    """Records as a lazy iterable (``.problems``, ``.locations``, ``.file``, ``.fmt`` filled as
    it is consumed). JSON Lines files are streamed line by line; xlsx files are read whole."""
    file = _name_of(src)
    problems: list[Problem] = []
    locations: list = []
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"未知格式：{fmt}（可用：{', '.join(FORMATS)}）")
    if fmt is None:
        if isinstance(src, (str, os.PathLike)):
            with open(src, "rb") as fh:
                head = fh.read(64)
        elif isinstance(src, (bytes, bytearray)):
            head = bytes(src[:64])
        elif getattr(src, "seekable", lambda: False)():
            pos = src.tell()
            head = src.read(64)
            src.seek(pos)
        else:
            data = _read_bytes(src)
            head = data[:64]
            src = io.BytesIO(data)
        if isinstance(head, str):
            head = head.encode("utf-8")
        fmt = sniff_format(file, head)
    if isinstance(src, (bytes, bytearray)):
        src = io.BytesIO(src)
    if fmt == "xlsx":
        from .xlsx import read_xlsx

        return read_xlsx(src, file=file)
    if isinstance(src, io.TextIOBase):
        src = io.BytesIO(src.read().encode("utf-8"))

    def chunks():
        try:
            yield from _text_chunks(src)
        except UnicodeDecodeError as e:
            problems.append(
                Problem(file, None, None, None, None, None, f"文件不是 UTF-8 编码（{e.reason}）")
            )

    if fmt == "jsonl":
        it = _iter_jsonl(_lines(chunks()), file, problems, locations)
    else:
        it = _iter_json_array(chunks(), file, problems, locations)
    return _Lazy(it, file, fmt, problems, locations)


def read_records(src, fmt: str | None = None) -> Records:
    """All raw records of a file (path, bytes or binary stream) as a ``Records`` list.

    ``fmt``: ``json`` / ``jsonl`` / ``xlsx``; None = from the file extension and content.
    Numbers with a fraction are ``Decimal``. Unparseable JSON Lines lines appear as
    ``UNREADABLE`` placeholders so that record numbers stay those of the file.
    """
    lazy = iter_records(src, fmt)
    if isinstance(lazy, Records):
        return lazy
    items = list(lazy)
    return Records(
        items,
        file=lazy.file,
        fmt=lazy.fmt,
        problems=lazy.problems,
        locations=lazy.locations,
    )


def read_profiles(
    src,
    fmt: str | None = None,
    *,
    regions: Iterable[str] | None = None,
    industries: Iterable[str] | None = None,
) -> list[dict]:
    """Read and validate a file; the normalised profiles, or :class:`ProfileErrors` listing
    every problem (reading and validation) if there is any."""
    records = iter_records(src, fmt)
    if isinstance(records, Records):  # xlsx: read whole; let validated raw records go
        stubs = getattr(records, "stubs", None)
        records = _Lazy(
            _draining(records), records.file, records.fmt, records.problems, records.locations
        )
        records.stubs = stubs
    profiles, problems = validate_records(records, regions=regions, industries=industries)
    if problems:
        raise ProfileErrors(problems)
    return profiles

"""Limits on hostile files (issue 10, item 7): what one uploaded or imported file may cost.

Every reader of the exchange formats (web upload, API upload, ``srdi import``, the validators)
checks these before and while it reads, and reports what exceeds them as a Chinese problem —
never a traceback, never gigabytes of memory. Each is configurable in the settings or the
environment (``SRDI_*``, see the README's configuration table):

| setting | default | what |
|---|---|---|
| ``SRDI_UPLOAD_MAX_MB`` | 200 | size of an uploaded file |
| ``SRDI_XLSX_MAX_UNCOMPRESSED_MB`` | 1024 | an xlsx's content once decompressed (zip bombs) |
| ``SRDI_IMPORT_MAX_ROWS`` | 1,000,000 | rows of one worksheet / records of one file |
| ``SRDI_IMPORT_MAX_CELL_CHARS`` | 32,767 | characters of one text value (Excel's own limit) |
| ``SRDI_JSON_MAX_DEPTH`` | 32 | nesting of JSON arrays/objects (a profile needs 4) |
| ``SRDI_IMPORT_MAX_PROBLEMS`` | 1,000 | problems listed for one file (the rest are counted) |
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass

_MB = 1024 * 1024


def _setting(name: str, default: int) -> int:
    try:
        from django.conf import settings

        if settings.configured and hasattr(settings, name):
            return int(getattr(settings, name))
    except Exception:  # noqa: BLE001 - outside Django: the environment or the default
        pass
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    xlsx_uncompressed_bytes: int
    rows: int
    cell_chars: int
    json_depth: int
    problems: int


def current() -> Limits:
    return Limits(
        upload_bytes=_setting("SRDI_UPLOAD_MAX_MB", 200) * _MB,
        xlsx_uncompressed_bytes=_setting("SRDI_XLSX_MAX_UNCOMPRESSED_MB", 1024) * _MB,
        rows=_setting("SRDI_IMPORT_MAX_ROWS", 1_000_000),
        cell_chars=_setting("SRDI_IMPORT_MAX_CELL_CHARS", 32_767),
        json_depth=_setting("SRDI_JSON_MAX_DEPTH", 32),
        problems=_setting("SRDI_IMPORT_MAX_PROBLEMS", 1000),
    )


def mb(n: int) -> str:
    return f"{n / _MB:,.0f} MB"


# ------------------------------------------------------------------------------ JSON depth


def depth(obj, limit: int) -> int:
    """Nesting depth of a decoded JSON value, counting no further than ``limit + 1``."""
    stack = [(obj, 1)]
    deepest = 0
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            deepest = max(deepest, d)
            if d > limit:
                return d
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def text_depth(data: bytes, limit: int) -> int:
    """Nesting depth of JSON text without parsing it (strings skipped), stopping past ``limit``:
    a 100,000-deep document is refused before a parser recurses into it."""
    d = deepest = 0
    for m in _BRACKETS.finditer(_STRINGS.sub(b'""', data)):
        if m.group() in (b"[", b"{"):
            d += 1
            if d > deepest:
                deepest = d
                if d > limit:
                    return d
        else:
            d -= 1
    return deepest


def depth_message(limit: int) -> str:
    return f"JSON 嵌套层数超过上限（{limit}层），文件可能已损坏或被构造，未读取"


# ------------------------------------------------------------------------------ xlsx packages


# a formula cell (<f>…</f> or <f …/>) with no cached value (<v>): nothing to import
_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


@dataclass
class PackageCheck:
    """What :func:`check_xlsx` found: a refusal (the file is not read at all), and the formula
    cells that have no cached value, per worksheet member."""

    refusal: str | None = None
    formulas: dict[str, list[tuple[str, int]]] | None = None  # member → [(column, row)]


def check_xlsx(src, limits: Limits | None = None) -> PackageCheck:
    """Look inside an xlsx package before any spreadsheet library opens it.

    The declared sizes are summed first; then every member is decompressed in 1 MB pieces and
    counted, so that a package whose headers lie is refused too — memory stays at one piece.
    The same pass finds formula cells without a cached value in the worksheets."""
    limits = limits or current()
    cap = limits.xlsx_uncompressed_bytes
    try:
        if hasattr(src, "seek"):
            src.seek(0)
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError, ValueError):
        return PackageCheck(refusal="文件不是有效的 Excel（.xlsx）文件：无法作为 xlsx 压缩包打开")
    try:
        infos = zf.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > cap:
            return PackageCheck(
                refusal=f"Excel 文件解压后约 {mb(declared)}，超过上限 {mb(cap)}"
                "（可能是“压缩炸弹”）；请拆分后再上传"
            )
        total = 0
        formulas: dict[str, list[tuple[str, int]]] = {}
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            tail = b""
            try:
                with zf.open(info) as fh:
                    while piece := fh.read(_MB):
                        total += len(piece)
                        if total > cap:
                            return PackageCheck(
                                refusal=f"Excel 文件解压后超过上限 {mb(cap)}（实际内容比文件头"
                                "声明的大，可能是“压缩炸弹”）；未读取"
                            )
                        if sheet:
                            buf = tail + piece
                            cut = buf.rfind(b"</c>")
                            scan, tail = (
                                (buf[: cut + 4], buf[cut + 4 :]) if cut >= 0 else (b"", buf)
                            )
                            if len(tail) > 1 << 16:
                                tail = tail[-(1 << 16) :]
                            for m in _FORMULA_NO_VALUE.finditer(scan):
                                formulas.setdefault(info.filename, []).append(
                                    (m.group(1).decode(), int(m.group(2)))
                                )
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
                return PackageCheck(
                    refusal="Excel 文件已损坏（压缩内容无法解开或校验不符），未读取"
                )
        return PackageCheck(formulas=formulas)
    finally:
        zf.close()
        if hasattr(src, "seek"):
            src.seek(0)

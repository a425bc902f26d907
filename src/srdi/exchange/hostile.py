"""Hostile files for the tests, the attack script and the benchmark (issue 10, item 7).

``zip_bomb(dest, gigabytes=4)`` writes a real ``.xlsx`` (the platform's own template) whose base
worksheet decompresses to ``gigabytes`` GB of valid XML (white space inside ``<sheetData>``),
from a file of a few MB, in seconds: the repeated part is compressed once (a deflate block ends
each piece with a full flush, so every piece compresses to the same bytes) and written N times.
``deep_json(dest, depth=100_000)`` writes a JSON array nested ``depth`` levels.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

_PIECE = 1 << 20  # 1 MiB of the repeated part


def _dos_time() -> tuple[int, int]:
    return (12 << 11) | (0 << 5), ((2026 - 1980) << 9) | (12 << 5) | 6


def _bomb_member(n_pieces: int) -> tuple[bytes, int, int, list[bytes], int]:
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    tail = b"</sheetData></worksheet>"
    piece = b" " * _PIECE
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(piece) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(piece) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # full flush: each piece compresses to the same bytes
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(n_pieces):
        crc = zlib.crc32(piece, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + n_pieces * _PIECE + len(tail)
    return first, block, n_pieces - 1, [last], crc & 0xFFFFFFFF, size


def zip_bomb(dest: Path | str, gigabytes: float = 4.0) -> Path:
    """An xlsx template whose base sheet decompresses to ``gigabytes`` GB; returns ``dest``."""
    from .xlsx import BASE_SHEET, _sheet_members, build_template

    dest = Path(dest)
    buf = io.BytesIO()
    build_template(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    target = _sheet_members(src)[BASE_SHEET]
    n = max(2, int(gigabytes * 1024))
    first, block, repeats, rest, crc, size = _bomb_member(n)
    # first + block × (repeats + 1)?  first holds the head; then n pieces; then the tail
    comp_size = len(first) + len(block) * n + sum(map(len, rest))
    t, d = _dos_time()
    central = []
    with dest.open("wb") as out:
        for info in src.infolist():
            name = info.filename.encode()
            offset = out.tell()
            if info.filename == target:
                extra = struct.pack("<HHQQ", 1, 16, size, comp_size)
                out.write(
                    struct.pack(
                        "<IHHHHHIIIHH",
                        0x04034B50,
                        45,
                        0,
                        8,
                        t,
                        d,
                        crc,
                        0xFFFFFFFF,
                        0xFFFFFFFF,
                        len(name),
                        len(extra),
                    )  # fmt: skip
                )
                out.write(name + extra)
                out.write(first)
                for _ in range(n):
                    out.write(block)
                for r in rest:
                    out.write(r)
                central.append((name, crc, 0xFFFFFFFF, 0xFFFFFFFF, offset, extra, 45))
                continue
            data = src.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            comp = c.compress(data) + c.flush()
            ccrc = zlib.crc32(data) & 0xFFFFFFFF
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    0,
                    8,
                    t,
                    d,
                    ccrc,
                    len(comp),
                    len(data),
                    len(name),
                    0,
                )  # fmt: skip
            )
            out.write(name)
            out.write(comp)
            central.append((name, ccrc, len(comp), len(data), offset, b"", 20))
        cd_start = out.tell()
        for name, ccrc, csize, usize, offset, extra, need in central:
            out.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    45,
                    need,
                    0,
                    8,
                    t,
                    d,
                    ccrc,
                    csize,
                    usize,
                    len(name),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    offset,
                )  # fmt: skip
            )
            out.write(name + extra)
        cd_size = out.tell() - cd_start
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), cd_size, cd_start, 0
            )
        )
    return dest


def deep_json(dest: Path | str, depth: int = 100_000) -> Path:
    dest = Path(dest)
    dest.write_bytes(b"[" * depth + b"]" * depth)
    return dest

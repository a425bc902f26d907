"""Writing profiles in the exchange format: JSON array, JSON Lines, xlsx.

``to_json_obj`` turns a (normalised) profile into a JSON-ready dict: dates as ISO strings,
decimals as JSON numbers without float rounding, keys in the schema's order and, with
``fill_declarations`` (default), every absent declaration written out as what absence means
(false / 0 / null / "none" / []). Absent measurements stay absent: 0 would mean zero.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections.abc import Iterable
from decimal import Decimal

from . import schema as S

__all__ = ["dumps_profile", "to_json_obj", "write_json", "write_jsonl", "write_xlsx"]

_MARK = "\ue000"
_MARK_RE = re.compile(f'"{_MARK}([^"{_MARK}]*){_MARK}"')


def _num(v):
    """A Decimal as int (integral) or float (when the float prints back exactly), else kept."""
    if v == v.to_integral_value():
        return int(v)
    f = float(v)
    if Decimal(repr(f)) == v:
        return f
    return v


def _val(v):
    t = type(v)
    if t is Decimal:
        return _num(v)
    if t is dt.date:
        return v.isoformat()
    if t is dt.datetime:
        return v.date().isoformat()
    return v


def _fields(obj: dict, fields, fill: bool) -> dict:
    out = {}
    for f in fields:
        k = f.key
        if k in obj:
            v = obj[k]
            if v is None and not f.nullable:
                if fill and f.has_fill:
                    out[k] = f.fill
                continue
            out[k] = _val(v)
        elif fill and f.has_fill:
            out[k] = f.fill
    return out


def _ext(v):
    if isinstance(v, dict):
        return {k: _ext(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_ext(x) for x in v]
    return _val(v)


_TOP = S.TOP_SECTION.fields
_SECTIONS = [s for s in S.SECTIONS if s.key]
_YEAR_FIELDS = S.section("years").fields


def to_json_obj(profile: dict, *, fill_declarations: bool = True) -> dict:
    """A JSON-serialisable dict of one profile (see the module docstring)."""
    fill = fill_declarations
    out = _fields(profile, _TOP, fill)
    for sec in _SECTIONS:
        k = sec.key
        v = profile.get(k)
        shape = sec.shape
        if shape == "object":
            if v is None and not fill:
                continue
            out[k] = _fields(v or {}, sec.fields, fill)
        elif shape == "array":
            if v is None:
                if fill:
                    out[k] = []
                continue
            out[k] = [_fields(item, sec.fields, False) for item in v]
        elif not v:  # an empty year map or ext is the same as none (and has no xlsx row)
            continue
        elif shape == "year_objects":
            out[k] = {str(y): _fields(fig or {}, _YEAR_FIELDS, fill) for y, fig in v.items()}
        elif shape == "year_values":
            scores = {str(y): _val(x) for y, x in v.items() if x is not None}
            if scores:
                out[k] = scores
        else:  # ext
            out[k] = _ext(v)
    return out


def _default(o):
    if isinstance(o, Decimal):
        return f"{_MARK}{o}{_MARK}"
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    raise TypeError(f"无法写成 JSON 的值：{o!r}")


def dumps_profile(obj: dict, *, indent=None) -> str:
    """JSON text of a ``to_json_obj`` result (decimals that floats cannot hold kept exact)."""
    s = json.dumps(obj, ensure_ascii=False, default=_default, indent=indent)
    if _MARK in s:
        s = _MARK_RE.sub(lambda m: m.group(1), s)
    return s


class _Out:
    """A text sink over a path, a text stream or a binary stream."""

    def __init__(self, dest):
        self.dest = dest
        self.close = False
        if isinstance(dest, (str, os.PathLike)):
            self.fh = open(dest, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self.close = True
        elif isinstance(dest, io.TextIOBase):
            self.fh = dest
        else:
            self.fh = io.TextIOWrapper(dest, encoding="utf-8", newline="\n", write_through=True)

    def __enter__(self):
        return self.fh

    def __exit__(self, *exc):
        if self.close:
            self.fh.close()
        elif isinstance(self.fh, io.TextIOWrapper) and self.fh is not self.dest:
            self.fh.flush()
            self.fh.detach()


def write_json(
    profiles: Iterable[dict], dest, *, fill_declarations: bool = True, indent: int | None = None
) -> int:
    """Write a JSON array (one profile per line unless ``indent``); returns the count."""
    n = 0
    with _Out(dest) as fh:
        fh.write("[")
        for p in profiles:
            fh.write(",\n" if n else "\n")
            fh.write(
                dumps_profile(to_json_obj(p, fill_declarations=fill_declarations), indent=indent)
            )
            n += 1
        fh.write("\n]\n" if n else "]\n")
    return n


def write_jsonl(profiles: Iterable[dict], dest, *, fill_declarations: bool = True) -> int:
    """Write JSON Lines (one profile per line); returns the count."""
    n = 0
    with _Out(dest) as fh:
        for p in profiles:
            fh.write(dumps_profile(to_json_obj(p, fill_declarations=fill_declarations)))
            fh.write("\n")
            n += 1
    return n


def write_xlsx(profiles: Iterable[dict], dest, *, fill_declarations: bool = False) -> int:
    """Write the xlsx template filled with profiles (streaming, openpyxl write-only).

    In the template a blank declaration cell already means "none", so by default declarations
    are not filled in (fewer rows and cells); ``fill_declarations=True`` writes 否 / 0 / 未建立.
    """
    from .xlsx import write_workbook

    return write_workbook(profiles, dest, fill_declarations=fill_declarations)

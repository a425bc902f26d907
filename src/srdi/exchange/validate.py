"""Validation and normalisation of exchange-format records.

``validate_records(records)`` checks every record against :mod:`srdi.exchange.schema` and the
contract's consistency rules and returns ``(profiles, problems)``: the normalised profiles of the
records without problems (input order) and every problem found, all at once.

Normalised profile = the same structure as the JSON, with the USCC upper-cased, the industry
code in section-letter form (``3484`` → ``C3484``), dates as :class:`datetime.date`, numbers as
``int`` or :class:`decimal.Decimal` (never float), absent / null measurements left out.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from . import schema as S
from .problems import UNREADABLE, Problem
from .uscc import check_uscc

__all__ = [
    "derive_size_sector",
    "industry_section",
    "normalize_industry_code",
    "validate_record",
    "validate_records",
]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_RE = re.compile(r"^\d{4}$")
_INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2}(?:\d{1,2})?)?$")
_SEI_RE = re.compile(r"^[1-9](?:\.\d{1,2}){0,2}$")

# GB/T 4754-2017: division (大类) ranges of each section (门类)
_SECTION_RANGES = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)
_DIVISION_SECTION = {
    f"{d:02d}": letter for letter, lo, hi in _SECTION_RANGES for d in range(lo, hi + 1)
}


def industry_section(code: str) -> str | None:
    """The section letter (门类) of a GB/T 4754-2017 code, from its letter or its division."""
    code = code.strip().upper()
    if code[:1].isalpha():
        return code[0]
    return _DIVISION_SECTION.get(code[:2])


def normalize_industry_code(code: object) -> str | None:
    """``"3484"`` → ``"C3484"``; ``"c34"`` → ``"C34"``; ``"C"`` → ``"C"``. None if malformed
    (wrong pattern, unknown division, or a section letter that does not match the division)."""
    if not isinstance(code, str):
        return None
    s = code.strip().upper()
    m = _INDUSTRY_RE.match(s)
    if not m or not s:
        return None
    letter, digits = m.group(1), m.group(2)
    if digits is None:
        return letter
    expected = _DIVISION_SECTION.get(digits[:2])
    if expected is None or (letter is not None and letter != expected):
        return None
    return expected + digits


# 工信部联企业〔2011〕300号 sectors by GB/T 4754-2017 division
_SIZE_BY_SECTION = {
    "A": "agriculture",
    "B": "industry",
    "C": "industry",
    "D": "industry",
    "E": "construction",
    "L": "leasing_business",
}
_SIZE_BY_DIVISION = {
    "51": "wholesale",
    "52": "retail",
    **{d: "transport" for d in ("53", "54", "55", "56", "57", "58")},
    "59": "warehousing",
    "60": "postal",
    "61": "hotel",
    "62": "catering",
    "63": "telecom",
    "64": "telecom",
    "65": "software_it",
}


def derive_size_sector(industry_code: str | None) -> str | None:
    """The 划型行业 (size_sector) implied by a GB/T 4754-2017 code; None if no code.

    B, C, D → industry; A → agriculture; E → construction; 51 wholesale; 52 retail; 53–58
    transport; 59 warehousing; 60 postal; 61 hotel; 62 catering; 63–64 telecom; 65 software_it;
    7010 real_estate; 7020 property_management; L → leasing_business; everything else other.
    """
    if not industry_code:
        return None
    code = normalize_industry_code(industry_code)
    if code is None:
        return None
    letter, digits = code[0], code[1:]
    if letter in _SIZE_BY_SECTION:
        return _SIZE_BY_SECTION[letter]
    if digits[:2] in _SIZE_BY_DIVISION:
        return _SIZE_BY_DIVISION[digits[:2]]
    if letter == "K":
        if digits.startswith("701"):
            return "real_estate"
        if digits.startswith("702"):
            return "property_management"
    return "other"


# ---------------------------------------------------------------- value checks

_BAD = object()
_ABSENT = object()


def _fmt(v) -> str:
    if isinstance(v, str):
        return f"“{v}”"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    return str(v)


def _typename(v) -> str:
    if isinstance(v, bool):
        return "布尔值"
    if isinstance(v, (int, Decimal, float)):
        return "数字"
    if isinstance(v, str):
        return "文本"
    if isinstance(v, list):
        return "数组"
    if isinstance(v, dict):
        return "对象"
    return type(v).__name__


def _enum_text(f: S.Field) -> str:
    return "、".join(f"{v}（{label}）" for v, label in f.enum)


def _check_range(f: S.Field, v, path, errs):
    if f.min is not None and v < f.min:
        if f.money and f.min == 0:
            errs.append((path, f"{f.label}不能为负数（{v}）"))
        elif f.percent:
            errs.append((path, f"{f.label}应在0–100之间（{v}）"))
        elif f.max is not None:
            errs.append((path, f"{f.label}应在{f.min}–{f.max}之间（{v}）"))
        else:
            errs.append((path, f"{f.label}不能小于{f.min}（{v}）"))
        return _BAD
    if f.max is not None and v > f.max:
        if f.percent:
            errs.append((path, f"{f.label}应在0–100之间（{v}）"))
        else:
            errs.append((path, f"{f.label}应在{f.min}–{f.max}之间（{v}）"))
        return _BAD
    return v


def _check_value(f: S.Field, v, prefix: str, key, errs: list):
    """Normalised value, or _ABSENT (null that means unknown / none), or _BAD (error recorded).

    The field's path is ``prefix.key`` (or ``key`` at the top level), built only for errors.
    """
    t = f.type
    vt = type(v)
    # fast paths for the common, valid cases
    if (vt is int and (t == S.NUMBER or t == S.INT)) or (
        vt is Decimal and t == S.NUMBER and v.is_finite()
    ):
        lo, hi = f.min, f.max
        if (lo is None or v >= lo) and (hi is None or v <= hi):
            return v
        return _check_range(f, v, f"{prefix}.{key}" if prefix else key, errs)
    if vt is bool and t == S.BOOL:
        return v
    path = f"{prefix}.{key}" if prefix else key
    if v is None:
        if f.required:
            errs.append((path, f"缺少必填字段：{f.label}"))
            return _BAD
        return None if f.nullable else _ABSENT
    if t == S.NUMBER:
        if isinstance(v, bool) or not isinstance(v, (int, Decimal, float)):
            errs.append((path, f"{f.label}应为数字，实际为{_typename(v)}{_fmt(v)}"))
            return _BAD
        if isinstance(v, float):
            v = Decimal(repr(v))
        if isinstance(v, Decimal) and not v.is_finite():
            errs.append((path, f"{f.label}应为有限数字（{v}）"))
            return _BAD
        return _check_range(f, v, path, errs)
    if t == S.INT:
        if isinstance(v, bool) or not isinstance(v, (int, Decimal, float)):
            errs.append((path, f"{f.label}应为整数，实际为{_typename(v)}{_fmt(v)}"))
            return _BAD
        if not isinstance(v, int):
            try:
                iv = int(v)
            except (ValueError, OverflowError, InvalidOperation):
                iv = None
            if iv is None or iv != v:
                errs.append((path, f"{f.label}应为整数（{v}）"))
                return _BAD
            v = iv
        return _check_range(f, v, path, errs)
    if t == S.BOOL:
        if not isinstance(v, bool):
            errs.append((path, f"{f.label}应为 true 或 false，实际为{_typename(v)}{_fmt(v)}"))
            return _BAD
        return v
    if t == S.ENUM:
        if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
            if v in f.enum_set:
                return v
        errs.append((path, f"{f.label}的值{_fmt(v)}无效，应为：{_enum_text(f)}"))
        return _BAD
    if t == S.DATE:
        if isinstance(v, dt.datetime):
            v = v.date()
        elif isinstance(v, str):
            s = v.strip()
            try:
                if not _DATE_RE.match(s):
                    raise ValueError
                v = dt.date.fromisoformat(s)
            except ValueError:
                errs.append(
                    (path, f"{f.label}{_fmt(v)}不是有效日期（应为 YYYY-MM-DD，如 2024-03-01）")
                )
                return _BAD
        elif not isinstance(v, dt.date):
            errs.append((path, f"{f.label}应为日期（YYYY-MM-DD），实际为{_typename(v)}{_fmt(v)}"))
            return _BAD
        if not S.YEAR_MIN <= v.year <= S.YEAR_MAX:
            errs.append((path, f"{f.label}的年份超出范围（{v.isoformat()}）"))
            return _BAD
        return v
    # STR / CODE
    if not isinstance(v, str):
        errs.append((path, f"{f.label}应为文本，实际为{_typename(v)}{_fmt(v)}"))
        return _BAD
    v = v.strip()
    if not v:
        if f.required:
            errs.append((path, f"缺少必填字段：{f.label}"))
            return _BAD
        return None if f.nullable else _ABSENT
    return v


def _unknown_key(key, known, path, errs, where="") -> None:
    import difflib

    hint = ""
    if isinstance(key, str):
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
        if close:
            hint = f"，是否应为 {close[0]}？"
    where = where or "交换格式"
    errs.append(
        (path, f"未知字段“{key}”（不在{where}中{hint}；自由内容请放在 ext 下）"),
    )


def _year_key_ok(key) -> bool:
    return (
        isinstance(key, str) and bool(_YEAR_RE.match(key)) and S.YEAR_MIN <= int(key) <= S.YEAR_MAX
    )


def _bad_year_key(key, path, errs):
    errs.append((path, f'年份键{_fmt(key)}不是有效年份（应为四位年份，如 "2024"）'))


# ---------------------------------------------------------------- reference sets


class _Refs:
    __slots__ = ("industries", "regions", "sei")

    def __init__(self, regions, industries):
        self.regions = None if regions is None else frozenset(regions)
        if industries is None:
            self.industries = None
        else:
            norm = set()
            for code in industries:
                n = normalize_industry_code(code)
                if n:
                    norm.add(n)
            self.industries = frozenset(norm)
        self.sei = _sei_codes()


_SEI_CACHE: frozenset | None = None


def _sei_codes() -> frozenset:
    global _SEI_CACHE
    if _SEI_CACHE is None:
        from srdi.reference import load

        codes = set()
        for cat in load("sei2018")["items"]:
            codes.add(str(cat["code"]))
            for sub in cat.get("children", ()):
                codes.add(str(sub["code"]))
        _SEI_CACHE = frozenset(codes)
    return _SEI_CACHE


# ---------------------------------------------------------------- record validation


def _check_object(sec: S.Section, value, path, errs) -> dict | object:
    if not isinstance(value, dict):
        errs.append((path, f"{sec.label}（{sec.key}）应为对象，实际为{_typename(value)}"))
        return _BAD
    out = {}
    by_key = _BY_KEY[sec.key]
    for k, v in value.items():
        f = by_key.get(k)
        if f is None:
            _unknown_key(k, by_key, f"{path}.{k}", errs, f"{sec.label}（{sec.key}）")
            continue
        nv = _check_value(f, v, path, k, errs)
        if nv is not _BAD and nv is not _ABSENT:
            out[f.key] = nv  # the schema's key object: shared by all profiles
    return out


def _check_array(sec: S.Section, value, path, errs):
    if not isinstance(value, list):
        errs.append((path, f"{sec.label}（{sec.key}）应为数组，实际为{_typename(value)}"))
        return _BAD
    out = []
    by_key = _BY_KEY[sec.key]
    for i, item in enumerate(value):
        ip = f"{path}[{i}]"
        if not isinstance(item, dict):
            errs.append((ip, f"{sec.label}的每一项应为对象，实际为{_typename(item)}"))
            continue
        o = {}
        for k, v in item.items():
            f = by_key.get(k)
            if f is None:
                _unknown_key(k, by_key, f"{ip}.{k}", errs, f"{sec.label}（{sec.key}）")
                continue
            nv = _check_value(f, v, ip, k, errs)
            if nv is not _BAD and nv is not _ABSENT:
                o[f.key] = nv
        for f in sec.fields:
            if f.required and f.key not in item:
                errs.append((f"{ip}.{f.key}", f"缺少必填字段：{f.label}"))
        out.append(o)
    return out


_intern = sys.intern
_YEARS = S.section("years")
_BY_KEY = {sec.key: dict(sec.by_key) for sec in S.SECTIONS}
_SCORES = S.section("development_scores")
_SCORE_FIELD = _SCORES.fields[0]


def _check_years(value, errs):
    if not isinstance(value, dict):
        errs.append(("years", f"年度数据（years）应为以年份为键的对象，实际为{_typename(value)}"))
        return _BAD
    out = {}
    by_key = _BY_KEY["years"]
    for year, fig in value.items():
        yp = f"years.{year}"
        if not _year_key_ok(year):
            _bad_year_key(year, yp, errs)
            continue
        if fig is None:
            continue
        if not isinstance(fig, dict):
            errs.append((yp, f"{year}年度数据应为对象，实际为{_typename(fig)}"))
            continue
        o = {}
        for k, v in fig.items():
            f = by_key.get(k)
            if f is None:
                _unknown_key(k, by_key, f"{yp}.{k}", errs, "年度数据（years）")
                continue
            nv = _check_value(f, v, yp, k, errs)
            if nv is not _BAD and nv is not _ABSENT:
                o[f.key] = nv
        # consistency
        rev, main = o.get("revenue"), o.get("main_revenue")
        if rev is not None and main is not None and main > rev:
            errs.append(
                (
                    f"{yp}.main_revenue",
                    f"主营业务收入（{main}）大于营业收入（{rev}）",
                )
            )
        assets, liab = o.get("total_assets"), o.get("total_liabilities")
        if liab is not None and liab > 0 and assets is not None and assets == 0:
            errs.append(
                (
                    f"{yp}.total_liabilities",
                    f"负债总额为{liab}，但资产总额为0（有负债必有资产）",
                )
            )
        emp, rd = o.get("employees"), o.get("rd_staff")
        if emp is not None and rd is not None and rd > emp:
            errs.append((f"{yp}.rd_staff", f"研发人员（{rd}）多于从业人员（{emp}）"))
        out[_intern(year)] = o
    return out


def _check_scores(value, errs):
    if not isinstance(value, dict):
        errs.append(
            (
                "development_scores",
                f"发展评价得分（development_scores）应为以年份为键的对象，实际为{_typename(value)}",
            )
        )
        return _BAD
    out = {}
    for year, v in value.items():
        if not _year_key_ok(year):
            _bad_year_key(year, f"development_scores.{year}", errs)
            continue
        nv = _check_value(_SCORE_FIELD, v, "development_scores", year, errs)
        if nv is not _BAD and nv is not _ABSENT:
            out[_intern(year)] = nv
    return out


_TOP = dict(S.TOP_SECTION.by_key)
_SECTIONS = {s.key: s for s in S.SECTIONS if s.key}


def validate_record(rec, refs: _Refs | None = None) -> tuple[dict | None, list[tuple[str, str]]]:
    """Validate one record: ``(normalised profile, [(field path, message), …])``."""
    refs = refs or _Refs(None, None)
    errs: list[tuple[str, str]] = []
    if not isinstance(rec, dict):
        return None, [("", f"记录应为 JSON 对象，实际为{_typename(rec)}")]
    out: dict = {}
    for k, v in rec.items():
        f = _TOP.get(k)
        if f is not None:
            if k == "uscc":
                if isinstance(v, str):
                    msg = check_uscc(v)
                    if msg:
                        errs.append(("uscc", msg))
                    else:
                        out["uscc"] = v.strip().upper()
                    continue
            nv = _check_value(f, v, "", k, errs)
            if nv is _BAD or nv is _ABSENT:
                continue
            if k == "industry_code":
                code = normalize_industry_code(nv)
                if code is None:
                    errs.append(
                        (
                            k,
                            f"国民经济行业代码{_fmt(nv)}格式错误"
                            "（应为 GB/T 4754-2017 代码：门类字母加2–4位数字，如 C3484；门类字母可省略）",
                        )
                    )
                    continue
                if refs.industries is not None and code not in refs.industries:
                    errs.append((k, f"未知的国民经济行业代码{_fmt(code)}（GB/T 4754-2017 中没有）"))
                    continue
                nv = code
            elif k == "region":
                if refs.regions is not None and nv not in refs.regions:
                    errs.append((k, f"未知的板块{_fmt(nv)}（应为常熟市的镇、街道或园区名称）"))
                    continue
            elif k == "sei_code" and nv is not None:
                if not _SEI_RE.match(nv) or (
                    nv.count(".") < 2
                    and nv not in refs.sei
                    or nv.count(".") == 2
                    and nv.rsplit(".", 1)[0] not in refs.sei
                ):
                    errs.append(
                        (k, f"战略性新兴产业分类代码{_fmt(nv)}无效（应为 2018 分类代码，如 2.1）")
                    )
                    continue
            out[f.key] = nv
            continue
        sec = _SECTIONS.get(k)
        if sec is None:
            _unknown_key(k, S.TOP_KEYS, k, errs)
            continue
        if v is None:
            continue
        shape = sec.shape
        if shape == "object":
            nv = _check_object(sec, v, k, errs)
        elif shape == "array":
            nv = _check_array(sec, v, k, errs)
        elif shape == "year_objects":
            nv = _check_years(v, errs)
        elif shape == "year_values":
            nv = _check_scores(v, errs)
        else:  # ext
            if not isinstance(v, dict):
                errs.append((k, f"扩展内容（ext）应为对象，实际为{_typename(v)}"))
                continue
            nv = v
        if nv is not _BAD:
            out[sec.key] = nv
    for key in ("uscc", "name"):
        if key not in rec:
            errs.append((key, f"缺少必填字段：{_TOP[key].label}"))
    # cross-field rules
    ip = out.get("ip")
    if ip:
        c1 = ip.get("class1", 0)
        for k in ("class1_self_developed", "class1_high_value", "class1_applied"):
            if ip.get(k, 0) > c1:
                errs.append(
                    (
                        f"ip.{k}",
                        f"{S.section('ip').by_key[k].label}（{ip[k]}）多于Ⅰ类知识产权总数（{c1}）",
                    )
                )
    for i, t in enumerate(out.get("titles") or ()):
        g, u = t.get("granted"), t.get("valid_until")
        if g and u and g > u:
            errs.append((f"titles[{i}].valid_until", f"有效期至（{u}）早于认定日期（{g}）"))
    return out, errs


def _raw_uscc(rec) -> str | None:
    if isinstance(rec, dict):
        u = rec.get("uscc")
        if isinstance(u, str):
            return u.strip().upper() or None
    return None


def _locate(loc: dict | None, path: str):
    """(sheet, row) for a field path from a record's location map."""
    if not loc:
        return None, None
    p = path
    while True:
        if p in loc:
            return loc[p]
        if not p:
            return None, None
        cut = max(p.rfind("."), p.rfind("["))
        if cut > 0 and p[cut] == "[":
            # "awards[0]" is a key itself; strip the index only after trying it
            p = p[:cut]
        else:
            p = p[:cut] if cut > 0 else ""


def validate_records(
    records: Iterable,
    *,
    regions: Iterable[str] | None = None,
    industries: Iterable[str] | None = None,
    file: str | None = None,
) -> tuple[list[dict], list[Problem]]:
    """Validate all records; ``(profiles of the records without problems, every problem)``.

    ``regions`` / ``industries``: the known 板块 names and GB/T 4754-2017 codes (either form);
    None = not checked. ``records`` may be any iterable (a generator keeps memory low); if it is
    a :class:`~srdi.exchange.problems.Records`, its reading problems and locations are used.
    """
    refs = _Refs(regions, industries)
    locations = getattr(records, "locations", None)  # may grow while records are consumed
    stubs = getattr(records, "stubs", None) or ()  # xlsx: records from non-base sheets only
    problems: list[Problem] = []
    profiles: list[dict] = []
    seen: dict[str, int] = {}
    for index, rec in enumerate(records, 1):
        if rec is UNREADABLE:  # already reported by the reader
            continue
        profile, errs = validate_record(rec, refs)
        uscc = profile.get("uscc") if profile else None
        if uscc is not None:
            first = seen.get(uscc)
            if first is not None:
                errs.append(("uscc", f"统一社会信用代码重复：与第{first}条记录相同"))
            else:
                seen[uscc] = index
        if errs:
            loc = locations[index - 1] if locations and index - 1 < len(locations) else None
            shown = uscc or _raw_uscc(rec)
            for path, msg in errs:
                if isinstance(loc, int):
                    sheet, row = None, loc
                else:
                    sheet, row = _locate(loc, path)
                if path == "name" and index - 1 in stubs and "name" not in rec:
                    # a row of another sheet for an enterprise neither listed nor registered
                    from .xlsx import BASE_SHEET

                    path, msg = (
                        "uscc",
                        (
                            f"统一社会信用代码 {shown} 不在「{BASE_SHEET}」工作表中，"
                            "也不是平台已登记的企业"
                        ),
                    )
                problems.append(Problem(None, index, row, sheet, shown, path or None, msg))
        else:
            profiles.append(profile)
    if file is None:
        file = getattr(records, "file", None)
    read_problems = list(getattr(records, "problems", ()) or ())
    for p in problems:
        p.file = file
    problems = read_problems + problems
    problems.sort(key=lambda p: p.record or 0)
    return profiles, problems

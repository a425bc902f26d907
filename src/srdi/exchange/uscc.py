"""统一社会信用代码 (Unified Social Credit Code, USCC) checks.

GB 32100-2015: 18 characters =
  1 registration-authority code, 1 organisation-type code, 6 administrative-division code,
  9 organisation code (GB 11714: 8 body characters + 1 check character), 1 check character.

The character set excludes I, O, S, V, Z. The 18th character is the check character over the first
17 (weights 3**i mod 31). Positions 9-17 are the organisation code, whose 9th character is the
GB 11714 check character over the 8 body characters (weights 3 7 9 10 5 8 4 2, modulus 11,
10 -> "X", 11 -> "0").
"""

from __future__ import annotations

import random

__all__ = [
    "USCC_ALPHABET",
    "check_uscc",
    "make_uscc",
    "org_code_check_char",
    "random_uscc",
    "uscc_check_char",
]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - 55  # A=10 … Z=35


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (18th) for the first 17 characters."""
    if len(first17) != 17:
        raise ValueError("需要前17位")
    total = sum(_VALUE[c] * w for c, w in zip(first17.upper(), _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character for the 8 body characters of an organisation code."""
    if len(body8) != 8:
        raise ValueError("需要组织机构代码本体8位")
    total = sum(_org_value(c) * w for c, w in zip(body8.upper(), _ORG_WEIGHTS, strict=True))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def check_uscc(code: object) -> str | None:
    """None if ``code`` is a valid USCC, else a Chinese message saying what is wrong.

    Lower-case letters are accepted (the format upper-cases on import).
    """
    if not isinstance(code, str):
        return "统一社会信用代码应为文本"
    s = code.strip().upper()
    if not s:
        return "统一社会信用代码为空"
    if len(s) != 18:
        return f"统一社会信用代码应为18位，实际为{len(s)}位"
    for pos, ch in enumerate(s, 1):
        if ch not in _VALUE:
            hint = "（不使用字母 I、O、S、V、Z）" if ch in "IOSVZ" else ""
            return f"统一社会信用代码第{pos}位含非法字符“{ch}”{hint}"
    expected = uscc_check_char(s[:17])
    if s[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{s[17]}”"
    org = s[8:17]
    expected_org = org_code_check_char(org[:8])
    if org[8] != expected_org:
        return (
            f"统一社会信用代码中的组织机构代码（第9–17位 {org}）校验位错误："
            f"第17位应为“{expected_org}”，实际为“{org[8]}”"
        )
    return None


def make_uscc(prefix: str, body8: str | None = None) -> str:
    """Complete a USCC from its parts, computing both check characters.

    ``make_uscc("91320581", "71234567")`` → ``"91320581712345672C"``; ``prefix`` is the first
    8 characters (authority, type, division code), ``body8`` the 8-character organisation-code
    body. A single 16-character argument (prefix + body) is accepted too, or 17 characters
    whose organisation-code check (17th) is right.
    """
    if body8 is None:
        if len(prefix) == 17:  # the organisation-code check is given: it must be right
            if org_code_check_char(prefix[8:16].upper()) != prefix[16].upper():
                raise ValueError(f"第17位（组织机构代码校验位）错误：{prefix!r}")
            prefix = prefix[:16]
        if len(prefix) != 16:
            raise ValueError("需要16位（前8位 + 组织机构代码本体8位）")
        prefix, body8 = prefix[:8], prefix[8:]
    prefix, body8 = prefix.upper(), body8.upper()
    if len(prefix) != 8 or any(c not in _VALUE for c in prefix):
        raise ValueError(f"前8位无效：{prefix!r}")
    if len(body8) != 8 or any(c not in _VALUE for c in body8):
        raise ValueError(f"组织机构代码本体无效：{body8!r}")
    first17 = prefix + body8 + org_code_check_char(body8)
    if first17[16] not in _VALUE:  # pragma: no cover - "X" and digits are all in the alphabet
        raise ValueError("组织机构代码校验位不在代码字符集中")
    return first17 + uscc_check_char(first17)


def random_uscc(rng: random.Random | None = None, prefix: str = "91320581") -> str:
    """A random valid USCC (default prefix: enterprise, 常熟市 320581) for demo data."""
    rng = rng or random.Random()
    body = "".join(rng.choice("0123456789") for _ in range(8))
    return make_uscc(prefix, body)

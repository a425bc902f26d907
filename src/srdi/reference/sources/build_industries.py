"""Build ``industries.yaml`` from ``gbt4754_2017.txt`` (run: python -m srdi.reference.sources.build_industries).

The text file is a transcription of a third-party copy of GB/T 4754-2017; the hierarchy is
derived from the codes, not from the copy's nesting (which has a few errors).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "gbt4754_2017.txt"  # T1
SOURCE2 = HERE / "gbt4754_2017_copy2.txt"  # T2
TARGET = HERE.parent / "industries.yaml"

# 大类 names of section C verified in shared/reference/context.md §5.2 (source S16)
VERIFIED_C_DIVISIONS = {
    "13": "农副食品加工业",
    "14": "食品制造业",
    "15": "酒、饮料和精制茶制造业",
    "16": "烟草制品业",
    "17": "纺织业",
    "18": "纺织服装、服饰业",
    "19": "皮革、毛皮、羽毛及其制品和制鞋业",
    "20": "木材加工和木、竹、藤、棕、草制品业",
    "21": "家具制造业",
    "22": "造纸和纸制品业",
    "23": "印刷和记录媒介复制业",
    "24": "文教、工美、体育和娱乐用品制造业",
    "25": "石油、煤炭及其他燃料加工业",
    "26": "化学原料和化学制品制造业",
    "27": "医药制造业",
    "28": "化学纤维制造业",
    "29": "橡胶和塑料制品业",
    "30": "非金属矿物制品业",
    "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业",
    "33": "金属制品业",
    "34": "通用设备制造业",
    "35": "专用设备制造业",
    "36": "汽车制造业",
    "37": "铁路、船舶、航空航天和其他运输设备制造业",
    "38": "电气机械和器材制造业",
    "39": "计算机、通信和其他电子设备制造业",
    "40": "仪器仪表制造业",
    "41": "其他制造业",
    "42": "废弃资源综合利用业",
    "43": "金属制品、机械和设备修理业",
}

# official totals of GB/T 4754-2017 (unverified (memory)); a public repository text gives
# 20 / 97 / 473 / 1382 for the standard "as revised by amendment No. 1" (2019)
EXPECTED = {"section": 20, "division": 97, "group": 473, "class": 1380}
EXPECTED_AMENDED_CLASSES = 1382


def parse(lines):
    rows = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, name = line.split(" ", 1)
        rows.append((code, name.strip()))
    items = []
    section = None
    codes = [c for c, _ in rows]
    for i, (code, name) in enumerate(rows):
        if code.isalpha():
            section = code
            items.append({"code": code, "level": "section", "name": name, "parent": None})
            continue
        later = codes[i + 1 :]
        if code.endswith("00"):
            d = code[:2]
            items.append(
                {"code": section + d, "level": "division", "name": name, "parent": section}
            )
            if not any(c[:2] == d and c.isdigit() for c in later[:1]):
                items.append(
                    {
                        "code": section + d + "0",
                        "level": "group",
                        "name": name,
                        "parent": section + d,
                    }
                )
                items.append(
                    {
                        "code": section + code,
                        "level": "class",
                        "name": name,
                        "parent": section + d + "0",
                    }
                )
        elif code.endswith("0"):
            g = code[:3]
            items.append(
                {"code": section + g, "level": "group", "name": name, "parent": section + g[:2]}
            )
            nxt = later[0] if later else ""
            if not (nxt[:3] == g and nxt != code):
                items.append(
                    {"code": section + code, "level": "class", "name": name, "parent": section + g}
                )
        else:
            items.append(
                {
                    "code": section + code,
                    "level": "class",
                    "name": name,
                    "parent": section + code[:3],
                }
            )
    return items


def _norm(name: str) -> str:
    """Names compared up to bracket width and spaces."""
    return name.replace("（", "(").replace("）", ")").replace(" ", "")


def _fullwidth(name: str) -> str:
    return name.replace("(", "（").replace(")", "）")


def merge(t1: list[dict], t2: list[dict]) -> list[dict]:
    """T1's items with status from the comparison with T2 (and S16 for section C divisions).

    Same code and name in both copies (up to bracket width) → verified (T1, T2); different
    wording → partial, T2's name (it keeps the full-width punctuation and the longer official
    wording where checked) with T1's as ``alt_name``; in one copy only → partial.
    """
    by2 = {i["code"]: i for i in t2}
    out = []
    for item in t1:
        item = dict(item)
        other = by2.get(item["code"])
        if other is None:
            item.update(status="partial", source="T1")
        elif _norm(other["name"]) == _norm(item["name"]):
            item.update(name=_fullwidth(other["name"]), status="verified", source="T1, T2")
        else:
            item.update(
                name=other["name"],
                alt_name=item["name"],
                status="partial",
                source="T1, T2 (wording differs)",
            )
        if item["level"] == "division" and item["code"][0] == "C":
            if VERIFIED_C_DIVISIONS.get(item["code"][1:]) == item["name"]:
                item.update(status="verified", source=item["source"] + ", S16")
        out.append(item)
    missing = set(by2) - {i["code"] for i in t1}
    for code in sorted(missing):
        out.append(dict(by2[code], status="partial", source="T2"))
    return out


def yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build() -> str:
    items = merge(
        parse(SOURCE.read_text(encoding="utf-8").splitlines()),
        parse(SOURCE2.read_text(encoding="utf-8").splitlines()),
    )
    counts = {k: sum(1 for i in items if i["level"] == k) for k in EXPECTED}
    seen = set()
    for i in items:
        if i["code"] in seen:
            raise SystemExit(f"duplicate code {i['code']}")
        seen.add(i["code"])
        if i["parent"] and i["parent"] not in seen:
            raise SystemExit(f"parent {i['parent']} of {i['code']} not defined before it")
    out = [
        "# GB/T 4754-2017 国民经济行业分类: 门类 (section), 大类 (division), 中类 (group), 小类 (class).",
        "# GENERATED by sources/build_industries.py from sources/gbt4754_2017*.txt — edit those, not this.",
        "# ``code`` is the section-letter form used by the exchange format (C, C34, C345, C3451).",
        "name: industries",
        "title: 国民经济行业分类 (GB/T 4754-2017)",
        "status: verified",
        "sources:",
        '  S16: "public code repositories holding the GB/T 4754-2017 divisions (Go constants and JSON tree',
        '    agree) — shared/reference/context.md §5.2; verifies section C and its 31 大类"',
        "  T1: \"third-party copy 1: an Angular cascader option list (ng-zorro NzCascaderOption, 'Industry')",
        "    in a public code repository (file shanghai-bank-puhui.optins.ts, 2022), transcribed to",
        '    sources/gbt4754_2017.txt"',
        '  T2: "third-party copy 2, independent of T1: a Python dict tree (id/name/subclass) in a public code',
        '    repository, transcribed to sources/gbt4754_2017_copy2.txt"',
        "note: >-",
        "  Every item is in both copies with the same code (1971 items). Where the two names agree (up to",
        "  bracket width) the item is verified; the 10 items whose wording differs are partial, named as in",
        "  T2 with T1's wording as alt_name. The hierarchy is derived from the codes. Both copies give 1381",
        "  classes while the official totals are remembered as 1380 (2017) / 1382 (amendment No. 1, 2019):",
        "  check against the 国家统计局 publication before production use.",
        "counts: {" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + "}",
        "expected_counts: {"
        + ", ".join(f"{k}: {v}" for k, v in EXPECTED.items())
        + "}  # official totals, from memory",
        "items:",
    ]
    for i in items:
        parent = "null" if i["parent"] is None else yaml_str(i["parent"])
        alt = f", alt_name: {yaml_str(i['alt_name'])}" if "alt_name" in i else ""
        out.append(
            f"  - {{code: {yaml_str(i['code'])}, level: {i['level']}, name: {yaml_str(i['name'])}, "
            f'parent: {parent}, status: {i["status"]}, source: "{i["source"]}"{alt}}}'
        )
    return "\n".join(out) + "\n", counts


if __name__ == "__main__":
    text, counts = build()
    TARGET.write_text(text, encoding="utf-8")
    print(counts, "expected", EXPECTED)
    if counts != EXPECTED:
        print("warning: counts differ from the official 2017 totals (see the note in the YAML)")
    sys.exit(0)

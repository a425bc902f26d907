"""Reading the matcher's JSON input with a Chinese message for every problem (pure Python).

NEEDS:        [{"id", "title", "description", "field"?}]
CAPABILITIES: [{"id", "institution", "title", "description", "keywords"?, "scenarios"?}]
  ``scenarios`` (应用场景 / 可解决的问题): the problems the method solves, in a plant's words — a list
  of strings, or one string with one phrase per line.
Other keys (``enterprise``, ``team`` …) are accepted and ignored.
"""

from __future__ import annotations

import json
from pathlib import Path

from .engine import Doc

MAX_BYTES = 200 * 1024 * 1024
MAX_ITEMS = 200_000
MAX_TEXT = 20_000
MAX_PROBLEMS = 20
MAX_SCENARIOS = 100  # phrases per capability


class InputError(ValueError):
    """Bad input: `problems` are Chinese sentences naming where and what."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def read_json_file(path: str | Path, what: str) -> object:
    p = Path(path)
    if not p.is_file():
        raise InputError([f"{what}文件不存在：{p}"])
    if p.stat().st_size > MAX_BYTES:
        raise InputError([f"{what}文件过大（超过 {MAX_BYTES // 1024 // 1024} MB）：{p}"])
    try:
        return json.loads(p.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError([f"{what}文件不是 UTF-8 编码的文本：{p}"]) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            [f"{what}文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{p}"]
        ) from None


def _text(item: dict, key: str, where: str, problems: list, *, required: bool) -> str:
    v = item.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            problems.append(f"{where}缺少“{key}”")
        return ""
    if not isinstance(v, str):
        problems.append(f"{where}的“{key}”应为文字")
        return ""
    if len(v) > MAX_TEXT:
        problems.append(f"{where}的“{key}”过长（超过 {MAX_TEXT} 字）")
        return ""
    return v.strip()


def _items(data: object, what: str) -> list:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise InputError([f"{what}应为 JSON 数组（[{{…}}, …]）"])
    if len(data) > MAX_ITEMS:
        raise InputError([f"{what}条数过多（超过 {MAX_ITEMS} 条）"])
    return data


def _id(item: dict, where: str, problems: list, seen: set) -> str:
    v = item.get("id")
    if v is None or v == "" or isinstance(v, bool) or not isinstance(v, str | int):
        problems.append(f"{where}缺少“id”或“id”不是文字/整数")
        return ""
    key = str(v)
    if key in seen:
        problems.append(f"{where}的“id”与前面的记录重复：{key}")
    seen.add(key)
    return key


def parse_needs(data: object) -> tuple[list[Doc], list]:
    """The needs as Docs and their ids as given (int ids stay ints in the output)."""
    items = _items(data, "需求")
    problems: list[str] = []
    docs, ids, seen = [], [], set()
    for i, item in enumerate(items, 1):
        where = f"需求第 {i} 条"
        if not isinstance(item, dict):
            problems.append(f"{where}应为对象（{{…}}）")
            continue
        key = _id(item, where, problems, seen)
        title = _text(item, "title", where, problems, required=True)
        desc = _text(item, "description", where, problems, required=True)
        field = _text(item, "field", where, problems, required=False)
        docs.append(Doc(key, title, desc, field=field))
        ids.append(item.get("id"))
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return docs, ids


def parse_capabilities(data: object) -> tuple[list[Doc], list]:
    items = _items(data, "能力")
    problems: list[str] = []
    docs, ids, seen = [], [], set()
    for i, item in enumerate(items, 1):
        where = f"能力第 {i} 条"
        if not isinstance(item, dict):
            problems.append(f"{where}应为对象（{{…}}）")
            continue
        key = _id(item, where, problems, seen)
        inst = _text(item, "institution", where, problems, required=True)
        title = _text(item, "title", where, problems, required=True)
        desc = _text(item, "description", where, problems, required=True)
        kws = item.get("keywords")
        if kws is None:
            kws = []
        elif isinstance(kws, str):
            kws = [k for k in kws.replace("，", ",").replace("、", ",").split(",") if k.strip()]
        elif not (isinstance(kws, list) and all(isinstance(k, str) for k in kws)):
            problems.append(f"{where}的“keywords”应为文字数组")
            kws = []
        scen = _scenarios(item.get("scenarios"), where, problems)
        docs.append(Doc(key, title, desc, keywords=[k.strip() for k in kws], institution=inst,
                        scenarios=scen))  # fmt: skip
        ids.append(item.get("id"))
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return docs, ids


def _scenarios(v: object, where: str, problems: list) -> list[str]:
    """应用场景: a list of strings or one string (one phrase per line); blanks dropped."""
    if v is None:
        return []
    if isinstance(v, str):
        v = v.splitlines()
    elif not (isinstance(v, list) and all(isinstance(s, str) for s in v)):
        problems.append(f"{where}的“scenarios”应为文字数组，或每行一条的文字")
        return []
    out = [s.strip() for s in v if s.strip()]
    if len(out) > MAX_SCENARIOS:
        problems.append(f"{where}的“scenarios”条数过多（超过 {MAX_SCENARIOS} 条）")
        return []
    if sum(len(s) for s in out) > MAX_TEXT:
        problems.append(f"{where}的“scenarios”过长（合计超过 {MAX_TEXT} 字）")
        return []
    return out


def parse_top(value: object) -> int:
    try:
        top = int(str(value))
    except (TypeError, ValueError):
        raise InputError([f"--top 应为 1 到 100 之间的整数：{value}"]) from None
    if not 1 <= top <= 100:
        raise InputError([f"--top 应为 1 到 100 之间的整数：{value}"])
    return top

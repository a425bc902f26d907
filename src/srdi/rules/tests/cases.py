"""Reading ``standards/<id>.cases.yaml``: a base profile and cases that override paths of it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from srdi.rules.standard import STANDARDS_DIR


def case_files() -> list[Path]:
    return sorted(STANDARDS_DIR.glob("*.cases.yaml"))


def apply_set(profile: dict, changes: dict[str, Any]) -> dict:
    """Override dotted paths (``years.2024.rd_expense``); ``null`` deletes the key."""
    out = copy.deepcopy(profile)
    for path, value in (changes or {}).items():
        parts = str(path).split(".")
        cur = out
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        if value is None:
            cur.pop(parts[-1], None)
        else:
            cur[parts[-1]] = value
    return out


def load_cases(path: Path) -> tuple[dict, list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    bases = data.get("bases") or {"default": data.get("base") or {}}
    cases = []
    for i, c in enumerate(data["cases"]):
        c = dict(c)
        c.setdefault("name", f"case {i}")
        c["standard"] = data["standard"]
        c["as_of"] = str(c.get("as_of", data["as_of"]))
        c["review"] = bool(c.get("review", data.get("review", False)))
        c["profile"] = apply_set(bases[c.get("base", "default")], c.get("set") or {})
        c["file"] = path.name
        cases.append(c)
    return data, cases

"""The register kinds (data/kinds.yaml): labels, levels, departments."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "kinds.yaml"


@cache
def load() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def honours() -> dict[str, dict]:
    return load()["honours"]


def platforms() -> dict[str, dict]:
    return load()["platforms"]


def levels() -> dict[str, str]:
    return load()["levels"]


def honour_label(kind: str) -> str:
    return honours().get(kind, {}).get("label", kind)


def platform_label(kind: str) -> str:
    return platforms().get(kind, {}).get("label", kind)


def level_label(level: str) -> str:
    return levels().get(level, level)


def size_share() -> dict:
    return load()["size_share"]

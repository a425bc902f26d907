"""The service system's data (``support/data/*.yaml``): routing table and deadlines, working-day
overrides, targets and assignment weights. Officials change the files, never the code."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or {}


def routing() -> dict:
    return _load("routing.yaml")


def service() -> dict:
    return _load("service.yaml")


def calendar_overrides() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    c = _load("calendar.yaml")

    def days(key):
        return frozenset(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in c.get(key) or []
        )

    return days("holidays"), days("workdays")


def categories() -> dict[str, dict]:
    return {c["code"]: c for c in routing()["categories"]}


def category_choices() -> list[tuple[str, str]]:
    return [(c["code"], c["label"]) for c in routing()["categories"]]


def category_label(code: str) -> str:
    c = categories().get(code)
    return c["label"] if c else code


def subkind(category: str, code: str) -> dict | None:
    c = categories().get(category) or {}
    return next((s for s in c.get("subkinds") or [] if s["code"] == code), None)


def subkind_label(category: str, code: str) -> str:
    s = subkind(category, code) if code else None
    return s["label"] if s else ""


def route(category: str, sub: str = "") -> dict:
    """Department and deadlines (working days) for a category (and optional sub-kind)."""
    c = categories()[category]
    d = routing()["defaults"]
    s = subkind(category, sub) if sub else None
    return {
        "department": (s or {}).get("department") or c["department"],
        "accept_days": int(
            (s or {}).get("accept_days") or c.get("accept_days") or d["accept_days"]
        ),
        "close_days": int((s or {}).get("close_days") or c.get("close_days") or d["close_days"]),
        "plan_section": (s or {}).get("plan_section") or c.get("plan_section", ""),
    }


def remind_days() -> int:
    return int(routing()["defaults"].get("remind_days", 1))


def areas() -> list[dict]:
    return service()["plan"]["areas"]


def area_label(code: str) -> str:
    return next((a["label"] for a in areas() if a["code"] == code), code)


def assignment() -> dict:
    return service()["assignment"]


def targets() -> dict:
    return service()["targets"]

"""Extension point: further sections of the diagnosis report, contributed by other apps.

Other parts of the platform register a provider here from their ``AppConfig.ready()``: the
policy service adds 可享受的惠企政策 (:mod:`srdi.policies.diagnosis_section`); recommended services
will come the same way once the service system exists. A provider looks like::

    from srdi.diagnosis.sections import Section, register

    class MatchedPolicies:
        key = "policies"
        title = "可享受的惠企政策"
        order = 100

        def build(self, ctx):            # ctx: SectionContext
            rows = match(ctx.profile, ctx.as_of)
            if not rows:
                return None              # nothing to say: the section is left out
            return Section(self.key, self.title, self.order,
                           paragraphs=["…"], columns=["政策", "金额"], rows=[["…", "…"]])

    register(MatchedPolicies())

With no provider registered, the report has no such section at all (nothing is shown as a
placeholder). A provider that fails is left out and logged; it never breaks a report.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass
class SectionContext:
    enterprise: Any  # srdi.registry.models.Enterprise
    profile: dict  # exchange-format profile
    as_of: dt.date
    results: dict[str, dict]  # standard id -> the rules core's result
    next_tier: dict | None


@dataclass
class Section:
    key: str
    title: str
    order: int = 100
    paragraphs: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    link: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class SectionProvider(Protocol):
    key: str
    title: str
    order: int

    def build(self, ctx: SectionContext) -> Section | None: ...


_providers: dict[str, SectionProvider] = {}


def register(provider: SectionProvider) -> None:
    """Add (or replace, by key) a section provider."""
    _providers[provider.key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def providers() -> list[SectionProvider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.key))


def build_sections(ctx: SectionContext) -> list[dict]:
    out = []
    for p in providers():
        try:
            section = p.build(ctx)
        except Exception:  # noqa: BLE001 - a contributed section must not break the report
            log.exception("diagnosis section provider %s failed", p.key)
            continue
        if section is not None:
            out.append(section.as_dict())
    return out

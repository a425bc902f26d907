"""Presentation helpers for the registry pages: values as a clerk reads them, and sources.

Measurements that are unknown are shown as “未知”, never as 0; declarations as 是/否 or counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from srdi.exchange import schema as S

from .models import DataSource

UNKNOWN = "未知"


@dataclass
class Cell:
    text: str
    unknown: bool = False
    source: int | None = None  # number in the page's source list


def fmt_value(value, f: S.Field | None = None) -> Cell:
    if value is None or (value == "" and f is not None and f.kind != S.ATTRIBUTE):
        if f is not None and f.kind == S.DECLARATION:
            return Cell("无" if f.type != S.BOOL else "否")
        return Cell(UNKNOWN if f is None or f.kind == S.MEASUREMENT else "—", unknown=True)
    if isinstance(value, bool):
        return Cell("是" if value else "否")
    if f is not None and f.enum:
        labels = f.enum_labels
        if value in labels:
            return Cell(str(labels[value]))
        if isinstance(value, str) and value.isdigit() and int(value) in labels:
            return Cell(str(labels[int(value)]))
    if isinstance(value, Decimal | float) or (isinstance(value, int) and abs(value) >= 10000):
        # as officials write numbers: separators, at most 2 decimals (srdi.core.formatting)
        from srdi.core import formatting

        return Cell(formatting.number(value) if value == value else str(value))
    if isinstance(value, dt.date):
        return Cell(value.isoformat())
    return Cell(str(value))


def source_text(src: DataSource) -> str:
    parts = [str(src.get_kind_display())]
    if src.import_batch_id and src.import_batch is not None:
        parts.append(f"文件“{src.import_batch.original_name}”")
    if src.label:
        parts.append(src.label)
    if src.department:
        parts.append(f"部门：{src.department}")
    if src.user_id and src.user is not None:
        parts.append(f"填报人：{src.user.display_name or src.user.username}")
    parts.append(f"时间：{src.at:%Y-%m-%d %H:%M}")
    return "，".join(parts)


class SourceIndex:
    """Numbers the DataSources used on a page ([1], [2] …) and finds a field's source.

    ``field_sources`` maps a field to a DataSource id; keys may be exchange paths
    (``market.share_pct``) or model columns (``market_share_pct``); both are looked up.
    """

    def __init__(self, *maps: dict):
        ids: set[int] = set()
        for m in maps:
            for v in (m or {}).values():
                try:
                    ids.add(int(v))
                except (TypeError, ValueError):
                    continue
        self.sources = {
            s.pk: s
            for s in DataSource.objects.filter(pk__in=ids).select_related("user", "import_batch")
        }
        self.numbers: dict[int, int] = {}

    def number(self, field_sources: dict | None, *keys: str) -> int | None:
        for key in keys:
            v = (field_sources or {}).get(key)
            if v is None:
                continue
            try:
                sid = int(v)
            except (TypeError, ValueError):
                continue
            if sid not in self.sources:
                continue
            if sid not in self.numbers:
                self.numbers[sid] = len(self.numbers) + 1
            return self.numbers[sid]
        return None

    def listing(self) -> list[tuple[int, str]]:
        return [(n, source_text(self.sources[sid])) for sid, n in self.numbers.items()]

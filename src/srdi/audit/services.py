"""Audit records: every write to enterprise data calls `record`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .middleware import current
from .models import AuditLog


def jsonable(value: Any) -> Any:
    """Convert a value (dates, Decimals, nested) to JSON-compatible data for the log."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else format(value.normalize(), "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys whose values changed (both sides), for compact records."""
    if before is None or after is None:
        return before, after
    keys = set(before) | set(after)
    changed = {k for k in keys if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in sorted(changed)}, {k: after.get(k) for k in sorted(changed)}


def record(
    *,
    actor=None,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    enterprise_uscc: str = "",
    before: dict | None = None,
    after: dict | None = None,
    source: str | None = None,
    ip: str | None = None,
    note: str = "",
) -> AuditLog:
    limit = AuditLog._meta.get_field("action").max_length
    if len(action) > limit:  # SQLite would keep it and PostgreSQL refuse it: refuse it everywhere
        raise ValueError(f"audit action code longer than {limit} characters: {action!r}")
    ctx = current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
        if not enterprise_uscc:
            enterprise_uscc = getattr(obj, "uscc", "") or getattr(
                getattr(obj, "enterprise", None), "uscc", ""
            )
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=actor_obj,
        actor_label=(str(actor_obj.username) if actor_obj else (str(actor) if actor else "系统")),
        action=action,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=object_repr or "",
        enterprise_uscc=enterprise_uscc or "",
        before=jsonable(before),
        after=jsonable(after),
        source=source or (ctx.source if ctx else AuditLog.Source.CLI),
        ip=ip or (ctx.ip if ctx else None),
        note=note[:255],
    )


def bulk_record(entries: list[AuditLog]) -> None:
    """Store many prepared records at once (large imports)."""
    AuditLog.objects.bulk_create(entries, batch_size=2000)

"""Targeted push on data change: when an enterprise's data is saved, re-match it after commit.

Changes inside one transaction are collected and re-matched once (after commit), so an edit
that touches many rows of one enterprise costs one re-match. Set SRDI_POLICY_AUTOMATCH = False
to switch this off (e.g. during a bulk import, followed by `srdi match --from-db --store`).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)
_pending = threading.local()


def _flush() -> None:
    ids = getattr(_pending, "ids", set())
    _pending.ids = set()
    if not ids:
        return
    from .models import Policy

    if not Policy.objects.filter(status=Policy.Status.PUBLISHED).exists():
        return
    from .services import rematch_enterprises

    try:
        rematch_enterprises(ids, trigger="data_change")
    except Exception:  # noqa: BLE001 - a failed re-match must not break the data edit
        log.exception("政策重新匹配失败：%s", ids)


def enterprise_changed(enterprise_id: int) -> None:
    if not getattr(settings, "SRDI_POLICY_AUTOMATCH", True):
        return
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    ids.add(enterprise_id)
    # Always register: a rolled-back transaction drops its callbacks, so the next commit's
    # callback flushes whatever is pending; the first callback to run flushes them all.
    transaction.on_commit(_flush)


def _on_bulk_change(sender, ids, **kwargs):
    """An import changed many enterprises: re-match them once, after commit (columnar)."""
    if not ids or not getattr(settings, "SRDI_POLICY_AUTOMATCH", True):
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending.update(ids)
    transaction.on_commit(_flush)


def _on_enterprise(sender, instance, **kwargs):
    if instance.pk:
        enterprise_changed(instance.pk)


def _on_child(sender, instance, **kwargs):
    if instance.enterprise_id:
        enterprise_changed(instance.enterprise_id)


def connect() -> None:
    from srdi.registry import models as R
    from srdi.registry.signals import enterprises_changed

    enterprises_changed.connect(_on_bulk_change, dispatch_uid="policies_bulk")

    post_save.connect(_on_enterprise, sender=R.Enterprise, dispatch_uid="policies_ent")
    for model in (
        R.AnnualFigures,
        R.Title,
        R.Honor,
        R.Award,
        R.MakerChinaResult,
        R.DevelopmentScore,
    ):
        post_save.connect(_on_child, sender=model, dispatch_uid=f"policies_{model.__name__}")
        post_delete.connect(_on_child, sender=model, dispatch_uid=f"policies_del_{model.__name__}")

"""Every change made through the Django admin (/admin/) goes into the platform's audit log.

The admin saves models directly, not through the domain services that write audit records, so
changes made while the current request is an admin request are recorded here, for every model
of every app (new apps included, nothing to register): who (the admin user), when, what
(before/after of the changed fields, password hashes never), from where (the client address).
Consents (数据共享授权), users, roles and reference data are all edited there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .middleware import current

# models whose rows are records of the platform itself, not data an administrator edits
SKIP = {
    "audit.auditlog",
    "admin.logentry",
    "sessions.session",
    "accounts.loginattempt",
    "accounts.passwordhistory",
    "contenttypes.contenttype",
}
SECRET_FIELDS = {"password", "key_hash"}
_BEFORE = "_srdi_admin_audit_before"


def _admin_context():
    ctx = current()
    return ctx if ctx is not None and ctx.source == "admin" else None


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, Decimal | dt.date | dt.datetime | dt.time | dt.timedelta | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    return value


def snapshot(instance) -> dict:
    return {f.name: _plain(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}


def _masked(values: dict | None, changed: str = "******") -> dict | None:
    """Secrets (password hashes, token hashes) never reach the log: only that they changed."""
    if values is None:
        return None
    return {k: (changed if k in SECRET_FIELDS and v else v) for k, v in values.items()}


def _tracked(sender) -> bool:
    return sender._meta.label_lower not in SKIP


@receiver(pre_save, dispatch_uid="srdi_admin_audit_pre_save")
def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _tracked(sender) or _admin_context() is None or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    setattr(instance, _BEFORE, snapshot(old) if old is not None else None)


@receiver(post_save, dispatch_uid="srdi_admin_audit_post_save")
def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    ctx = _admin_context()
    if raw or not _tracked(sender) or ctx is None:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # the admin's own login, recorded by the login throttle
    from .services import diff, record

    before = getattr(instance, _BEFORE, None)
    after = snapshot(instance)
    if created or before is None:
        record(actor=ctx.user, action="create", obj=instance, after=_masked(after), note="管理后台")
        return
    b, a = diff(before, after)
    if not a:
        return
    record(
        actor=ctx.user,
        action="update",
        obj=instance,
        before=_masked(b),
        after=_masked(a, changed="（已修改）"),
        note="管理后台",
    )


@receiver(post_delete, dispatch_uid="srdi_admin_audit_post_delete")
def _after_delete(sender, instance, **kwargs):
    ctx = _admin_context()
    if not _tracked(sender) or ctx is None:
        return
    from .services import record

    record(
        actor=ctx.user, action="delete", obj=instance, before=snapshot(instance), note="管理后台"
    )


@receiver(m2m_changed, dispatch_uid="srdi_admin_audit_m2m")
def _m2m(sender, instance, action, model, pk_set, reverse=False, **kwargs):
    ctx = _admin_context()
    if ctx is None or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not _tracked(type(instance)):
        return
    from .services import record

    field = next(
        (f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    change = {"add": "post_add", "remove": "post_remove", "clear": "post_clear"}
    verb = next(k for k, v in change.items() if v == action)
    record(
        actor=ctx.user,
        action="update",
        obj=instance,
        after={field: {verb: sorted(str(pk) for pk in (pk_set or ()))}},
        note="管理后台",
    )

"""JSON API of 梯度培育 (/api/cultivation): the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from srdi.core import cleaning
from srdi.core.apiparams import Limit, Offset
from srdi.registry.models import Enterprise

from . import selectors, services, targets
from .models import TIER_LABELS, TitleBatch

router = Router()


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "role") else request.user


def guarded(fn):
    """PermissionDenied → 403, ValidationError → 400 with the Chinese message."""

    @functools.wraps(fn)
    def wrapper(request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except PermissionDenied as exc:
            raise HttpError(403, str(exc) or "无权访问。") from None
        except ValidationError as exc:
            raise HttpError(400, "；".join(exc.messages)) from None

    return wrapper


def _day(as_of: str | None) -> dt.date:
    """The as_of parameter (ValidationError → 400 in Chinese); today when absent."""
    return cleaning.date(as_of, _("统计日期（as_of）")) or dt.date.today()


@router.get("/targets", summary="计划目标与实际值")
@guarded
def get_targets(
    request, as_of: str | None = None, region: int | None = None, plan: str | None = None
):
    day = _day(as_of)
    scope = selectors.targets_scope_for(_user(request), region)
    try:
        p = targets.plan(plan, day)
    except KeyError as exc:
        raise HttpError(404, str(exc.args[0])) from None
    return {
        "plan": p["key"],
        "title": p["title"],
        "as_of": day.isoformat(),
        "scope": scope.label,
        "targets": targets.evaluate(day, scope, plan_key=p["key"]),
    }


@router.get("/targets/{target_id}/series", summary="目标进度变化")
@guarded
def get_series(request, target_id: str, as_of: str | None = None, region: int | None = None):
    day = _day(as_of)
    scope = selectors.targets_scope_for(_user(request), region)
    try:
        defn = targets.definition(target_id)
    except KeyError as exc:
        raise HttpError(404, str(exc)) from None
    return {"id": target_id, "series": targets.series(defn, day, scope)}


@router.get("/tiers", summary="各梯度有效称号企业数（按板块、行业）")
@guarded
def get_tiers(request, as_of: str | None = None, region: int | None = None):
    day = _day(as_of)
    scope = selectors.scope_for(_user(request), region)
    data = selectors.tier_counts(day, scope)
    return {
        "as_of": day.isoformat(),
        "total": data["total"],
        "by_region": {str(k): v for k, v in data["by_region"].items()},
        "by_industry": data["by_industry"],
    }


@router.get("/funnel", summary="培育库漏斗")
@guarded
def get_funnel(
    request, tier: str = "srdi_sme", as_of: str | None = None, region: int | None = None
):
    if tier not in TIER_LABELS:
        raise ValidationError(f"梯度“{tier}”无效。")
    day = _day(as_of)
    scope = selectors.scope_for(_user(request), region)
    return {"tier": tier, "as_of": day.isoformat(), "stages": selectors.funnel(tier, day, scope)}


@router.get("/alerts", summary="未解除的监测预警")
@guarded
def get_alerts(request, kind: str | None = None, limit: Limit = 100, offset: Offset = 0):
    scope = selectors.scope_for(_user(request))
    qs = selectors.open_alerts(scope, kind).order_by("-detected_on", "pk")
    limit = max(1, min(limit, 500))
    return {
        "count": qs.count(),
        "alerts": [
            {
                "kind": a.kind,
                "uscc": a.enterprise.uscc,
                "enterprise": a.enterprise.name,
                "region": a.region.name if a.region_id else None,
                "message": a.message,
                "detected_on": a.detected_on.isoformat(),
            }
            for a in qs[offset : offset + limit]
        ],
    }


class PoolIn(Schema):
    willing: bool | None = None
    applied_on: dt.date | None = None
    withdraw: bool = False
    note: str = ""


@router.post("/pool/{uscc}/{tier}", summary="登记申报意愿或申报")
@guarded
def post_pool(request, uscc: str, tier: str, payload: PoolIn):
    user = _user(request)
    from srdi.core import access

    e = access.get(user, Enterprise, uscc=uscc)
    entry = None
    if payload.willing is not None:
        entry = services.record_willingness(user, e, tier, payload.willing, payload.note)
    if payload.applied_on or payload.withdraw:
        entry = services.record_application(user, e, tier, payload.applied_on, payload.note)
    if entry is None:
        raise ValidationError("请给出 willing、applied_on 或 withdraw。")
    return {
        "uscc": uscc,
        "tier": tier,
        "meets": entry.meets,
        "willing": entry.willing,
        "applied_on": entry.applied_on.isoformat() if entry.applied_on else None,
    }


@router.post("/batches", summary="录入公告批次（上传名单 xlsx）")
@guarded
def post_batch(
    request,
    file: UploadedFile = File(...),
    name: str = Form(...),
    tier: str = Form(...),
    level: str = Form(...),
    granted: dt.date = Form(...),
    valid_until: dt.date | None = Form(None),
    partial: bool = Form(False),
):
    res = services.record_batch(
        _user(request),
        content=file.read(),
        filename=file.name,
        name=name,
        tier=tier,
        level=level,
        granted=granted,
        valid_until=valid_until,
        mode=TitleBatch.Mode.PARTIAL if partial else TitleBatch.Mode.ALL_OR_NOTHING,
    )
    b = res.batch
    return {
        "id": b.pk,
        "status": b.status,
        "total": b.total,
        "matched": b.matched,
        "created": b.created,
        "already": b.already,
        "unmatched": b.unmatched,
    }

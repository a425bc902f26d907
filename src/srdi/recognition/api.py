"""JSON API of the registers (/api/recognition): same services, same scope (404 out of scope,
403 read-only; the responsible department writes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Body, Router
from ninja.errors import HttpError

from srdi.core import access

from . import selectors, services
from .models import Honour, Platform

router = Router()
LIMIT = 500


def _err(exc: ValidationError):
    raise HttpError(400, "；".join(str(m) for m in exc.messages))


def _honour(h: Honour) -> dict:
    return {
        "id": h.pk, "uscc": h.enterprise.uscc, "enterprise": h.enterprise.name, "kind": h.kind,
        "kind_label": h.kind_label, "level": h.level, "year": h.year,
        "granted_on": h.granted_on.isoformat() if h.granted_on else None, "issuer": h.issuer,
        "item": h.item, "stars": h.stars, "certificate_no": h.certificate_no,
        "revoked_on": h.revoked_on.isoformat() if h.revoked_on else None,
    }  # fmt: skip


def _platform(p: Platform) -> dict:
    return {
        "id": p.pk, "name": p.name, "kind": p.kind, "kind_label": p.kind_label, "level": p.level,
        "year": p.year, "issuer": p.issuer, "operator_name": p.operator_name,
        "region": p.region.name if p.region_id else None,
        "revoked_on": p.revoked_on.isoformat() if p.revoked_on else None,
    }  # fmt: skip


@router.get("/honours", summary="荣誉认证记录（权限范围内）")
def list_honours(request, kind: str = "", year: str = "", region: str = "", q: str = ""):
    qs = selectors.honours_for(request.auth, kind=kind, year=year, region=region, q=q)
    return {"count": qs.count(), "honours": [_honour(h) for h in qs[:LIMIT]]}


@router.get("/honours/{int:pk}", summary="荣誉认证记录详情")
def get_honour(request, pk: int):
    return _honour(access.get(request.auth, Honour.objects.select_related("enterprise"), pk=pk))


@router.post("/honours", summary="登记荣誉认证（责任部门）", response={200: dict, 400: dict})
def create_honour(request, data: dict = Body(...)):
    try:
        return _honour(services.save_honour(request.auth, data))
    except ValidationError as exc:
        _err(exc)


@router.put(
    "/honours/{int:pk}", summary="修改荣誉认证记录（责任部门）", response={200: dict, 400: dict}
)
def update_honour(request, pk: int, data: dict = Body(...)):
    h = access.get(request.auth, Honour, write=True, pk=pk)
    try:
        return _honour(services.save_honour(request.auth, {**data, "enterprise": h.enterprise}, h))
    except ValidationError as exc:
        _err(exc)


@router.get("/platforms", summary="服务与创新平台")
def list_platforms(request, kind: str = "", year: str = "", region: str = "", q: str = ""):
    qs = selectors.platforms_for(request.auth, kind=kind, year=year, region=region, q=q)
    return {"count": qs.count(), "platforms": [_platform(p) for p in qs[:LIMIT]]}


@router.get("/platforms/{int:pk}", summary="平台详情")
def get_platform(request, pk: int):
    return _platform(access.get(request.auth, Platform, pk=pk))


@router.post("/platforms", summary="登记平台（责任部门）", response={200: dict, 400: dict})
def create_platform(request, data: dict = Body(...)):
    try:
        return _platform(services.save_platform(request.auth, data))
    except ValidationError as exc:
        _err(exc)

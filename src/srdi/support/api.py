"""JSON API of the service system (/api/support): same services, same scope (404 out of scope)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Body, Router, Schema
from ninja.errors import HttpError

from srdi.core import access
from srdi.registry.models import Enterprise

from . import config, scopes, selectors, services
from .models import CommissionerProfile, PlanItem, ServicePlan, ServiceRequest, Visit

router = Router()


def _err(exc: ValidationError):
    raise HttpError(400, "；".join(str(m) for m in exc.messages))


def _req(r: ServiceRequest, today=None) -> dict:
    today = today or timezone.localdate()
    due = services.current_due(r)
    return {
        "id": r.pk, "enterprise": r.enterprise.uscc, "enterprise_name": r.enterprise.name,
        "category": r.category, "category_label": config.category_label(r.category),
        "subkind": r.subkind, "title": r.title, "description": r.description,
        "department": r.department, "department_label": services.department_label(r.department),
        "state": r.state, "state_label": r.get_state_display(), "source": r.source,
        "filed_on": r.filed_on.isoformat(), "accept_due": r.accept_due.isoformat(),
        "close_due": r.close_due.isoformat(), "due": due.isoformat() if due else None,
        "working_days_overdue": services.overdue_days(r, today),
        "accepted_on": r.accepted_on.isoformat() if r.accepted_on else None,
        "closed_on": r.closed_on.isoformat() if r.closed_on else None,
        "result": r.result, "rating": r.rating, "rating_comment": r.rating_comment,
    }  # fmt: skip


class RequestIn(Schema):
    category: str
    description: str
    subkind: str = ""
    title: str = ""
    uscc: str = ""  # on an enterprise's behalf (commissioners, 板块, administrators)


class TransitionIn(Schema):
    event: str
    note: str = ""
    department: str = ""
    rating: int | None = None


@router.get("/categories", summary="诉求类别、细类、责任部门与时限（路由表）")
def categories(request):
    out = []
    for c in config.routing()["categories"]:
        rt = config.route(c["code"])
        out.append({
            "code": c["code"], "label": c["label"], "department": rt["department"],
            "accept_days": rt["accept_days"], "close_days": rt["close_days"],
            "plan_section": c.get("plan_section", ""), "status": c.get("status", "unverified"),
            "subkinds": [{"code": s["code"], "label": s["label"],
                          "department": config.route(c["code"], s["code"])["department"]}
                         for s in c.get("subkinds") or []],
        })  # fmt: skip
    return out


@router.get("/requests", summary="诉求（权限范围内：企业本身、专员所服务企业、部门受理的、板块的）")
def list_requests(request, state: str = "", category: str = "", department: str = "",
                  overdue: bool = False, q: str = "", limit: int = 100, offset: int = 0):  # fmt: skip
    qs = selectors.requests_for(request.auth, q=q, state=state, category=category,
                                department=department, overdue=overdue)  # fmt: skip
    limit = min(max(limit, 1), 500)
    today = timezone.localdate()
    return {"count": qs.count(),
            "results": [_req(r, today) for r in qs[max(offset, 0): max(offset, 0) + limit]]}  # fmt: skip


@router.post("/requests", summary="提交诉求（企业本身，或其服务专员、板块代为提交）",
             response={200: dict, 400: dict})  # fmt: skip
def create_request(request, payload: RequestIn):
    user = request.auth
    if payload.uscc:
        ent = access.get(user, Enterprise, uscc=payload.uscc.strip().upper())
    elif scopes.is_enterprise(user):
        ent = user.enterprise
    else:
        raise HttpError(400, "请提供企业的统一社会信用代码（uscc）。")
    try:
        return _req(services.file_request(user, ent, payload.category, payload.description,
                                          subkind=payload.subkind, title=payload.title,
                                          source="api"))  # fmt: skip
    except ValidationError as exc:
        _err(exc)


@router.get("/requests/{int:pk}", summary="诉求详情（含办理记录）")
def get_request(request, pk: int):
    r = access.get(request.auth, ServiceRequest.objects.select_related("enterprise"), pk=pk)
    out = _req(r)
    out["events"] = [
        {"action": e.action, "from": e.from_state, "to": e.to_state, "department": e.department,
         "note": e.note, "at": e.at.isoformat()}
        for e in r.events.all()
    ]  # fmt: skip
    out["allowed"] = services.allowed_transitions(request.auth, r)
    return out


@router.post("/requests/{int:pk}/transition",
             summary="办理诉求：accept 受理、close 办结、transfer 转办、send_back 退回、resubmit 重新提交、rate 评价",
             response={200: dict, 400: dict})  # fmt: skip
def transition(request, pk: int, payload: TransitionIn):
    r = access.get(request.auth, ServiceRequest, write=True, pk=pk)
    try:
        return _req(services.transition(request.auth, r, payload.event, payload.note,
                                        department=payload.department, rating=payload.rating))  # fmt: skip
    except ValidationError as exc:
        _err(exc)


def _item(i: PlanItem) -> dict:
    return {
        "id": i.pk, "area": i.area, "area_label": config.area_label(i.area), "title": i.title,
        "detail": i.detail, "owner": i.owner.username if i.owner_id else None,
        "owner_department": i.owner_department, "due": i.due.isoformat() if i.due else None,
        "status": i.status, "status_label": i.get_status_display(), "evidence": i.evidence,
        "origin": i.origin, "policy": i.policy_id, "request": i.request_id,
    }  # fmt: skip


@router.get("/plans/{uscc}", summary="一企一策（企业只看到已采纳的事项）")
def get_plan(request, uscc: str):
    e = access.get(request.auth, Enterprise, uscc=uscc.strip().upper())
    plan = ServicePlan.objects.filter(enterprise=e).first()
    if plan is None:
        return {"enterprise": e.uscc, "summary": "", "items": []}
    plan = access.get(request.auth, ServicePlan, pk=plan.pk)
    items = plan.items.select_related("owner")
    if not scopes.may_work_on(request.auth, e):
        items = items.exclude(status__in=["proposed", "dropped"])
    return {"enterprise": e.uscc, "summary": plan.summary, "items": [_item(i) for i in items]}


@router.post("/plans/{uscc}/items", summary="添加一企一策事项", response={200: dict, 400: dict})
def add_item(request, uscc: str, data: dict = Body(...)):
    e = access.get(request.auth, Enterprise, uscc=uscc.strip().upper())
    if not scopes.may_work_on(request.auth, e):
        raise HttpError(403, "只有该企业的服务专员、所在板块或市工信局可以修改一企一策。")
    try:
        return _item(services.save_item(request.auth, services.plan_of(e),
                                        {**data, "status": data.get("status") or "accepted"}))  # fmt: skip
    except ValidationError as exc:
        _err(exc)


@router.put(
    "/items/{int:pk}", summary="修改一企一策事项（状态、佐证等）", response={200: dict, 400: dict}
)
def edit_item(request, pk: int, data: dict = Body(...)):
    i = access.get(
        request.auth, PlanItem.objects.select_related("plan__enterprise"), write=True, pk=pk
    )
    try:
        return _item(services.save_item(request.auth, i.plan, data, i))
    except ValidationError as exc:
        _err(exc)


def _visit(v: Visit) -> dict:
    return {"id": v.pk, "enterprise": v.enterprise.uscc, "visited_on": v.visited_on.isoformat(),
            "by": v.by.username if v.by_id else None, "participants": v.participants,
            "topics": v.topics, "findings": v.findings}  # fmt: skip


@router.get("/visits", summary="走访记录（权限范围内）")
def list_visits(request, limit: int = 100):
    qs = scopes.visible_visits(request.auth).select_related("enterprise", "by")
    return [_visit(v) for v in qs[: min(max(limit, 1), 500)]]


@router.post(
    "/visits", summary="记录走访（企业的服务专员、所在板块）", response={200: dict, 400: dict}
)
def create_visit(request, uscc: str, data: dict = Body(...)):
    e = access.get(request.auth, Enterprise, uscc=uscc.strip().upper())
    try:
        return _visit(services.record_visit(request.auth, e, data))
    except ValidationError as exc:
        _err(exc)


@router.get("/visits/{int:pk}", summary="走访记录详情")
def get_visit(request, pk: int):
    return _visit(access.get(request.auth, Visit.objects.select_related("enterprise", "by"), pk=pk))


@router.get("/commissioners", summary="服务专员（权限范围内）")
def list_commissioners(request):
    qs = scopes.visible_commissioners(request.auth).select_related("user", "region")
    return [
        {"id": p.pk, "username": p.user.username, "name": str(p.user),
         "region": p.region.name if p.region_id else "", "department": p.department,
         "industries": p.industries, "capacity": p.capacity, "active": p.active,
         "enterprises": p.user.assigned_enterprises.count()}
        for p in qs[:1000]
    ]  # fmt: skip


@router.get("/commissioners/{int:pk}", summary="服务专员详情")
def get_commissioner(request, pk: int):
    p = access.get(request.auth, CommissionerProfile.objects.select_related("user"), pk=pk)
    return {"id": p.pk, "username": p.user.username, "name": str(p.user),
            "capacity": p.capacity, "industries": p.industries,
            "enterprises": [e.uscc for e in p.user.assigned_enterprises.all()
                            if access.visible(request.auth, Enterprise).filter(pk=e.pk).exists()]}  # fmt: skip


@router.get("/coverage", summary="服务专员配备与计划目标（计划二(八)：50名以上，约每两家企业1名）")
def coverage(request):
    if not (scopes.is_admin(request.auth) or scopes.is_department(request.auth)
            or scopes.is_region_officer(request.auth)):  # fmt: skip
        raise HttpError(403, "仅政府部门和板块可以查看。")
    region = request.auth.region_id if scopes.is_region_officer(request.auth) else None
    return selectors.coverage(region_id=region)

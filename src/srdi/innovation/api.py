"""JSON API of innovation (/api/innovation): same services, same scope (404 out of scope)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Body, Router, Schema
from ninja.errors import HttpError

from srdi.core import access
from srdi.core.apiparams import Year
from srdi.registry.models import Enterprise

from . import scopes, selectors, services
from .models import Capability, Challenge, Match, Need, Project, Team, TechVP

router = Router()


class MatchIn(Schema):
    needs: list[dict]
    capabilities: list[dict]
    top: int = 5


def _err(exc: ValidationError):
    raise HttpError(400, "；".join(str(m) for m in exc.messages))


def _need(n: Need, user) -> dict:
    return {
        "id": n.pk, "title": n.title, "description": n.description, "field": n.field,
        "target_params": n.target_params, "budget": None if n.budget is None else float(n.budget),
        "deadline": n.deadline.isoformat() if n.deadline else None,
        "confidentiality": n.confidentiality, "status": n.status,
        "enterprise": {"uscc": n.enterprise.uscc, "name": n.enterprise.name},
        "allowed_institutions": n.allowed_institutions if access.may_write(user, n) else None,
    }  # fmt: skip


def _cap(c: Capability) -> dict:
    return {
        "id": c.pk, "team": c.team_id, "institution": c.team.institution, "kind": c.kind,
        "title": c.title, "description": c.description, "keywords": c.keywords,
        "scenarios": services.scenario_lines(c.scenarios), "field": c.field,
        "trl": c.trl, "patents": c.patents, "active": c.active,
    }  # fmt: skip


def _match(m: Match) -> dict:
    return {
        "id": m.pk, "need": m.need_id, "capability": m.capability_id, "score": m.score,
        "reasons": m.reasons, "state": m.state, "enterprise_verdict": m.enterprise_verdict,
        "university_verdict": m.university_verdict,
    }  # fmt: skip


@router.post("/match", summary="匹配（与 srdi innovation match 相同的输入和输出）",
             response={200: dict, 400: dict})  # fmt: skip
def match(request, payload: MatchIn):
    from . import matching

    if not payload.needs or not payload.capabilities:
        raise HttpError(400, "needs（需求）与 capabilities（能力）都至少需要一条。")
    if len(payload.needs) > 2000 or len(payload.capabilities) > 20000:
        raise HttpError(400, "单次最多 2000 条需求、20000 项能力；更大的批量请使用命令行。")
    try:
        return matching.match(payload.needs, payload.capabilities, payload.top, workers=1)
    except matching.InputError as exc:
        raise HttpError(400, "；".join(exc.problems)) from None


@router.get("/needs", summary="技术需求（权限范围内）")
def list_needs(request, q: str = "", field: str = "", status: str = ""):
    return [
        _need(n, request.auth)
        for n in selectors.needs_for(request.auth, q=q, field=field, status=status)[:500]
    ]


@router.get("/needs/{int:pk}", summary="技术需求详情")
def get_need(request, pk: int):
    return _need(access.get(request.auth, Need, pk=pk), request.auth)


@router.post("/needs", summary="发布技术需求（企业或其服务专员）", response={200: dict, 400: dict})
def create_need(request, uscc: str, data: dict = Body(...)):
    ent = access.get(request.auth, Enterprise, uscc=uscc.strip().upper())
    try:
        return _need(services.save_need(request.auth, ent, data), request.auth)
    except ValidationError as exc:
        _err(exc)


@router.put("/needs/{int:pk}", summary="修改技术需求", response={200: dict, 400: dict})
def update_need(request, pk: int, data: dict = Body(...)):
    n = access.get(request.auth, Need, write=True, pk=pk)
    try:
        return _need(services.save_need(request.auth, n.enterprise, data, n), request.auth)
    except ValidationError as exc:
        _err(exc)


@router.get("/needs/{int:pk}/matches", summary="需求的推荐能力（含理由）")
def need_matches(request, pk: int):
    n = access.get(request.auth, Need, pk=pk)
    return [_match(m) for m in scopes.visible_matches(request.auth).filter(need=n)]


@router.get("/capabilities", summary="高校院所能力与成果（权限范围内）")
def list_capabilities(request):
    return [
        _cap(c) for c in scopes.visible_capabilities(request.auth).select_related("team")[:1000]
    ]


@router.get("/capabilities/{int:pk}", summary="能力详情")
def get_capability(request, pk: int):
    return _cap(access.get(request.auth, Capability.objects.select_related("team"), pk=pk))


@router.post("/teams/{int:pk}/capabilities", summary="登记能力或成果（本机构团队）",
             response={200: dict, 400: dict})  # fmt: skip
def create_capability(request, pk: int, data: dict = Body(...)):
    team = access.get(request.auth, Team, write=True, pk=pk)
    try:
        return _cap(services.save_capability(request.auth, team, data))
    except ValidationError as exc:
        _err(exc)


@router.get("/capabilities/{int:pk}/needs", summary="适合该能力的需求（能力 → 需求方向）")
def capability_needs(request, pk: int, top: int = 10):
    c = access.get(request.auth, Capability, write=True, pk=pk)
    if not scopes.is_university(request.auth):
        raise PermissionDenied("仅能力所属高校可以查看。")
    return [
        {"need": n.pk, "title": n.title, "enterprise": n.enterprise.name, "score": m.score,
         "reasons": m.reasons}
        for n, m in services.rank_needs(c, top=min(max(top, 1), 50))
    ]  # fmt: skip


@router.get("/teams", summary="科研团队（权限范围内）")
def list_teams(request):
    return [{"id": t.pk, "institution": t.institution, "name": t.name, "leader": t.leader}
            for t in scopes.visible_teams(request.auth)]  # fmt: skip


@router.get("/teams/{int:pk}", summary="科研团队详情")
def get_team(request, pk: int):
    t = access.get(request.auth, Team, pk=pk)
    return {"id": t.pk, "institution": t.institution, "name": t.name, "leader": t.leader,
            "introduction": t.introduction}  # fmt: skip


@router.get("/matches", summary="对接（权限范围内）")
def list_matches(request, state: str = ""):
    return [_match(m) for m in selectors.matches_for(request.auth, state=state)[:1000]]


@router.get("/matches/{int:pk}", summary="对接详情")
def get_match(request, pk: int):
    return _match(access.get(request.auth, Match, pk=pk))


class VerdictIn(Schema):
    accepted: bool
    note: str = ""


@router.post("/matches/{int:pk}/verdict", summary="接受或拒绝推荐（反馈用于改进后续排序）",
             response={200: dict, 400: dict})  # fmt: skip
def match_verdict(request, pk: int, payload: VerdictIn):
    m = access.get(request.auth, Match, write=True, pk=pk)
    try:
        return _match(services.give_verdict(request.auth, m, payload.accepted, payload.note))
    except ValidationError as exc:
        _err(exc)


class TransitionIn(Schema):
    event: str
    note: str = ""
    project: dict = {}


@router.post("/matches/{int:pk}/transition", summary="推进对接：start_docking / sign / start_research / conclude / close",
             response={200: dict, 400: dict})  # fmt: skip
def match_transition(request, pk: int, payload: TransitionIn):
    m = access.get(request.auth, Match, write=True, pk=pk)
    try:
        return _match(
            services.transition(request.auth, m, payload.event, payload.note, payload.project)
        )
    except ValidationError as exc:
        _err(exc)


@router.get("/projects", summary="产学研合作项目（权限范围内）")
def list_projects(request, year: Year | None = None):
    qs = scopes.visible_projects(request.auth).select_related("enterprise")
    if year:
        qs = qs.filter(signed_on__year=year)
    return [
        {"id": p.pk, "title": p.title, "uscc": p.enterprise.uscc, "institution": p.institution,
         "contract_amount": None if p.contract_amount is None else float(p.contract_amount),
         "funding": None if p.funding is None else float(p.funding),
         "signed_on": p.signed_on.isoformat(), "match": p.match_id}
        for p in qs
    ]  # fmt: skip


@router.get("/projects/{int:pk}", summary="产学研项目详情")
def get_project(request, pk: int):
    p = access.get(request.auth, Project, pk=pk)
    return {
        "id": p.pk,
        "title": p.title,
        "institution": p.institution,
        "signed_on": p.signed_on.isoformat(),
    }


@router.get("/tech-vps", summary="科技副总（权限范围内）")
def list_tech_vps(request):
    return [
        {"id": v.pk, "person": v.person, "institution": v.institution, "uscc": v.enterprise.uscc,
         "term_start": v.term_start.isoformat(),
         "term_end": v.term_end.isoformat() if v.term_end else None}
        for v in scopes.visible_tech_vps(request.auth).select_related("enterprise")
    ]  # fmt: skip


@router.get("/tech-vps/{int:pk}", summary="科技副总详情")
def get_tech_vp(request, pk: int):
    v = access.get(request.auth, TechVP, pk=pk)
    return {"id": v.pk, "person": v.person, "institution": v.institution}


@router.get("/challenges", summary="揭榜挂帅榜单（已发布）")
def list_challenges(request):
    return [
        {"id": c.pk, "title": c.title, "year": c.year, "status": c.status,
         "items": [{"id": i.pk, "need": i.need.title, "reward": None if i.reward is None else float(i.reward)}
                   for i in c.items.select_related("need")]}
        for c in scopes.visible_challenges(request.auth)
    ]  # fmt: skip


@router.get("/challenges/{int:pk}", summary="榜单详情")
def get_challenge(request, pk: int):
    c = access.get(request.auth, Challenge, pk=pk)
    return {"id": c.pk, "title": c.title, "status": c.status,
            "items": [{"id": i.pk, "need": i.need.title} for i in c.items.select_related("need")]}  # fmt: skip


class ApplyIn(Schema):
    team: int
    proposal: str
    amount: str | None = None


@router.post(
    "/challenges/items/{int:pk}/apply", summary="揭榜（高校团队）", response={200: dict, 400: dict}
)
def apply(request, pk: int, payload: ApplyIn):
    from .models import ChallengeItem

    item = access.get(request.auth, ChallengeItem.objects.select_related("challenge", "need"), pk=pk)  # fmt: skip
    team = access.get(request.auth, Team, write=True, pk=payload.team)
    try:
        a = services.apply_for(request.auth, item, team, payload.dict())
    except ValidationError as exc:
        _err(exc)
    return {"id": a.pk, "status": a.status}

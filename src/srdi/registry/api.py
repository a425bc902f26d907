"""JSON API of the enterprise registry (wired at /api/enterprises; OpenAPI at /api/docs).

Same search (``listing.search_enterprises``), same services and scope checks as the web UI:

* ``GET    /api/enterprises``          list (same parameters as the page /enterprises/)
* ``GET    /api/enterprises/{uscc}``   exchange-format profile + metadata
* ``POST   /api/enterprises``          create (exchange-format document)
* ``PATCH  /api/enterprises/{uscc}``   partial update (partial exchange-format document); an
  explicit ``null`` on a measurement sets it back to unknown (``services.update_enterprise``
  with ``clear=``), audited like any change

Errors are JSON ``{"detail": "中文说明", "errors": [{"field": "years.2024.revenue",
"message": "…"}]}``: **400** bad input (every problem, with its field path), **401** not logged
in, **403** the user may read the enterprise but not change that section (or may not create),
**404** unknown USCC *or an enterprise outside the user's scope* (existence is not revealed;
the web UI answers the same).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema

from srdi.accounts import scopes
from srdi.exchange import ProfileErrors
from srdi.exchange.writers import dumps_profile
from srdi.finance import consent as consent_mod

from . import listing
from .views import NOT_FOUND, enterprise_for

router = Router()


class Problem(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[Problem] = []


class ListQuery(Schema):
    q: str | None = None
    region: str | None = None
    industry: str | None = None
    tier: str | None = None
    title_status: str | None = None
    synthetic: str | None = None
    sort: str | None = None
    page: str | None = None
    per_page: str | None = None


class EnterpriseRow(Schema):
    uscc: str
    name: str
    region: str | None
    industry_code: str | None
    industry_name: str | None
    tier: str | None
    tier_label: str
    latest_year: int | None
    latest_revenue: float | None
    revenue_growth_pct: float | None
    latest_employees: int | None
    is_synthetic: bool
    url: str


class ListOut(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    results: list[EnterpriseRow]


class MetaOut(Schema):
    url: str
    is_synthetic: bool
    region_status: str | None
    industry_name: str | None
    field_sources: dict
    writable_sections: list[str]
    updated_at: str
    version: str


class DetailOut(Schema):
    profile: dict
    meta: MetaOut


def _error(status: int, detail: str, problems=()) -> HttpResponse:
    body = {
        "detail": detail,
        "errors": [
            {"field": getattr(p, "field", None), "message": getattr(p, "message", str(p))}
            for p in problems
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _json(obj, status=200) -> HttpResponse:
    return HttpResponse(
        dumps_profile(obj), status=status, content_type="application/json; charset=utf-8"
    )


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "role") else request.user


def _num(v):
    return float(v) if v is not None else None


@router.get(
    "",
    response={200: ListOut, 400: ErrorOut},
    summary="企业列表（检索、筛选、排序、分页）",
    description=(
        "参数与网页 /enterprises/ 相同：q（名称包含或统一社会信用代码前缀）、region（板块 id 或名称）、"
        "industry（行业代码前缀，如 C34）、tier（最高有效称号：single_champion、little_giant、srdi_sme、"
        "innovative_sme、tech_sme、none）、title_status（valid、under_review、expired、revoked）、"
        "synthetic（1/0）、sort（name、uscc、region、industry、tier、revenue、growth、employees、"
        "established，前加 - 为降序）、page、per_page（≤200）。只返回当前用户有权查看的企业。"
    ),
)
def list_enterprises(request, filters: Query[ListQuery]):
    user = _user(request)
    params = {k: v for k, v in filters.dict().items() if v is not None}
    try:
        p = listing.parse_params(params)
    except listing.ListParamError as exc:
        return _error(
            400,
            "查询参数有误",
            [Problem(field=k, message=m) for k, m in exc.errors.items()],
        )
    with listing.no_jit():
        page = listing.paginate(listing.search_enterprises(user, p), p)
        results = [_row(e) for e in page]
        if consent_mod.is_partner(user):
            results = [consent_mod.mask_row(user, r) for r in results]
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "per_page": p.per_page,
        "results": results,
    }


def _row(e) -> dict:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "region": e.region.name if e.region_id else None,
        "industry_code": e.industry_code or None,
        "industry_name": e.industry.name if e.industry_id else None,
        "tier": e.tier,
        "tier_label": listing.tier_label(e.tier),
        "latest_year": e.latest_year,
        "latest_revenue": _num(e.latest_revenue),
        "revenue_growth_pct": (
            float(round(Decimal(e.growth), 2)) if e.growth is not None else None
        ),
        "latest_employees": e.latest_employees,
        "is_synthetic": e.is_synthetic,
        "url": reverse("registry:detail", args=[e.uscc]),
    }


def _detail(user, e, status=200) -> HttpResponse:
    from srdi.core import concurrency
    from srdi.finance import consent

    from .selectors import build_profile

    sections = scopes.writable_sections(user, e)
    profile = build_profile(e)
    if consent.is_partner(user):  # a partner reads only what the enterprise granted (logged)
        granted = consent.granted(user, e)
        profile = consent.filter_profile(profile, granted)
        consent.record(user, e, granted, "api", "企业信息（接口）")
    resp = _json(
        {
            "profile": profile,
            "meta": {
                "url": reverse("registry:detail", args=[e.uscc]),
                "is_synthetic": e.is_synthetic,
                "region_status": e.region.status if e.region_id else None,
                "industry_name": e.industry.name if e.industry_id else None,
                "field_sources": e.field_sources or {},
                "writable_sections": sorted(sections),
                "updated_at": e.updated_at.isoformat(),
                "version": concurrency.version(profile),
            },
        },
        status=status,
    )
    resp["ETag"] = concurrency.etag(profile)
    return resp


def _lookup(user, uscc):
    try:
        return enterprise_for(user, uscc)
    except Http404:
        return None


@router.get(
    "/{uscc}",
    response={200: DetailOut, 404: ErrorOut},
    summary="企业画像（交换格式）",
    description="profile 为企业画像交换格式 v1 文档；meta 含数据来源（字段 → 来源编号）与当前用户可修改的栏目。"
    "企业不存在或不在当前用户的权限范围内时均返回 404。",
)
def get_enterprise(request, uscc: str):
    user = _user(request)
    e = _lookup(user, uscc)
    if e is None:
        return _error(404, NOT_FOUND)
    return _detail(user, e)  # with its ETag (the version to send back in If-Match)


def _body(request):
    try:
        data = json.loads(request.body or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, _error(400, f"请求内容不是有效的 JSON：{exc}")
    if not isinstance(data, dict):
        return None, _error(400, "请求内容应为一个 JSON 对象（企业画像交换格式）")
    return data, None


_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "企业画像交换格式 v1（见项目文档 docs/contracts/enterprise-profile.md）",
                    "additionalProperties": True,
                },
                "example": {"years": {"2024": {"revenue": 12000.5, "employees": 180}}},
            }
        },
    }
}


@router.post(
    "",
    response={201: DetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="新增企业",
    description="请求内容为完整的企业画像（uscc、name 必填）。仅市工信局管理员和板块工作人员（本板块）可新增。",
    openapi_extra=_BODY_DOC,
)
def create_enterprise(request):
    from . import services

    user = _user(request)
    if not scopes.may_create_enterprise(user):
        return _error(403, "仅市工信局管理员和板块工作人员可以新增企业。")
    data, err = _body(request)
    if err:
        return err
    try:
        e = services.create_enterprise(user, data, source="api")
    except ProfileErrors as exc:
        return _error(400, "企业信息有误，未保存", exc.problems)
    except PermissionDenied as exc:
        return _error(403, str(exc) or "您无权新增该企业。")
    e = enterprise_for(user, e.uscc) if scopes.can_view(user, e) else e
    return _detail(user, e, status=201)


_PATCH_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": _BODY_DOC["requestBody"]["content"]["application/json"]["schema"],
                "examples": {
                    "figures": {
                        "summary": "修改 2024 年营业收入和从业人员",
                        "value": {"years": {"2024": {"revenue": 12000.5, "employees": 180}}},
                    },
                    "unknown": {
                        "summary": "把已知的测量值改为“未知”（显式 null）",
                        "value": {
                            "market": {"share_pct": None},
                            "years": {"2024": {"rd_expense": None}},
                            "development_scores": {"2023": None},
                        },
                    },
                },
            }
        },
    }
}


@router.patch(
    "/{uscc}",
    response={200: DetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 412: ErrorOut},
    summary="修改企业（部分更新）",
    description="请求内容为部分企业画像：只修改出现的字段，未出现的字段保持不变；数组（awards、honors、"
    "titles…）出现时整体替换。"
    "测量值（营业收入等年度数据、细分市场占有率与排名、数字化水平等级、发展评价得分等）写为显式 null "
    "表示把该数值改为“未知”（清除，记入审计日志，数据来源改为本次接口修改）；年度或得分不存在时不做任何修改。"
    "声明类字段（是否获得认证、知识产权件数等）没有“未知”：请写 false 或 0，null 视为未修改；"
    "基本属性（名称、成立日期等）的 null 同样视为未修改。"
    "按栏目检查权限（部门只能修改本部门数据，企业用户不能修改称号与合规记录），清除数值也一样。"
    "防止覆盖他人的修改：GET 返回 ETag（即 meta.version）；PATCH 带 If-Match: <ETag> 时，"
    "若企业数据在此期间已被他人修改则返回 412（不保存，响应头 ETag 为当前版本）。",
    openapi_extra=_PATCH_DOC,
)
def update_enterprise(request, uscc: str):
    from . import services

    user = _user(request)
    e = _lookup(user, uscc)
    if e is None:
        return _error(404, NOT_FOUND)
    data, err = _body(request)
    if err:
        return err
    from srdi.core import concurrency

    from .selectors import build_profile

    if stale := concurrency.if_match_refused(request, build_profile(e)):
        return stale
    clear = services.explicit_null_measurements(data)
    try:
        services.update_enterprise(
            user,
            e,
            data,
            source="api",
            clear=clear,
            expected_version=request.headers.get("If-Match"),
        )
    except concurrency.StaleEdit as exc:
        resp = _error(412, str(exc))
        resp["ETag"] = f'"{exc.current_version}"'
        return resp
    except ProfileErrors as exc:
        return _error(400, "修改内容有误，未保存", exc.problems)
    except PermissionDenied as exc:
        return _error(403, str(exc) or "您无权修改该企业的这部分数据。")
    return _detail(user, enterprise_for(user, e.uscc))

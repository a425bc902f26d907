"""POST /api/evaluations — the same JSON in and out as `srdi evaluate` (docs/contracts/evaluation.md)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from srdi.accounts import scopes

from .services import (
    EvaluationInputError,
    evaluate_enterprises,
    evaluate_profiles,
    may_save_runs,
)

router = Router()

_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "profiles": {
                            "type": "array",
                            "items": {"type": "object"},
                            "description": "企业画像交换格式 v1 文档",
                        },
                        "uscc": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "评估库中已登记的企业（结果会保存）",
                        },
                        "standards": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "认定标准 ID；缺省为评估日期有效的全部标准",
                        },
                        "as_of": {
                            "type": "string",
                            "format": "date",
                            "description": "评估日期，缺省为今天",
                        },
                        "review": {"type": "boolean", "description": "按复核评估"},
                        "explain": {"type": "boolean", "description": "返回推理过程（trace）"},
                    },
                },
                "example": {
                    "profiles": [
                        {
                            "uscc": "91320581712345672C",
                            "name": "常熟市精工轴承有限公司",
                            "industry_code": "C3451",
                            "years": {"2024": {"employees": 260, "revenue": 10000}},
                        }
                    ],
                    "standards": ["sme-size@2011"],
                    "as_of": "2025-06-30",
                },
            }
        },
    }
}


def _json(obj, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(obj, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _error(status: int, detail: str, problems: list[str] = ()) -> HttpResponse:  # type: ignore[assignment]
    return _json({"detail": detail, "errors": [{"message": p} for p in problems]}, status)


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "role") else request.user


@router.post(
    "",
    summary="按认定标准评估",
    description=(
        "请求：profiles（画像数组）或 uscc（已登记企业，评估结果连同规则版本与输入快照一并保存），"
        "以及 standards、as_of、review、explain。响应与命令行 `srdi evaluate --format json` 相同。"
        "企业用户只能评估本企业。评估合同见项目文档 docs/contracts/evaluation.md。"
    ),
    openapi_extra=_DOC,
)
def create_evaluation(request):
    from srdi.exchange import validate_records

    user = _user(request)
    try:
        body = json.loads(request.body or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, _("请求内容不是有效的 JSON：%(e)s") % {"e": exc})
    if not isinstance(body, dict) or ("profiles" in body) == ("uscc" in body):
        return _error(400, _("请求应为 JSON 对象，且 profiles 与 uscc 二者选一"))
    standards = body.get("standards") or []
    if not isinstance(standards, list):
        return _error(400, _("standards 应为数组"))
    as_of, review, explain = body.get("as_of"), bool(body.get("review")), bool(body.get("explain"))
    try:
        if "uscc" in body:
            if not isinstance(body["uscc"] or [], list):
                return _error(400, _("uscc 应为统一社会信用代码的数组"))
            codes = [str(u).strip().upper() for u in (body["uscc"] or [])]
            from srdi.finance import consent  # partners: only with "diagnosis" granted

            qs = consent.visible_for(user, "diagnosis").filter(uscc__in=codes)
            found = set(qs.values_list("uscc", flat=True))
            missing = [u for u in codes if u not in found]
            if missing:
                return _error(404, _("企业不存在或无权查看"), missing)
            doc = evaluate_enterprises(
                qs,
                standards,
                as_of,
                review,
                user=user,
                explain=explain,
                save=may_save_runs(user),
            )
            order = {u: i for i, u in enumerate(codes)}
            doc["results"].sort(
                key=lambda r: order.get(r["uscc"], 0)
            )  # stable: standards keep order
            return _json(doc)
        records = body["profiles"]
        if not isinstance(records, list):
            return _error(400, _("profiles 应为数组"))
        profiles, problems = validate_records(records)
        if problems:
            return _error(
                400,
                _("画像有%(n)d个问题") % {"n": len(problems)},
                [p.format_zh() for p in problems],
            )
        if not scopes.is_official(user):
            visible = set(scopes.visible_enterprises(user).values_list("uscc", flat=True))
            outside = [p.get("uscc") for p in profiles if p.get("uscc") not in visible]
            if outside:
                return _error(403, _("只能评估本企业的画像"), [str(u) for u in outside])
        doc = evaluate_profiles(profiles, standards, as_of, review, explain=explain)
        return _json(doc)
    except EvaluationInputError as exc:
        return _error(400, _("请求参数有误"), exc.problems)

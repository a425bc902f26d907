"""The JSON API (django-ninja): one NinjaAPI, one router per app, OpenAPI at /api/docs."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError
from ninja.openapi.docs import Swagger, _csrf_needed

from srdi.accounts.api import SessionAuth, TokenAuth
from srdi.accounts.api import router as accounts_router
from srdi.chains.api import router as chains_router
from srdi.cultivation.api import router as cultivation_router
from srdi.diagnosis.api import router as diagnosis_router
from srdi.evaluation.api import router as evaluation_router
from srdi.finance.api import consents_router
from srdi.finance.api import router as finance_router
from srdi.innovation.api import router as innovation_router
from srdi.policies.api import router as policies_router
from srdi.recognition.api import router as recognition_router
from srdi.registry.api import router as registry_router
from srdi.registry.api_io import router as io_router
from srdi.support.api import router as support_router


class VendoredSwagger(Swagger):
    """/api/docs from the Swagger UI files vendored in the repository (no CDN; CSP-clean)."""

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": dict(self.settings),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title=settings.SRDI_SITE_NAME + " API",
    version="1",
    description=(
        "常熟市专精特新企业培育服务平台 JSON API。所有接口与网页使用同一套服务层与权限检查。"
        "认证：`Authorization: Bearer <令牌>`（`srdi token 用户名` 签发；写操作无需 CSRF），"
        "或浏览器登录会话（写操作须带 CSRF 令牌）。企业画像交换格式见项目文档 "
        "docs/contracts/enterprise-profile.md，认定评估合同见 docs/contracts/evaluation.md。"
    ),
    docs=VendoredSwagger(settings={"persistAuthorization": False}),
    # the token door first (no CSRF), then the session door (CSRF checked): see accounts.api
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "未登录或令牌无效：请先登录，或提供有效的 API 令牌。"}, status=401
    )


#: pydantic's error types → what a user reads (the field's place comes from ``loc``)
_INPUT_PROBLEMS = {
    "missing": "缺少必填项",
    "extra_forbidden": "不接受此项",
    "json_invalid": "不是有效的 JSON",
}


def _input_problem(err: dict) -> dict:
    where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "payload", "query"))
    kind = str(err.get("type", ""))
    if kind in _INPUT_PROBLEMS:
        message = _INPUT_PROBLEMS[kind]
    elif kind.endswith(("_type", "_parsing")):
        message = "类型或格式不正确"
    else:
        message = "取值无效"
    return {"where": where or "请求内容", "message": message}


@api.exception_handler(InputError)
def _invalid_input(request, exc):
    """Request bodies and parameters that do not fit the operation's schema: 422 with each
    problem's place and a Chinese reason (never the library's English)."""
    problems = [_input_problem(e) for e in exc.errors[:50]]
    listing = "；".join(f"{p['where']}：{p['message']}" for p in problems)
    return api.create_response(
        request, {"detail": f"请求内容有误（{listing}）", "errors": problems}, status=422
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    detail = str(exc) if exc.args and str(exc) else "未找到该对象，或您无权查看。"
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    detail = str(exc) if exc.args and str(exc) else "您无权执行此操作。"
    return api.create_response(request, {"detail": detail}, status=403)


_log = logging.getLogger("srdi.api")


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request, exc):
    _log.warning("API %s %s: value out of range", request.method, request.path, exc_info=exc)
    return api.create_response(
        request, {"detail": "请求中的数值或参数超出允许范围，未处理。"}, status=400
    )


@api.exception_handler(RecursionError)
def _too_deep(request, exc):
    return api.create_response(
        request, {"detail": "请求内容嵌套层数过多（可能是构造的数据），未处理。"}, status=400
    )


@api.exception_handler(TypeError)
@api.exception_handler(ValueError)
def _bad_value(request, exc):
    # a value the handler could not use (a date that does not exist, a malformed number …):
    # the client's input, answered 400; logged with the traceback so that a bug stays visible
    _log.warning("API %s %s: ValueError", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "请求参数无效，未处理。"}, status=400)


api.add_router("/accounts", accounts_router, tags=["账户"])
api.add_router("/enterprises", registry_router, tags=["企业库"])
api.add_router("/io", io_router, tags=["导入导出"])
api.add_router("/evaluations", evaluation_router, tags=["认定标准评估"])
api.add_router("/diagnosis", diagnosis_router, tags=["把脉诊断"])
api.add_router("/policies", policies_router, tags=["惠企政策"])
api.add_router("/cultivation", cultivation_router, tags=["梯度培育"])
api.add_router("/innovation", innovation_router, tags=["创新引领"])
api.add_router("/chains", chains_router, tags=["产业链与集群"])
api.add_router("/consents", consents_router, tags=["数据共享授权"])
api.add_router("/finance", finance_router, tags=["特色金融"])
api.add_router("/support", support_router, tags=["服务体系"])
api.add_router("/recognition", recognition_router, tags=["荣誉认证与平台登记"])

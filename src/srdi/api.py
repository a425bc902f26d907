"""The JSON API (django-ninja): one NinjaAPI, one router per app, OpenAPI at /api/docs."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from srdi.accounts.api import TokenAuth
from srdi.accounts.api import router as accounts_router
from srdi.cultivation.api import router as cultivation_router
from srdi.diagnosis.api import router as diagnosis_router
from srdi.evaluation.api import router as evaluation_router
from srdi.innovation.api import router as innovation_router
from srdi.policies.api import router as policies_router
from srdi.registry.api import router as registry_router
from srdi.registry.api_io import router as io_router

api = NinjaAPI(
    title=settings.SRDI_SITE_NAME + " API",
    version="1",
    description="常熟市专精特新企业培育服务平台 JSON API。所有接口与网页使用同一套服务层与权限检查。",
    auth=[SessionAuth(csrf=True), TokenAuth()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "未登录或令牌无效：请先登录，或提供有效的 API 令牌。"}, status=401
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    detail = str(exc) if exc.args and str(exc) else "未找到该对象，或您无权查看。"
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    detail = str(exc) if exc.args and str(exc) else "您无权执行此操作。"
    return api.create_response(request, {"detail": detail}, status=403)


api.add_router("/accounts", accounts_router, tags=["账户"])
api.add_router("/enterprises", registry_router, tags=["企业库"])
api.add_router("/io", io_router, tags=["导入导出"])
api.add_router("/evaluations", evaluation_router, tags=["认定标准评估"])
api.add_router("/diagnosis", diagnosis_router, tags=["把脉诊断"])
api.add_router("/policies", policies_router, tags=["惠企政策"])
api.add_router("/cultivation", cultivation_router, tags=["梯度培育"])
api.add_router("/innovation", innovation_router, tags=["创新引领"])

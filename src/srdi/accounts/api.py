from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from . import services

router = Router()


class TokenAuth(HttpBearer):
    """The token door: `Authorization: Bearer <token>` (srdi token USER). No CSRF: a token is
    never sent by a browser on its own, so a forged cross-site request cannot carry it."""

    def authenticate(self, request, token):
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
            request.auth_door = "token"
        return user


class SessionAuth(APIKeyCookie):
    """The session door: the browser's login session, CSRF checked on every unsafe method.

    It answers only requests that carry no `Authorization` header (those belong to the token
    door alone: a wrong token is 401, never a CSRF refusal) and that have a logged-in session
    (no session is 401). Put it after :class:`TokenAuth` in the API's auth list.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "CSRF 校验失败：请刷新页面后重试；程序调用请使用 API 令牌（Authorization: Bearer）。"
                ),
            )
        request.auth_door = "session"
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ decides
        return request.user if request.user.is_authenticated else None


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    region: str | None
    enterprise_uscc: str | None
    department: str
    organization: str


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    u = request.auth if hasattr(request.auth, "role") else request.user
    return {
        "username": u.username,
        "display_name": u.display_name or u.username,
        "role": u.role,
        "role_label": str(u.get_role_display()) or _("未知"),
        "region": u.region.name if u.region_id else None,
        "enterprise_uscc": u.enterprise.uscc if u.enterprise_id else None,
        "department": u.department,
        "organization": u.organization,
    }

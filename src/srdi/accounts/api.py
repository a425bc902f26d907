from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from . import services

router = Router()


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token issued to a user (srdi token USER)."""

    def authenticate(self, request, token):
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


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

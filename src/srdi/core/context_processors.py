from django.conf import settings


def platform(request):
    from srdi.accounts import scopes

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SRDI_SITE_NAME,
        "is_official": scopes.is_official(user),
        "is_admin": scopes.is_admin(user),
    }

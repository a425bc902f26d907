from django.conf import settings


def platform(request):
    from srdi.accounts import scopes

    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from .notifications import unread_count

        unread = unread_count(user)
    return {
        "unread_count": unread,
        "SITE_NAME": settings.SRDI_SITE_NAME,
        "is_official": scopes.is_official(user),
        "is_admin": scopes.is_admin(user),
        "may_import": _may_import(user),
        "menu_items": _menu(user),
    }


def _may_import(user) -> bool:
    """Show 数据导入 only to those the import page admits (commissioners may not import)."""
    if user is None or not user.is_authenticated:
        return False
    from srdi.registry.services import may_import

    return may_import(user)


def _menu(user):
    from .workspace import menu_for

    return menu_for(user)

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, LoginAttempt, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "role",
        "region",
        "enterprise",
        "department",
        "is_active",
    )
    list_filter = ("role", "department", "region", "is_active")
    search_fields = ("username", "display_name", "organization", "enterprise__name")
    autocomplete_fields = ("enterprise",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("角色与范围"),
            {
                "fields": (
                    "role",
                    "display_name",
                    "phone",
                    "region",
                    "enterprise",
                    "department",
                    "organization",
                    "partner_kind",
                )
            },
        ),
    )


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "ip", "success")
    list_filter = ("success",)
    search_fields = ("username", "ip")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created", "last_used", "revoked")
    readonly_fields = ("key_hash", "prefix", "created", "last_used")

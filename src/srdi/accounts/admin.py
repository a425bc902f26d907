from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import ThrottledAdminAuthenticationForm
from .models import ApiToken, LoginAttempt, User

# /admin/login/ goes through the same throttle (the authentication backend) and shows the same
# lock messages as the platform's login page.
admin.site.login_form = ThrottledAdminAuthenticationForm


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
    list_display = ("at", "username", "ip", "door", "success", "refused", "cleared")
    list_filter = ("success", "refused", "door")
    search_fields = ("username", "account")
    readonly_fields = [f.name for f in LoginAttempt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created", "last_used", "revoked")
    readonly_fields = ("key_hash", "prefix", "created", "last_used")

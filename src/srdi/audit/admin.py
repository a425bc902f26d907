from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "source", "ip")
    list_filter = ("source", "action", "object_type")
    search_fields = ("actor_label", "object_repr", "enterprise_uscc")
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

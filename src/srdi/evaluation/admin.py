"""Stored evaluations in the admin: read-only (they are evidence); a run may be deleted with
its records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import EvaluationRecord, EvaluationRun, InputSnapshot, RuleVersion


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnly):
    list_display = (
        "created_at",
        "as_of",
        "review",
        "mode",
        "enterprises",
        "results",
        "new_snapshots",
        "created_by",
    )
    list_filter = ("mode", "review", "as_of")
    readonly_fields = [f.name for f in EvaluationRun._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(EvaluationRecord)
class EvaluationRecordAdmin(ReadOnly):
    list_display = ("enterprise", "standard", "outcome", "score", "version", "run")
    list_filter = ("standard", "outcome")
    search_fields = ("enterprise__uscc", "enterprise__name")
    list_select_related = ("enterprise", "run")
    raw_id_fields = ("enterprise", "run", "snapshot")
    readonly_fields = [f.name for f in EvaluationRecord._meta.fields]
    show_full_result_count = False


@admin.register(InputSnapshot)
class InputSnapshotAdmin(ReadOnly):
    list_display = ("enterprise", "short_digest", "created_at")
    search_fields = ("enterprise__uscc", "digest")
    list_select_related = ("enterprise",)
    readonly_fields = [f.name for f in InputSnapshot._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("内容摘要"))
    def short_digest(self, obj):
        return obj.digest[:12]


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnly):
    list_display = ("version", "standard", "created_at")
    readonly_fields = [f.name for f in RuleVersion._meta.fields]

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AnnualFigures,
    Award,
    DataShare,
    DataSource,
    Enterprise,
    Honor,
    ImportBatch,
    Industry,
    ReferenceItem,
    Region,
    Title,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "managed_by", "status", "active", "sort_order")
    list_filter = ("kind", "status", "active")
    search_fields = ("name", "short_name")
    list_editable = ("sort_order", "active")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "status", "active")
    list_filter = ("level", "status")
    search_fields = ("code", "name")


@admin.register(ReferenceItem)
class ReferenceItemAdmin(admin.ModelAdmin):
    list_display = ("scheme", "code", "name", "status", "active")
    list_filter = ("scheme", "status")
    search_fields = ("code", "name")


class YearsInline(admin.TabularInline):
    model = AnnualFigures
    extra = 0
    exclude = ("field_sources",)


class TitleInline(admin.TabularInline):
    model = Title
    extra = 0


class HonorInline(admin.TabularInline):
    model = Honor
    extra = 0


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "industry_code", "is_synthetic")
    list_filter = ("region", "is_synthetic")
    search_fields = ("name", "uscc")
    inlines = [TitleInline, YearsInline, HonorInline, AwardInline]
    filter_horizontal = ("commissioners",)
    readonly_fields = ("field_sources",)

    def has_change_permission(self, request, obj=None):
        # Enterprise data is changed through the platform's forms so every write is audited.
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "uploaded_at",
        "uploaded_by",
        "status",
        "total",
        "created",
        "updated",
        "rejected",
    )
    list_filter = ("status", "format")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ("kind", "label", "department", "user", "at")
    list_filter = ("kind",)


@admin.register(DataShare)
class DataShareAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "organization", "purpose", "granted_at", "revoked_at")
    search_fields = ("enterprise__name", "organization")
    verbose_name = _("数据共享授权")

"""Django admin for the service system's reference-like records (commissioner profiles, 科技镇长团
and other contacts); changes are audited by srdi.audit.signals. Everyday work uses the pages."""

from django.contrib import admin

from .models import CommissionerProfile, Contact


@admin.register(CommissionerProfile)
class CommissionerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "region", "capacity", "phone", "active")
    list_filter = ("region", "department", "active")
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ("user",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "position", "region", "phone")
    list_filter = ("kind", "region")
    search_fields = ("name", "organization")
    raw_id_fields = ("enterprises",)

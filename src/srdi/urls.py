from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from srdi.api import api

admin.site.site_header = settings.SRDI_SITE_NAME + " · 管理后台"
admin.site.site_title = settings.SRDI_SITE_NAME
admin.site.index_title = "参考数据与系统管理"

urlpatterns = [
    path("", include("srdi.core.urls")),
    path("accounts/", include("srdi.accounts.urls")),
    path("audit/", include("srdi.audit.urls")),
    path("enterprises/", include("srdi.registry.urls")),
    path("io/", include("srdi.registry.urls_io")),
    path("evaluation/", include("srdi.evaluation.urls")),
    path("diagnosis/", include("srdi.diagnosis.urls")),
    path("policies/", include("srdi.policies.urls")),
    path("cultivation/", include("srdi.cultivation.urls")),
    path("innovation/", include("srdi.innovation.urls")),
    path("chains/", include("srdi.chains.urls")),
    path("finance/", include("srdi.finance.urls")),
    path("support/", include("srdi.support.urls")),
    path("recognition/", include("srdi.recognition.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

from django.urls import path

from . import views_io

app_name = "registry_io"
urlpatterns = [
    path("import/", views_io.import_page, name="import"),
    path("imports/<int:pk>/", views_io.batch_page, name="batch"),
    path("imports/<int:pk>.json", views_io.batch_status, name="batch_status"),
    path("imports/<int:pk>/original", views_io.batch_original, name="batch_original"),
    path("imports/<int:pk>/rejected", views_io.batch_rejected, name="batch_rejected"),
    path("template/", views_io.template_download, name="template"),
    path("export/", views_io.export_page, name="export"),
]

from django.urls import path

from . import views

app_name = "recognition"

urlpatterns = [
    path("", views.honour_list, name="honours"),
    path("honours/<int:pk>/", views.honour_detail, name="honour"),
    path("honours/<int:pk>/revoke/", views.honour_revoke, name="honour_revoke"),
    path("platforms/", views.platform_list, name="platforms"),
    path("platforms/<int:pk>/", views.platform_detail, name="platform"),
    path("import/", views.import_view, name="import"),
]

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.xlsx", views.enterprise_export, name="export"),
    path("new/", views.enterprise_create, name="create"),
    path("<str:uscc>/", views.enterprise_detail, name="detail"),
    path("<str:uscc>/edit/recognition/", views.edit_recognition, name="edit_recognition"),
    path("<str:uscc>/edit/years/", views.edit_year, name="add_year"),
    path("<str:uscc>/edit/years/<int:year>/", views.edit_year, name="edit_year"),
    path("<str:uscc>/edit/<str:section>/", views.edit_section, name="edit"),
]

from django.urls import path

from . import views

app_name = "diagnosis"
urlpatterns = [
    path("", views.index, name="index"),
    path("batch/", views.batch, name="batch"),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/report.<str:fmt>", views.download, name="download"),
]

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("whatif/", views.whatif_page, name="whatif"),
    path("<str:uscc>/", views.enterprise_evaluation, name="enterprise"),
]

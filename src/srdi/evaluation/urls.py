from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("whatif/", views.whatif_page, name="whatif"),
    path("whatif/jobs/<int:pk>/", views.whatif_result, name="whatif_result"),
    path("<str:uscc>/", views.enterprise_evaluation, name="enterprise"),
]

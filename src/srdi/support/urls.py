from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.index, name="index"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/transition/", views.request_transition, name="request_transition"),
    path("requests/<int:pk>/files/<int:att>/", views.request_attachment, name="request_file"),
    path("enterprises/<str:uscc>/", views.enterprise_page, name="enterprise"),
    path("enterprises/<str:uscc>/assign/", views.enterprise_assign, name="assign_one"),
    path("plan/", views.plan_own, name="plan_own"),
    path("plans/<str:uscc>/", views.plan_page, name="plan"),
    path("plans/<str:uscc>/propose/", views.plan_propose, name="plan_propose"),
    path("plans/<str:uscc>/items/", views.plan_item_new, name="plan_item_new"),
    path("plans/<str:uscc>/docx/", views.plan_docx, name="plan_docx"),
    path("items/<int:pk>/", views.plan_item_edit, name="plan_item"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/follow-up/", views.visit_follow_up, name="visit_follow_up"),
    path("visits/<int:pk>/files/<int:file_pk>/", views.visit_file, name="visit_file"),
    path("commissioners/", views.commissioner_list, name="commissioners"),
    path("commissioners/<int:pk>/", views.commissioner_detail, name="commissioner"),
    path("assign/", views.assign_preview, name="assign"),
    path("measures/", views.measures_page, name="measures"),
    path("contacts/", views.contact_list, name="contacts"),
]

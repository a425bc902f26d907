from django.urls import path

from . import views

app_name = "cultivation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pool/", views.pool, name="pool"),
    path("pool/<str:uscc>/<str:tier>/", views.pool_record, name="pool_record"),
    path("keylinks/", views.keylinks, name="keylinks"),
    path("list/", views.enterprise_list, name="list"),
    path("targets/<str:target_id>/", views.target_detail, name="target"),
    path("plans/", views.plans_view, name="plans"),
    path("plans/template.xlsx", views.plan_template, name="plan_template"),
    path("plans/<str:key>/final/", views.final_view, name="final"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/<str:action>/", views.alert_handle, name="alert_handle"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("titles/<int:pk>/", views.title_detail, name="title"),
    path("bulletin/", views.bulletin_view, name="bulletin"),
]

from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_edit, name="create"),
    path("mine/", views.my_matches, name="mine"),
    path("ledger/", views.ledger, name="ledger"),
    path("rematch/", views.rematch, name="rematch"),
    path("conditions/expr/", views.conditions_expr, name="conditions_expr"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/edit/", views.policy_edit, name="edit"),
    path("<int:pk>/preview/", views.policy_preview, name="preview"),
    path("<int:pk>/publish/", views.policy_publish, name="publish"),
    path("<int:pk>/archive/", views.policy_archive, name="archive"),
    path("<int:pk>/unclaimed.xlsx", views.unclaimed_xlsx, name="unclaimed_xlsx"),
    path("<int:pk>/matches.xlsx", views.matches_xlsx, name="matches_xlsx"),
    path("<int:pk>/apply/<str:uscc>/", views.apply, name="apply"),
    path("enterprise/<str:uscc>/", views.enterprise_matches, name="enterprise"),
    path("enterprise/<str:uscc>/mutes/", views.set_mutes, name="mutes"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path(
        "applications/<int:pk>/download.<str:fmt>",
        views.application_download,
        name="application_download",
    ),
]

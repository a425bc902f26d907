from django.urls import path

from . import views

app_name = "innovation"

urlpatterns = [
    path("", views.index, name="index"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_edit, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/rematch/", views.need_rematch, name="need_rematch"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_edit, name="team_new"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:team_pk>/capabilities/new/", views.capability_edit, name="capability_new"),
    path("capabilities/", views.capability_list, name="capabilities"),
    path("capabilities/<int:pk>/", views.capability_detail, name="capability"),
    path("capabilities/<int:pk>/edit/", views.capability_edit, name="capability_edit"),
    path("capabilities/<int:pk>/propose/<int:need_pk>/", views.capability_propose, name="propose"),
    path("matches/", views.match_list, name="matches"),
    path("matches/<int:pk>/", views.match_detail, name="match"),
    path("matches/<int:pk>/verdict/", views.match_verdict, name="match_verdict"),
    path("matches/<int:pk>/transition/", views.match_transition, name="match_transition"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("tech-vps/", views.techvp_list, name="techvps"),
    path("tech-vps/new/", views.techvp_new, name="techvp_new"),
    path("patents/", views.patent_list, name="patents"),
    path("patents/template/", views.patent_template, name="patent_template"),
    path("patents/import/", views.patent_import, name="patent_import"),
    path("patents/<str:uscc>/request/<str:kind>/", views.ip_request, name="ip_request"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("challenges/new/", views.challenge_new, name="challenge_new"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge"),
    path("challenges/<int:pk>/publish/", views.challenge_publish, name="challenge_publish"),
    path("challenges/items/<int:item_pk>/apply/", views.challenge_apply, name="apply"),
    path("applications/<int:pk>/decide/", views.application_decide, name="decide"),
    path("applications/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("applications/<int:pk>/accept/", views.application_accept, name="accept"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
]

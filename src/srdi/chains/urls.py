from django.urls import path

from . import views

app_name = "chains"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.chain_edit, name="chain_new"),
    path("io/", views.io_page, name="io"),
    path("mine/", views.mine, name="mine"),
    path("placements/", views.placements, name="placements"),
    path("placements/<int:pk>/decide/", views.placement_decide, name="placement_decide"),
    path("leaders/", views.leaders, name="leaders"),
    path("leaders/new/", views.leader_new, name="leader_new"),
    path("leaders/<int:pk>/", views.leader_detail, name="leader"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("proposals/<int:pk>/transition/", views.proposal_transition, name="transition"),
    path("leads/", views.leads, name="leads"),
    path("clusters/", views.clusters, name="clusters"),
    path("clusters/new/", views.cluster_edit, name="cluster_new"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<int:pk>/docx/", views.cluster_docx, name="cluster_docx"),
    path("niche/", views.niche, name="niche"),
    path("nodes/<int:pk>/", views.node_detail, name="node"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:pk>/place/", views.node_place, name="node_place"),
    path("nodes/<int:pk>/lead/", views.node_lead, name="node_lead"),
    path("nodes/<int:pk>/niche/", views.node_niche, name="node_niche"),
    path("<int:pk>/", views.chain_detail, name="chain"),
    path("<int:pk>/edit/", views.chain_edit, name="chain_edit"),
    path("<int:chain_pk>/nodes/new/", views.node_edit, name="node_new"),
]

from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("consents/", views.consents, name="consents"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("access-log/", views.access_log, name="access_log"),
    path("shared/", views.shared, name="shared"),
    path("shared/export.xlsx", views.shared_export, name="shared_export"),
    path("shared/<str:uscc>/", views.shared_detail, name="shared_detail"),
    path("needs/", views.needs, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("products/", views.products, name="products"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("listing/", views.listing, name="listing"),
    path("listing/select/", views.listing_select, name="listing_select"),
    path("listing/<int:pk>/", views.candidate, name="candidate"),
    path("exchange/", views.exchange_page, name="exchange"),
    path("insurance/", views.insurance, name="insurance"),
]

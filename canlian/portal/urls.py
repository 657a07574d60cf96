"""Citizens' self-service (/portal/): public pages, no sign-in."""

from django.urls import path

from canlian.portal import views

app_name = "portal"

urlpatterns = [
    path("subsidies/", views.subsidy_progress, name="subsidy_progress"),
    path("certificates/", views.certificate_progress, name="certificate_progress"),
]

"""Certificate URLs: worklists, applications and their steps, certificates, and (urls_more)
tours, supervision checks and institutions."""

from django.urls import path

from canlian.certificates.urls_more import urlpatterns as more
from canlian.certificates.views import applications as views

app_name = "certificates"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/<str:step>/", views.application_step, name="application_step"),
    path("applications/<int:pk>/form.pdf", views.application_pdf, name="application_pdf"),
    path("certificates/<int:pk>/data.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("people/<int:person_id>/", views.person_certificates, name="person"),
    path("people/<int:person_id>/cancel/", views.cancel, name="cancel"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
]
urlpatterns += more

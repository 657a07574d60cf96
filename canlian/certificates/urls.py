"""Certificate URLs (namespace "certificates"): worklists, applications and their steps,
holders' certificates, the card check, tours, supervision checks and institutions."""

from django.urls import path

from canlian.certificates.views import (
    applications,
    cards,
    holders,
    institutions,
    prints,
    receipts,
    steps,
    supervision,
    tours,
)

app_name = "certificates"
urlpatterns = [
    path("", applications.worklist, name="worklist"),
    path("applications/", applications.application_list, name="application_list"),
    path("applications/new/", applications.application_create, name="application_create"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:pk>/receipt/", receipts.receipt_page, name="receipt"),
    path("applications/<int:pk>/receipt.pdf", receipts.receipt_pdf, name="receipt_pdf"),
    path("applications/<int:pk>/<str:step>/", steps.application_step, name="application_step"),
    path("applications/<int:pk>/form.pdf", prints.application_pdf, name="application_pdf"),
    path("certificates/<int:pk>/data.pdf", prints.certificate_pdf, name="certificate_pdf"),
    path("check/", cards.card_check, name="card_check"),
    path("people/<int:person_id>/", holders.person_certificates, name="person"),
    path("people/<int:person_id>/cancel/", holders.cancel, name="cancel"),
    path("objections/<int:pk>/decide/", steps.objection_decide, name="objection_decide"),
    path("tours/", tours.tour_list, name="tour_list"),
    path("tours/new/", tours.tour_create, name="tour_create"),
    path("tours/<int:tour_id>/", tours.tour_detail, name="tour_detail"),
    path("tours/<int:tour_id>/register/", tours.tour_register, name="tour_register"),
    path("tours/<int:tour_id>/book/", tours.tour_book, name="tour_book"),
    path("tours/<int:tour_id>/publish/", tours.tour_publish, name="tour_publish"),
    path("supervision/", supervision.check_list, name="supervision_list"),
    path("supervision/new/", supervision.check_create, name="supervision_create"),
    path("supervision/<int:check_id>/", supervision.check_detail, name="supervision_detail"),
    path(
        "supervision/<int:check_id>/items/<int:item_id>/",
        supervision.check_item,
        name="supervision_item",
    ),
    path("institutions/", institutions.institution_list, name="institution_list"),
    path("institutions/new/", institutions.institution_create, name="institution_create"),
    path(
        "institutions/<int:institution_id>/edit/",
        institutions.institution_edit,
        name="institution_edit",
    ),
]

"""Subsidy applications and enrolments (/subsidies/)."""

from django.urls import path

from canlian.benefits.views import applications as views
from canlian.benefits.views import receipts

app_name = "benefits"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("apply/", views.application_create, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/decide/", views.application_decide, name="decide"),
    path("applications/<int:pk>/receipt/", receipts.receipt_page, name="receipt"),
    path("applications/<int:pk>/receipt.pdf", receipts.receipt_pdf, name="receipt_pdf"),
    path("applications/<int:pk>/publicity/", views.application_publicity, name="publicity"),
    path("enrolments/", views.enrolment_list, name="enrolments"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/account/", views.enrolment_account, name="enrolment_account"),
    path("enrolments/<int:pk>/care/", views.enrolment_care_facts, name="enrolment_care_facts"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="enrolment_end"),
]

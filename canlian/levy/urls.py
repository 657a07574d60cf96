"""Employment security fund URLs: employers, declarations, notices and the collection list."""

from django.urls import path

from canlian.levy.views import collection, declarations, detail, employers, notices

app_name = "levy"
urlpatterns = [
    path("", employers.employer_list, name="list"),
    path("employers/new/", employers.employer_create, name="employer_create"),
    path("employers/<int:employer_id>/", employers.employer_detail, name="employer_detail"),
    path("employers/<int:employer_id>/edit/", employers.employer_edit, name="employer_edit"),
    path(
        "employers/<int:employer_id>/declarations/new/",
        declarations.declaration_create,
        name="declaration_create",
    ),
    path(
        "declarations/<int:declaration_id>/",
        detail.declaration_detail,
        name="declaration_detail",
    ),
    path(
        "declarations/<int:declaration_id>/verify/",
        detail.declaration_verify,
        name="declaration_verify",
    ),
    path("declarations/<int:declaration_id>/notice/", notices.notice_issue, name="notice_issue"),
    path("declarations/<int:declaration_id>/notice.pdf", notices.notice_pdf, name="notice_pdf"),
    path("collection/", collection.collection_list, name="collection_list"),
    path("collection.csv", collection.collection_csv, name="collection_csv"),
    path("collection.xlsx", collection.collection_xlsx, name="collection_xlsx"),
]

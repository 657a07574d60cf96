"""Employment security fund URLs: employers, declarations, notices and the collection list."""

from django.urls import path

from canlian.levy import views

app_name = "levy"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("employers/new/", views.employer_create, name="employer_create"),
    path("employers/<int:employer_id>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:employer_id>/edit/", views.employer_edit, name="employer_edit"),
    path(
        "employers/<int:employer_id>/declarations/new/",
        views.declaration_create,
        name="declaration_create",
    ),
    path(
        "declarations/<int:declaration_id>/",
        views.declaration_detail,
        name="declaration_detail",
    ),
    path(
        "declarations/<int:declaration_id>/verify/",
        views.declaration_verify,
        name="declaration_verify",
    ),
    path("declarations/<int:declaration_id>/notice/", views.notice_issue, name="notice_issue"),
    path("declarations/<int:declaration_id>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("collection/", views.collection_list, name="collection_list"),
    path("collection.csv", views.collection_csv, name="collection_csv"),
    path("collection.xlsx", views.collection_xlsx, name="collection_xlsx"),
]

"""Monthly payment rolls, bank files and recoveries (/payroll/)."""

from django.urls import path

from canlian.payroll import views

app_name = "payroll"

urlpatterns = [
    path("", views.roll_list, name="list"),
    path("generate/", views.generate, name="generate"),
    path("rolls/<int:roll_id>/", views.roll_detail, name="roll"),
    path("rolls/<int:roll_id>/approve/", views.approve, name="approve"),
    path("rolls/<int:roll_id>/discard/", views.discard, name="discard"),
    path("rolls/<int:roll_id>/adjustments/", views.adjust, name="adjust"),
    path("rolls/<int:roll_id>/bank-file/", views.export, name="export"),
    path("rolls/<int:roll_id>/roll-book.xlsx", views.roll_book, name="roll_book"),
    path("rolls/<int:roll_id>/bank-result/", views.reconcile, name="reconcile"),
    path(
        "reconciliations/<int:reconciliation_id>/",
        views.reconciliation,
        name="reconciliation",
    ),
    path("recoveries/", views.recovery_list, name="recoveries"),
    path("recoveries/<int:recovery_id>/", views.recovery_detail, name="recovery"),
]

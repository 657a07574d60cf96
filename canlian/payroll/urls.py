"""Monthly payment rolls, bank files and recoveries (/payroll/)."""

from django.urls import path

from canlian.payroll.views import approval, bank, months, recoveries, roll

app_name = "payroll"

urlpatterns = [
    path("", months.roll_list, name="list"),
    path("generate/", months.generate, name="generate"),
    path("rolls/<int:roll_id>/", roll.roll_detail, name="roll"),
    path("rolls/<int:roll_id>/approve/", approval.approve, name="approve"),
    path("rolls/<int:roll_id>/discard/", approval.discard, name="discard"),
    path("rolls/<int:roll_id>/adjustments/", roll.adjust, name="adjust"),
    path("rolls/<int:roll_id>/bank-file/", bank.export, name="export"),
    path("rolls/<int:roll_id>/roll-book.xlsx", bank.roll_book, name="roll_book"),
    path("rolls/<int:roll_id>/bank-result/", bank.reconcile, name="reconcile"),
    path(
        "reconciliations/<int:reconciliation_id>/",
        bank.reconciliation,
        name="reconciliation",
    ),
    path("recoveries/", recoveries.recovery_list, name="recoveries"),
    path("recoveries/<int:recovery_id>/", recoveries.recovery_detail, name="recovery"),
]

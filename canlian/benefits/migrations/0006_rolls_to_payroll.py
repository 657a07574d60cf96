"""The payment rolls, their lines, rule sets, stops, bank exports, reconciliations, results and
recoveries now belong to the payroll app (payroll 0001 takes them over): they leave this app's
state only. Their tables, with their rows, constraints, indexes and the immutability triggers
of 0002, stay as they are; the models keep the table names (Meta.db_table).

Enrolment.settled_by points at a roll: it leaves the state here and comes back, pointing at
payroll.Roll, in 0007. Its column and foreign key in the database do not change."""

from django.db import migrations

MOVED = (
    "PaymentResult",
    "Recovery",
    "BankExport",
    "Reconciliation",
    "Stop",
    "Line",
    "Roll",
    "RuleSet",
)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0005_account_masks")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="enrolment", name="settled_by"),
                *(migrations.DeleteModel(name=name) for name in MOVED),
            ],
            database_operations=[],
        )
    ]

"""Enrolment.settled_by points at payroll.Roll (see 0006): state only, the column, its index and
its foreign key to benefits_roll are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0006_rolls_to_payroll"),
        ("payroll", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="enrolment",
                    name="settled_by",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="payroll.roll",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]

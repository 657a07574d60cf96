"""The second half of the veterans' sealing: the clear number goes and the sealed one is
unique. Apart from 0004 and 0005 because PostgreSQL refuses to alter a table in the transaction that
updated its rows (pending trigger events)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("levy", "0005_issue16_veterans_data"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="declaredemployee",
            name="veteran_number",
        ),
        migrations.AddConstraint(
            model_name="declaredemployee",
            constraint=models.UniqueConstraint(
                condition=models.Q(("veteran_number_index", ""), _negated=True),
                fields=("declaration", "veteran_number_index"),
                name="levy_veteran_once_per_declaration",
            ),
        ),
        migrations.AddConstraint(
            model_name="declaredemployee",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("counts__gt", 0), models.Q(("veteran_number_index", ""), _negated=True)
                ),
                fields=("year", "veteran_number_index"),
                name="levy_veteran_counted_once_a_year",
            ),
        ),
    ]

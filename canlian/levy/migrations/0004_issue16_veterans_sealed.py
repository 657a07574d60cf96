"""Veterans' certificate numbers sealed, step 1: the new columns (their indexes and keys are
created at the end of this migration, before any row changes: PostgreSQL refuses to build an
index on a table whose rows the same transaction updated). Steps 2 and 3: 0005, 0006."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("levy", "0003_issue16_counting"),
        ("people", "0009_issue16_poverty_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="declaredemployee",
            name="original_seen_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="original seen recorded at"
            ),
        ),
        migrations.AddField(
            model_name="declaredemployee",
            name="original_seen_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="original seen recorded by",
            ),
        ),
        migrations.AddField(
            model_name="declaredemployee",
            name="veteran_number_cipher",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="declaredemployee",
            name="veteran_number_index",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="declaredemployee",
            name="veteran_number_masked",
            field=models.CharField(
                blank=True, max_length=20, verbose_name="veteran's certificate number"
            ),
        ),
        migrations.AlterField(
            model_name="declaredemployee",
            name="reason_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_registered", "Not on the registry"),
                    ("name_mismatch", "Name does not match the registry"),
                    ("not_yet_valid", "Certificate not yet issued"),
                    ("expired", "Certificate expired"),
                    ("deceased", "Deceased"),
                    ("cancelled", "Certificate cancelled"),
                    ("moved_out", "Moved out of the registry's area"),
                    ("short_contract", "Contract shorter than one year"),
                    ("no_insurance", "No social insurance"),
                    ("low_wage", "Wage below the minimum"),
                    ("counted_elsewhere", "Counted by another employer"),
                    ("veteran_elsewhere", "Veteran's certificate counted by another employer"),
                    ("veteran_grade", "Veteran's grade does not count"),
                    ("original_not_seen", "Original certificate not seen"),
                    ("dispatch_other_unit", "Counted by the other unit of the dispatch"),
                    ("dispatch_mismatch", "Dispatch agreement does not match"),
                    ("dispatch_unknown", "Other unit of the dispatch not registered"),
                    ("under_age", "Under working age"),
                    ("retired", "Past the statutory retirement age"),
                ],
                max_length=20,
            ),
        ),
    ]

"""Receipt codes for subsidy applications (followed on the public progress page), and the
record of lookups that limits guessing."""

from django.db import migrations, models

import canlian.benefits.models


def give_receipts(apps, schema_editor):
    Application = apps.get_model("benefits", "SubsidyApplication")
    taken: set[str] = set()
    for application in Application.objects.filter(receipt__isnull=True).only("pk"):
        code = canlian.benefits.models.new_receipt()
        while code in taken:
            code = canlian.benefits.models.new_receipt()
        taken.add(code)
        Application.objects.filter(pk=application.pk).update(receipt=code)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_derived_references")]

    operations = [
        migrations.AddField(
            model_name="subsidyapplication",
            name="receipt",
            field=models.CharField(max_length=10, null=True, verbose_name="receipt code"),
        ),
        migrations.RunPython(give_receipts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subsidyapplication",
            name="receipt",
            field=models.CharField(
                default=canlian.benefits.models.new_receipt,
                max_length=10,
                unique=True,
                verbose_name="receipt code",
            ),
        ),
        migrations.CreateModel(
            name="ProgressLookup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client", models.CharField(max_length=64)),
                ("receipt", models.CharField(max_length=10)),
                ("found", models.BooleanField()),
                ("at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["client", "at"], name="benefits_pr_client_477a49_idx"),
                    models.Index(fields=["receipt", "at"], name="benefits_pr_receipt_94e39b_idx"),
                ],
            },
        ),
    ]

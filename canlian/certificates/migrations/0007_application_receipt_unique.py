"""Receipt codes unique, and made for each new application."""

from django.db import migrations, models

import canlian.lib.receipt_codes


class Migration(migrations.Migration):
    dependencies = [("certificates", "0006_application_receipt_codes")]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="receipt",
            field=models.CharField(
                default=canlian.lib.receipt_codes.new_code,
                max_length=10,
                unique=True,
                verbose_name="receipt code",
            ),
        ),
    ]

"""Receipt codes for certificate applications (followed on the public progress page,
/portal/certificates/): the column, empty. Filled by 0006, made unique by 0007; on PostgreSQL
row updates and the unique index are not mixed in one migration."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("certificates", "0004_issue16_cards")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="receipt",
            field=models.CharField(default="", max_length=10, verbose_name="receipt code"),
        ),
    ]

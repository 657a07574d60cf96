"""Account masks that keep only the last four digits (canlian.lib.masks)."""

from django.db import migrations

from canlian.lib import remask


def forwards(apps, schema_editor):
    for name in ("SubsidyApplication", "PaymentAccount"):
        model = apps.get_model("benefits", name)
        model.objects.update(account_masked=remask.account_mask_sql("account_masked"))


class Migration(migrations.Migration):
    dependencies = [("benefits", "0004_application_receipts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]

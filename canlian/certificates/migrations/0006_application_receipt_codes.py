"""A random receipt code for each application taken before there were any, all different
(canlian.lib.receipt_codes: the alphabet and length of the subsidy's codes)."""

from django.db import migrations

from canlian.lib import receipt_codes

BATCH = 1000


def give_receipts(apps, schema_editor):
    Application = apps.get_model("certificates", "Application")
    # The keys first: SQLite does not isolate a read from writes to the same table.
    waiting = list(Application.objects.filter(receipt="").values_list("pk", flat=True))
    taken = set(Application.objects.exclude(receipt="").values_list("receipt", flat=True))
    for start in range(0, len(waiting), BATCH):
        batch = []
        for pk in waiting[start : start + BATCH]:
            code = receipt_codes.new_code()
            while code in taken:
                code = receipt_codes.new_code()
            taken.add(code)
            batch.append(Application(pk=pk, receipt=code))
        Application.objects.bulk_update(batch, ["receipt"])


class Migration(migrations.Migration):
    dependencies = [("certificates", "0005_application_receipt")]

    operations = [migrations.RunPython(give_receipts, migrations.RunPython.noop)]

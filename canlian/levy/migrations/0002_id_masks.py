"""ID masks that the other fields of a page cannot complete (canlian.lib.masks)."""

from django.db import migrations

from canlian.lib import remask


def forwards(apps, schema_editor):
    DeclaredEmployee = apps.get_model("levy", "DeclaredEmployee")
    DeclaredEmployee.objects.update(id_number_masked=remask.id_mask_sql("id_number_masked"))


class Migration(migrations.Migration):
    dependencies = [("levy", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]

"""The held-status trigger function again (people/held.py): it now locks the persons before
reading their periods, so that two writers of one person's periods cannot leave a status
that either committed unrecorded (decision 0026)."""

from django.db import migrations

# The kinds whose columns migration 0014 added.
KINDS = ("dibao", "dibao_edge", "tekun", "registered_poor", "poverty_alleviated", "monitored")


def reinstall(apps, schema_editor):
    from canlian.people import held

    held.install(schema_editor, KINDS)


class Migration(migrations.Migration):
    dependencies = [("people", "0014_held_statuses")]
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]

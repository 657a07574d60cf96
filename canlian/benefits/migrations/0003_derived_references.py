"""Payment references are derived from what a line pays (see models.line_reference) instead of
stored with a unique index: writing a month's lines costs a third less.

SQLite drops a column by rebuilding the table, which loses its triggers: the immutability
triggers of 0002 are lifted before and made again after."""

import importlib

from django.db import migrations

immutable = importlib.import_module("canlian.benefits.migrations.0002_immutable_rolls")


class Migration(migrations.Migration):
    dependencies = [("benefits", "0002_immutable_rolls")]
    operations = [
        migrations.RunPython(immutable.allow, immutable.forbid),
        migrations.RemoveConstraint(model_name="line", name="benefits_unique_reference"),
        migrations.RemoveField(model_name="line", name="reference"),
        migrations.RunPython(immutable.forbid, immutable.allow),
    ]

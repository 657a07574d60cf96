"""Fewer indexes to keep up on every write of a person (an import writes 100,000 at a time).

- The place's own indexes go (the plain one, and on PostgreSQL its ``_like`` twin): the
  (place, name) index serves equality, and on PostgreSQL the pattern index of 0002 serves the
  jurisdiction's prefix. Altering the field makes Django drop that pattern index as well (it
  takes it for the field's own ``_like`` index), so it is made again here.
- On PostgreSQL, the ``_like`` indexes Django adds to the blind ID index and to the initials:
  nothing searches a blind index by pattern (it is looked up whole), and the initials' prefix
  search uses ``people_person_initials_scope`` of 0004, whose first column has the same
  operator class. The blind index's twin was the costliest: its keys are random, so each new
  person touched another page of a 12 MB index per 100,000 persons.
"""

import django.db.models.deletion
from django.db import migrations, models

PATTERN = "CREATE INDEX IF NOT EXISTS people_person_place_pattern ON people_person "
PATTERN += "(place_id varchar_pattern_ops)"
TWINS = {
    "people_person_id_number_index_d11272fc_like": "id_number_index varchar_pattern_ops",
    "people_person_name_initials_a0be91d8_like": "name_initials varchar_pattern_ops",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PATTERN)
    for name in TWINS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PATTERN)
    for name, columns in TWINS.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_person ({columns})")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_expiry_index"),
        ("places", "0002_jiaozuo_base"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="place",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="places.place",
                verbose_name="household registration",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]

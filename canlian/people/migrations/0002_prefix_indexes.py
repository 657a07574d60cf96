"""Prefix searches (jurisdiction scope, name, pinyin initials) use these indexes on PostgreSQL."""

from django.db import migrations

INDEXES = {
    "people_person_place_pattern": "place_id varchar_pattern_ops",
    "people_person_name_pattern": "name varchar_pattern_ops",
    "people_person_initials_pattern": "name_initials varchar_pattern_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite uses the ordinary indexes for LIKE 'x%' with case_sensitive_like off
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_person ({column})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

"""Scoped counts: each list filter paired with the jurisdiction prefix, on PostgreSQL.

A registry page counts the rows matching (filter AND place_id LIKE '<scope>%'). With the
filter column first and the place second, PostgreSQL answers the count from the index alone
instead of visiting every matching row (about 200 ms → 30 ms at a million persons).
"""

from django.db import migrations

INDEXES = {
    "people_person_category_scope": "category, place_id varchar_pattern_ops",
    "people_person_grade_scope": "grade, place_id varchar_pattern_ops",
    "people_person_life_status_scope": "life_status, place_id varchar_pattern_ops",
    "people_person_name_scope": "name varchar_pattern_ops, place_id varchar_pattern_ops",
    "people_person_initials_scope": "name_initials varchar_pattern_ops, place_id varchar_pattern_ops",
}
REPLACED = ["people_person_name_pattern", "people_person_initials_pattern"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_person ({columns})")
    for name in REPLACED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_person_name_pattern ON people_person "
        "(name varchar_pattern_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS people_person_initials_pattern ON people_person "
        "(name_initials varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0003_sort_indexes")]
    operations = [migrations.RunPython(create, drop)]

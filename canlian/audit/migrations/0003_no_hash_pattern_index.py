"""On PostgreSQL, drop the ``_like`` index Django adds beside the unique index of an entry's
hash: entries are found by their whole hash, never by a pattern, and the hashes are random,
so every entry written touched another page of one more index (14 MB per 100,000 entries)."""

from django.db import migrations

NAME = "audit_entry_hash_48be7bd7_like"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON audit_entry (hash varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]

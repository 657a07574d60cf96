"""The function counting the changes of the figures' sources (stats.kept). The triggers on
each source are put in place after every migrate (stats.apps), since every figure names its
own; going back drops them with the function, so that no write is left calling it."""

from django.db import migrations


def create(apps, schema_editor):
    from canlian.stats import kept

    kept.install([], using=schema_editor.connection)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS stats_changed() CASCADE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'stats_changed_%'"
            )
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

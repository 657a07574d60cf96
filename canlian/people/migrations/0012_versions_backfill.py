"""One version per person from the records as they are (people/versions.py, rebuild_all):
the history before this migration is not known, so each person counts from their
certificate's date of issue with their present place, category and grade."""

from django.db import migrations
from django.utils import timezone

SQL = """
INSERT INTO people_version (person_id, valid_from, valid_to, place, county, township, category,
    grade, sex, birth_date, cert_from, cert_to, gone_on)
SELECT id,
    CASE WHEN certificate_issued_on < %(today)s THEN certificate_issued_on ELSE %(today)s END,
    NULL, place_id, substr(place_id, 1, 6),
    CASE WHEN substr(place_id, 7, 3) = '000' THEN '' ELSE substr(place_id, 1, 9) || '000' END,
    category, grade, sex, birth_date, certificate_issued_on, certificate_expires_on,
    CASE WHEN life_status = 'active' THEN NULL ELSE COALESCE(life_status_date, %(today)s) END
FROM people_person
"""


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"today": today})


def empty(apps, schema_editor):
    apps.get_model("people", "Version").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0011_versions")]

    operations = [migrations.RunPython(backfill, empty)]

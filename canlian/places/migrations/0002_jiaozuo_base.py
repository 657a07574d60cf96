"""Load the province, Jiaozuo city and its ten counties (GB/T 2260) that every deployment needs."""

import csv
from pathlib import Path

from django.db import migrations

BASE = Path(__file__).resolve().parent.parent / "data" / "jiaozuo.csv"
PREFIX = {1: 2, 2: 4, 3: 6}


def load(apps, schema_editor):
    Place = apps.get_model("places", "Place")
    with BASE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"]
            level = 1 if code[2:4] == "00" else 2 if code[4:6] == "00" else 3
            Place.objects.update_or_create(
                code=code,
                defaults={
                    "name": row["name"],
                    "level": level,
                    "parent_id": row["parent_code"] or None,
                    "prefix": code[: PREFIX[level]],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

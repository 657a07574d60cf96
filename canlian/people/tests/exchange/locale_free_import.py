"""Run by test_vocabularies.py in a child process started with LANG=C and LC_ALL=C: import a
Chinese file with the project's translation catalogue out of reach (LOCALE_PATHS pointed at the
empty folder given as the first argument), export the registry again with `export_persons`, then
print what was stored, shown and exported, as JSON.

Usage: python -m canlian.people.tests.exchange.locale_free_import EMPTY_LOCALE_DIR FILE
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import django


def main(empty_locale: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    from django.conf import settings

    settings.LOCALE_PATHS = [empty_locale]  # before any catalogue is loaded
    django.setup()

    from django.core.management import call_command
    from django.utils import translation

    from canlian.conftest import TEST_PLACES
    from canlian.people.models import Person
    from canlian.places.loading import load_places

    call_command("migrate", verbosity=0)
    load_places(text=TEST_PLACES, invented=True)
    code = 0
    try:
        call_command("import_persons", path)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    persons = Person.objects.order_by("name")
    shown = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            shown[language] = [
                [p.get_sex_display(), p.get_ethnicity_display(), p.get_category_display(),
                 p.get_grade_display()]
                for p in persons
            ]  # fmt: skip
    exported = Path(path).with_name("exported.csv")
    call_command("export_persons", str(exported))
    with exported.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    columns = ("姓名", "性别", "民族", "残疾类别", "残疾等级")
    with translation.override("zh-hans"):
        catalogue = translation.gettext("Required columns are missing: %(columns)s.")
    print(
        json.dumps(
            {
                "exit": code,
                "stored": [[p.name, p.sex, p.ethnicity, p.category, p.grade] for p in persons],
                "shown": shown,
                "exported": sorted([r[c] for c in columns] for r in rows),
                "catalogue_used": catalogue != "Required columns are missing: %(columns)s.",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])

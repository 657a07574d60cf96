"""The same 100,000-row .xlsx through django-import-export and through `canlian import-persons`.

Usage: python bench/import_export_comparison.py [--cache DIR]

django-import-export is a benchmark-only comparison, not a project dependency: the script
installs it (with tablib[xlsx]) into the running interpreter's environment when it is missing.
The source file is p100k.xlsx of bench/import_persons.py's cache (built there if missing).

Both imports run on a fresh SQLite database holding only the demo places and logins, each as
its own process, timed end to end (start-up and reading the file included):
  - django-import-export: a `ModelResource` for Person, the library's own .xlsx reader
    (`base_formats.XLSX().create_dataset`, openpyxl read-only) and
    `resource.import_data(dataset, dry_run=False, use_transactions=True)` with the library's
    defaults (one instance lookup per row, diffs kept, no bulk mode). `before_import_row`
    derives what the model needs: encrypted ID and blind index, masked ID, name initials,
    sex and birth date from the ID, codes from the words of the file, the default expiry.
  - `canlian import-persons`: every row checked with the registry's rules, status periods
    written, the audit log appended.
The resource checks far less (no ID check digit, no guardian or date rules, no jurisdiction,
no duplicate rows in the file) and writes neither status periods nor audit entries.

Internal use: `--worker FILE` runs the django-import-export side in a configured process.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from common import record  # noqa: E402
from import_persons import (  # noqa: E402
    build_100k,
    describe,
    env_for,
    prepare_target,
    timed_import,
    timed_run,
)


def ensure_import_export() -> None:
    """Install django-import-export and tablib[xlsx] unless importable (benchmark only)."""
    if importlib.util.find_spec("import_export") and importlib.util.find_spec("openpyxl"):
        return
    print("installing django-import-export (benchmark only, not a project dependency) …")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "django-import-export>=4.3",
         "tablib[xlsx]"],
        check=True,
    )  # fmt: skip


# --- The django-import-export side (runs in the worker process) ----------------------------


def make_resource() -> Any:
    """The ModelResource, built after django.setup()."""
    import datetime

    from import_export import fields, resources, widgets

    from canlian.lib import crypto, idcard
    from canlian.people.exchange import vocabulary as read
    from canlian.people.models import BANK_CONTEXT, ID_CONTEXT, Person
    from canlian.people.services import add_years, name_initials
    from canlian.spreadsheets.values import read_text

    class BinaryWidget(widgets.Widget):
        """Bytes in, bytes out; rendered as hex for the diff (force_str fails on ciphertext)."""

        def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
            return bytes(value).hex() if value else ""

    class BlindIndexWidget(widgets.Widget):
        """The ID number column as the blind index: the lookup key of `import_id_fields`."""

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            number = idcard.normalize(str(value or ""))
            return crypto.blind_index(number, context=ID_CONTEXT)

    def text(attribute: str, column: str) -> fields.Field:
        return fields.Field(attribute=attribute, column_name=column, widget=widgets.CharWidget())

    def derived(attribute: str, widget: Any = None) -> fields.Field:
        return fields.Field(
            attribute=attribute, column_name=attribute, widget=widget or widgets.Widget()
        )

    def day(value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date) or value is None:
            return value
        return datetime.date.fromisoformat(str(value))

    class PersonResource(resources.ModelResource):
        name = text("name", "姓名")
        place_id = text("place_id", "户籍地行政区划代码")
        address = text("address", "户籍地址")
        phone = text("phone", "联系电话")
        guardian_name = text("guardian_name", "监护人姓名")
        guardian_relation = text("guardian_relation", "监护人关系")
        guardian_phone = text("guardian_phone", "监护人电话")
        bank_name = text("bank_name", "开户银行")
        id_number_index = fields.Field(
            attribute="id_number_index", column_name="公民身份号码", widget=BlindIndexWidget()
        )
        id_number_cipher = derived("id_number_cipher", BinaryWidget())
        id_number_masked = derived("id_number_masked")
        name_initials = derived("name_initials")
        sex = derived("sex")
        birth_date = derived("birth_date", widgets.DateWidget())
        ethnicity = derived("ethnicity")
        category = derived("category", widgets.IntegerWidget())
        grade = derived("grade", widgets.IntegerWidget())
        certificate_issued_on = derived("certificate_issued_on", widgets.DateWidget())
        certificate_expires_on = derived("certificate_expires_on", widgets.DateWidget())
        life_status = derived("life_status")
        life_status_date = derived("life_status_date", widgets.DateWidget())
        bank_account_cipher = derived("bank_account_cipher", BinaryWidget())
        bank_account_masked = derived("bank_account_masked")

        class Meta:
            model = Person
            import_id_fields = ["id_number_index"]
            fields = (
                "name", "place_id", "address", "phone", "guardian_name", "guardian_relation",
                "guardian_phone", "bank_name", "id_number_index", "id_number_cipher",
                "id_number_masked", "name_initials", "sex", "birth_date", "ethnicity",
                "category", "grade", "certificate_issued_on", "certificate_expires_on",
                "life_status", "life_status_date", "bank_account_cipher", "bank_account_masked",
            )  # fmt: skip

        def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
            checked = idcard.check(str(row.get("公民身份号码") or ""))
            if not checked.normalized:
                raise ValueError("; ".join(checked.errors))
            number = checked.normalized
            row["id_number_cipher"] = crypto.encrypt(number, context=ID_CONTEXT)
            row["id_number_masked"] = idcard.mask(number)
            row["name_initials"] = name_initials(str(row.get("姓名") or ""))
            row["sex"] = checked.sex.value if checked.sex else ""
            row["birth_date"] = checked.birth_date
            row["ethnicity"] = read.read_ethnicity(row.get("民族"))
            row["category"] = read.read_category(row.get("残疾类别"))
            row["grade"] = read.read_grade(row.get("残疾等级"))
            issued = day(row.get("发证日期"))
            row["certificate_issued_on"] = issued
            expires = day(row.get("有效期至"))
            row["certificate_expires_on"] = expires or (issued and add_years(issued, 10))
            row["life_status"] = read.read_life_status(row.get("人员状态")) or "active"
            row["life_status_date"] = day(row.get("状态变更日期"))
            account = read_text(row.get("银行账号"))
            row["bank_account_cipher"] = (
                crypto.encrypt(account, context=BANK_CONTEXT) if account else None
            )
            row["bank_account_masked"] = crypto.mask_middle(account) if account else ""

    return PersonResource()


def worker(path: Path) -> None:
    """Import `path` with django-import-export; print the totals as JSON on the last line."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from import_export.formats.base_formats import XLSX

    from canlian.people.models import Person

    start = time.perf_counter()
    dataset = XLSX().create_dataset(path.read_bytes())
    read_seconds = time.perf_counter() - start
    resource = make_resource()
    start = time.perf_counter()
    result = resource.import_data(dataset, dry_run=False, use_transactions=True)
    import_seconds = time.perf_counter() - start
    errors = [str(e.error) for row in result.row_errors()[:3] for e in row[1]]
    invalid = [str(r.error) for r in result.invalid_rows[:3]]
    print(errors or invalid or "", file=sys.stderr)
    summary = {
        "rows": len(dataset),
        **{key: result.totals[key] for key in ("new", "update", "skip", "error", "invalid")},
        "has_errors": result.has_errors() or result.has_validation_errors(),
        "persons": Person.objects.count(),
        "read_seconds": round(read_seconds, 1),
        "import_seconds": round(import_seconds, 1),
    }
    print(json.dumps(summary))


# --- The comparison ----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    default_cache = Path(tempfile.gettempdir()) / "canlian-bench-import"
    parser.add_argument("--cache", type=Path, default=default_cache)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    ensure_import_export()
    cache: Path = args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    build_100k(cache, notes)
    xlsx = cache / "p100k.xlsx"

    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(f"sqlite:///{tmp}/target.sqlite3", cache)
        prepare_target(env)
        theirs = timed_run(env, [sys.executable, __file__, "--worker", str(xlsx)])
    summary: dict[str, Any] = theirs["summary"]  # type: ignore[assignment]
    theirs_ok = theirs["exit"] == 0 and not summary.get("has_errors")
    theirs_line = (
        f"django-import-export ModelResource: {theirs['seconds']:.1f} s (new {summary.get('new')}, "
        f"errors {summary.get('error')}, invalid {summary.get('invalid')}; reading the .xlsx "
        f"into a Dataset {summary.get('read_seconds')} s, import_data "
        f"{summary.get('import_seconds')} s; peak RSS {theirs['rss_mb']:.0f} MB; "
        f"load avg {theirs['load']:.1f} before, {theirs['load_after']:.1f} after)"
    )
    if not theirs_ok:
        theirs_line += f" — FAILED: exit {theirs['exit']}, {json.dumps(summary)}"
    print(theirs_line, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(f"sqlite:///{tmp}/target.sqlite3", cache)
        prepare_target(env)
        ours = timed_import(env, xlsx)
    ours_line = describe("canlian import-persons", ours, rss=True)

    ratio = theirs["seconds"] / ours["seconds"]  # type: ignore[operator]
    version = importlib.metadata.version("django-import-export")
    lines = [
        "source: 100,000-row .xlsx exported with `export-persons --reveal`; each import on a "
        "fresh SQLite database (places and logins only), wall clock of its own process",
        theirs_line,
        ours_line,
        f"django-import-export ModelResource: {theirs['seconds']:.1f} s; canlian import-persons: "
        f"{ours['seconds']:.1f} s; ratio {ratio:.2f}",
        f"django-import-export {version}, standard flow (instance lookup per "
        "row, diffs, no bulk mode); it checks far less than import-persons (no ID check "
        "digit, guardian, date or jurisdiction rules, no duplicate rows) and writes no status "
        "periods and no audit entries",
        *notes,
    ]
    record(
        "Spreadsheet import: django-import-export vs canlian import-persons (100,000 rows)", lines
    )


if __name__ == "__main__":
    main()

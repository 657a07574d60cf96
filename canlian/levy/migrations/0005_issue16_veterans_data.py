"""Disabled veterans' certificate numbers sealed as ID numbers are (ciphertext, blind index,
mask); the original certificate seen recorded line by line, with who and when; working-age
reasons without the date of birth.

Existing numbers are sealed with the running key. A number that appears twice in one
declaration keeps its index on the first line only. Where one number is counted by two
declarations of a year, the later verified declaration that is not yet final goes back to
draft (to verify again, when the new rule refuses it); a final one keeps its count and its line
no index. Stored reasons lose their "born on" sentence (the date of birth shown beside a masked
ID number): they are re-worded at the next verification.
"""

import re

from django.db import migrations

from canlian.lib import crypto, masks

CONTEXT = "levy.veteran_number"
CHUNK = 500
# The working-age reasons as stored before, in English and in Chinese.
BORN_EN = re.compile(r"Born on \d{4}-\d{2}-\d{2}: (\w)")
BORN_ZH = re.compile(r"出生于\d{4}-\d{2}-\d{2}，")


def _seal_numbers(DeclaredEmployee, Declaration):
    rows = (
        DeclaredEmployee.objects.exclude(veteran_number="")
        .select_related("declaration")
        .order_by("declaration__computed_at", "declaration_id", "line", "pk")
    )
    in_declaration = set()
    counted = set()
    to_draft = set()
    batch = []
    fields = ["veteran_number_cipher", "veteran_number_index", "veteran_number_masked", "counts"]
    for row in rows.iterator(chunk_size=CHUNK):
        number = row.veteran_number
        index = crypto.blind_index(number, context=CONTEXT)
        row.veteran_number_cipher = crypto.encrypt(number, context=CONTEXT)
        row.veteran_number_masked = masks.veteran_number(number)
        row.veteran_number_index = index
        if (row.declaration_id, index) in in_declaration:
            row.veteran_number_index = ""
        in_declaration.add((row.declaration_id, index))
        if row.veteran_number_index and row.counts > 0:
            if (row.year, index) in counted:
                if row.declaration.status == "notified":
                    row.veteran_number_index = ""
                else:
                    row.counts = 0
                    to_draft.add(row.declaration_id)
            counted.add((row.year, index))
        batch.append(row)
        if len(batch) >= CHUNK:
            DeclaredEmployee.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        DeclaredEmployee.objects.bulk_update(batch, fields)
    if to_draft:
        DeclaredEmployee.objects.filter(declaration_id__in=to_draft).update(
            counts=0, reason_code="", reason=""
        )
        Declaration.objects.filter(pk__in=to_draft).update(
            status="draft", amount=None, tier="", counted=None, shortfall=None, result={},
            computed_at=None, verified_by=None,
        )  # fmt: skip


def _originals_recorded(DeclaredEmployee):
    rows = DeclaredEmployee.objects.filter(original_seen=True).select_related("declaration")
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        row.original_seen_by_id = row.declaration.verified_by_id
        row.original_seen_at = row.declaration.computed_at
        batch.append(row)
    DeclaredEmployee.objects.bulk_update(batch, ["original_seen_by", "original_seen_at"], CHUNK)


def _reasons_without_birth(DeclaredEmployee):
    rows = DeclaredEmployee.objects.filter(reason_code__in=["under_age", "retired"])
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        reason = BORN_EN.sub(lambda m: m.group(1).upper(), row.reason)
        reason = BORN_ZH.sub("", reason)
        if reason != row.reason:
            row.reason = reason
            batch.append(row)
    DeclaredEmployee.objects.bulk_update(batch, ["reason"], CHUNK)


def forwards(apps, schema_editor):
    DeclaredEmployee = apps.get_model("levy", "DeclaredEmployee")
    Declaration = apps.get_model("levy", "Declaration")
    _seal_numbers(DeclaredEmployee, Declaration)
    _originals_recorded(DeclaredEmployee)
    _reasons_without_birth(DeclaredEmployee)


def backwards(apps, schema_editor):
    DeclaredEmployee = apps.get_model("levy", "DeclaredEmployee")
    if DeclaredEmployee.objects.exclude(veteran_number_cipher=None).exists():
        raise RuntimeError(
            "Sealed veterans' certificate numbers exist: they cannot be unsealed by a migration."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("levy", "0004_issue16_veterans_sealed"),
    ]

    operations = [
        # Going back is refused while any number is sealed: nothing may decrypt it here.
        migrations.RunPython(forwards, backwards, elidable=True),
    ]

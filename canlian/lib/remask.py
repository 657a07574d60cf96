"""Data-migration helpers: masks made again from the masks stored before, and plain columns
sealed. Used by migrations only; they never open a ciphertext."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Repeat, Right

from canlian.lib import masks
from canlian.lib.sealed import Kind, Sealed

CHUNK = 2000


def id_mask_sql(column: str) -> Any:
    """The ID mask of masks.id_number from an older mask of the same number: a star for each
    of its characters."""
    return Repeat(Value("*"), Length(F(column)))


def account_mask_sql(column: str) -> Any:
    """The account mask of masks.bank_account from an older mask that kept the last four."""
    kept = masks.ACCOUNT_KEPT_END
    return Concat(Repeat(Value("*"), Length(F(column)) - kept), Right(F(column), kept))


def seal_column(model: Any, plain: str, spec: Sealed) -> None:
    """Seal the plain column `plain` of every row of `model` into `spec`'s columns."""
    assert spec.kind in (Kind.PHONE, Kind.VETERAN_NUMBER)
    rows = model.objects.exclude(**{plain: ""}).only("pk", plain).order_by("pk")
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        spec.set(row, getattr(row, plain))
        batch.append(row)
        if len(batch) >= CHUNK:
            model.objects.bulk_update(batch, [spec.cipher, spec.masked])
            batch = []
    if batch:
        model.objects.bulk_update(batch, [spec.cipher, spec.masked])

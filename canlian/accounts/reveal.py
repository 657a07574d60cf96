"""The one gate for full sensitive values: ID numbers, bank accounts, phone numbers and
disabled veterans' certificate numbers.

Sealed values (:mod:`canlian.lib.sealed`) leave the encrypted store only through here. Each
call names what it opens, for what purpose and for whom; the gate checks the permission the
purpose needs and the target's jurisdiction, writes the access record in the same transaction,
and only then decrypts. Models and templates see the stored masks only. Nothing else in the
code base calls ``crypto.decrypt`` (test_reveal.test_nothing_else_decrypts keeps it so).

- :func:`reveal` opens the values of one record (the person page, a printed certificate, the
  copy made when a certificate is issued).
- :func:`reveal_many` opens the values of many records of one jurisdiction under one access
  record (a full export, a bank file).
- :func:`equals` and :func:`ends_with` answer a question about a sealed value without opening
  it to anyone (an import's "unchanged", the public page's check of an ID number's last six
  characters); they write nothing, so callers must not let them be asked at will.
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.actors import Actor
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import reaches
from canlian.audit import records as audit
from canlian.lib import crypto
from canlian.lib.sealed import Kind, Sealed


class Purpose(models.TextChoices):
    SHOW = "show", gettext_lazy("shown on screen")
    PRINT = "print", gettext_lazy("printed on a certificate")
    EXPORT = "export", gettext_lazy("exported in full")
    BANK_FILE = "bank_file", gettext_lazy("written to a bank file")
    ISSUE = "issue", gettext_lazy("copied onto the registry when a certificate is issued")


# What a purpose needs besides the kind's own permission (SHOW needs only that).
_SHOW = {
    Kind.ID_NUMBER: Perm.REVEAL_PERSON,
    Kind.BANK_ACCOUNT: Perm.REVEAL_PERSON,
    Kind.PHONE: Perm.REVEAL_CONTACT,
    Kind.VETERAN_NUMBER: Perm.REVEAL_PERSON,
}
_PURPOSE: dict[str, frozenset[str]] = {
    Purpose.SHOW: frozenset(),
    Purpose.PRINT: frozenset({Perm.REVEAL_PERSON}),
    Purpose.EXPORT: frozenset({Perm.EXPORT_REVEAL}),
    Purpose.BANK_FILE: frozenset({Perm.EXPORT_REVEAL, Perm.PREPARE_PAYROLL}),
    Purpose.ISSUE: frozenset({Perm.PROCESS_CERTIFICATE}),
}


def required(purpose: str, kinds: Sequence[Kind]) -> frozenset[str]:
    """The permissions that opening values of `kinds` for `purpose` needs."""
    needed = set(_PURPOSE[purpose])
    if purpose == Purpose.SHOW:
        needed |= {_SHOW[kind] for kind in kinds}
    return frozenset(needed)


def may_reveal(user: Actor | Any, kind: Kind, purpose: str = Purpose.SHOW) -> bool:
    """Whether `user` holds what opening a value of `kind` for `purpose` needs (for a page to
    decide whether to offer the button; the gate checks again)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return all(user.can(perm) for perm in required(purpose, [kind]))


def _specs(model: type[models.Model], fields: Sequence[str]) -> list[Sealed]:
    declared: Mapping[str, Sealed] = getattr(model, "SEALED", {})
    missing = [f for f in fields if f not in declared]
    if missing or not fields:
        raise ValueError(f"{model.__name__} seals no {missing or 'fields'}")
    return [declared[f] for f in fields]


def _refusal(user: Actor, purpose: str, specs: Sequence[Sealed], region: str) -> str:
    """Why `user` may not open values of `specs` for `purpose` in `region`; "" when they may."""
    if not getattr(user, "is_authenticated", False):
        return _("You do not have permission to do this.")
    if not all(user.can(perm) for perm in required(purpose, [s.kind for s in specs])):
        return _("You may not see these full values.")
    if not reaches(user, region):
        return _("This record is outside your jurisdiction.")
    return ""


def _check(
    user: Actor,
    purpose: str,
    fields: Sequence[str],
    specs: Sequence[Sealed],
    *,
    region: str,
    target: models.Model | None,
) -> None:
    """Raise PermissionDenied, after recording the refused attempt (in a transaction of its
    own, so that it stays when the caller's is rolled back by the refusal), unless `user` may
    open `fields` for `purpose` in `region`."""
    reason = _refusal(user, purpose, specs, region)
    if not reason:
        return
    with transaction.atomic():
        audit.record_access(
            acting_user=user if getattr(user, "is_authenticated", False) else None,
            action="reveal.refused",
            target=target,
            detail={"purpose": str(purpose), "fields": list(fields)},
            region=region,
        )
    raise PermissionDenied(reason)


def _open(instance: object, spec: Sealed) -> str:
    blob = getattr(instance, spec.cipher)
    if not blob:
        return ""
    return crypto.decrypt(bytes(blob), context=spec.context)


def reveal(
    *,
    target: models.Model,
    fields: Sequence[str],
    purpose: Purpose,
    acting_user: Actor,
    action: str = "",
    detail: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The full values of `fields` of `target`, after checking that `acting_user` may open
    them for `purpose` in the target's jurisdiction and recording the access (same
    transaction). Raises PermissionDenied otherwise, having opened nothing and recorded the
    refused attempt."""
    specs = _specs(type(target), fields)
    region = str(getattr(target, "region_prefix", "") or "")
    _check(acting_user, purpose, fields, specs, region=region, target=target)
    with transaction.atomic():
        _record(acting_user, action or f"{target._meta.model_name}.reveal", target, purpose,
                fields, detail, region)  # fmt: skip
        return {name: _open(target, spec) for name, spec in zip(fields, specs, strict=True)}


def _record(
    user: Actor,
    action: str,
    target: models.Model | None,
    purpose: str,
    fields: Sequence[str],
    detail: Mapping[str, Any] | None,
    region: str,
) -> None:
    audit.record_access(
        acting_user=user, action=action, target=target, region=region,
        detail={"purpose": str(purpose), "fields": list(fields), **(detail or {})},
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Opener:
    """Opens the named values of records of one model inside one jurisdiction, after
    :func:`reveal_many` has checked and recorded the access."""

    model: type[models.Model]
    specs: Mapping[str, Sealed]
    region: str

    def __call__(self, instance: models.Model, field: str) -> str:
        if not isinstance(instance, self.model):
            raise TypeError(f"opened for {self.model.__name__}, not {type(instance).__name__}")
        own = str(instance.region_prefix)  # type: ignore[attr-defined]
        if not own.startswith(self.region):
            raise PermissionDenied(_("This record is outside your jurisdiction."))
        return _open(instance, self.specs[field])


def reveal_many(
    *,
    model: type[models.Model],
    fields: Sequence[str],
    purpose: Purpose,
    acting_user: Actor,
    region: str,
    action: str,
    detail: Mapping[str, Any],
) -> Opener:
    """Check that `acting_user` may open `fields` of `model` records for `purpose` in the
    jurisdiction `region` (a region-code prefix the caller's records lie in), record the
    access once, and return the opener to use on those records."""
    specs = _specs(model, fields)
    _check(acting_user, purpose, fields, specs, region=region, target=None)
    with transaction.atomic():
        _record(acting_user, action, None, purpose, fields, detail, region)
    return Opener(model, dict(zip(fields, specs, strict=True)), region)


def equals(*, target: models.Model, field: str, value: str) -> bool:
    """Whether the sealed `field` of `target` is `value` (constant time)."""
    (spec,) = _specs(type(target), [field])
    return hmac.compare_digest(_open(target, spec).encode(), value.encode())


def tail_index(*, cipher: bytes | memoryview | None, spec: Sealed, context: str) -> str:
    """The blind index (:func:`canlian.lib.crypto.tail_blind_index` under `context`) of the
    last six characters of a sealed value, opened here and shown to no one: to fill a search
    index of values sealed before it existed (a migration). Only the index leaves; "" for an
    empty or shorter value."""
    if not cipher:
        return ""
    value = crypto.decrypt(bytes(cipher), context=spec.context)
    return crypto.tail_blind_index(value, context=context)


def ends_with(*, target: models.Model, field: str, tail: str) -> bool:
    """Whether the sealed `field` of `target` ends with `tail` (constant time; an empty tail
    or value never matches)."""
    (spec,) = _specs(type(target), [field])
    full = _open(target, spec)
    if not tail or len(full) < len(tail):
        return False
    return hmac.compare_digest(full[-len(tail) :].encode(), tail.encode())

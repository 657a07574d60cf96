"""Sensitive values kept sealed on a model: encrypted, with a stored mask for display.

A model declares its sealed values in ``SEALED`` (name → :class:`Sealed`): the column of the
ciphertext, the column of the mask, the encryption context and the kind of value (which mask,
and which permission reveals it). Sealing needs no permission; opening goes through the one
gate, :mod:`canlian.accounts.reveal`.
"""

from __future__ import annotations

import dataclasses
import enum

from canlian.lib import crypto, masks


class Kind(enum.Enum):
    ID_NUMBER = "id_number"
    BANK_ACCOUNT = "bank_account"
    PHONE = "phone"
    VETERAN_NUMBER = "veteran_number"


MASKS = {
    Kind.ID_NUMBER: masks.id_number,
    Kind.BANK_ACCOUNT: masks.bank_account,
    Kind.PHONE: masks.phone,
    Kind.VETERAN_NUMBER: masks.veteran_number,
}


@dataclasses.dataclass(frozen=True)
class Sealed:
    """Where a model keeps one sealed value."""

    cipher: str  # attribute of the BinaryField holding the ciphertext (None/empty: no value)
    masked: str  # attribute of the CharField holding the mask
    context: str  # bound to the ciphertext as associated data
    kind: Kind

    def seal(self, value: str) -> tuple[bytes | None, str]:
        """(ciphertext, mask) of `value`; (None, "") for an empty value."""
        if not value:
            return None, ""
        return crypto.encrypt(value, context=self.context), MASKS[self.kind](value)

    def set(self, instance: object, value: str) -> None:
        """Seal `value` onto `instance` (ciphertext and mask)."""
        cipher, masked = self.seal(value)
        setattr(instance, self.cipher, cipher)
        setattr(instance, self.masked, masked)

    def is_empty(self, instance: object) -> bool:
        return not getattr(instance, self.cipher)

"""Field encryption: the key in force is the one the settings name, at once."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from canlian.lib import crypto


def test_a_changed_key_setting_takes_effect_at_once(settings: Any) -> None:
    blob = crypto.encrypt("410825197005170123", context="person.id_number")
    index = crypto.blind_index("410825197005170123", context="person.id_number")
    settings.FIELD_KEY = base64.b64encode(b"another-test-key-of-32-bytes-ok!").decode()
    # Within the same second: the cache must not keep the old key.
    with pytest.raises(InvalidTag):
        crypto.decrypt(blob, context="person.id_number")
    assert crypto.blind_index("410825197005170123", context="person.id_number") != index

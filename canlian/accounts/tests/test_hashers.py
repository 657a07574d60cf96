"""Passwords are stored with Argon2id at OWASP's first parameters; an older hash is read once
more and made again at the next sign-in (decision 0025)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from canlian.accounts.tests.signin_helpers import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_hashers(settings: Any) -> None:
    """The production list (the suite runs with MD5 for speed)."""
    from config import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def parameters(encoded: str) -> tuple[str, str]:
    """(algorithm and variant, parameters) of an Argon2 hash as Django stores it."""
    algorithm, variant, _version, params, _salt, _digest = encoded.split("$")
    return f"{algorithm}${variant}", params


def test_a_new_password_is_stored_with_argon2id_at_owasps_parameters() -> None:
    encoded = make_password(PASSWORD)
    assert parameters(encoded) == ("argon2$argon2id", "m=19456,t=2,p=1")
    assert check_password(PASSWORD, encoded) and not check_password("wrong" + PASSWORD, encoded)


def test_an_older_hash_signs_in_once_more_and_is_made_again(county_clerk: Any) -> None:
    county_clerk.password = PBKDF2PasswordHasher().encode(PASSWORD, "somesalt1234")
    county_clerk.save(update_fields=["password"])
    client = sign_in(county_clerk)
    county_clerk.refresh_from_db()
    assert parameters(county_clerk.password) == ("argon2$argon2id", "m=19456,t=2,p=1")
    assert client.get("/").status_code == 200


def test_a_hash_with_heavier_argon2_parameters_is_made_again(county_clerk: Any) -> None:
    """Django's own Argon2 defaults (100 MiB, eight lanes): still read, then replaced."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    county_clerk.password = Argon2PasswordHasher().encode(PASSWORD, "somesalt1234")
    county_clerk.save(update_fields=["password"])
    assert parameters(county_clerk.password)[1] == "m=102400,t=2,p=8"
    sign_in(county_clerk)
    county_clerk.refresh_from_db()
    assert parameters(county_clerk.password)[1] == "m=19456,t=2,p=1"

"""Shared test fixtures: a field key, compiled translations, places and one user per role."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from canlian.accounts import otp
from canlian.accounts import services as accounts
from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.lib import idcard
from canlian.people import services as people
from canlian.people.models import Person
from canlian.places.loading import load_places
from canlian.places.models import Place

TEST_FIELD_KEY = "dGVzdC1rZXktZm9yLWNhbmxpYW4tdGVzdHMtb25seSE="  # 32 bytes, tests only
# The authenticator key of every fixture user whose role needs a second factor (tests only).
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"
LOCALE = Path(__file__).parent / "locale"

# Townships of 温县 (410825) and 孟州市 (410883), invented for tests.
TEST_PLACES = """code,name,parent_code
410825001000,测试一镇,410825000000
410825001001,测试一村,410825001000
410825002000,测试二镇,410825000000
410883001000,测试三镇,410883000000
410883001001,测试三村,410883001000
"""


@pytest.fixture(autouse=True)
def _field_key(settings: Any) -> None:
    settings.FIELD_KEY = TEST_FIELD_KEY
    # Real hashers cost ~0.5 s a password by design; tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DPV_DEFAULT_HISTORY_HASHER = "canlian.conftest.FastHistoryHasher"
    # Background tasks (imports) run at once, in the test's own process and transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class FastHistoryHasher(PBKDF2PasswordHasher):
    """The password history's hasher, as cheap as the tests' MD5 (see _field_key)."""

    iterations = 1


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            call_command("compilemessages", "--locale", po.parent.parent.name, verbosity=0)


@pytest.fixture
def places(db: Any) -> dict[str, Place]:
    load_places(text=TEST_PLACES, invented=True)
    return {p.code: p for p in Place.objects.all()}


def _user(username: str, role: str, code: str) -> User:
    """An account; with an authenticator (TEST_TOTP_KEY) when its role needs one."""
    user = accounts.create_account(
        username=username,
        password="not-a-real-password",  # noqa: S106
        role=role,
        place=Place.objects.get(code=code),
        acting_user=None,
        check_password=False,
    )
    if otp.requires_second_factor(user):
        code = otp.current_code(TEST_TOTP_KEY)
        otp.enrol(user=user, key=TEST_TOTP_KEY, code=code, acting_user=user)
    return user


@pytest.fixture
def county_clerk(places: Any) -> User:
    """A clerk of 温县 (410825)."""
    return _user("clerk-wen", Role.COUNTY_CLERK, "410825000000")


@pytest.fixture
def other_county_clerk(places: Any) -> User:
    """A clerk of 孟州市 (410883)."""
    return _user("clerk-meng", Role.COUNTY_CLERK, "410883000000")


@pytest.fixture
def township_officer(places: Any) -> User:
    return _user("township-wen", Role.TOWNSHIP_OFFICER, "410825001000")


@pytest.fixture
def civil_affairs(places: Any) -> User:
    """A civil-affairs approver of 温县 (410825)."""
    return _user("civil-wen", Role.CIVIL_AFFAIRS, "410825000000")


@pytest.fixture
def finance(places: Any) -> User:
    """A finance officer of the city: prepares payment rolls."""
    return _user("finance", Role.FINANCE, "410800000000")


@pytest.fixture
def finance_reviewer(places: Any) -> User:
    """A second finance officer of the city: approves what the first prepared."""
    return _user("finance-2", Role.FINANCE, "410800000000")


@pytest.fixture
def city_staff(places: Any) -> User:
    return _user("city", Role.CITY_STAFF, "410800000000")


@pytest.fixture
def auditor(places: Any) -> User:
    return _user("auditor", Role.AUDITOR, "410800000000")


@pytest.fixture
def security_admin(places: Any) -> User:
    return _user("secadmin", Role.SECURITY_ADMIN, "410800000000")


@pytest.fixture
def audit_admin(places: Any) -> User:
    return _user("auditadmin", Role.AUDIT_ADMIN, "410800000000")


@pytest.fixture
def system_admin(places: Any) -> User:
    return _user("sysadmin", Role.SYSTEM_ADMIN, "410800000000")


def client_for(user: User) -> Client:
    """A test client logged in as `user`, past the second factor when the user has one (the
    session marked as django_otp.login marks it after a right code)."""
    client = Client()
    client.force_login(user)
    device = otp.authenticator(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def person_data(**overrides: Any) -> people.PersonData:
    """Valid data for a 温县 adult with a physical disability; override any field."""
    defaults: dict[str, Any] = {
        "id_number": idcard.build(
            region_code="410825", birth_date=datetime.date(1970, 5, 17), sequence=123
        ),
        "name": "王建国",
        "ethnicity": "01",
        "place_code": "410825001001",
        "category": 4,
        "grade": 2,
        "certificate_issued_on": datetime.date(2019, 3, 1),
        "phone": "13800000000",
    }
    defaults.update(overrides)
    return people.PersonData(**defaults)


@pytest.fixture
def make_person(county_clerk: User, other_county_clerk: User) -> Any:
    """Create a person through the service as the clerk of their county."""
    counter = iter(range(1, 999))

    def make(**overrides: Any) -> Person:
        place = overrides.get("place_code", "410825001001")
        region = overrides.pop("region", place[:6])
        if "id_number" not in overrides:
            overrides["id_number"] = idcard.build(
                region_code=region, birth_date=datetime.date(1970, 5, 17), sequence=next(counter)
            )
        clerk = county_clerk if place.startswith("410825") else other_county_clerk
        return people.create_person(data=person_data(**overrides), acting_user=clerk)

    return make

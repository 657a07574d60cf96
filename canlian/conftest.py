"""Shared test fixtures: the keys, compiled translations, places and one user per role."""

from __future__ import annotations

import datetime
import importlib
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import settings as hypothesis_settings

from canlian.accounts import otp
from canlian.accounts import services as accounts
from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.lib import crypto, idcard
from canlian.people import services as people
from canlian.people.models import Person
from canlian.places.loading import load_places
from canlian.places.models import Place

# Hypothesis' per-example deadline (200 ms) measures the machine, not the code: under CI's
# parallel SQLite and PostgreSQL passes a property test failed once on time alone. Examples are
# still bounded by the test run's own time.
hypothesis_settings.register_profile("canlian", deadline=None)
hypothesis_settings.load_profile("canlian")

TEST_FIELD_KEY = "dGVzdC1rZXktZm9yLWNhbmxpYW4tdGVzdHMtb25seSE="  # 32 bytes, tests only
TEST_AUDIT_KEY = "dGVzdCBhdWRpdCBrZXksIG5ldmVyIGZvciB1c2UgISE="  # 32 bytes, tests only
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgresql` need a server that serves requests side by side: they run in
    the PostgreSQL pass of .ci/run and are deselected (not skipped) on SQLite."""
    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def _checkpoints_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit-checkpoints")


@pytest.fixture(scope="session")
def _files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


@pytest.fixture(scope="session", autouse=True)
def _session_keys(_checkpoints_folder: Path, _files_root: Path) -> Iterator[None]:
    """The test keys from the start, for module-scoped fixtures too (they are set up before
    any function-scoped one): no test reads or makes a key file of the machine, nor writes
    a file into its var/."""
    with override_settings(
        FIELD_KEY=TEST_FIELD_KEY,
        AUDIT_KEY=TEST_AUDIT_KEY,
        AUDIT_CHECKPOINT_FILE=_checkpoints_folder / "session.jsonl",
        MEDIA_ROOT=str(_files_root),
    ):
        yield


@pytest.fixture(autouse=True)
def _field_key(settings: Any, _checkpoints_folder: Path, _files_root: Path) -> None:
    settings.FIELD_KEY = TEST_FIELD_KEY
    settings.AUDIT_KEY = TEST_AUDIT_KEY
    # Each test its own checkpoint file (none until it writes one), never the machine's.
    settings.AUDIT_CHECKPOINT_FILE = _checkpoints_folder / f"{secrets.token_hex(8)}.jsonl"
    # Uploaded and exported files (encrypted) go to a folder of the test session.
    settings.MEDIA_ROOT = str(_files_root)
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


# The append-only triggers (audit entries; approved payment rolls and their lines).
_GUARDS = tuple(
    importlib.import_module(name)
    for name in (
        "canlian.audit.migrations.0002_append_only_trigger",
        "canlian.benefits.migrations.0002_immutable_rolls",
    )
)
_guards_lifted: list[Any] = []  # the database blocker, while the triggers are down for a flush


def _put_guards_back() -> None:
    while _guards_lifted:
        with _guards_lifted.pop().unblock(), connection.schema_editor() as editor:
            for guard in _GUARDS:
                # Lifted first: a test that puts a guard back itself (or restores a copy of the
                # database) must not make this fail on a trigger that already exists.
                guard.allow(None, editor)
                guard.forbid(None, editor)


@pytest.fixture(scope="session")
def _guards_back_at_session_end(django_db_setup: None) -> Iterator[None]:
    yield  # before the test database is dropped (or kept, with --reuse-db)
    _put_guards_back()


@pytest.fixture
def flushable_db(
    _guards_back_at_session_end: None, transactional_db: None, django_db_blocker: Any
) -> Iterator[None]:
    """For a transactional test (its writes committed, seen by other connections): the flush
    that empties the database after it would meet the append-only triggers, so they are lifted
    when the test is done and put back as soon as the flush is over (by the hook below, or at
    the end of the session)."""
    yield
    with connection.schema_editor() as editor:
        for guard in _GUARDS:
            guard.allow(None, editor)
    _guards_lifted.append(django_db_blocker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # the fixtures' teardown, the flush included
    _put_guards_back()


def migrated_to_the_end() -> None:
    """Every migration applied again after a test migrated back, and then what `migrate` does
    after migrating (post_migrate: on SQLite a table rebuilt by a migration loses its
    triggers, which the statistics put back; stats.kept)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


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
def security_admin_2(places: Any) -> User:
    """A second security administrator of the city: approves what the first asked."""
    return _user("secadmin-2", Role.SECURITY_ADMIN, "410800000000")


@pytest.fixture
def audit_admin(places: Any) -> User:
    return _user("auditadmin", Role.AUDIT_ADMIN, "410800000000")


@pytest.fixture
def system_admin(places: Any) -> User:
    return _user("sysadmin", Role.SYSTEM_ADMIN, "410800000000")


def opened(instance: Any, field: str = "id_number") -> str:
    """The full value of a sealed field, for a test's assertions. Tests only: the code opens
    sealed values through canlian.accounts.reveal and nowhere else."""
    spec = type(instance).SEALED[field]
    blob = getattr(instance, spec.cipher)
    return crypto.decrypt(bytes(blob), context=spec.context) if blob else ""


def certificate_number_of(person: Person) -> str:
    return f"{opened(person)}{person.category}{person.grade}"


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


TABLE_ROW = 'class="govuk-table__row"'


def _steady_queries(client: Client, url: str) -> tuple[int, str, list[str]]:
    """The queries of a second GET of `url` (the first fills the caches: calendar, session)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(captured), response.content.decode(), [q["sql"] for q in captured]


def assert_flat_queries(
    client: Client,
    url: str | Callable[[], str],
    add_rows: Callable[[int], object],
    *,
    ceiling: int,
    rows: int = 2,
    per_row: int = 1,
) -> None:
    """Render `url` with `rows` rows made by `add_rows(rows)`, then with twice as many more:
    every row made is shown (`per_row` more table rows for each) and the page takes as many
    queries with 3 x `rows` rows as with `rows`, and never above `ceiling`. `url` may be a
    function, called after each `add_rows`, for rows that make a new record."""

    def where() -> str:
        return url() if callable(url) else url

    add_rows(rows)
    few, before, _ = _steady_queries(client, where())
    add_rows(2 * rows)
    page = where()
    many, after, sql = _steady_queries(client, page)
    shown = after.count(TABLE_ROW) - before.count(TABLE_ROW)
    assert shown == 2 * rows * per_row, f"{page}: {shown} more table rows, not {2 * rows * per_row}"
    assert many == few, f"{page}: {few} queries with {rows} rows, {many} with {3 * rows}:\n" + (
        "\n".join(sql)
    )
    assert many <= ceiling, f"{page}: {many} queries, more than {ceiling}:\n" + "\n".join(sql)

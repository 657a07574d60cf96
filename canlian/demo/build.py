"""The demo: invented places, one login per role and a registry of synthetic persons.

Everything written here is made up. The townships and villages come from
`places/data/demo_townships_invented.csv` (marked `invented`); names are drawn from Faker's
zh_CN name lists; ID numbers are well-formed (`idcard.build`) but generated, not real; phone
and bank numbers are random digits. The shared password of the demo logins is public: a demo
database must never be reachable from the internet or hold real data.

`build_demo` is fast (the default 96,118 persons in about 25 s on SQLite): it does not call
`services.create_person` per person but builds the rows directly with the same derived fields
(cipher, blind index, masks, pinyin initials) and inserts them in one transaction, with one
audit entry, by executemany (SQLite) or COPY (PostgreSQL) rather than `bulk_create`, whose
per-value preparation alone took 25 s.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from canlian.accounts import otp
from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.accounts.services import create_account
from canlian.audit import records as audit
from canlian.demo.figures import (
    CANCELLED_STATUS,
    CATEGORY_WEIGHTS,
    COUNTY_POPULATION,
    DECEASED_STATUS,
    DEFAULT_PERSONS,
    DEFAULT_SEED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    HISTORICAL_CODE,
    MOVED_OUT_STATUS,
    PERIOD_FIELDS,
    PERSON_FIELDS,
    RARE_CHARACTERS,
)
from canlian.demo.generator import Generator, Village
from canlian.lib import bulk, keys
from canlian.people import versions
from canlian.people.models import Person, StatusPeriod
from canlian.places.loading import DEMO_FILE, load_places
from canlian.places.models import Level, Place

__all__ = [
    "CATEGORY_WEIGHTS",
    "COUNTY_POPULATION",
    "DEFAULT_PERSONS",
    "DEFAULT_SEED",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_TOTP_KEY",
    "HISTORICAL_CODE",
    "RARE_CHARACTERS",
    "DemoError",
    "build_demo",
    "ensure_demo_authenticator",
]


# The certificate workflow's demo adds persons (first certificates) and changes others; the
# levy demo declares persons as employees (and adds audit entries). Both run by default only
# for a registry this large, so that small demos (the tests' fixtures, which count persons and
# entries exactly) stay as generated.
CERTIFICATE_DEMO_MIN_PERSONS = 10_000


class DemoError(Exception):
    """The demo cannot run (e.g. the registry is not empty); the message says why."""


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


def _villages() -> dict[str, list[Village]]:
    names = dict(Place.objects.filter(invented=True).values_list("code", "name"))
    villages: dict[str, list[Village]] = {county: [] for county in COUNTY_POPULATION}
    for code, name in sorted(names.items()):
        if len(code) == 12 and code[9:] != "000" and code[:6] in villages:
            villages[code[:6]].append(
                Village(code, name, names.get(code[:9] + "000", ""), name.endswith("社区"))
            )
    empty = [county for county, found in villages.items() if not found]
    if empty:
        raise DemoError(
            _("No invented villages for counties %(counties)s.") % {"counties": ", ".join(empty)}
        )
    return villages


def _ensure_places(log: Callable[[str], None]) -> int:
    """Load the invented townships and villages unless they are already there."""
    text = Path(DEMO_FILE).read_text(encoding="utf-8-sig")
    codes = [
        line.split(",", 1)[0]
        for line in text.splitlines()
        if line and not line.startswith(("#", "code,"))
    ]
    if Place.objects.filter(code__in=codes).count() == len(codes):
        return 0
    count = load_places(text=text, invented=True)
    log(_("Loaded %(count)s invented townships and villages.") % {"count": count})
    return count


def _ensure_office_phones() -> None:
    """Give the counties and the invented townships an office phone where they have none:
    synthetic numbers (a local number starting with 0, which no line has), for the receipts."""
    places = Place.objects.filter(
        Q(level=Level.COUNTY, code__startswith="4108") | Q(level=Level.TOWNSHIP, invented=True),
        phone="",
    )
    for place in places:
        place.phone = f"0391-0{place.code[4:6]}{place.code[6:9]}0"
        place.save(update_fields=["phone"])


def _ensure_keys(log: Callable[[str], None]) -> None:
    """Create the field and audit key files that are neither set nor there."""
    for line in keys.ensure_keys():
        log(line)


def _ensure_logins(log: Callable[[str], None]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for login in DEMO_LOGINS:
        place = Place.objects.filter(code=login.place_code).first()
        if login.role == Role.TOWNSHIP_OFFICER and place is None:  # fall back to any township
            place = (
                Place.objects.filter(code__startswith="410883", level=Level.TOWNSHIP)
                .order_by("code")
                .first()
            )
        created = False
        if not User.objects.filter(username=login.username).exists():
            create_account(
                username=login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                place=place,
                full_name=login.full_name,
                acting_user=None,
                check_password=False,
            )
            created = True
        rows.append(
            {
                "username": login.username,
                "role": login.role,
                "scope": (place.full_name() or place.name) if place else "",
                "password": DEMO_PASSWORD,
                "created": "yes" if created else "existed",
                # Only on an account the demo made: an account of the same name made otherwise
                # must never get the public demo key.
                "second_factor": "app" if _has_app(login.username, made=created) else "",
            }
        )
    made = sum(row["created"] == "yes" for row in rows)
    if made:
        log(_("Created %(count)s demo logins.") % {"count": made})
    return rows


def _has_app(username: str, *, made: bool) -> bool:
    if made:
        return ensure_demo_authenticator(username)
    return otp.authenticator(User.objects.get(username=username)) is not None


def ensure_demo_authenticator(username: str) -> bool:
    """Give a demo login whose role needs a second factor an authenticator with the public
    demo key (DEMO_TOTP_KEY), unless it has one; whether the login has one now."""
    user = User.objects.get(username=username)
    if not otp.requires_second_factor(user):
        return otp.authenticator(user) is not None
    if otp.authenticator(user) is None:
        code = otp.current_code(DEMO_TOTP_KEY)
        otp.enrol(user=user, key=DEMO_TOTP_KEY, code=code, acting_user=None)
    return True


def _reset(log: Callable[[str], None]) -> dict[str, int]:
    from canlian.demo.benefits import reset_subsidy_demo  # imports this package
    from canlian.demo.certificates import reset_certificate_demo  # imports this package
    from canlian.demo.levy import reset_levy_demo  # imports this package

    subsidies = reset_subsidy_demo()  # payment lines and enrolments protect demo persons
    levy = reset_levy_demo()  # its verified lines protect demo persons
    certificates = reset_certificate_demo()
    demo = Person.objects.filter(place__invented=True)
    periods, _by_model = StatusPeriod.objects.filter(person__in=demo).delete()
    persons = demo.count()
    try:
        # Only the primary keys are needed to cascade; loading whole rows triples the time.
        demo.only("pk").delete()
    except ProtectedError as exc:
        raise DemoError(
            _(
                "Demo persons are referenced by other records that protect them; "
                "start from an empty database instead."
            )
        ) from exc
    log(
        _("Deleted %(persons)s demo persons and %(periods)s status periods.")
        % {"persons": persons, "periods": periods}
    )
    if levy["levy_employers"]:
        log(
            _(
                "Deleted %(levy_employers)s example employers and their "
                "%(levy_declarations)s levy declarations."
            )
            % levy
        )
    deleted = {
        "persons": persons,
        "status_periods": periods,
        **certificates,
        **levy,
        **{f"subsidy_{k}": v for k, v in subsidies.items()},
    }
    audit.record(acting_user=None, action="demo.reset", target=None, detail=deleted)
    return deleted


def build_demo(
    *,
    persons: int = DEFAULT_PERSONS,
    seed: int = DEFAULT_SEED,
    stdout: Writer | None = None,
    reset: bool = False,
    today: datetime.date | None = None,
    certificates: bool | None = None,
    levy: bool | None = None,
    subsidies: bool | None = None,
) -> dict[str, Any]:
    """Load invented places, create the demo logins and `persons` synthetic persons, then
    (`certificates`; by default for a registry of CERTIFICATE_DEMO_MIN_PERSONS or more) take
    about a hundred certificate applications through the workflow and (`levy`; the same
    default) register about eighty example employers with their levy declarations, and
    (`subsidies`; the same default) enrol the persons eligible for the two subsidies, take
    applications in every state and prepare and approve last month's payment rolls.

    Deterministic for a given `seed` and `today` (except ciphertexts, whose nonces are
    random). Refuses when persons exist, unless `reset` (then the demo persons, their
    status periods, certificate and levy records are deleted first; audit entries are never
    deleted). Returns counts.
    """
    if persons < 0:
        raise DemoError(_("The number of persons must not be negative."))
    started = time.perf_counter()
    today = today or timezone.localdate()

    def log(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")  # Django's OutputWrapper does not add a second one

    _ensure_keys(log)
    with transaction.atomic():
        if Person.objects.exclude(place__invented=True).exists():
            raise DemoError(
                _(
                    "The registry holds persons outside the invented demo places: "
                    "the demo never runs on a real registry."
                )
            )
        deleted: dict[str, int] = {}
        if Person.objects.exists():
            if not reset:
                raise DemoError(
                    _(
                        "The registry already holds persons. Run with --reset to delete the "
                        "demo persons and build them again."
                    )
                )
            deleted = _reset(log)
        places_loaded = _ensure_places(log)
        _ensure_office_phones()
        logins = _ensure_logins(log)
        log(
            _("Places and logins ready after %(seconds).1f s.")
            % {"seconds": time.perf_counter() - started}
        )

        generating = time.perf_counter()
        generator = Generator(
            seed=seed,
            today=today,
            villages=_villages(),
            adapt_date=connection.ops.adapt_datefield_value,
        )
        first_id = bulk.lock_and_next_id(Person)
        rows: list[tuple[Any, ...]] = []
        period_rows: list[tuple[Any, ...]] = []
        for pk in range(first_id, first_id + persons):
            row, periods = generator.person(pk)
            rows.append(row)
            period_rows.extend(periods)
        generated = time.perf_counter()
        log(
            _("Generated %(persons)s persons in %(seconds).1f s.")
            % {"persons": persons, "seconds": generated - generating}
        )

        try:
            bulk.insert_rows(Person, PERSON_FIELDS, rows)
            bulk.insert_rows(StatusPeriod, PERIOD_FIELDS, period_rows)
            versions.rebuild_all(today, first_id=first_id)
        except bulk.MissingValue as exc:
            raise DemoError(f"{exc}: update PERSON_FIELDS in canlian/demo/figures.py.") from exc
        log(
            _("Inserted persons and %(periods)s status periods in %(seconds).1f s.")
            % {"periods": len(period_rows), "seconds": time.perf_counter() - generated}
        )

        certificate_counts: dict[str, int] = {}
        if certificates is None:
            certificates = persons >= CERTIFICATE_DEMO_MIN_PERSONS
        if certificates:
            from canlian.demo.certificates import build_certificate_demo  # imports this package

            city_staff = next(d.username for d in DEMO_LOGINS if d.role == Role.CITY_STAFF)
            certificate_counts = build_certificate_demo(
                seed=seed,
                acting_user=User.objects.get(username=city_staff),
                today=today,
                stdout=stdout,
            )

        levy_counts: dict[str, Any] = {}
        if levy is None:
            levy = persons >= CERTIFICATE_DEMO_MIN_PERSONS
        if levy:
            from canlian.demo.levy import build_levy_demo, demo_acting_users  # imports this package

            levy_counts = build_levy_demo(
                seed=seed, acting_users=demo_acting_users(), today=today, stdout=stdout
            )

        subsidy_counts: dict[str, Any] = {}
        if subsidies is None:
            subsidies = persons >= CERTIFICATE_DEMO_MIN_PERSONS
        if subsidies:
            from canlian.demo.benefits import build_subsidy_demo  # imports this package

            subsidy_counts = build_subsidy_demo(
                seed=seed,
                today=today,
                logins={u.username: u for u in User.objects.filter(
                    username__in=[d.username for d in DEMO_LOGINS]
                )},
                log=log,
            )  # fmt: skip

        g, counts = generator, generator.counts
        result: dict[str, Any] = {
            "persons": persons,
            "seed": seed,
            "per_county": {c: g.per_county[c] for c in COUNTY_POPULATION},
            "per_category": {str(c): g.per_category[c] for c in CATEGORY_WEIGHTS},
            "per_grade": {str(n): g.per_grade[n] for n in (1, 2, 3, 4)},
            "deceased": g.per_status[DECEASED_STATUS],
            "moved_out": g.per_status[MOVED_OUT_STATUS],
            "cancelled": g.per_status[CANCELLED_STATUS],
            "minors": counts["minors"],
            "guardians": counts["guardians"],
            "expired_certificates": counts["expired_certificates"],
            "bank_accounts": counts["bank_accounts"],
            "rare_character_names": counts["rare_character_names"],
            "other_address_code": counts["other_address_code"],
            "status_periods": dict(sorted(g.per_period.items())),
            "places_loaded": places_loaded,
            "deleted": deleted,
            "certificates": certificate_counts,
            "levy": levy_counts,
            "subsidies": subsidy_counts,
        }
        audit.record(acting_user=None, action="demo.load", target=None, detail=result)
    result["logins"] = logins
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result

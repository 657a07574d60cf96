"""`canlian demo [--persons N] [--seed S] [--reset] [--if-empty]`: build the demo registry."""

import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import otp
from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.benefits.terms import PROGRAMME
from canlian.certificates.models import Status
from canlian.demo.benefits import progress_sample
from canlian.demo.build import (
    DEFAULT_PERSONS,
    DEFAULT_SEED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    DemoError,
    build_demo,
    ensure_demo_authenticator,
)
from canlian.demo.progress import certificate_sample
from canlian.lib import keys, money
from canlian.lib.commands import TranslatedCommand
from canlian.lib.receipts import public_url
from canlian.people.models import Person, StatusKind
from canlian.people.terms import CATEGORY, GRADE
from canlian.places.models import Place


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Load invented places, one demo login per role and synthetic persons. "
        "All data is made up; the shared password is for demos only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("delete the demo persons first (audit entries are kept)"),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("do nothing but list the demo logins when the registry already holds persons"),
        )
        parser.add_argument(
            "--otp-code",
            action="store_true",
            help=_("print the current code of the public demo authenticator key and stop"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["otp_code"]:
            # Computed from the public demo key alone: it opens no account that is not a
            # demo login.
            self.stdout.write(otp.current_code(DEMO_TOTP_KEY))
            return
        for line in keys.ensure_keys():
            self.stdout.write(line)
        if options["if_empty"] and not options["reset"] and Person.objects.exists():
            self.stdout.write(
                _("The registry already holds %(count)s persons.")
                % {"count": Person.objects.count()}
            )
            self._logins([
                {"username": d.username, "role": d.role, "scope": d.place_code,
                 "password": DEMO_PASSWORD,
                 "second_factor": "app" if ensure_demo_authenticator(d.username) else ""}
                for d in DEMO_LOGINS if User.objects.filter(username=d.username).exists()
            ])  # fmt: skip
            return
        try:
            result = build_demo(
                persons=options["persons"],
                seed=options["seed"],
                reset=options["reset"],
                stdout=self.stdout,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc

        out = self.stdout.write
        out("")
        out(
            _("Persons: %(persons)s (seed %(seed)s) in %(seconds)s s")
            % {"persons": result["persons"], "seed": result["seed"], "seconds": result["seconds"]}
        )
        counties = _place_names(result["per_county"])
        by_county = ((counties.get(c, c), n) for c, n in result["per_county"].items())
        out(_("  per county: %(counts)s") % {"counts": _pairs(by_county)})
        by_category = ((CATEGORY[int(k)].name, v) for k, v in result["per_category"].items())
        out(_("  per category: %(counts)s") % {"counts": _pairs(by_category)})
        by_grade = ((GRADE[int(k)].name, v) for k, v in result["per_grade"].items())
        out(_("  per grade: %(counts)s") % {"counts": _pairs(by_grade)})
        out(
            _(
                "  minors %(minors)s, guardians %(guardians)s, deceased %(deceased)s, moved out "
                "%(moved_out)s, cancelled %(cancelled)s, expired certificates "
                "%(expired_certificates)s, bank accounts %(bank_accounts)s"
            )
            % result
        )
        periods = sorted(result["status_periods"].items())
        by_kind = ((StatusKind(k).label, v) for k, v in periods)
        out(_("  status periods: %(counts)s") % {"counts": _pairs(by_kind)})
        if certs := result.get("certificates"):
            by_status = ((Status(k).label, v) for k, v in certs.items() if v and k in Status.values)
            out(
                _(
                    "  certificate applications %(applications)s (%(statuses)s), certificates "
                    "cancelled %(certificates_cancelled)s, institutions %(institutions)s"
                )
                % {**certs, "statuses": _pairs(by_status)}
            )
        if levy := result.get("levy"):
            out(
                _(
                    "  levy: %(employers)s employers, %(declarations)s declarations (draft "
                    "%(draft)s, verified %(verified)s, notified %(notified)s), "
                    "%(counted_persons)s disabled employees counted, %(amount)s yuan due"
                )
                % {**levy, "amount": _yuan(levy["amount"])}
            )
        if subsidies := result.get("subsidies"):
            enrolled = ((PROGRAMME[k].name, v) for k, v in subsidies["enrolments"].items())
            out(
                _(
                    "  subsidies: enrolments %(enrolled)s; %(applications)s applications; rolls "
                    "of %(rolls_month)s: %(roll_lines)s lines, %(roll_total)s yuan, "
                    "%(rolls_approved)s approved"
                )
                % {
                    **subsidies,
                    "enrolled": _pairs(enrolled),
                    "roll_total": _yuan(subsidies["roll_total"]),
                }
            )
        self._progress_samples(result)
        self._logins(result["logins"])

    def _progress_samples(self, result: dict[str, Any]) -> None:
        """An application of each kind to follow signed out on its public page."""
        if result.get("subsidies") and (subsidy := progress_sample()):
            self.stdout.write(
                _(
                    "  follow an application signed out at %(url)s: receipt code "
                    "%(receipt)s, ID number ending %(id_tail)s (%(status)s)"
                )
                % {**subsidy, "url": public_url(reverse("portal:subsidy_progress"))}
            )
        if result.get("certificates") and (certificate := certificate_sample()):
            self.stdout.write(
                _(
                    "  follow a certificate application signed out at %(url)s: receipt code "
                    "%(receipt)s, ID number ending %(id_tail)s (%(status)s)"
                )
                % {**certificate, "url": public_url(reverse("portal:certificate_progress"))}
            )

    def _logins(self, logins: list[dict[str, str]]) -> None:
        out = self.stdout.write
        out("")
        out(_("Demo logins (demo only; the password is public):"))
        if not logins:
            return
        places = _place_names(row["scope"] for row in logins)
        heading = [_("login"), _("role"), _("password"), _("app code"), _("scope")]
        table = [heading] + [
            [
                row["username"],
                str(Role(row["role"]).label),
                row["password"],
                _("yes") if row.get("second_factor") else "-",
                places.get(row["scope"], row["scope"]),
            ]
            for row in logins
        ]
        widths = [max(_width(line[i]) for line in table) for i in range(len(heading) - 1)]
        for line in table:
            cells = [_pad(cell, width) for cell, width in zip(line, widths, strict=False)]
            out("  " + "  ".join([*cells, line[-1]]))
        secret = otp.provisioning(user=User(username="demo"), key=DEMO_TOTP_KEY, issuer="Canlian")
        out("")
        out(
            _(
                "Logins marked in the app code column ask, after the password, for an "
                "authenticator app's code."
            )
        )
        out(_("Their key (public, demo only): %(key)s") % {"key": secret.secret_groups})
        out(_("Add it to any TOTP app, or run `canlian demo --otp-code` for the current code."))
        out(_("Any login can set up its own app from its profile page."))


def _place_names(codes: Iterable[str]) -> dict[str, str]:
    """The full names of the places of `codes` (a county's six digits or a place's twelve)."""
    wanted = {f"{code:0<12}": code for code in codes}
    places = Place.objects.filter(code__in=wanted).select_related("parent__parent__parent")
    return {wanted[place.code]: place.full_name() or place.name for place in places}


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _pairs(counts: Iterable[tuple[Any, Any]]) -> str:
    """name count, name count, … (full-width comma in Chinese)."""
    return _(", ").join(f"{name} {count}" for name, count in counts)


def _yuan(amount: str) -> str:
    """A sum of the result (a string to the fen, as the machine reads it) grouped by thousands."""
    return money.figures(Decimal(amount))

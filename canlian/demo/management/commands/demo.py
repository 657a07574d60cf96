"""`canlian demo [--persons N] [--seed S] [--reset] [--if-empty]`: build the demo registry."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import otp
from canlian.accounts.models import User
from canlian.certificates.models import Status
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
from canlian.lib import keys
from canlian.lib.commands import TranslatedCommand
from canlian.people.models import Person


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
        out(f"Persons: {result['persons']} (seed {result['seed']}) in {result['seconds']} s")
        out("  per county: " + ", ".join(f"{k} {v}" for k, v in result["per_county"].items()))
        out("  per category: " + ", ".join(f"{k}: {v}" for k, v in result["per_category"].items()))
        out("  per grade: " + ", ".join(f"{k}: {v}" for k, v in result["per_grade"].items()))
        out(
            f"  minors {result['minors']}, guardians {result['guardians']}, "
            f"deceased {result['deceased']}, moved out {result['moved_out']}, "
            f"cancelled {result['cancelled']}, expired certificates "
            f"{result['expired_certificates']}, bank accounts {result['bank_accounts']}"
        )
        out(
            "  status periods: "
            + ", ".join(f"{k} {v}" for k, v in sorted(result["status_periods"].items()))
        )
        if certs := result.get("certificates"):
            statuses = ", ".join(f"{k} {v}" for k, v in certs.items() if v and k in Status.values)
            out(
                f"  certificate applications {certs['applications']} ({statuses}), "
                f"certificates cancelled {certs['certificates_cancelled']}, "
                f"institutions {certs['institutions']}"
            )
        if levy := result.get("levy"):
            out(
                f"  levy: {levy['employers']} employers, {levy['declarations']} declarations "
                f"(draft {levy['draft']}, verified {levy['verified']}, notified "
                f"{levy['notified']}), {levy['counted_persons']} disabled employees counted, "
                f"{levy['amount']} yuan due"
            )
        if subsidies := result.get("subsidies"):
            enrolled = ", ".join(f"{k} {v}" for k, v in subsidies["enrolments"].items())
            out(
                f"  subsidies: enrolments {enrolled}; {subsidies['applications']} applications; "
                f"rolls of {subsidies['rolls_month']}: {subsidies['roll_lines']} lines, "
                f"{subsidies['roll_total']} yuan, {subsidies['rolls_approved']} approved"
            )
            if sample := subsidies.get("progress_sample"):
                out(
                    f"  follow an application signed out at /portal/subsidies/: receipt code "
                    f"{sample['receipt']}, ID number ending {sample['id_tail']} "
                    f"({sample['status']})"
                )
        self._logins(result["logins"])

    def _logins(self, logins: list[dict[str, str]]) -> None:
        out = self.stdout.write
        out("")
        out(_("Demo logins (demo only; the password is public):"))
        if not logins:
            return
        widths = [max(len(row[key]) for row in logins) for key in ("username", "role")]
        out(f"  {'username':<{widths[0]}}  {'role':<{widths[1]}}  password      code  scope")
        for row in logins:
            code = "yes" if row.get("second_factor") else "-"
            out(
                f"  {row['username']:<{widths[0]}}  {row['role']:<{widths[1]}}  "
                f"{row['password']:<12}  {code:<4}  {row['scope']}"
            )
        secret = otp.provisioning(user=User(username="demo"), key=DEMO_TOTP_KEY, issuer="Canlian")
        out("")
        out(_("Logins marked 'code' ask, after the password, for an authenticator app's code."))
        out(_("Their key (public, demo only): %(key)s") % {"key": secret.secret_groups})
        out(_("Add it to any TOTP app, or run `canlian demo --otp-code` for the current code."))
        out(_("Any login can set up its own app from its profile page."))

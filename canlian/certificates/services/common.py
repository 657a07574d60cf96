"""What every stage shares: taking an application to process it, the dates a step may carry,
closing an application with a decision, and the audit entry of a step."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.audit import records as audit
from canlian.certificates.models import Application
from canlian.lib.rules import Problem, not_future
from canlian.places.models import Place

if TYPE_CHECKING:
    from collections.abc import Iterator

    from canlian.accounts.actors import Actor
    from canlian.accounts.models import User


def day_text(value: datetime.date) -> str:
    return date_format(value, "Y-m-d")


def require_in_scope(user: Actor, place: Place) -> None:
    if not covers(user, place.code):
        raise PermissionDenied(_("This person is outside your jurisdiction."))


def within(app: Application, on: datetime.date) -> Iterator[Problem]:
    """A decision's date (field "on"): not in the future, not before the application was
    received."""
    yield from not_future(on, "on")
    if on < app.received_on:
        yield "on", _("The date is before the application was received.")


def take(application: Application, acting_user: Actor) -> Application:
    """The application, locked, once `acting_user` may process it: the permission, then the
    jurisdiction of the applicant's household."""
    require(acting_user, Perm.PROCESS_CERTIFICATE)
    app = locked(application.pk)
    require_in_scope(acting_user, app.place)
    return app


def locked(application_id: int) -> Application:
    # Only the application's own row is locked ("of"): PostgreSQL refuses FOR UPDATE on the
    # nullable side of the outer join to the person.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("place", "person")
        .get(pk=application_id)
    )


def decide(
    app: Application, status: str, on: datetime.date, reason: str, acting_user: User
) -> None:
    """Close `app` with `status`, its date, who decided and why."""
    app.status = status
    app.decided_on = on
    app.decided_by = acting_user
    app.decision_reason = reason.strip()[:200]
    app.save()


def record(application: Application, acting_user: Actor, action: str, **detail: Any) -> None:
    """The audit entry of one step of `application` (action "certificate.<action>")."""
    audit.record(
        acting_user=acting_user,
        action=f"certificate.{action}",
        target=application,
        detail={key: json_value(value) for key, value in detail.items()},
    )


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value

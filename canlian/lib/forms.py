"""What the pages' forms share: the date field, and a service's refusal put on a form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]
DATE_HINT = _("For example 2020-03-15")


def date_field(label: Any, *, required: bool = True, help_text: Any = DATE_HINT) -> forms.DateField:
    """A date typed as 2020-03-15 (or with / . or nothing between), shown ten characters wide."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"data-width": "10", "autocomplete": "off"}
        ),
        error_messages={"invalid": _("Enter a real date, for example 2020-03-15.")},
    )


def add_service_errors(
    form: Any,
    exc: ValidationError,
    *,
    aliases: Mapping[str, str] | None = None,
    field: str | None = None,
) -> None:
    """Put a service's ValidationError on `form`: each message on the field it names, or on
    the form field `aliases` maps it to, or at the top of the form when the form has neither
    (the error summary lists both kinds). A refusal that names no field goes on `field` when
    the form has it, else at the top."""
    fields = form.fields
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(field if field in fields else None, message)
        return
    for field, messages in exc.message_dict.items():
        target: str | None = field if field in fields else (aliases or {}).get(field)
        if target not in fields:
            target = None
        for message in messages:
            form.add_error(target, message)


@contextmanager
def service_errors(
    form: Any, *, aliases: Mapping[str, str] | None = None, field: str | None = None
) -> Iterator[None]:
    """Run a service call for a valid `form`: a refusal (ValidationError) goes on the form's
    fields (see add_service_errors), a PermissionDenied at its top. After the block,
    `form.errors` says which."""
    try:
        yield
    except ValidationError as exc:
        add_service_errors(form, exc, aliases=aliases, field=field)
    except PermissionDenied as exc:
        form.add_error(None, refusal_text(exc))


def refusal_text(exc: PermissionDenied) -> str:
    """The words of a refusal: its own, or the generic sentence when it has none (the one
    permission check, canlian.accounts.access.require, gives none: on a page the 403 page
    explains)."""
    return str(exc) or gettext("You do not have permission to do this.")

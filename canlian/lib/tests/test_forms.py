"""A service's refusal lands on the form: on its field, or at the top when it names none."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from canlian.lib.forms import service_errors


class _Form(forms.Form):
    reason = forms.CharField(required=False)


def _refused(error: Exception) -> _Form:
    form = _Form(data={"reason": ""})
    assert form.is_valid()
    with service_errors(form):
        raise error
    return form


def test_a_refusal_naming_a_field_goes_on_that_field() -> None:
    form = _refused(ValidationError({"reason": ["Give the reason."]}))
    assert form.errors["reason"] == ["Give the reason."]
    assert not form.non_field_errors()


def test_a_refusal_naming_no_field_goes_at_the_top_of_the_form() -> None:
    form = _refused(ValidationError("This roll is already approved."))
    assert list(form.non_field_errors()) == ["This roll is already approved."]
    assert "reason" not in form.errors


def test_a_refusal_of_permission_goes_at_the_top_of_the_form() -> None:
    form = _refused(PermissionDenied("Not yours."))
    assert list(form.non_field_errors()) == ["Not yours."]

"""Approving and discarding a draft roll, each after a confirmation page that shows the roll
as it is (four eyes: the approver did not prepare it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.roles import Perm
from canlian.accounts.scoping import covers
from canlian.lib import money
from canlian.lib.forms import service_errors
from canlian.payroll import forms, rolls, selectors
from canlian.payroll.models import Roll
from canlian.payroll.views.common import annotate_roll, list_url, roll_or_404

__all__ = ["approve", "discard"]


def _confirm(
    request: HttpRequest, roll_id: int, *, perm: str, action: str
) -> tuple[Roll, forms.ConfirmForm, bool, list[str]]:
    """The roll and the confirmation form of approve/discard; whether the POST may go ahead
    (the box ticked, the roll as it was shown), and the problems to show when it may not."""
    require(request.user, Perm.VIEW_SUBSIDY)
    require(request.user, perm)
    user = signed_in(request)
    roll = roll_or_404(user, roll_id)
    token = forms.roll_token(roll)
    if request.method != "POST":
        return roll, forms.ConfirmForm(initial={"token": token}, action=action), False, []
    form = forms.ConfirmForm(request.POST, action=action)
    valid = form.is_valid()
    if request.POST.get("token") != token:
        # Changed meanwhile (or tampered with): ask again with the figures as they are now.
        changed = _("The roll changed since the page was shown: check the figures again.")
        return roll, forms.ConfirmForm(initial={"token": token}, action=action), False, [changed]
    return roll, form, valid, []


def _confirm_page(
    request: HttpRequest,
    roll: Roll,
    form: forms.ConfirmForm,
    action: str,
    problems: list[str],
    blocked: list[str],
) -> HttpResponse:
    """The confirmation page: the roll's figures, the problems found, and the button unless
    something blocks the action."""
    annotate_roll(roll, selectors.county_names())
    shown = [*problems, *[b for b in blocked if b not in problems]]
    return render(
        request,
        "payroll/confirm.html",
        {
            "roll": roll,
            "form": form,
            "action": action,
            "problems": shown,
            "allowed": not blocked,
            "page_has_errors": bool(shown) or bool(form.errors),
        },
    )


def _blocked(request: HttpRequest, roll: Roll, action: str) -> list[str]:
    """Why `action` cannot be done to `roll` now, in the services' words."""
    user = signed_in(request)
    if not covers(user, roll.county):
        return [_("This roll is outside your jurisdiction.")]
    reason = rolls.refusal(roll=roll, action=action, acting_user=user)
    return [reason] if reason else []


def approve(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Ask, then approve a draft roll (four eyes: not the account that prepared it)."""
    user = signed_in(request)
    roll, form, go, problems = _confirm(
        request, roll_id, perm=Perm.APPROVE_PAYROLL, action="approve"
    )
    if go:
        with service_errors(form):
            rolls.approve(roll_id=roll.pk, acting_user=user)
        if not form.errors:
            messages.success(
                request,
                _("The roll was approved: %(lines)s lines, %(total)s yuan.")
                % {"lines": roll.line_count, "total": money.figures(roll.total)},
            )
            return redirect("payroll:roll", roll_id=roll.pk)
        problems = [str(m) for m in form.non_field_errors()]
        roll = roll_or_404(user, roll.pk)  # 404 when it went meanwhile
        form = forms.ConfirmForm(initial={"token": forms.roll_token(roll)}, action="approve")
    return _confirm_page(
        request, roll, form, "approve", problems, _blocked(request, roll, "approve")
    )


def discard(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Ask, then delete a draft roll and its lines so that it can be generated again."""
    user = signed_in(request)
    roll, form, go, problems = _confirm(
        request, roll_id, perm=Perm.PREPARE_PAYROLL, action="discard"
    )
    if go:
        month = f"{roll.month:%Y-%m}"
        with service_errors(form):
            rolls.discard(roll_id=roll.pk, acting_user=user)
        if not form.errors:
            messages.success(
                request,
                _("The draft roll was discarded. Generate the month again to make it anew."),
            )
            return redirect(list_url(month))
        problems = [str(m) for m in form.non_field_errors()]
        roll = roll_or_404(user, roll.pk)  # 404 when it went meanwhile
        form = forms.ConfirmForm(initial={"token": forms.roll_token(roll)}, action="discard")
    return _confirm_page(
        request, roll, form, "discard", problems, _blocked(request, roll, "discard")
    )

"""The declaration page: the figures, each declared employee's outcome, the computation with
the parameters it used, and the verify step."""

from __future__ import annotations

import shlex
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from canlian.accounts.access import require
from canlian.accounts.actors import signed_in
from canlian.accounts.display import PlaceNames, with_office
from canlian.accounts.roles import Perm
from canlian.levy import forms, services
from canlian.levy.counting import CertificateKind
from canlian.levy.models import Declaration, DeclarationStatus
from canlian.levy.views.records import annotate, declaration_in_scope, tier_label
from canlian.lib import money

# The parameters of the formula, in the order of the computation, and whether each is a ratio
# (shown as a percentage too).
PARAMETERS: dict[str, tuple[Any, bool]] = {
    "levy.ratio": (gettext_lazy("Required ratio of disabled employees"), True),
    "levy.severe_count": (gettext_lazy("A grade 1–2 holder counts as"), False),
    "levy.wage_cap_multiple": (gettext_lazy("Cap on the wage, times the local average"), False),
    "levy.exemption_staff_threshold": (
        gettext_lazy("Enterprises exempt up to this many staff"),
        False,
    ),
    "levy.reduction_floor_ratio": (gettext_lazy("Floor ratio of the reductions"), True),
    "levy.reduction_factor_above_floor": (
        gettext_lazy("Share paid at or above the floor"),
        True,
    ),
    "levy.reduction_factor_below_floor": (gettext_lazy("Share paid below the floor"), True),
}
OTHER_RULE = gettext_lazy("Another rule of the computation")


def command_line(declaration: Declaration, employees: list[Any]) -> str:
    """The `canlian levy calculate` command that gives this declaration's figures."""
    inputs = services.inputs_for(declaration, employees)
    on = inputs.on or services.collection_date(declaration)
    arguments = [
        ("--year", str(inputs.year)),
        ("--province", inputs.region),
        ("--kind", inputs.kind),
        ("--staff", f"{inputs.staff:f}"),
        ("--disabled", f"{inputs.disabled:f}"),
        ("--disabled-severe", f"{inputs.disabled_severe:f}"),
        ("--average-wage", f"{inputs.average_wage:f}"),
        ("--local-average-wage", f"{inputs.local_average_wage:f}"),
        ("--on", on.isoformat()),
    ]
    return shlex.join(
        ["canlian", "levy", "calculate", *[part for pair in arguments for part in pair]]
    )


def parameters_shown(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters the computation used, in the order of PARAMETERS, for display."""
    used: dict[str, dict[str, str]] = result.get("parameters", {})
    # The province, city or county each value is set for, looked up at once.
    regions = PlaceNames()
    regions.load(value.get("region", "") for value in used.values())
    rows = []
    for name in [*PARAMETERS, *sorted(set(used) - set(PARAMETERS))]:
        if name not in used:
            continue
        value = used[name]
        label, is_ratio = PARAMETERS.get(name, (OTHER_RULE, False))
        shown = value.get("value", "")
        if is_ratio:
            try:
                percent = (Decimal(shown) * 100).normalize()
                shown = _("%(ratio)s (%(percent)s%%)") % {
                    "ratio": shown,
                    "percent": f"{percent:,f}",
                }
            except ArithmeticError:
                pass
        rows.append(
            {
                "label": label,
                "value": shown,
                "since": value.get("since", ""),
                "reference": value.get("reference", ""),
                "region": (regions(region) or "") if (region := value.get("region")) else "",
                "sample": value.get("sample") == "true",
            }
        )
    return rows


def _computation(
    declaration: Declaration, employees: list[Any], *, with_command: bool
) -> dict[str, Any]:
    """What the page shows of the last computation (empty while a draft). The command line
    that re-checks it is for auditors only (with_command): other roles see the steps."""
    if declaration.status == DeclarationStatus.DRAFT or declaration.amount is None:
        return {
            "computed": False, "amount_text": "", "steps": [], "parameters": [],
            "any_sample": False, "command": "", "capitals": "",
        }  # fmt: skip
    parameters = parameters_shown(declaration.result)
    return {
        "computed": True,
        "amount_text": money.figures(declaration.amount),
        "steps": declaration.result.get("steps", []),
        "parameters": parameters,
        "any_sample": any(p["sample"] for p in parameters),
        "command": command_line(declaration, employees) if with_command else "",
        "capitals": money.capitals(declaration.amount),
    }


def veterans_of(employees: list[Any]) -> list[Any]:
    """The lines of declared disabled veterans, who need their original certificate seen."""
    return [e for e in employees if e.certificate_kind == CertificateKind.VETERAN]


def detail_context(
    request: HttpRequest,
    declaration: Declaration,
    *,
    verify_form: forms.VerifyForm | None = None,
    notice_form: forms.NoticeForm | None = None,
) -> dict[str, Any]:
    employees = list(
        declaration.employees.select_related("person", with_office("original_seen_by")).order_by(
            "line"
        )
    )
    annotate([declaration])
    can_manage = signed_in(request).can(Perm.MANAGE_LEVY)
    status = declaration.status
    # A form posted with errors is passed in (its errors are summarised even when the
    # declaration has moved on meanwhile); the forms are shown while their step is open.
    show_verify = can_manage and status != DeclarationStatus.NOTIFIED
    show_notice = can_manage and status == DeclarationStatus.VERIFIED
    if show_verify and verify_form is None:
        verify_form = forms.VerifyForm(prefix="verify", veterans=veterans_of(employees))
    if show_notice and notice_form is None:
        notice_form = forms.NoticeForm(
            prefix="notice", initial={"notified_on": timezone.localdate()}
        )
    return {
        "declaration": declaration,
        "employer": declaration.employer,
        "employees": employees,
        "tier_label": tier_label(declaration.tier),
        "total_wages": money.figures(declaration.total_wages),
        "average_wage_text": money.figures(services.average_wage(declaration)),
        "local_average_wage": money.figures(declaration.local_average_wage),
        "minimum_annual_wage": money.figures(declaration.minimum_annual_wage),
        "collection_date": services.collection_date(declaration),
        "rules": services.rules_in_force(declaration),
        **_computation(
            declaration, employees, with_command=signed_in(request).can(Perm.VIEW_AUDIT)
        ),
        "can_manage": can_manage,
        "can_replace": can_manage and status != DeclarationStatus.NOTIFIED,
        "verify_form": verify_form,
        "notice_form": notice_form,
        "show_verify": show_verify,
        "show_notice": show_notice,
        "page_has_errors": bool(
            (verify_form and verify_form.errors) or (notice_form and notice_form.errors)
        ),
    }


def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_LEVY)
    declaration = declaration_in_scope(signed_in(request), declaration_id)
    return render(request, "levy/declaration_detail.html", detail_context(request, declaration))


@require_POST
def declaration_verify(request: HttpRequest, declaration_id: int) -> HttpResponse:
    require(request.user, Perm.MANAGE_LEVY)
    user = signed_in(request)
    declaration = declaration_in_scope(user, declaration_id)
    veterans = veterans_of(list(declaration.employees.order_by("line")))
    form = forms.VerifyForm(request.POST, prefix="verify", veterans=veterans)
    if form.is_valid():
        try:
            verified = services.verify(
                declaration=declaration,
                acting_user=user,
                originals_seen=form.cleaned_data.get("originals_seen", []),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            assert verified.amount is not None
            messages.success(
                request,
                _(
                    "The declaration was verified: %(counted)s counted, %(amount)s yuan to pay "
                    "(%(tier)s)."
                )
                % {
                    "counted": verified.counted,
                    "amount": money.figures(verified.amount),
                    "tier": tier_label(verified.tier),
                },
            )
            url = reverse("levy:declaration_detail", kwargs={"declaration_id": verified.pk})
            return redirect(url + "#computation")
    declaration.refresh_from_db()
    return render(
        request,
        "levy/declaration_detail.html",
        detail_context(request, declaration, verify_form=form),
    )

"""Forms of the levy pages: parse and label input; the rules live in levy.services.

The declared disabled employees are typed (or pasted from a spreadsheet) one a line:
``身份证号 姓名 合同月数 年工资 是否参保`` — for example
``410825198506010120 王建国 12 36000 是`` — then, where they apply, marks written
``名称:值`` (a full-width colon is read as well):

- ``军人证:号码:等级`` — a disabled veteran's certificate, e.g. ``军人证:豫A123456:3``;
- ``出生:1985-06-01`` — the date of birth (else the ID number's; it must agree with it);
- ``派遣:信用代码:本单位`` or ``派遣:信用代码:对方`` — a dispatched worker (劳务派遣): the other
  unit's credit code and which unit counts the worker under their agreement;
- ``在编`` — an established post (在编人员): no labour contract, the months may be 0;
- ``干部`` — a woman in a management or professional post (retirement age 55 before the delay,
  not a worker's 50).

Blank lines are dropped and the remaining lines are
numbered as the form shows them again, so that the line numbers of every message, the form's
and the service's, point at the same line.
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts.choices import county_choices, county_itself, jurisdiction_choices
from canlian.levy import services
from canlian.levy.formula import EmployerKind
from canlian.lib import idcard
from canlian.lib.forms import FilterForm, Form, add_rule_errors, date_field
from canlian.places.models import Level

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor
    from canlian.levy.models import Employer

MAX_LINES = 2000
INSURED = {"是": True, "否": False, "Y": True, "N": False, "YES": True, "NO": False}
EXAMPLE_LINE = "410825198506010120 王建国 12 36000 是"
FEN = Decimal("0.01")


def _number(text: str) -> str:
    """Digits as people type them: full-width forms, thousands commas, spaces and ¥ dropped."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if c not in ", ¥元").strip()


class SumField(forms.DecimalField):
    """A number in yuan (or of staff), to the hundredth, typed with or without commas."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _number(value)
        return super().to_python(value)


def _sum_field(label: Any, help_text: Any, *, width: str = "10") -> SumField:
    return SumField(
        label=label,
        help_text=help_text,
        max_digits=16,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"data-width": width, "inputmode": "decimal", "autocomplete": "off"}
        ),
        error_messages={
            "invalid": gettext_lazy("Enter a number, for example 12345.67."),
            "max_decimal_places": gettext_lazy("Enter at most two decimal places."),
            "max_digits": gettext_lazy("This number is too large."),
            "max_whole_digits": gettext_lazy("This number is too large."),
        },
    )


# ---------------------------------------------------------------------------------------------
# Employers


class EmployerForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the employer"),
        max_length=100,
        error_messages={"required": gettext_lazy("Enter the employer's name.")},
    )
    uscc = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        help_text=gettext_lazy(
            "18 characters, as on the business licence, for example 91410825MA0000001X"
        ),
        max_length=40,
        widget=forms.TextInput(
            attrs={"data-width": "20", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": gettext_lazy("Enter the unified social credit code.")},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of employer"),
        choices=EmployerKind.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Only an enterprise can be exempt as a small employer (30 staff or fewer)"
        ),
        error_messages={"required": gettext_lazy("Choose the kind of employer.")},
    )
    place_code = forms.ChoiceField(
        label=gettext_lazy("Registered in"),
        help_text=gettext_lazy("The county or township where the employer is registered"),
        error_messages={
            "required": gettext_lazy("Choose the county or township where it is registered.")
        },
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    contact_name = forms.CharField(
        label=gettext_lazy("Contact person"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "10"}),
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Contact phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "20", "type": "tel"}),
    )

    def __init__(
        self, *args: Any, user: Actor, employer: Employer | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.employer = user, employer
        cast(forms.ChoiceField, self.fields["place_code"]).choices = [
            ("", _("Choose…")),
            *jurisdiction_choices(
                user, levels={Level.COUNTY, Level.TOWNSHIP}, label=county_itself, by_county=True
            ),
        ]

    def clean_uscc(self) -> str:
        code, problem = services.check_uscc(self.cleaned_data["uscc"])
        if problem:
            raise ValidationError(problem, code="uscc")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            # The service's rules on what was given (a code already registered, a phone that
            # is no number), listed with the empty or malformed fields in one round.
            found = services.employer_problems(self.to_data(), self.user, self.employer)
            add_rule_errors(self, found)
        return data

    def to_data(self) -> services.EmployerData:
        """The employer as given (empty where a field is missing or malformed)."""
        d = self.cleaned_data
        return services.EmployerData(
            name=d.get("name") or "",
            uscc=d.get("uscc") or "",
            kind=d.get("kind") or "",
            place_code=d.get("place_code") or "",
            address=d.get("address") or "",
            contact_name=d.get("contact_name") or "",
            contact_phone=d.get("contact_phone") or "",
        )


class EmployerFilterForm(FilterForm):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Part of the name, or the start of the credit code"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of employer"),
        choices=[("", gettext_lazy("All")), *EmployerKind.choices],
        required=False,
    )
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["county"]).choices = [
            ("", _("All")),
            *county_choices(user),
        ]

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "kind": "", "county": ""}
        d = self.cleaned_data
        return {"q": d["q"].strip(), "kind": d["kind"], "county": d["county"]}


# ---------------------------------------------------------------------------------------------
# Declarations


@dataclasses.dataclass(frozen=True)
class ParsedLine:
    line: int
    employee: services.EmployeeLine


def normalize_lines(text: str) -> str:
    """The text as it is read: blank lines dropped, items separated by one space."""
    return "\n".join(" ".join(raw.split()) for raw in text.splitlines() if raw.strip())


def _line_error(number: int, message: str) -> ValidationError:
    return ValidationError(
        _("Line %(line)s: %(message)s") % {"line": number, "message": message}, code="line"
    )


def parse_employees(
    text: str, *, today: datetime.date | None = None
) -> tuple[list[ParsedLine], list[ValidationError]]:
    """Read the normalised `text` into employees; return them and every problem, by line."""
    today = today or timezone.localdate()
    parsed: list[ParsedLine] = []
    errors: list[ValidationError] = []
    for number, line in enumerate(normalize_lines(text).splitlines(), start=1):
        parts = line.split(" ")
        if len(parts) < 5:
            errors.append(
                _line_error(
                    number,
                    _(
                        "write at least five items separated by spaces: ID number, name, "
                        "contract months, annual wage, and 是 or 否 for social insurance "
                        "(%(count)s found)."
                    )
                    % {"count": len(parts)},
                )
            )
            continue
        id_number, name, months_text, wage_text, insured_text = parts[:5]
        marks, problems = read_marks(parts[5:])
        problems[:0] = idcard.check(id_number, today=today).errors
        months_digits = _number(months_text)
        if not months_digits.isdigit():
            problems.append(
                _("the contract length is a whole number of months, not %(value)s.")
                % {"value": months_text}
            )
        try:
            wage = Decimal(_number(wage_text))
            if not wage.is_finite() or wage < 0 or wage != wage.quantize(FEN):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                _("the annual wage is a sum in yuan such as 36000 or 36000.50, not %(value)s.")
                % {"value": wage_text}
            )
            wage = Decimal(0)
        insured = INSURED.get(unicodedata.normalize("NFKC", insured_text).upper())
        if insured is None:
            problems.append(
                _("write 是 or 否 for social insurance, not %(value)s.") % {"value": insured_text}
            )
        if problems:
            errors.extend(_line_error(number, problem) for problem in problems)
            continue
        employee = services.EmployeeLine(
            id_number=id_number,
            name=name,
            contract_months=int(months_digits),
            annual_wage=wage,
            social_insurance=bool(insured),
            **marks,
        )
        parsed.append(ParsedLine(line=number, employee=employee))
    return parsed, errors


VETERAN_MARK = "军人证"
GRADE_SUFFIX = "级"
BIRTH_MARK = "出生"
CADRE_MARK = "干部"
ESTABLISHED_MARK = "在编"
DISPATCH_MARK = "派遣"
DISPATCH_COUNTER = {"本单位": True, "对方": False}


def read_marks(items: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The line's marks after its five items, as EmployeeLine fields, and every problem."""
    marks: dict[str, Any] = {}
    problems: list[str] = []
    for item in items:
        name, _colon, value = unicodedata.normalize("NFKC", item).partition(":")
        if name == VETERAN_MARK:
            number, _colon, grade = value.partition(":")
            grade = grade.removesuffix(GRADE_SUFFIX)
            if not number or not grade.isdigit():
                problems.append(
                    _("write the veteran's certificate as 军人证:number:grade, not %(value)s.")
                    % {"value": item}
                )
                continue
            marks.update(
                certificate_kind="veteran", veteran_number=number, veteran_grade=int(grade)
            )
        elif name == BIRTH_MARK:
            try:
                marks["birth_date"] = datetime.date.fromisoformat(value)
            except ValueError:
                problems.append(
                    _("write the date of birth like 出生:1985-06-01, not %(value)s.")
                    % {"value": item}
                )
        elif name == CADRE_MARK and not value:
            marks["female_cadre"] = True
        elif name == DISPATCH_MARK:
            code, _colon, counter = value.partition(":")
            if not code or counter not in DISPATCH_COUNTER:
                problems.append(
                    _(
                        "write a dispatched worker as 派遣:credit code:本单位 or "
                        "派遣:credit code:对方 (the unit that counts the worker), not %(value)s."
                    )
                    % {"value": item}
                )
                continue
            marks.update(
                employment="dispatched",
                dispatch_partner_uscc=code,
                dispatch_counts_here=DISPATCH_COUNTER[counter],
            )
        elif name == ESTABLISHED_MARK and not value:
            marks["employment"] = "established"
        else:
            problems.append(
                _("%(value)s is not a mark this form knows: see the examples above the box.")
                % {"value": item}
            )
    return marks, problems


def format_employees(lines: list[services.EmployeeLine]) -> str:
    """The text of the form for `lines`, marks included."""
    return "\n".join(_format_line(line) for line in lines)


def _format_line(line: services.EmployeeLine) -> str:
    items = [
        line.id_number,
        line.name,
        str(line.contract_months),
        f"{line.annual_wage:f}",
        "是" if line.social_insurance else "否",
    ]
    if line.certificate_kind == "veteran":
        items.append(f"{VETERAN_MARK}：{line.veteran_number}：{line.veteran_grade}")
    if line.employment == "established":
        items.append(ESTABLISHED_MARK)
    if line.employment == "dispatched":
        counter = "本单位" if line.dispatch_counts_here else "对方"
        items.append(f"{DISPATCH_MARK}：{line.dispatch_partner_uscc}：{counter}")
    if line.female_cadre:
        items.append(CADRE_MARK)
    return " ".join(items)


class DeclarationForm(Form):
    year = forms.IntegerField(
        label=gettext_lazy("Collection year"),
        help_text=gettext_lazy(
            "The year the fund is collected in; the figures below are those of the year before"
        ),
        widget=forms.TextInput(
            attrs={"data-width": "4", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={
            "required": gettext_lazy("Enter the collection year, for example 2026."),
            "invalid": gettext_lazy("Enter the year as four digits, for example 2026."),
        },
    )
    staff = _sum_field(
        gettext_lazy("Staff (annual average)"),
        gettext_lazy(
            "Last year's staff with a contract of at least one year; seasonal staff "
            "annualised, so two decimal places are allowed"
        ),
        width="5",
    )
    total_wages = _sum_field(
        gettext_lazy("Total wages (yuan)"), gettext_lazy("Last year's total wages of all staff")
    )
    local_average_wage = _sum_field(
        gettext_lazy("Local average annual wage (yuan)"),
        gettext_lazy("Last year's average wage of urban employees as published for the area"),
    )
    minimum_annual_wage = _sum_field(
        gettext_lazy("Minimum annual wage (yuan)"),
        gettext_lazy(
            "12 months of the local monthly minimum wage; a disabled employee paid less does "
            "not count"
        ),
    )
    declared_on = date_field(gettext_lazy("Declared on"))
    employees = forms.CharField(
        label=gettext_lazy("Disabled employees declared"),
        required=False,
        help_text=gettext_lazy(
            "One employee a line, five items separated by spaces: ID number, name, contract "
            "length in months, last year's wage in yuan, and 是 or 否 for social insurance paid. "
            "For example “410825198506010120 王建国 12 36000 是”. Then, where it applies: "
            "军人证:number:grade for a disabled veteran's certificate; 在编 for an established "
            "post (no labour contract: the months may be 0); 派遣:credit code:本单位 or "
            "派遣:credit code:对方 for a dispatched worker, naming the other unit and the unit "
            "that counts the worker under their agreement; 干部 for a woman in a "
            "management or professional post (her retirement age); 出生:1985-06-01 for the date "
            "of birth (optional: read from the ID number, it must agree with it). Lines can "
            "be pasted from a spreadsheet. Leave empty when no disabled person is employed."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
    )
    # The declaration this form replaces after the confirmation page (see views._token).
    replaces = forms.CharField(required=False, widget=forms.HiddenInput)

    parsed: list[ParsedLine]

    def __init__(
        self, data: Any = None, *args: Any, employer: Employer | None = None, **kwargs: Any
    ) -> None:
        if data is not None and "employees" in data:
            data = data.copy()
            data["employees"] = normalize_lines(data["employees"])
        super().__init__(data, *args, **kwargs)
        self.parsed = []
        self.employer = employer

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors and self.employer is not None:
            # The declaration's rules on what was given (a date before the year, wages that
            # add up to more than the total), listed with the fields' own problems at once.
            found = services.declaration_problems(
                employer=self.employer,
                year=data.get("year"),
                staff=data.get("staff"),
                total_wages=data.get("total_wages"),
                local_average_wage=data.get("local_average_wage"),
                minimum_annual_wage=data.get("minimum_annual_wage"),
                declared_on=data.get("declared_on"),
                employees=self.employee_lines() if "employees" in data else None,
            )
            add_rule_errors(self, found)
        return data

    def clean_employees(self) -> str:
        text: str = self.cleaned_data["employees"]
        if len(text.splitlines()) > MAX_LINES:
            raise ValidationError(
                _("Enter at most %(limit)s lines."), code="lines", params={"limit": MAX_LINES}
            )
        self.parsed, errors = parse_employees(text)
        if errors:
            raise ValidationError(errors)
        return text

    def employee_lines(self) -> list[services.EmployeeLine]:
        return [p.employee for p in self.parsed]


class VerifyForm(Form):
    checked = forms.BooleanField(
        label=gettext_lazy(
            "I have seen the labour contracts, wage records and social insurance records of "
            "the declared disabled employees"
        ),
        help_text=gettext_lazy(
            "The registry shows who holds a valid certificate; the contracts, wages and social "
            "insurance are as the employer declares them"
        ),
        error_messages={
            "required": gettext_lazy(
                "Confirm that you have seen the contracts, wage and social insurance records."
            )
        },
    )

    originals_seen = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Original disabled veterans' certificates seen"),
        help_text=gettext_lazy(
            "A disabled veteran's certificate is not on the registry: without its original "
            "the veteran does not count. Tick each veteran whose original you have seen in "
            "this verification; a veteran not ticked is recorded as not seen"
        ),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, veterans: list[Any] | None = None, **kwargs: Any) -> None:
        """`veterans`: the declaration's veterans' lines (DeclaredEmployee rows), one box
        each, ticked where the last verification recorded the original as seen."""
        veterans = veterans or []
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "originals_seen", [e.line for e in veterans if e.original_seen]
        )
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["originals_seen"])
        field.choices = [
            (
                e.line,
                _("Line %(line)s: %(name)s, grade %(grade)s")
                % {"line": e.line, "name": e.name, "grade": e.veteran_grade},
            )
            for e in veterans
        ]
        if not veterans:
            del self.fields["originals_seen"]


class NoticeForm(Form):
    notified_on = date_field(
        gettext_lazy("Date of the verification result"),
        help_text=gettext_lazy("Usually today, for example 2026-05-15"),
    )


def collection_year_choices(years: list[int]) -> list[tuple[int, str]]:
    return [(year, str(year)) for year in years]


class CollectionForm(Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Collection year"), coerce=int)
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)

    def __init__(self, *args: Any, user: Actor, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["year"]).choices = collection_year_choices(years)
        cast(forms.ChoiceField, self.fields["county"]).choices = [
            ("", _("All")),
            *county_choices(user),
        ]

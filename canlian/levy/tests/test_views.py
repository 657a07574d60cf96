"""The levy pages: a clerk registers an employer, takes a declaration, verifies it and prints
the notice through the pages; refusals come back as form errors; the page's amount is the
command line's; other counties see nothing."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re
import shlex
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from canlian.audit.models import Entry
from canlian.conftest import client_for, opened
from canlian.levy import forms, services
from canlian.levy.models import Declaration, DeclarationStatus, Employer
from canlian.levy.tests.conftest import COUNTY, DECLARED_ON, OTHER_COUNTY, YEAR, line, make_uscc
from canlian.lib import idcard

pytestmark = pytest.mark.django_db
D = datetime.date


def english(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def declaration_post(employees: str = "", **overrides: str) -> dict[str, str]:
    data = {
        "year": str(YEAR),
        "staff": "200",
        "total_wages": "12,000,000.00",
        "local_average_wage": "50000",
        "minimum_annual_wage": "25200",
        "declared_on": DECLARED_ON.isoformat(),
        "employees": employees,
    }
    data.update(overrides)
    return data


def employee_text(*people: Any, insured: str = "是", months: int = 12) -> str:
    return "\n".join(f"{opened(p)} {p.name} {months} 36000 {insured}" for p in people)


def detail_url(declaration: Declaration) -> str:
    return reverse("levy:declaration_detail", args=[declaration.pk])


@pytest.fixture
def verified(make_employer: Any, make_declaration: Any, make_person: Any, county_clerk: Any) -> Any:
    """A verified declaration of 温县: a grade 3 holder (1), a grade 1 holder (2) and one
    without social insurance (0), on 200 staff."""

    def make(**overrides: Any) -> Declaration:
        people = [make_person(grade=3), make_person(grade=1), make_person(grade=4)]
        declaration = make_declaration(
            make_employer(**overrides),
            [line(people[0]), line(people[1]), line(people[2], social_insurance=False)],
        )
        return services.verify(declaration=declaration, acting_user=county_clerk)

    return make


# ---------------------------------------------------------------------------------------------
# The whole task


def test_a_clerk_registers_an_employer_declares_verifies_and_prints_the_notice(
    county_clerk: Any, make_person: Any, monkeypatch: Any
) -> None:
    client = english(county_clerk)
    code = make_uscc(41)
    response = client.post(
        reverse("levy:employer_create"),
        {"name": "温县示例纺织有限公司", "uscc": code.lower(), "kind": "enterprise",
         "place_code": COUNTY, "address": "", "contact_name": "", "contact_phone": ""},
    )  # fmt: skip
    employer = Employer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("levy:employer_detail", args=[employer.pk])
    assert employer.uscc == code

    person = make_person(grade=2)
    response = client.post(
        reverse("levy:declaration_create", args=[employer.pk]),
        declaration_post("\n" + employee_text(person) + "\n\n"),
    )
    declaration = Declaration.objects.get()
    assert response.status_code == 302
    assert declaration.status == DeclarationStatus.DRAFT
    assert declaration.total_wages == Decimal("12000000.00")
    assert declaration.minimum_annual_wage == Decimal("25200")
    assert declaration.employees.get().name == person.name

    page = text_of(client.get(detail_url(declaration)))
    assert "Not yet verified" in page
    assert 'action="' + reverse("levy:declaration_verify", args=[declaration.pk]) in page
    assert reverse("levy:notice_issue", args=[declaration.pk]) not in page

    response = client.post(
        reverse("levy:declaration_verify", args=[declaration.pk]), {"verify-checked": "on"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#computation")
    page = text_of(client.get(response["Location"]))
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED
    # 200 × 1.6% = 3.2 required, 2 counted: 1.2 × 60,000 × 50% (ratio 1% or more).
    assert declaration.amount == Decimal("36000.00")
    assert "The declaration was verified: 2 counted, 36,000.00 yuan to pay" in page
    assert "叁万陆仟元整" in page
    assert "2: counts twice (a grade 1–2 certificate, or a grade 1–3 veteran)" in page

    response = client.post(
        reverse("levy:notice_issue", args=[declaration.pk]), {"notice-notified_on": ""}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert 'href="#id_notice-notified_on"' in response.content.decode()

    printed: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        "canlian.levy.views.notices.pdf.render_pdf",
        lambda name, context, request=None: printed.append((name, context)) or b"%PDF-1.7",
    )
    today = datetime.date.today()
    response = client.post(
        reverse("levy:notice_issue", args=[declaration.pk]),
        {"notice-notified_on": today.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("levy:notice_pdf", args=[declaration.pk])
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.NOTIFIED
    assert declaration.notified_on == today

    response = client.get(response["Location"])
    assert response["Content-Type"] == "application/pdf"
    name_part = quote(f"残保金审核确认书-{declaration.year}-{employer.uscc}.pdf", safe="")
    assert response["Content-Disposition"] == (
        f'inline; filename="levy-verification-{declaration.year}-{employer.uscc}.pdf"; '
        f"filename*=UTF-8''{name_part}"
    )
    assert "notice" not in response["Content-Disposition"]
    assert unquote(response["Content-Disposition"].split("''", 1)[1]).startswith(
        "残保金审核确认书-"
    )
    (name, context), = printed  # fmt: skip
    assert name == "levy/print/notice.html"
    assert context["capitals"] == "叁万陆仟元整" and context["figures"] == "36,000.00"
    assert context["employer"] == employer
    actions = list(Entry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        "levy.declaration.verify",
        "levy.declaration.notify",
        "levy.verification.print",
    ]


# ---------------------------------------------------------------------------------------------
# Employers


def test_a_mistyped_credit_code_is_shown_with_its_message_linked_to_the_field(
    county_clerk: Any,
) -> None:
    code = make_uscc(3)
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    response = english(county_clerk).post(
        reverse("levy:employer_create"),
        {"name": "某公司", "uscc": wrong, "kind": "enterprise", "place_code": COUNTY},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert '<a href="#id_uscc">' in page
    assert "The check character of the unified social credit code does not match" in page
    assert page.count("<title>Error:") == 1
    assert not Employer.objects.exists()


def test_an_empty_employer_form_lists_every_missing_field(county_clerk: Any) -> None:
    page = text_of(english(county_clerk).post(reverse("levy:employer_create"), {}))
    for field in ("name", "uscc", "kind", "place_code"):
        assert f'href="#id_{field}"' in page


def test_an_employer_is_edited_through_its_form(make_employer: Any, county_clerk: Any) -> None:
    employer = make_employer(kind="enterprise")
    client = english(county_clerk)
    url = reverse("levy:employer_edit", args=[employer.pk])
    assert employer.uscc in text_of(client.get(url))

    response = client.post(
        url,
        {"name": "改名后的单位", "uscc": employer.uscc, "kind": "institution",
         "place_code": "410825001000", "contact_phone": "0391-6123456"},
    )  # fmt: skip

    assert response.status_code == 302
    employer.refresh_from_db()
    assert (employer.name, employer.kind, employer.place_id) == (
        "改名后的单位",
        "institution",
        "410825001000",
    )


def test_the_employer_list_is_scoped_searched_and_filtered(
    make_employer: Any, county_clerk: Any, other_county_clerk: Any, city_staff: Any
) -> None:
    mill = make_employer(name="温县造纸厂", kind="enterprise")
    school = make_employer(name="温县第一中学", kind="institution")
    meng = make_employer(
        name="孟州市皮革厂",
        uscc=make_uscc(900, "410883"),
        place_code=OTHER_COUNTY,
        acting_user=other_county_clerk,
    )
    url = reverse("levy:list")

    def names(client: Client, query: dict[str, str] | None = None) -> set[str]:
        page = text_of(client.get(url, query or {}))
        return {e.name for e in (mill, school, meng) if e.name in page}

    clerk = english(county_clerk)
    assert names(clerk) == {mill.name, school.name}
    assert names(clerk, {"q": "造纸"}) == {mill.name}
    assert names(clerk, {"q": school.uscc[:17].lower()}) == {school.name}
    assert names(clerk, {"kind": "institution"}) == {school.name}
    city = english(city_staff)
    assert names(city) == {mill.name, school.name, meng.name}
    assert names(city, {"county": "410883"}) == {meng.name}
    assert "Employers, page 1 of 1" in text_of(city.get(url))


def test_the_employer_page_lists_its_declarations_by_year(
    verified: Any, make_declaration: Any, county_clerk: Any
) -> None:
    declaration = verified()
    make_declaration(declaration.employer, year=YEAR - 1, declared_on=D(YEAR - 1, 4, 1))

    page = text_of(
        english(county_clerk).get(reverse("levy:employer_detail", args=[declaration.employer_id]))
    )

    assert page.index(f"Declaration for {YEAR}") < page.index(f"Declaration for {YEAR - 1}")
    assert "6,000.00" in page  # (3.2 − 3) × 60,000 = 12,000, ratio 1.5% ≥ 1%: half
    assert "Verified, amount computed" in page and "Entered, not yet verified" in page
    assert "Not yet computed" in page


# ---------------------------------------------------------------------------------------------
# Declarations


def test_every_bad_employee_line_is_reported_by_its_line_number(
    make_employer: Any, make_person: Any, county_clerk: Any
) -> None:
    good = make_person()
    number = opened(good)
    mistyped = number[:-1] + ("0" if number[-1] != "0" else "1")
    text = "\n".join(
        [
            f"{number} {good.name} 12 36000 是",
            "",  # dropped: the lines are numbered as the form shows them again
            f"{mistyped} 张三 12 36000 是",
            f"{number} 王五 十二 36000 是",
            f"{number} 赵六 12 36000",
            f"{number} 钱七 12 3.6万 也许",
        ]
    )
    employer = make_employer()
    response = english(county_clerk).post(
        reverse("levy:declaration_create", args=[employer.pk]), declaration_post(text)
    )

    page = text_of(response)
    assert "Line 2: The check character does not match" in page
    assert "Line 3: the contract length is a whole number of months, not 十二." in page
    assert "Line 4: write at least five items separated by spaces" in page
    assert "(4 found)" in page
    assert "Line 5: the annual wage is a sum in yuan such as 36000 or 36000.50, not 3.6万." in page
    assert "Line 5: write 是 or 否 for social insurance, not 也许." in page
    assert "Line 1" not in page
    # The text comes back without the blank line, so the numbers match what is shown.
    assert f"{number} {good.name} 12 36000 是\n{mistyped}" in page
    assert not Declaration.objects.exists()


def test_the_services_line_errors_come_back_on_the_employees_field(
    make_employer: Any, make_person: Any, county_clerk: Any
) -> None:
    person = make_person()
    text = employee_text(person) + "\n" + employee_text(person, months=700)
    response = english(county_clerk).post(
        reverse("levy:declaration_create", args=[make_employer().pk]), declaration_post(text)
    )
    page = text_of(response)
    assert (
        '<a href="#id_employees">Disabled employees declared: Line 2: The same ID number as '
        "line 1." in page
    )
    assert "Line 2: The contract length must be a whole number of months" in page


def test_figures_the_service_refuses_are_shown_on_their_fields(
    make_employer: Any, county_clerk: Any
) -> None:
    response = english(county_clerk).post(
        reverse("levy:declaration_create", args=[make_employer().pk]),
        declaration_post(staff="0", declared_on=D(YEAR - 1, 12, 1).isoformat()),
    )
    page = text_of(response)
    assert 'href="#id_staff"' in page and 'href="#id_declared_on"' in page
    assert "made in 2026 or later" in page


def test_parsing_reads_full_width_digits_and_tabs_from_a_spreadsheet(make_person: Any) -> None:
    person = make_person()
    text = f"  {opened(person)}\t{person.name}\t１２\t３６,０００.５０\tN  \n\n"

    parsed, errors = forms.parse_employees(text, today=D(2026, 6, 1))

    assert errors == []
    (entry,) = parsed
    assert entry.line == 1
    assert entry.employee == services.EmployeeLine(
        id_number=opened(person),
        name=person.name,
        contract_months=12,
        annual_wage=Decimal("36000.50"),
        social_insurance=False,
    )


def test_replacing_a_verified_declaration_asks_first(verified: Any, county_clerk: Any) -> None:
    declaration = verified()
    client = english(county_clerk)
    url = reverse("levy:declaration_create", args=[declaration.employer_id])

    # The change form starts from the declaration, full ID numbers included (logged).
    form_page = text_of(client.get(url, {"year": YEAR}))
    first = declaration.employees.order_by("line").first()
    assert first is not None and opened(first) in form_page
    assert Entry.objects.filter(action="levy.declaration.edit_open").count() == 1

    text = "\n".join(
        f"{opened(e)} {e.name} 12 36000 是" for e in declaration.employees.order_by("line")
    )
    response = client.post(url, declaration_post(text, staff="300"))
    page = text_of(response)
    assert response.status_code == 200
    assert f"Replace the verified declaration for {YEAR}?" in page
    token = re.search(r'name="replaces" value="([^"]+)"', page)
    assert token is not None
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED

    back = text_of(client.post(url, {**declaration_post(text, staff="300"), "back": "1"}))
    assert 'value="300"' in back and "Replace the verified" not in back

    response = client.post(url, declaration_post(text, staff="300", replaces=token.group(1)))
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT
    assert declaration.staff == Decimal(300) and declaration.amount is None


def test_a_stale_confirmation_asks_again(verified: Any, county_clerk: Any) -> None:
    declaration = verified()
    url = reverse("levy:declaration_create", args=[declaration.employer_id])
    response = english(county_clerk).post(url, declaration_post(replaces="1:2020-01-01"))
    assert "Replace the verified declaration" in text_of(response)
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED


def test_the_declaration_page_says_in_words_why_an_employee_does_not_count(
    verified: Any, county_clerk: Any
) -> None:
    declaration = verified()
    page = text_of(english(county_clerk).get(detail_url(declaration)))

    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S)
    employees = [row for row in rows if "cl-masked" in row]
    assert len(employees) == 3
    assert "1: counts once" in employees[0]
    assert "2: counts twice (a grade 1–2 certificate, or a grade 1–3 veteran)" in employees[1]
    assert "0: does not count" in employees[2] and "No social insurance is paid." in employees[2]
    for employee in declaration.employees.all():
        assert employee.id_number_masked in page
        assert opened(employee) not in page


def test_the_page_explains_the_computation_with_its_parameters(
    verified: Any, county_clerk: Any, auditor: Any
) -> None:
    declaration = verified()
    page = text_of(english(county_clerk).get(detail_url(declaration)))

    for step in declaration.result["steps"]:
        assert step["text"] in page
    assert "Required ratio of disabled employees" in page and "0.016 (1.6%)" in page
    assert "Sample value: not yet confirmed by a notice" in page  # Henan's 1.6% is a sample
    assert "财税〔2015〕72号" in page
    # The rule in words with its source: no parameter name; a province's value named by place.
    assert re.search(r"levy\.[a-z_]+", page) is None
    assert "As set for 河南省" in page
    # The command line is for auditors only, folded away under a summary in words.
    assert "levy-command" not in page and "canlian levy calculate" not in page
    page = text_of(english(auditor).get(detail_url(declaration)))
    folded = page.split('<details class="govuk-details">', 1)[1].split("</details>", 1)[0]
    assert 'id="levy-command"' in folded


def test_the_chinese_page_writes_a_ratio_with_full_width_brackets_and_no_command(
    verified: Any, county_clerk: Any, finance: Any, auditor: Any
) -> None:
    declaration = verified()
    for user in (county_clerk, finance):
        page = text_of(client_for(user).get(detail_url(declaration)))
        assert "0.016（1.6%）" in page and "0.016 (1.6%)" not in page
        assert "canlian levy calculate" not in page and "--province" not in page
    page = text_of(client_for(auditor).get(detail_url(declaration)))
    assert "供审计人员使用：在命令行复核金额" in page and "canlian levy calculate" in page


def test_the_pages_amount_is_what_the_command_line_prints(
    verified: Any, auditor: Any, settings: Any
) -> None:
    # The steps were stored in the language active when the declaration was verified
    # (English in these tests); commands speak the deployment's language.
    settings.LANGUAGE_CODE = "en"
    declaration = verified(kind="institution")
    page = text_of(english(auditor).get(detail_url(declaration)))

    command = re.search(r'<code id="levy-command">([^<]+)</code>', page)
    assert command is not None
    arguments = shlex.split(command.group(1))
    assert arguments[:3] == ["canlian", "levy", "calculate"]
    assert "--province" in arguments and "410825000000" in arguments
    assert arguments[arguments.index("--on") + 1] == DECLARED_ON.isoformat()
    out = io.StringIO()
    call_command(*arguments[1:], stdout=out)
    printed = json.loads(out.getvalue())

    shown = re.search(r'<strong id="amount-due">([^<]+)</strong>', page)
    assert shown is not None
    assert Decimal(shown.group(1).replace(",", "")) == Decimal(printed["amount"])
    assert printed["amount"] == f"{declaration.amount:f}"
    assert printed["tier"] == declaration.tier
    assert [s["text"] for s in printed["steps"]] == [s["text"] for s in declaration.result["steps"]]


def test_verifying_needs_the_documents_confirmed(
    make_employer: Any, make_declaration: Any, county_clerk: Any
) -> None:
    declaration = make_declaration(make_employer())
    response = english(county_clerk).post(
        reverse("levy:declaration_verify", args=[declaration.pk]), {}
    )
    page = text_of(response)
    assert response.status_code == 200
    assert '<a href="#id_verify-checked">' in page
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT


def test_a_refused_verification_is_shown_on_the_page(verified: Any, county_clerk: Any) -> None:
    declaration = verified()
    services.mark_notified(
        declaration=declaration, notified_on=datetime.date.today(), acting_user=county_clerk
    )
    response = english(county_clerk).post(
        reverse("levy:declaration_verify", args=[declaration.pk]), {"verify-checked": "on"}
    )
    assert "The verification result has been issued: the declaration is final." in text_of(response)


def test_an_issued_notice_prints_again_and_each_print_is_logged(
    verified: Any, county_clerk: Any, auditor: Any
) -> None:
    declaration = verified()
    services.mark_notified(
        declaration=declaration, notified_on=datetime.date.today(), acting_user=county_clerk
    )
    page = text_of(english(county_clerk).get(detail_url(declaration)))
    assert "Print the verification result again (PDF)" in page
    assert reverse("levy:declaration_verify", args=[declaration.pk]) not in page
    assert "Change the declaration" not in page

    url = reverse("levy:notice_pdf", args=[declaration.pk])
    for user in (county_clerk, auditor):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    assert Entry.objects.filter(action="levy.verification.print").count() == 2


def test_no_notice_is_printed_before_it_is_issued(verified: Any, county_clerk: Any) -> None:
    declaration = verified()
    response = client_for(county_clerk).get(reverse("levy:notice_pdf", args=[declaration.pk]))
    assert response.status_code == 404
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED


# ---------------------------------------------------------------------------------------------
# Access


def test_other_counties_see_nothing_and_viewers_change_nothing(
    verified: Any, other_county_clerk: Any, auditor: Any, township_officer: Any
) -> None:
    declaration = verified()
    employer = declaration.employer
    other = client_for(other_county_clerk)
    for url in (
        reverse("levy:employer_detail", args=[employer.pk]),
        reverse("levy:employer_edit", args=[employer.pk]),
        reverse("levy:declaration_create", args=[employer.pk]),
        detail_url(declaration),
        reverse("levy:notice_pdf", args=[declaration.pk]),
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("levy:declaration_verify", args=[declaration.pk])).status_code == 404
    assert employer.name not in text_of(other.get(reverse("levy:collection_list")))

    viewer = client_for(auditor)
    assert viewer.get(detail_url(declaration)).status_code == 200
    assert "verify-checked" not in text_of(viewer.get(detail_url(declaration)))
    assert viewer.get(reverse("levy:employer_create")).status_code == 403
    assert viewer.get(reverse("levy:employer_edit", args=[employer.pk])).status_code == 403
    assert (
        viewer.post(
            reverse("levy:declaration_verify", args=[declaration.pk]), {"verify-checked": "on"}
        ).status_code
        == 403
    )

    outsider = client_for(township_officer)
    assert outsider.get(reverse("levy:list")).status_code == 403
    assert outsider.get(reverse("levy:collection_csv")).status_code == 403


def test_verify_and_notice_accept_only_post(verified: Any, county_clerk: Any) -> None:
    declaration = verified()
    client = client_for(county_clerk)
    for name in ("levy:declaration_verify", "levy:notice_issue"):
        assert client.get(reverse(name, args=[declaration.pk])).status_code == 405


def test_the_menu_leads_to_the_levy_for_those_who_may_see_it(
    county_clerk: Any, township_officer: Any
) -> None:
    assert reverse("levy:list") in text_of(english(county_clerk).get(reverse("levy:list")))
    assert 'aria-current="true"' in text_of(
        english(county_clerk).get(reverse("levy:collection_list"))
    )
    assert reverse("levy:list") not in text_of(client_for(township_officer).get("/people/"))


# ---------------------------------------------------------------------------------------------
# The collection list


@pytest.fixture
def two_counties(
    verified: Any, make_employer: Any, make_declaration: Any, other_county_clerk: Any
) -> dict[str, Declaration]:
    wen = verified(name='=HYPERLINK("http://example.invalid")温县公司')
    draft = make_declaration(make_employer(name="温县草稿单位"))
    meng_employer = make_employer(
        name="孟州市皮革厂",
        uscc=make_uscc(900, "410883"),
        place_code=OTHER_COUNTY,
        acting_user=other_county_clerk,
    )
    meng = make_declaration(meng_employer, acting_user=other_county_clerk)
    meng = services.verify(declaration=meng, acting_user=other_county_clerk)
    return {"wen": wen, "draft": draft, "meng": meng}


def test_the_collection_list_shows_the_years_declarations_and_totals_per_county(
    two_counties: dict[str, Declaration], city_staff: Any
) -> None:
    page = text_of(english(city_staff).get(reverse("levy:collection_list"), {"year": YEAR}))
    wen, meng = two_counties["wen"], two_counties["meng"]
    assert wen.amount is not None and meng.amount is not None
    # 温县 6,000 and 孟州市 (no one counted: 3.2 × 60,000 × 90%) 172,800.
    assert f"Collection list for {YEAR}" in page
    assert "温县草稿单位" in page and "孟州市皮革厂" in page
    totals = page[page.index('id="totals-caption"') : page.index("</table>")]
    assert "温县" in totals and "孟州市" in totals
    assert "6,000.00" in totals and "172,800.00" in totals
    assert "178,800.00" in totals  # the grand total
    assert "Reduced (ratio below the floor)" in page

    narrowed = text_of(
        english(city_staff).get(reverse("levy:collection_list"), {"year": YEAR, "county": "410883"})
    )
    listing = narrowed[narrowed.index('id="collection-caption"') :]
    assert "孟州市皮革厂" in listing and "温县草稿单位" not in listing


def test_the_collection_list_exports_csv_with_formula_like_text_made_safe(
    two_counties: dict[str, Declaration], county_clerk: Any
) -> None:
    response = english(county_clerk).get(reverse("levy:collection_csv"), {"year": YEAR})
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:3] == ["County", "Employer", "Unified social credit code"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {'\'=HYPERLINK("http://example.invalid")温县公司', "温县草稿单位"}
    wen = by_name['\'=HYPERLINK("http://example.invalid")温县公司']
    assert wen[0] == "温县" and wen[7] == "6000.00" and wen[6] == "3"
    assert Entry.objects.filter(action="levy.collection.export").count() == 1


def test_the_collection_list_exports_xlsx_with_totals(
    two_counties: dict[str, Declaration], city_staff: Any
) -> None:
    response = english(city_staff).get(reverse("levy:collection_xlsx"), {"year": YEAR})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    listing = book.get_sheet_by_index(0).to_python()
    assert listing[0][1] == "Employer"
    names = [row[1] for row in listing[1:]]
    assert '\'=HYPERLINK("http://example.invalid")温县公司' in names
    assert "孟州市皮革厂" in names
    totals = book.get_sheet_by_index(1).to_python()
    assert totals[-1][0] == "Total" and totals[-1][5] == pytest.approx(178800.0)


def test_the_id_number_in_the_example_hint_is_valid() -> None:
    assert idcard.check(forms.EXAMPLE_LINE.split()[0]).valid


def test_a_veterans_mark_is_read_and_written_back_the_same() -> None:
    number = idcard.build(region_code="410825", birth_date=D(1980, 5, 6), sequence=31)
    text = f"{number} 退役示例 12 36000 是 军人证：豫A123456：3级\n{number} 乙 12 36000 是 军人:1"

    parsed, errors = forms.parse_employees(text, today=D(2026, 6, 1))

    (entry,) = parsed
    assert (entry.employee.certificate_kind, entry.employee.veteran_grade) == ("veteran", 3)
    assert entry.employee.veteran_number == "豫A123456"
    assert [str(e.message) for e in errors] == [
        "Line 2: 军人:1 is not a mark this form knows: see the examples above the box."
    ]
    assert forms.format_employees([entry.employee]).endswith(" 是 军人证：豫A123456：3")


def test_the_birth_and_post_marks_are_read_and_the_post_written_back() -> None:
    number = idcard.build(region_code="410825", birth_date=D(1973, 6, 1), sequence=32)
    text = (
        f"{number} 甲 0 36000 是 干部 在编 出生：1973-06-01\n{number} 乙 12 36000 是 出生:1973-6-1"
    )

    parsed, errors = forms.parse_employees(text, today=D(2026, 6, 1))

    (entry,) = parsed
    assert (entry.employee.female_cadre, entry.employee.birth_date) == (True, D(1973, 6, 1))
    assert (entry.employee.employment, entry.employee.contract_months) == ("established", 0)
    assert [str(e.message) for e in errors] == [
        "Line 2: write the date of birth like 出生:1985-06-01, not 出生:1973-6-1."
    ]
    assert forms.format_employees([entry.employee]).endswith(" 0 36000 是 在编 干部")


def test_the_dispatch_mark_is_read_and_written_back() -> None:
    number = idcard.build(region_code="410825", birth_date=D(1985, 6, 1), sequence=31)
    text = (
        f"{number} 甲 12 36000 是 派遣：91410825MA0000001X：对方\n"
        f"{number} 乙 12 36000 是 派遣:91410825MA0000001X:两家"
    )

    parsed, errors = forms.parse_employees(text, today=D(2026, 6, 1))

    (entry,) = parsed
    assert entry.employee.employment == "dispatched"
    assert (entry.employee.dispatch_partner_uscc, entry.employee.dispatch_counts_here) == (
        "91410825MA0000001X",
        False,
    )
    assert len(errors) == 1 and "Line 2: write a dispatched worker as" in str(errors[0].message)
    assert forms.format_employees([entry.employee]).endswith(" 派遣：91410825MA0000001X：对方")


def test_the_issued_document_is_a_verification_result_not_a_payment_notice(
    verified: Any, county_clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.template.loader import render_to_string

    from canlian.levy.views import notices

    declaration = verified()
    services.mark_notified(
        declaration=declaration, notified_on=datetime.date.today(), acting_user=county_clerk
    )
    rendered: dict[str, str] = {}

    def capture(template: str, context: dict[str, Any], request: Any = None) -> bytes:
        rendered["html"] = render_to_string(template, context, request=request)
        return b"%PDF-"

    monkeypatch.setattr(notices.pdf, "render_pdf", capture)
    response = english(county_clerk).get(reverse("levy:notice_pdf", args=[declaration.pk]))

    assert response.status_code == 200
    page = html.unescape(rendered["html"])
    assert "Verification result of the disabled employees" in page
    assert "This is the verification result, not a payment notice" in page
    assert "Amount computed (for information)" in page
    assert "a surcharge of 5‰ a day" in page and "at most the amount itself" in page
    assert "Please pay" not in page


@pytest.mark.parametrize(
    ("review_days", "capped", "expected", "absent"),
    [
        (30, True, ["(30 days from the date", "at most the amount itself"], []),
        (15, False, ["(15 days from the date"], ["at most the amount itself", "(30 days"]),
        (None, True, ["contact the federation with your labour contracts"], ["days from the"]),
    ],
)
def test_the_review_days_and_the_surcharge_cap_are_dated_parameters(
    verified: Any,
    county_clerk: Any,
    monkeypatch: pytest.MonkeyPatch,
    review_days: int | None,
    capped: bool,
    expected: list[str],
    absent: list[str],
) -> None:
    import dataclasses

    from django.template.loader import render_to_string

    from canlian.levy.formula import PARAMETERS_DIRECTORY
    from canlian.levy.views import notices
    from canlian.lib.parameters import Entry as ParameterEntry
    from canlian.lib.parameters import Parameters, load_directory

    shipped = load_directory(PARAMETERS_DIRECTORY)

    def setting(name: str, value: Any) -> Any:
        entries = (
            (
                ParameterEntry(
                    since=datetime.date(2015, 10, 1), value=value, reference="", sample=True
                ),
            )
            if value is not None
            else ()
        )
        return dataclasses.replace(shipped[name], values=entries, overrides={})

    changed = Parameters(
        {
            **shipped,
            "levy.verification_review_days": setting("levy.verification_review_days", review_days),
            "levy.late_surcharge_capped": setting("levy.late_surcharge_capped", capped),
        }
    )
    monkeypatch.setattr(notices, "load_directory", lambda directory: changed)
    declaration = verified()
    services.mark_notified(
        declaration=declaration, notified_on=datetime.date.today(), acting_user=county_clerk
    )
    rendered: dict[str, str] = {}

    def capture(template: str, context: dict[str, Any], request: Any = None) -> bytes:
        rendered["html"] = render_to_string(template, context, request=request)
        return b"%PDF-"

    monkeypatch.setattr(notices.pdf, "render_pdf", capture)
    english(county_clerk).get(reverse("levy:notice_pdf", args=[declaration.pk]))

    page = " ".join(html.unescape(rendered["html"]).split())
    assert "a surcharge of 5‰ a day" in page
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page


def test_a_veterans_number_is_masked_and_opened_only_through_the_gate(
    make_employer: Any, make_declaration: Any, county_clerk: Any
) -> None:
    veteran = idcard.build(region_code="410825", birth_date=D(1980, 5, 6), sequence=31)
    declaration = make_declaration(
        make_employer(),
        [
            line(
                None, id_number=veteran, name="退役示例", certificate_kind="veteran",
                veteran_number="豫A123456", veteran_grade=3,
            )
        ],
    )  # fmt: skip
    client = english(county_clerk)

    page = text_of(client.get(detail_url(declaration)))
    assert "豫A123456" not in page and "123456" not in page
    assert "********" in page
    assert "Line 1: 退役示例, grade 3" in page  # one box per veteran's line

    # Verified without ticking the box: not seen, recorded with who and when.
    client.post(reverse("levy:declaration_verify", args=[declaration.pk]), {"verify-checked": "on"})
    employee = declaration.employees.get()
    assert (employee.original_seen, employee.original_seen_by) == (False, county_clerk)
    assert "Original not seen: " in text_of(client.get(detail_url(declaration)))
    client.post(
        reverse("levy:declaration_verify", args=[declaration.pk]),
        {"verify-checked": "on", "verify-originals_seen": ["1"]},
    )
    employee.refresh_from_db()
    assert (employee.original_seen, employee.counts) == (True, 2)

    # The change form: the full number only after the gate has recorded the reveal.
    url = reverse("levy:declaration_create", args=[declaration.employer_id])
    form_page = text_of(client.get(url, {"year": YEAR}))
    assert "军人证：豫A123456：3" in form_page  # full-width, as Chinese is written
    entry = Entry.objects.get(action="levy.declaration.edit_open")
    assert entry.detail["fields"] == ["id_number", "veteran_number"]


def test_the_chinese_help_and_errors_write_the_marks_with_full_width_colons() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        help_text = str(forms.DeclarationForm().fields["employees"].help_text)
        _marks, problems = forms.read_marks(["军人证：豫A123456", "出生:1985", "派遣:X:谁"])
    text = help_text + " ".join(problems)
    for mark in (
        "军人证：证号：等级",
        "派遣：信用代码：本单位",
        "派遣：信用代码：对方",
        "出生：1985-06-01",
    ):
        assert mark in text
    # A pattern such as YYYY-MM-DD is not shown: an example date is.
    assert "YYYY" not in text
    for half_width in ("军人证:证号", "派遣:信用代码", "出生:1985-06-01"):
        assert half_width not in text
    # The parser reads both forms (NFKC).
    marks, problems = forms.read_marks(["军人证：豫A123456：3", "派遣:91410825MA0000001X:本单位"])
    assert problems == [] and marks["veteran_grade"] == 3 and marks["dispatch_counts_here"]


def test_one_submit_lists_an_empty_name_and_the_employer_rules_together(
    make_employer: Any, county_clerk: Any
) -> None:
    taken = make_employer()
    response = client_for(county_clerk).post(
        reverse("levy:employer_create"),
        {
            "name": "",
            "uscc": taken.uscc,
            "kind": "enterprise",
            "place_code": COUNTY,
            "contact_phone": "12345",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写用人单位名称。"]
    assert errors["uscc"] == ["已有使用该统一社会信用代码的用人单位登记。"]
    assert errors["contact_phone"] == ["请输入11位手机号码，或带区号的固定电话号码。"]
    page = text_of(response)
    assert 'href="#id_uscc"' in page and 'href="#id_contact_phone"' in page
    assert Employer.objects.count() == 1


def test_one_submit_lists_an_empty_figure_and_the_declaration_rules_together(
    make_employer: Any, make_person: Any, county_clerk: Any
) -> None:
    # The local average wage is left out, the date is before the collection year, and the
    # declared wages add up to more than the total: every problem in one round.
    person = make_person()
    response = client_for(county_clerk).post(
        reverse("levy:declaration_create", args=[make_employer().pk]),
        declaration_post(
            employee_text(person),
            local_average_wage="",
            total_wages="1000",
            declared_on=D(YEAR - 1, 12, 1).isoformat(),
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert len(errors["local_average_wage"]) == 1
    assert errors["declared_on"] == [
        f"{YEAR}年度的申报填报{YEAR - 1}年的数据，应在{YEAR}年或以后申报。"
    ]
    assert errors["total_wages"] == ["申报的残疾职工工资合计超过了工资总额。"]
    page = text_of(response)
    assert 'href="#id_declared_on"' in page and 'href="#id_total_wages"' in page
    assert not Declaration.objects.exists()


def test_the_declaration_rules_wait_for_lines_that_could_not_be_read(
    make_employer: Any, county_clerk: Any
) -> None:
    response = client_for(county_clerk).post(
        reverse("levy:declaration_create", args=[make_employer().pk]),
        declaration_post("不完整的一行", staff=""),
    )
    errors = response.context["form"].errors
    assert len(errors["staff"]) == 1
    assert len(errors["employees"]) == 1  # the line's own problem, no rule guessed on it


def test_each_new_declared_id_number_counts_as_a_search_by_number(
    county_clerk: Any, make_employer: Any, make_person: Any, settings: Any
) -> None:
    """Verification compares each declared number with the registry: a declaration's new
    numbers are look-ups by number, recorded and held to the hourly limit."""
    settings.NUMBER_SEARCHES_PER_HOUR = 2
    employer = make_employer()
    client = english(county_clerk)
    url = reverse("levy:declaration_create", args=[employer.pk])
    first, second, third = make_person(), make_person(), make_person()

    response = client.post(url, declaration_post(employee_text(first, second)))

    assert response.status_code == 302
    searches = Entry.objects.filter(action="search.by_number", actor_id=county_clerk.pk)
    assert [e.detail["where"] for e in searches] == ["levy.declaration"] * 2
    response = client.post(url, declaration_post(employee_text(first, second, third)))
    assert response.status_code == 200
    assert "or certificate number 2 times in the last hour" in text_of(response)
    assert Declaration.objects.get().employees.count() == 2


def test_the_home_page_item_writes_the_year_and_day_without_spaces(
    make_employer: Any, make_declaration: Any, county_clerk: Any
) -> None:
    from django.utils import translation

    from canlian.levy.selectors import todo_groups

    make_declaration(make_employer())
    with translation.override("zh-hans"):
        (group,) = todo_groups(county_clerk, DECLARED_ON)
        details = [str(item.detail) for item in group.items]
    assert details == [f"{YEAR}年度，{DECLARED_ON:%Y-%m-%d}申报"]

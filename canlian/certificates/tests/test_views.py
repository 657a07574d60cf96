"""The certificate pages: a clerk takes a person through every step in the browser's forms;
refusals come back as form errors, never a server error; other counties see nothing."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from canlian.audit.models import Entry
from canlian.certificates import services
from canlian.certificates.models import (
    Application,
    CertificateStatus,
    Institution,
    ObjectionOutcome,
    Status,
)
from canlian.conftest import client_for, opened
from canlian.lib import idcard
from canlian.people.models import LifeStatus, Person
from canlian.people.services import add_years

D = datetime.date
pytestmark = pytest.mark.django_db


def step_url(application: Application, step: str) -> str:
    return reverse("certificates:application_step", args=[application.pk, step])


def post_first_application(client: Any, **overrides: Any) -> Any:
    data = {
        "id_number": idcard.build(region_code="410825", birth_date=D(1982, 7, 9), sequence=31),
        "name": "孙𠀾",
        "ethnicity": "01",
        "place_code": "410825001001",
        "category": "4",
        "applied_by": "self",
        "documents": ["id_card", "household_book", "photos"],
        "received_on": "2025-09-01",
    }
    data.update(overrides)
    return client.post(reverse("certificates:application_create"), data)


def test_a_clerk_takes_an_applicant_to_an_issued_certificate_through_the_pages(
    county_clerk: Any, institution: Institution
) -> None:
    client = client_for(county_clerk)
    response = post_first_application(client)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.name == "孙𠀾"

    response = client.post(
        step_url(application, "book"),
        {"institution": institution.pk, "booked_for": "2025-09-15", "at_home": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        step_url(application, "assess"),
        {
            "assessed_on": "2025-09-15",
            "assessor": "钱医生",
            "category": "4",
            "independence": "partly",
            "assessor_grade": "2",
            "note": "",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("certificates:application_detail", args=[application.pk]))
    text = page.content.decode()
    # The derived grade (3) differs from the assessor's (2): a warning in words, not colour.
    assert "3" in text and ("differs from the grade" in text or "不一致" in text)

    client.post(
        step_url(application, "publicity"), {"starts_on": "2025-09-30", "location": "村委会"}
    )
    application.refresh_from_db()
    assert application.publicity_ends_on == D(2025, 10, 13)

    # Too early: the form shows the rule, nothing is issued.
    response = client.post(
        step_url(application, "review"), {"decision": "approve", "on": "2025-10-13", "reason": ""}
    )
    assert response.status_code == 200
    assert "2025-10-13" in response.content.decode()
    assert 'class="govuk-error-summary' in response.content.decode()
    assert not Person.objects.exists()

    response = client.post(
        step_url(application, "review"), {"decision": "approve", "on": "2025-10-14", "reason": ""}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    person = Person.objects.get()
    assert person.name == "孙𠀾"
    assert person.grade == 2


def test_the_worklist_shows_what_is_due_and_what_is_overdue(
    county_clerk: Any, in_publicity: Any, make_person: Any
) -> None:
    in_publicity()  # publicity ended 2025-10-13, review due 2025-10-27: overdue by now
    make_person(name="钱将到期", certificate_issued_on=datetime.date.today().replace(year=2016))
    client = client_for(county_clerk)
    text = client.get(reverse("certificates:worklist")).content.decode()
    assert "2025-10-27" in text
    assert "overdue" in text or "已逾期" in text
    assert "钱将到期" in text


def test_an_invalid_application_lists_every_problem_and_writes_nothing(county_clerk: Any) -> None:
    client = client_for(county_clerk)
    response = post_first_application(
        client, id_number="410825198207090000", documents=["id_card"], category="5"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('class="govuk-error-message"') >= 3  # ID, documents, guardian
    assert 'href="#id_id_number"' in text
    assert not Application.objects.exists()


def test_another_countys_clerk_gets_not_found(apply_first: Any, other_county_clerk: Any) -> None:
    application = apply_first()
    client = client_for(other_county_clerk)
    assert (
        client.get(reverse("certificates:application_detail", args=[application.pk])).status_code
        == 404
    )
    assert (
        client.post(
            step_url(application, "refuse"), {"on": "2025-09-02", "reason": "x"}
        ).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_cancelling_needs_the_confirmation_box(make_person: Any, county_clerk: Any) -> None:
    holder = make_person()
    client = client_for(county_clerk)
    url = reverse("certificates:cancel", args=[holder.pk])
    on = timezone.localdate() - datetime.timedelta(days=30)
    response = client.post(url, {"reason": "not_meeting", "on": on.isoformat()})
    assert response.status_code == 200
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.ACTIVE
    response = client.post(url, {"reason": "not_meeting", "on": on.isoformat(), "confirm": "on"})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.life_status == LifeStatus.CANCELLED
    page = client.get(reverse("certificates:person", args=[holder.pk])).content.decode()
    # The first day a new application is accepted.
    assert add_years(on, 1).isoformat() in page


def test_a_renewal_from_the_holders_page(make_person: Any, county_clerk: Any) -> None:
    holder = make_person(certificate_issued_on=D(2016, 3, 1))
    client = client_for(county_clerk)
    url = reverse("certificates:application_create") + f"?kind=renewal&person={holder.pk}"
    response = client.post(
        url,
        {
            "applied_by": "guardian",
            "documents": ["id_card", "photos", "old_certificate"],
            "received_on": "2025-12-15",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    response = client.post(step_url(application, "issue"), {"on": "2025-12-20"})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.certificate_expires_on == D(2035, 12, 20)
    assert holder.certificates.filter(status=CertificateStatus.VALID).get().issued_on == D(
        2025, 12, 20
    )


def test_printing_the_certificate_needs_the_reveal_right_and_is_logged(
    issued: Any, county_clerk: Any, township_officer: Any
) -> None:
    application = issued()
    certificate = application.certificates.get()
    url = reverse("certificates:certificate_pdf", args=[certificate.pk])
    assert client_for(township_officer).get(url).status_code == 403
    response = client_for(county_clerk).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert Entry.objects.filter(action="certificate.print", actor=county_clerk).exists()


def test_the_application_form_prints(apply_first: Any, county_clerk: Any) -> None:
    application = apply_first()
    response = client_for(county_clerk).get(
        reverse("certificates:application_pdf", args=[application.pk])
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_person_form_keeps_the_grade_the_certificate_procedures_hold(
    issued: Any, county_clerk: Any
) -> None:
    person = issued().person
    client = client_for(county_clerk)
    url = reverse("people:edit", args=[person.pk])
    page = client.get(url).content.decode()
    select = re.search(r'<select[^>]*name="grade"[^>]*>', page)
    assert select is not None
    assert "disabled" in select.group(0)
    data = {
        "id_number": opened(person), "name": person.name, "ethnicity": person.ethnicity,
        "place_code": person.place_id, "category": "4", "grade": "1",
        "certificate_issued_on": "2020-01-01", "life_status": "active", "phone": "13700000000",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.grade == 2  # the posted grade is ignored: the field is not editable
    assert person.certificate_issued_on == D(2025, 10, 14)
    assert opened(person, "phone") == "13700000000"


@pytest.mark.parametrize(("on", "cancelled"), [("2025-11-17", False), ("2025-11-18", True)])
def test_the_review_of_a_finding_of_no_grade_confirms_it_by_cancelling(
    issued: Any, county_clerk: Any, city_staff: Any, on: str, cancelled: bool
) -> None:
    application = issued()
    objection = services.file_objection(
        application=application, filed_on=D(2025, 10, 21), grounds="不服",
        acting_user=county_clerk, recorded_on=D(2025, 10, 21),
    )  # fmt: skip
    services.decide_objection(
        objection=objection, decided_on=D(2025, 11, 3), outcome=ObjectionOutcome.CHANGED,
        grade=None, note="复评未达标准", acting_user=city_staff,
    )  # fmt: skip
    services.start_publicity(
        application=application, starts_on=D(2025, 11, 4), location="村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    client = client_for(county_clerk)
    page = client.get(step_url(application, "review")).content.decode()
    assert "确认结论并注销残疾人证" in page
    response = client.post(
        step_url(application, "review"), {"decision": "approve", "on": on, "reason": ""}
    )
    certificate = application.person.certificates.get()
    if cancelled:
        assert response.status_code == 302
        assert certificate.status == CertificateStatus.CANCELLED
    else:
        assert response.status_code == 200
        assert "异议期限至2025-11-17" in response.content.decode()
        assert certificate.status == CertificateStatus.VALID


# Half-width punctuation next to Chinese text: "结果: 有效", "遗失, 注销于", "(未成年人…".
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff）][ ]?[:,()]|[:,(][ ]?[\u4e00-\u9fff]")


def _main(page: str) -> str:
    """The page's main content, tags removed."""
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"<[^>]+>", "", main)


def test_chinese_pages_use_full_width_punctuation(issued: Any, county_clerk: Any) -> None:
    application = issued()
    holder = application.person
    replacement = services.submit_application(
        kind="replacement", acting_user=county_clerk, received_on=D(2025, 10, 15),
        applied_by="self", documents=["id_card", "photos", "loss_statement"], person=holder,
        replacement_reason="lost",
    )  # fmt: skip
    services.issue_without_assessment(
        application=replacement, on=D(2025, 10, 15), acting_user=county_clerk
    )
    client = client_for(county_clerk)
    check = client.post(reverse("certificates:card_check"), {"number": f"{opened(holder)}42"})
    pages = {
        "check": _main(check.content.decode()),
        "person": _main(
            client.get(reverse("certificates:person", args=[holder.pk])).content.decode()
        ),
        "detail": _main(
            client.get(
                reverse("certificates:application_detail", args=[application.pk])
            ).content.decode()
        ),
    }
    assert "结果：" in pages["check"]
    assert "，注销于" in pages["person"]
    for name, text in pages.items():
        assert not HALF_WIDTH.findall(text), (name, HALF_WIDTH.findall(text))
    # Nor a blank before a full-width mark where the eye reads it (words only for screen
    # readers left out): "****** ：遗失".
    person = client.get(reverse("certificates:person", args=[holder.pk])).content.decode()
    seen = _main(re.sub(r'<span class="govuk-visually-hidden">[^<]*</span>', "", person))
    assert "******************42：" in seen and not re.search(r"\s[，。：；）]", seen)


def test_one_submit_lists_the_empty_fields_and_the_windows_rules_together(
    county_clerk: Any,
) -> None:
    # The name is empty, the photos are missing, and a proxy brings it without a name: the
    # form's problem and the rules' are on the page together, each on its field.
    response = post_first_application(
        client_for(county_clerk),
        name="",
        applied_by="proxy",
        documents=["id_card", "household_book"],
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["请填写姓名。"]
    assert str(form.errors["documents"][0]).startswith("材料不齐，缺少：")
    assert form.errors["proxy_name"] == ["请输入代办人姓名。"]
    text = response.content.decode()
    assert 'href="#id_documents"' in text and 'href="#id_proxy_name"' in text
    assert not Application.objects.exists()


def test_an_incomplete_submit_does_not_look_the_number_up_on_the_registry(
    make_person: Any, county_clerk: Any
) -> None:
    # The number is a holder's, but the form is incomplete: the registry is not searched by
    # number (nor is anything recorded) until the complete submit.
    number = idcard.build(region_code="410825", birth_date=D(1982, 7, 9), sequence=31)
    make_person(id_number=number, certificate_issued_on=D(2019, 3, 1))
    entries = Entry.objects.count()
    client = client_for(county_clerk)
    with CaptureQueriesContext(connection) as queries:
        response = post_first_application(client, id_number=number, name="")
    form = response.context["form"]
    assert form.errors["name"] and "id_number" not in form.errors
    person_table = Person._meta.db_table
    assert not [
        q["sql"] for q in queries if person_table in q["sql"] and "id_number_index" in q["sql"]
    ]
    assert Entry.objects.count() == entries
    complete = post_first_application(client, id_number=number)
    assert "已持有残疾人证" in str(complete.context["form"].errors["id_number"])


def test_a_rule_on_a_field_with_its_own_problem_waits(county_clerk: Any) -> None:
    # The reception date is malformed: the rules that need it are skipped, not guessed, and
    # its own problem is the only one on it; a wrong ID number is still reported.
    response = post_first_application(
        client_for(county_clerk), received_on="2025-13-01", id_number="410825198207090310"
    )
    form = response.context["form"]
    assert len(form.errors["received_on"]) == 1
    assert "校验" in str(form.errors["id_number"])
    assert "documents" not in form.errors


def test_a_holders_application_lists_field_and_rule_problems_at_once(
    make_person: Any, county_clerk: Any
) -> None:
    holder = make_person(certificate_issued_on=D(2016, 3, 1))
    url = reverse("certificates:application_create") + f"?kind=renewal&person={holder.pk}"
    response = client_for(county_clerk).post(
        url, {"applied_by": "proxy", "documents": ["id_card"], "received_on": ""}
    )
    form = response.context["form"]
    assert form.errors["received_on"] == ["请填写受理日期。"]
    assert form.errors["proxy_name"] == ["请输入代办人姓名。"]
    assert not Application.objects.exists()


def test_the_assessment_form_lists_its_fields_and_the_rules_at_once(
    apply_first: Any, institution: Institution, county_clerk: Any
) -> None:
    application = apply_first()
    services.book_assessment(
        application=application,
        institution=institution,
        booked_for=D(2025, 9, 20),
        at_home=False,
        acting_user=county_clerk,
    )
    # The assessor is left out and the date is before the reception: both in one round.
    response = client_for(county_clerk).post(
        step_url(application, "assess"),
        {"assessed_on": "2025-08-01", "assessor": "", "category": "2", "assessor_grade": "2"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["assessor"] == ["请填写评定医生。"]
    assert form.errors["assessed_on"] == ["日期早于受理日期。"]
    text = response.content.decode()
    assert 'href="#id_assessor"' in text and 'href="#id_assessed_on"' in text
    application.refresh_from_db()
    assert application.status == Status.BOOKED


def test_a_rejection_without_date_or_reason_gets_both_problems_at_once(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    client = client_for(county_clerk)
    response = client.post(
        step_url(application, "review"), {"decision": "reject", "on": "", "reason": ""}
    )
    form = response.context["form"]
    assert set(form.errors) == {"on", "reason"}
    assert "请填写不予通过的原因。" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY


@pytest.mark.parametrize(
    ("step", "button", "tick", "missing"),
    [
        ("withdraw", "撤回申请", "我已确认申请人撤回申请", "请确认撤回申请。"),
        ("refuse", "不予受理", "我已确认不予受理", "请确认不予受理。"),
    ],
)
def test_ending_an_application_asks_for_a_confirmation_and_names_the_action(
    apply_first: Any, county_clerk: Any, step: str, button: str, tick: str, missing: str
) -> None:
    application = apply_first()
    client = client_for(county_clerk)
    text = client.get(step_url(application, step)).content.decode()
    assert tick in text
    assert re.search(rf"<button[^>]*>\s*{button}\s*</button>", text)
    assert ">保存<" not in text
    data = {"on": timezone.localdate().isoformat(), "reason": "申请人书面提出"}
    response = client.post(step_url(application, step), data)
    assert missing in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    response = client.post(step_url(application, step), {**data, "confirm": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status != Status.SUBMITTED

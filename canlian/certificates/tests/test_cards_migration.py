"""The data migration that numbers replacements made before card suffixes existed: in date
order, person by person, each replacement takes the next suffix and cancels the card it
replaced; the registry copies the valid card's suffix."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from canlian.conftest import migrated_to_the_end

D = datetime.date
BEFORE = [
    ("certificates", "0003_issue16_workflow"),
    ("people", "0007_sealed_phones_and_masks"),
]
AFTER = [("certificates", "0004_issue16_cards"), ("people", "0008_issue16_card_suffix")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("flushable_db")
def test_existing_replacements_are_numbered_in_date_order(
    make_person: Any, county_clerk: Any
) -> None:
    one = make_person(certificate_issued_on=D(2019, 3, 1))
    two = make_person(certificate_issued_on=D(2020, 3, 1))
    untouched = make_person(certificate_issued_on=D(2021, 3, 1))
    person_ids = (one.pk, two.pk, untouched.pk)
    apps = _migrate(BEFORE)
    try:
        Application = apps.get_model("certificates", "Application")
        Certificate = apps.get_model("certificates", "Certificate")
        Person = apps.get_model("people", "Person")

        def certificate(person: Any, issue: str, on: D, status: str, reason: str = "") -> Any:
            app = None
            if issue == "replacement":
                app = Application.objects.create(
                    kind="replacement", status="issued", person=person,
                    id_number_cipher=b"", id_number_index="", id_number_masked="*" * 18,
                    name=person.name, sex=person.sex, birth_date=person.birth_date,
                    ethnicity="01", place_id=person.place_id, applied_by="self", category=4,
                    reason=reason, received_on=on, received_by_id=county_clerk.pk,
                    decided_on=on, decided_by_id=county_clerk.pk,
                )  # fmt: skip
            return Certificate.objects.create(
                person=person, category=4, grade=2, issued_on=on, expires_on=D(2029, 3, 1),
                county_id="410825000000", issue=issue, application=app, status=status,
            )  # fmt: skip

        p1, p2, p3 = (Person.objects.get(pk=pk) for pk in person_ids)
        # Written out of date order: the migration numbers by date, not by row.
        certificate(p1, "replacement", D(2024, 6, 1), "valid", "证件损毁")
        certificate(p1, "recorded", D(2019, 3, 1), "superseded")
        certificate(p1, "replacement", D(2022, 5, 1), "superseded", "遗失")
        certificate(p2, "recorded", D(2020, 3, 1), "superseded")
        certificate(p2, "replacement", D(2023, 1, 9), "valid", "")
        certificate(p3, "recorded", D(2021, 3, 1), "valid")
    finally:
        apps = _migrate(AFTER)
        migrated_to_the_end()
    Certificate = apps.get_model("certificates", "Certificate")
    CancelledCard = apps.get_model("certificates", "CancelledCard")
    Person = apps.get_model("people", "Person")
    suffixes = list(
        Certificate.objects.filter(person_id=one.pk)
        .order_by("issued_on")
        .values_list("issue", "card_suffix")
    )
    assert suffixes == [("recorded", 0), ("replacement", 1), ("replacement", 2)]
    cancelled = list(
        CancelledCard.objects.filter(person_id=one.pk)
        .order_by("suffix")
        .values_list("suffix", "reason", "cancelled_on", "cancelled_by_id")
    )
    assert cancelled == [
        (0, "lost", D(2022, 5, 1), county_clerk.pk),
        (1, "damaged", D(2024, 6, 1), county_clerk.pk),
    ]
    assert [Person.objects.get(pk=pk).card_suffix for pk in person_ids] == [2, 1, 0]
    assert not CancelledCard.objects.filter(person_id=untouched.pk).exists()
    assert CancelledCard.objects.get(person_id=two.pk).reason == "lost"  # no reason given

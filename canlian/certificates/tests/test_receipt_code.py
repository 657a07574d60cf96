"""The receipt code of a certificate application: random (not the sequential number), given
whole to the clerk who took the application, on that day only; everyone else, and the taker
on a later day, sees its last two characters. Applications taken before codes existed are
given distinct codes by the migration."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from canlian.certificates.models import Application
from canlian.certificates.tests.test_views import post_first_application
from canlian.conftest import client_for, migrated_to_the_end
from canlian.lib import idcard
from canlian.lib.receipt_codes import ALPHABET

D = datetime.date


def _page(user: Any, application: Application) -> str:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("certificates:application_detail", args=[application.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_each_application_gets_a_random_code_that_is_not_its_number(apply_first: Any) -> None:
    one = apply_first()
    two = apply_first(
        id_number=idcard.build(region_code="410825", birth_date=D(1981, 5, 6), sequence=503),
        name="钱新民",
    )
    for application in (one, two):
        assert len(application.receipt) == 10 and set(application.receipt) <= set(ALPHABET)
        assert application.receipt not in application.number
    assert one.receipt != two.receipt


@pytest.mark.django_db
def test_the_code_is_shown_whole_only_to_the_clerk_who_took_it_that_day(
    apply_first: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = apply_first()
    code = application.receipt
    taker = _page(county_clerk, application)
    assert application.receipt_display in taker and "Receipt code" in taker
    other = _page(city_staff, application)
    assert application.receipt_display not in other and code[:8] not in other
    assert f"*****-***{code[-2:]}" in other
    Application.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    later = _page(county_clerk, application)
    assert application.receipt_display not in later and code[:8] not in later
    assert f"*****-***{code[-2:]}" in later


@pytest.mark.django_db
def test_the_clerk_is_given_the_code_on_taking_the_application(
    places: Any, county_clerk: Any
) -> None:
    client = client_for(county_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_first_application(client)
    application = Application.objects.get()
    assert response.status_code == 302
    text = html.unescape(client.get(response["Location"]).content.decode())
    assert f"Give the applicant its receipt code, {application.receipt_display}" in text


MIGRATED_FROM = [("certificates", "0004_issue16_cards")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("flushable_db")
def test_applications_taken_before_codes_are_given_distinct_codes(county_clerk: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(MIGRATED_FROM)
    try:
        old = executor.loader.project_state(MIGRATED_FROM).apps.get_model(
            "certificates", "Application"
        )
        for n in range(30):
            old.objects.create(
                kind="first", status="submitted", id_number_cipher=b"", id_number_index="",
                id_number_masked="*" * 18, name=f"申请{n}", sex="M", birth_date=D(1980, 1, 1),
                ethnicity="01", place_id="410825001001", applied_by="self", category=4,
                received_on=D(2025, 9, 1), received_by_id=county_clerk.pk,
            )  # fmt: skip
    finally:
        migrated_to_the_end()
    codes = list(Application.objects.values_list("receipt", flat=True))
    assert len(codes) == 30 == len(set(codes))
    assert all(len(c) == 10 and set(c) <= set(ALPHABET) for c in codes)

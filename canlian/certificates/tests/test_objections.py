"""Objections through the services: ten working days, the city then the province, whose
decision is final."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canlian.certificates import services
from canlian.certificates.models import (
    Level,
    ObjectionOutcome,
    Status,
)
from canlian.certificates.tests.conftest import (
    messages_of,
)

D = datetime.date
pytestmark = pytest.mark.django_db


# --- Objections ----------------------------------------------------------------------------


def test_an_objection_after_ten_working_days_is_refused(
    in_publicity: Any, county_clerk: Any
) -> None:
    application = in_publicity()
    with pytest.raises(ValidationError) as exc:
        services.file_objection(
            application=application,
            filed_on=D(2025, 10, 22),
            recorded_on=D(2025, 10, 22),
            grounds="不服评定等级",
            acting_user=county_clerk,
        )
    assert "2025-10-21" in messages_of(exc)
    assert not application.objections.exists()


def test_objections_go_to_the_city_then_the_province_whose_decision_is_final(
    in_publicity: Any, county_clerk: Any, city_staff: Any
) -> None:
    application = in_publicity()
    city = services.file_objection(
        application=application,
        filed_on=D(2025, 10, 21),
        recorded_on=D(2025, 10, 21),
        grounds="不服评定等级",
        acting_user=county_clerk,
    )
    assert city.level == Level.CITY
    application.refresh_from_db()
    assert application.status == Status.OBJECTION
    # Only a city federation officer decides.
    with pytest.raises(PermissionDenied):
        services.decide_objection(
            objection=city, decided_on=D(2025, 10, 30), outcome=ObjectionOutcome.UPHELD,
            grade=None, note="维持", acting_user=county_clerk,
        )  # fmt: skip
    # A review is impossible while the objection is open.
    with pytest.raises(ValidationError):
        services.review(
            application=application, approve=True, on=D(2025, 10, 24), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    services.decide_objection(
        objection=city, decided_on=D(2025, 10, 30), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="复评维持二级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY
    assert services.objection_deadline(application) == (Level.PROVINCE, D(2025, 11, 13))

    province = services.file_objection(
        application=application,
        filed_on=D(2025, 11, 13),
        recorded_on=D(2025, 11, 13),
        grounds="申请省级专家委员会复核",
        acting_user=county_clerk,
    )
    assert province.level == Level.PROVINCE
    services.decide_objection(
        objection=province, decided_on=D(2025, 12, 1), outcome=ObjectionOutcome.CHANGED,
        grade=1, note="省专家委员会认定为一级", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.grade == 1
    assert application.status == Status.ASSESSED  # published again before the review
    assert application.publicity_ends_on is None
    with pytest.raises(ValidationError) as exc:
        services.file_objection(
            application=application, filed_on=D(2025, 12, 2),
            recorded_on=D(2025, 12, 2), grounds="再次异议",
            acting_user=county_clerk,
        )  # fmt: skip
    assert "final" in messages_of(exc) or "最终" in messages_of(exc)
    services.start_publicity(
        application=application, starts_on=D(2025, 12, 2), location="村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    services.review(
        application=application, approve=True, on=D(2025, 12, 15), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.person is not None
    assert application.person.grade == 1
    assert application.assessments.filter(level=Level.PROVINCE, assessor_grade=1).exists()


def test_the_province_must_wait_for_the_city(in_publicity: Any, county_clerk: Any) -> None:
    application = in_publicity()
    services.file_objection(
        application=application,
        filed_on=D(2025, 10, 9),
        recorded_on=D(2025, 10, 9),
        grounds="不服",
        acting_user=county_clerk,
    )
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        services.file_objection(
            application=application, filed_on=D(2025, 10, 10),
            recorded_on=D(2025, 10, 10), grounds="不服",
            acting_user=county_clerk,
        )  # fmt: skip

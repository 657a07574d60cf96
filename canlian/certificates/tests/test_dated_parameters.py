"""The certificate workflow's dated parameters: the shipped files and their sources, and the
renewal window and objection times looked up by the holder's county and the date."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from canlian.certificates import dated, selectors, services
from canlian.certificates.models import Kind, Level, ObjectionOutcome
from canlian.certificates.tests.conftest import holder_application, messages_of
from canlian.lib.parameters import clear_cache

D = datetime.date


@pytest.fixture
def override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Give a parameter a county's own value from a date, in a copy of the shipped files."""
    directory = tmp_path / "parameters"
    shutil.copytree(dated.PARAMETERS_DIRECTORY, directory)
    monkeypatch.setattr(dated, "PARAMETERS_DIRECTORY", directory)

    def write(name: str, prefix: str, value: int, since: str = "2018-01-01") -> None:
        path = directory / f"{name}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8")
            + f'overrides:\n  "{prefix}":\n    - from: {since}\n      value: {value}\n'
            + '      reference: ""\n      sample: true\n',
            encoding="utf-8",
        )

    return write


@pytest.mark.parametrize(
    ("name", "value", "source"),
    [
        (dated.SKIP_MINORS, True, "第九条"),
        (dated.CITY_OBJECTION_DAYS, 10, "第二十五条"),
        (dated.PROVINCE_OBJECTION_DAYS, 10, None),
        (dated.OBJECTION_GRACE_DAYS, 3, None),
        (dated.RENEWAL_WINDOW_DAYS, 90, None),
    ],
)
def test_the_shipped_values_and_their_sources(name: str, value: Any, source: str | None) -> None:
    found = dated.parameters().value(name, on=D(2026, 1, 1), region="410825")
    assert found is not None and found.value == value
    if source is None:
        assert found.sample and found.reference == ""
    else:
        assert source in found.reference and not found.sample


# --- The renewal window --------------------------------------------------------------------

# A certificate issued 2016-03-01 expires 2026-03-01: 90 days before it is 2025-12-01.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "accepted"),
    [
        pytest.param(D(2025, 12, 1), True, id="day-90"),
        pytest.param(D(2025, 11, 30), False, id="day-91"),
    ],
)
def test_the_renewal_window_default(
    make_person: Any, county_clerk: Any, received: D, accepted: bool
) -> None:
    holder = make_person(certificate_issued_on=D(2016, 3, 1))
    if accepted:
        holder_application(county_clerk, holder, Kind.RENEWAL, received_on=received)
    else:
        with pytest.raises(ValidationError) as exc:
            holder_application(county_clerk, holder, Kind.RENEWAL, received_on=received)
        assert "2025-12-01" in messages_of(exc) and "90" in messages_of(exc)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "accepted"),
    [
        pytest.param(D(2025, 12, 31), True, id="day-60"),
        pytest.param(D(2025, 12, 30), False, id="day-61"),
    ],
)
def test_the_renewal_window_of_the_holders_county(
    override: Any, make_person: Any, county_clerk: Any, received: D, accepted: bool
) -> None:
    override(dated.RENEWAL_WINDOW_DAYS, "410825", 60)
    holder = make_person(certificate_issued_on=D(2016, 3, 1))
    if accepted:
        holder_application(county_clerk, holder, Kind.RENEWAL, received_on=received)
    else:
        with pytest.raises(ValidationError) as exc:
            holder_application(county_clerk, holder, Kind.RENEWAL, received_on=received)
        assert "60" in messages_of(exc)


@pytest.mark.django_db
def test_the_renewal_worklist_uses_each_holders_county_window(
    override: Any, make_person: Any, city_staff: Any
) -> None:
    override(dated.RENEWAL_WINDOW_DAYS, "410825", 60)
    today = D(2026, 1, 1)
    wen = "410825001001"  # 60 days: to 2026-03-02
    meng = "410883001001"  # the default 90 days: to 2026-04-01
    listed = [
        make_person(place_code=wen, certificate_issued_on=D(2016, 3, 2)),  # day 60
        make_person(place_code=meng, certificate_issued_on=D(2016, 4, 1)),  # day 90
        make_person(place_code=meng, certificate_issued_on=D(2015, 12, 1)),  # expired
    ]
    left_out = [
        make_person(place_code=wen, certificate_issued_on=D(2016, 3, 3)),  # day 61
        make_person(place_code=meng, certificate_issued_on=D(2016, 4, 2)),  # day 91
    ]
    rows = set(selectors.expiring(city_staff, today))
    assert set(listed) <= rows
    assert not rows & set(left_out)


# --- The objection times -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_city_objection_time_of_the_holders_county(override: Any, in_publicity: Any) -> None:
    override(dated.CITY_OBJECTION_DAYS, "410825", 12)
    application = in_publicity()  # posted 2025-09-30; 10 working days end 2025-10-21
    assert application.objection_due == D(2025, 10, 23)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filed", "accepted"),
    [
        pytest.param(D(2025, 11, 13), True, id="province-day-10"),
        pytest.param(D(2025, 11, 14), False, id="province-day-11"),
    ],
)
def test_the_province_objection_time(
    in_publicity: Any, county_clerk: Any, city_staff: Any, filed: D, accepted: bool
) -> None:
    application = in_publicity()
    city = services.file_objection(
        application=application, filed_on=D(2025, 10, 21), grounds="不服",
        acting_user=county_clerk, recorded_on=D(2025, 10, 21),
    )  # fmt: skip
    services.decide_objection(
        objection=city, decided_on=D(2025, 10, 30), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="维持", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    assert services.objection_deadline(application) == (Level.PROVINCE, D(2025, 11, 13))

    def file() -> Any:
        return services.file_objection(
            application=application, filed_on=filed, grounds="申请省级复核",
            acting_user=county_clerk, recorded_on=filed,
        )  # fmt: skip

    if accepted:
        assert file().level == Level.PROVINCE
    else:
        with pytest.raises(ValidationError):
            file()


@pytest.mark.django_db
def test_the_province_objection_time_of_the_holders_county(
    override: Any, in_publicity: Any, county_clerk: Any, city_staff: Any
) -> None:
    override(dated.PROVINCE_OBJECTION_DAYS, "41", 5)
    application = in_publicity()
    city = services.file_objection(
        application=application, filed_on=D(2025, 10, 21), grounds="不服",
        acting_user=county_clerk, recorded_on=D(2025, 10, 21),
    )  # fmt: skip
    services.decide_objection(
        objection=city, decided_on=D(2025, 10, 30), outcome=ObjectionOutcome.UPHELD,
        grade=None, note="维持", acting_user=city_staff,
    )  # fmt: skip
    application.refresh_from_db()
    # Five working days after Thu 2025-10-30: 31 Oct, 3–6 Nov.
    assert services.objection_deadline(application) == (Level.PROVINCE, D(2025, 11, 6))


# --- The receipt ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_receipt_says_minors_are_not_posted_only_while_the_rule_says_so(
    override: Any, apply_first: Any
) -> None:
    application = apply_first()
    with translation.override("en"):
        assert any("(not for minors)" in step for step in services.next_steps(application))
        override(dated.SKIP_MINORS, "410825", "false")
        clear_cache()
        posted = [s for s in services.next_steps(application) if "is posted" in s]
    clear_cache()
    assert posted and "minors" not in posted[0]

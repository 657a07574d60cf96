"""Minors are in principle not posted (办法 第九条; certificates.publicity.skip_minors): an
applicant under 18 on the conclusion's date goes straight to the county review, due 10 working
days from the conclusion; the clerk may post one all the same, with the reason."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from canlian.audit.models import Entry
from canlian.certificates import dated, selectors, services
from canlian.certificates.models import Document, Status
from canlian.certificates.tests.conftest import ASSESSED_ON, BASIC, messages_of
from canlian.lib import idcard

D = datetime.date
pytestmark = pytest.mark.django_db

# Assessed (the conclusion) on Sat 2025-09-20. Ten working days after it: 22–26, Sun 28 Sep
# (worked), 29, 30 Sep, (1–8 Oct holiday), 9, 10 Oct.
TEN_WORKING_DAYS_AFTER_CONCLUSION = D(2025, 10, 10)


@pytest.fixture
def assessed_born(assessed: Any) -> Any:
    """An application (physical, grade 2) of an applicant born on `born`, with a guardian."""

    def make(born: D, **overrides: Any) -> Any:
        return assessed(
            id_number=idcard.build(region_code="410825", birth_date=born, sequence=503),
            guardian_name="赵母",
            guardian_relation="母亲",
            documents=[*BASIC, Document.GUARDIAN_PROOF],
            **overrides,
        )

    return make


# Both sides of 18 on the conclusion's date.
AGE_CASES = [
    pytest.param(D(2007, 9, 21), True, id="17y364d-not-posted"),
    pytest.param(D(2007, 9, 20), False, id="18-today-posted"),
    pytest.param(D(2007, 9, 19), False, id="18y1d-posted"),
    pytest.param(D(2015, 1, 1), True, id="10-not-posted"),
]


@pytest.mark.parametrize(("born", "minor"), AGE_CASES)
def test_a_minor_on_the_conclusion_date_is_not_posted(
    assessed_born: Any, born: D, minor: bool
) -> None:
    application = assessed_born(born)
    if minor:
        assert application.status == Status.AWAITING_REVIEW
        assert application.review_due == TEN_WORKING_DAYS_AFTER_CONCLUSION
        assert application.concluded_on == ASSESSED_ON
        assert application.objection_due == TEN_WORKING_DAYS_AFTER_CONCLUSION
    else:
        assert application.status == Status.ASSESSED
        assert application.review_due is None
        assert application.concluded_on is None
    assert application.publicity_starts_on is None


def test_a_minor_not_posted_never_reads_as_in_publicity(assessed_born: Any) -> None:
    application = assessed_born(D(2010, 5, 5))
    with translation.override("zh-hans"):
        label = str(application.get_status_display())
    assert "公示中" not in label
    assert application.status != Status.PUBLICITY


def test_a_minor_is_reviewed_from_the_conclusion_and_issued(
    assessed_born: Any, county_clerk: Any
) -> None:
    application = assessed_born(D(2010, 5, 5))
    with pytest.raises(ValidationError) as exc:
        services.review(
            application=application, approve=True, on=D(2025, 9, 19), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    assert "on" in exc.value.message_dict
    services.review(
        application=application, approve=True, on=D(2025, 9, 22), reason="",
        acting_user=county_clerk,
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    assert application.person is not None
    assert application.person.grade == 2


def test_an_unposted_minor_is_on_the_review_worklist_not_the_publicity_one(
    assessed_born: Any, county_clerk: Any
) -> None:
    application = assessed_born(D(2010, 5, 5))
    lists = {w.key: w for w in selectors.worklists(county_clerk, D(2025, 9, 22))}
    assert application in lists["to_review"].rows
    assert application not in lists["to_publish"].rows
    assert application not in lists["in_publicity"].rows


def test_the_clerk_may_post_a_minor_with_a_reason_which_is_audited(
    assessed_born: Any, county_clerk: Any
) -> None:
    application = assessed_born(D(2010, 5, 5))
    with pytest.raises(ValidationError) as exc:
        services.start_publicity(
            application=application, starts_on=D(2025, 9, 30), location="村委会公示栏",
            acting_user=county_clerk,
        )  # fmt: skip
    assert "reason" in exc.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.AWAITING_REVIEW
    services.start_publicity(
        application=application, starts_on=D(2025, 9, 30), location="村委会公示栏",
        acting_user=county_clerk, reason="监护人书面要求公示",
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.PUBLICITY
    assert application.posting_reason == "监护人书面要求公示"
    assert application.review_due == D(2025, 10, 27)
    entry = Entry.objects.get(action="certificate.publicity.minor")
    assert entry.detail["reason"] == "监护人书面要求公示"


def test_an_adult_needs_no_reason_to_be_posted(assessed: Any, county_clerk: Any) -> None:
    application = assessed()
    services.start_publicity(
        application=application, starts_on=D(2025, 9, 30), location="村委会公示栏",
        acting_user=county_clerk,
    )  # fmt: skip
    assert not Entry.objects.filter(action="certificate.publicity.minor").exists()


@pytest.fixture
def minors_posted_in_wen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the parameters where 温县 (410825) posts minors from 2025-09-21."""
    directory = tmp_path / "parameters"
    shutil.copytree(dated.PARAMETERS_DIRECTORY, directory)
    path = directory / f"{dated.SKIP_MINORS}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + 'overrides:\n  "410825":\n    - from: 2025-09-21\n      value: false\n'
        + '      reference: ""\n      sample: true\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(dated, "PARAMETERS_DIRECTORY", directory)


@pytest.mark.parametrize(
    ("assessed_on", "status"),
    [
        pytest.param(D(2025, 9, 20), Status.AWAITING_REVIEW, id="day-before-the-switch"),
        pytest.param(D(2025, 9, 22), Status.ASSESSED, id="switch-off-in-the-county"),
    ],
)
def test_the_switch_is_dated_and_by_county(
    minors_posted_in_wen: None, assessed_born: Any, assessed_on: D, status: str
) -> None:
    application = assessed_born(D(2010, 5, 5), assessed_on=assessed_on)
    assert application.status == status


def test_the_switch_cites_article_nine() -> None:
    value = dated.parameters().value(dated.SKIP_MINORS, on=D(2026, 1, 1), region="410825")
    assert value is not None and value.value is True
    assert "第九条" in value.reference


def test_a_review_of_an_assessed_adult_not_posted_is_refused(
    assessed: Any, county_clerk: Any
) -> None:
    application = assessed()
    with pytest.raises(ValidationError) as exc:
        services.review(
            application=application, approve=True, on=D(2025, 9, 22), reason="",
            acting_user=county_clerk,
        )  # fmt: skip
    assert messages_of(exc)
    application.refresh_from_db()
    assert application.status == Status.ASSESSED

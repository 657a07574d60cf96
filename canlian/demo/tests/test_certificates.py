"""The certificate workflow's demo: every state shown, the registry kept equal to the
certificates, the same seed giving the same applications, and an intact audit chain."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from canlian.accounts.models import User
from canlian.audit.records import verify_chain
from canlian.certificates.models import (
    Application,
    Certificate,
    CertificateStatus,
    Institution,
    Issue,
    Kind,
    Objection,
    Status,
)
from canlian.demo import build as demo
from canlian.demo.certificates import build_certificate_demo
from canlian.people.models import LifeStatus, Person

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
SEED = 41


def build(*, reset: bool = False) -> dict[str, int]:
    """A small registry (300 persons, the demo logins), then the certificate demo on it."""
    demo.build_demo(persons=300, seed=SEED, today=TODAY, reset=reset)
    return build_certificate_demo(
        seed=SEED, acting_user=User.objects.get(username="city"), today=TODAY
    )


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Application.objects.order_by("pk").values_list(
            "kind",
            "status",
            "name",
            "id_number_masked",
            "place_id",
            "category",
            "grade",
            "received_on",
            "publicity_starts_on",
            "decided_on",
            "target_place_id",
        )
    )


@pytest.fixture
def counts() -> dict[str, int]:
    return build()


def test_applications_are_left_in_every_state_of_the_workflow(counts):
    shown = {
        Status.SUBMITTED, Status.BOOKED, Status.ASSESSED, Status.PUBLICITY, Status.OBJECTION,
        Status.ISSUED, Status.COMPLETED, Status.REFUSED, Status.NOT_QUALIFIED, Status.REJECTED,
    }  # fmt: skip
    for status in shown:
        assert counts[status] > 0, status
        assert Application.objects.filter(status=status).count() == counts[status]
    assert 60 <= counts["applications"] == Application.objects.count() <= 120
    assert counts["certificates_cancelled"] == 4
    assert set(Application.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Institution.objects.filter(name__endswith="（示例）").count() == counts["institutions"]


def test_deadlines_fall_on_both_sides_of_today(counts):
    booked = Application.objects.filter(status=Status.BOOKED)
    assert booked.filter(assessments__booked_for__lt=TODAY).exists()
    assert booked.filter(assessments__booked_for__gte=TODAY).exists()
    publicity = Application.objects.filter(status=Status.PUBLICITY)
    assert publicity.filter(publicity_ends_on__gte=TODAY).exists()
    ended = publicity.filter(publicity_ends_on__lt=TODAY)
    assert ended.filter(review_due__lt=TODAY).exists()
    assert ended.filter(review_due__gte=TODAY).exists()
    assert Objection.objects.filter(level="city", decided_on__isnull=True).exists()
    for app in Application.objects.all():
        assert app.received_on <= TODAY
        assert app.decided_on is None or app.received_on <= app.decided_on <= TODAY


def test_the_clerk_logins_have_their_own_applications(counts):
    for username in ("clerk-wenxian", "clerk-mengzhou"):
        clerk = User.objects.get(username=username)
        mine = Application.objects.visible_to(clerk)
        assert mine.filter(received_by=clerk).exists()
        assert {Status.SUBMITTED, Status.BOOKED, Status.PUBLICITY} <= set(
            mine.values_list("status", flat=True)
        )


def test_every_valid_certificate_is_copied_to_its_holder(counts):
    issued = Certificate.objects.exclude(issue=Issue.RECORDED)
    assert issued.filter(issue=Issue.FIRST).exists()
    assert issued.filter(issue=Issue.RENEWAL).exists()
    for certificate in Certificate.objects.filter(status=CertificateStatus.VALID).select_related(
        "person"
    ):
        person = certificate.person
        assert person.life_status == LifeStatus.ACTIVE
        assert (person.category, person.grade) == (certificate.category, certificate.grade)
        assert person.certificate_issued_on == certificate.issued_on
        assert person.certificate_expires_on == certificate.expires_on
    for app in Application.objects.filter(status=Status.ISSUED):
        assert app.certificates.get().status == CertificateStatus.VALID
    cancelled = Certificate.objects.filter(status=CertificateStatus.CANCELLED)
    assert set(cancelled.values_list("person__life_status", flat=True)) == {
        LifeStatus.DECEASED,
        LifeStatus.CANCELLED,
    }
    for app in Application.objects.filter(status=Status.COMPLETED):
        assert app.target_place_id is not None
        assert Person.objects.get(pk=app.person_id).place_id == app.target_place_id


def test_the_same_seed_gives_the_same_applications_after_a_reset(counts):
    first = snapshot()
    again = build(reset=True)  # the reset deletes the workflow's rows before the persons
    assert again == counts
    assert snapshot() == first


def test_the_audit_chain_verifies(counts):
    checked, broken = verify_chain()
    assert broken is None
    assert checked > counts["applications"]


def test_build_demo_runs_the_workflow_demo_on_request_only():
    result = demo.build_demo(persons=150, seed=SEED, today=TODAY)
    assert result["certificates"] == {}
    assert not Application.objects.exists()
    result = demo.build_demo(persons=150, seed=SEED, today=TODAY, reset=True, certificates=True)
    assert result["certificates"]["applications"] == Application.objects.count() > 0

"""`canlian subsidy explain|compute` prints JSON; an unknown ID or a bad month exits 2."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from canlian.audit.models import Entry
from canlian.conftest import opened
from canlian.lib import idcard
from canlian.people import services as people
from canlian.people.models import StatusKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """An English deployment: the commands speak LANGUAGE_CODE (canlian/lib/commands.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def subsidy(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("subsidy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def registered_poor_in_mengzhou(make_person: Any, other_county_clerk: Any) -> Any:
    person = make_person(place_code="410883001001", grade=1)
    people.add_status_period(
        person=person,
        kind=StatusKind.REGISTERED_POOR,
        start=datetime.date(2016, 1, 1),
        end=None,
        acting_user=other_county_clerk,
    )
    return person


def test_explain_prints_each_programme_with_its_conditions(registered_poor_in_mengzhou: Any):
    person = registered_poor_in_mengzhou
    out, _err = subsidy("explain", "--id", opened(person), "--month", "2024-03")
    data = json.loads(out)
    assert data["month"] == "2024-03"
    assert data["person"] == {
        "id": person.pk, "name": person.name, "id_number": person.id_number_masked,
    }  # fmt: skip
    assert set(data["programmes"]) == {"living", "care"}
    care, living = data["programmes"]["care"], data["programmes"]["living"]
    assert (care["eligible"], care["amount"]) == (True, "100.00")
    assert (living["eligible"], living["amount"]) == (False, "0.00")
    for programme in (care, living):
        for condition in programme["conditions"]:
            assert set(condition) == {"key", "name", "passed", "reason"}
            assert isinstance(condition["passed"], bool) and condition["reason"]
    low_income = next(c for c in living["conditions"] if c["key"] == "low_income")
    assert low_income["passed"] is False


def test_explain_logs_the_read(registered_poor_in_mengzhou: Any):
    person = registered_poor_in_mengzhou
    subsidy("explain", "--id", opened(person), "--month", "2024-03")
    entry = Entry.objects.filter(action="benefits.explain").get()
    assert entry.kind == Entry.Kind.ACCESS and entry.source == "cli"
    assert entry.target_id == str(person.pk) and entry.detail == {"month": "2024-03"}


def test_an_unknown_id_exits_2_with_a_message(places: Any):
    number = idcard.build(region_code="410825", birth_date=datetime.date(1980, 1, 1), sequence=7)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("subsidy", "explain", "--id", number, "--month", "2024-03", stderr=err)
    assert exited.value.code == 2
    assert "No person with this ID number" in err.getvalue()
    assert not Entry.objects.filter(action="benefits.explain").exists()


def test_an_invalid_month_exits_2(registered_poor_in_mengzhou: Any):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "subsidy", "explain", "--id", opened(registered_poor_in_mengzhou),
            "--month", "2024-13", stderr=err,
        )  # fmt: skip
    assert exited.value.code == 2
    assert "2024-13 is not a month: write it like 2026-06." in err.getvalue()


def test_a_user_sees_only_their_jurisdiction(registered_poor_in_mengzhou: Any, county_clerk: Any):
    with pytest.raises(SystemExit) as exited:
        subsidy(
            "explain", "--id", opened(registered_poor_in_mengzhou), "--month", "2024-03",
            "--user", county_clerk.username,
        )  # fmt: skip
    assert exited.value.code == 2


def test_compute_prints_counts_and_totals(registered_poor_in_mengzhou: Any, make_person: Any):
    make_person(place_code="410825001001", grade=3)
    out, _err = subsidy("compute", "--month", "2024-03")
    data = json.loads(out)
    assert data["persons"] == 2
    assert data["programmes"]["care"]["eligible"] == 1
    assert data["programmes"]["care"]["total"] == "100.00"
    assert data["programmes"]["living"]["total"] == "0.00"
    out, _err = subsidy("compute", "--month", "2024-03", "--region", "410825")
    assert json.loads(out)["persons"] == 1


def test_compute_keeps_to_the_users_scope(registered_poor_in_mengzhou: Any, county_clerk: Any):
    out, _err = subsidy("compute", "--month", "2024-03", "--user", county_clerk.username)
    assert json.loads(out)["persons"] == 0
    with pytest.raises(SystemExit) as exited:
        subsidy("compute", "--month", "2024-03", "--region", "410883", "--user", "clerk-wen")
    assert exited.value.code == 2


def test_a_subcommand_is_required():
    with pytest.raises(CommandError, match="SUBCOMMAND"):
        subsidy()

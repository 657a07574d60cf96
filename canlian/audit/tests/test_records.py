"""The audit log is append-only and its hash chain exposes any tampering."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from canlian.audit import records
from canlian.audit.models import AppendOnlyError, Entry

pytestmark = pytest.mark.django_db


def _entries(n: int) -> list[Entry]:
    return [
        records.record(acting_user=None, action="test.action", target=None, detail={"i": i})
        for i in range(n)
    ]


def test_each_entry_chains_to_the_previous_one():
    first, second, third = _entries(3)
    assert first.prev_hash == records.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert records.verify_chain() == (3, None)


def test_entries_cannot_be_updated_or_deleted_through_the_application():
    entry = _entries(1)[0]
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    assert Entry.objects.get(pk=entry.pk).action == "test.action"


def test_the_database_refuses_raw_updates_and_deletes():
    entry = _entries(1)[0]
    for sql in (
        "UPDATE audit_entry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_entry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert Entry.objects.get(pk=entry.pk).action == "test.action"


def _disable_guard(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending
        cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
    else:
        cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute("DROP TRIGGER audit_entry_no_delete")


def test_verification_finds_an_entry_altered_behind_the_applications_back():
    entries = _entries(4)
    with connection.cursor() as cursor:
        _disable_guard(cursor)
        cursor.execute(
            "UPDATE audit_entry SET detail = %s WHERE id = %s", ['{"i": 99}', entries[2].pk]
        )
    assert records.verify_chain() == (2, entries[2].pk)


def test_the_source_of_an_entry_is_recorded():
    with records.source("10.0.0.7"):
        entry = records.record(acting_user=None, action="x", target=None, detail={})
    assert entry.source == "10.0.0.7"
    assert records.record(acting_user=None, action="y", target=None, detail={}).source == "cli"


def test_audit_readers_see_their_subtree_and_only_city_readers_see_unregioned_entries(
    audit_admin, county_clerk, make_person
):
    from canlian.accounts.models import User
    from canlian.accounts.roles import Role
    from canlian.accounts.scoping import audit_entries
    from canlian.places.models import Place

    wen = make_person(place_code="410825001001")
    make_person(place_code="410883001001")
    records.record(acting_user=None, action="system.event", target=None, detail={})
    county_auditor = User.objects.create(
        username="county-auditor", role=Role.AUDIT_ADMIN,
        place=Place.objects.get(code="410825000000"),
    )  # fmt: skip
    seen = audit_entries(county_auditor)
    assert {e.target_id for e in seen if e.target_type == "people.person"} == {str(wen.pk)}
    assert not seen.filter(region="").exists()
    assert audit_entries(audit_admin).filter(action="system.event").exists()
    assert audit_entries(county_clerk).count() == 0


def test_entries_written_in_a_batch_verify_like_single_ones() -> None:
    details: list[dict[object, object]] = [
        {"after": {"name": "李𠀾", "grade": 2, "address": 'a "quoted" \\ path\n'}},
        {"changes": {"phone": ["1", None]}, "import": {"file": "名单.xlsx"}},
        {"when": datetime.date(2024, 2, 29), "pair": (1, 2), 3: "int key"},  # not JSON-native
        {},
    ]
    with transaction.atomic(), records.source("10.0.0.1"):
        records.record(acting_user=None, action="before", target=None, detail={"n": 1})
        batch = records.Batch(acting_user=None)
        for n, detail in enumerate(details):
            batch.add(
                action="person.create",
                target_type="people.person",
                target_id=str(n),
                region="410825001001",
                detail=detail,
                native=n < 2,
            )
        batch.flush()
        records.record(acting_user=None, action="after", target=None, detail={})
    assert records.verify_chain() == (6, None)
    stored = Entry.objects.get(action="person.create", target_id="2")
    assert stored.detail == {"when": "2024-02-29", "pair": [1, 2], "3": "int key"}
    assert stored.source == "10.0.0.1"


def test_changes_list_the_fields_that_differ_and_those_asked_for_whatever_their_values() -> None:
    before = {"name": "李一", "grade": 2, "phone": "138****0000"}
    after = {"name": "李一", "grade": 3, "phone": "138****0000", "extra": "x"}
    assert records.changes(before, after, ["name", "grade", "phone"]) == {"grade": [2, 3]}
    assert records.changes(before, after, ["grade", "phone"], also={"phone"}) == {
        "grade": [2, 3],
        "phone": ["138****0000", "138****0000"],
    }
    assert records.changes({}, {"name": "李一", "note": None}, ["name", "note"]) == {
        "name": [None, "李一"]
    }

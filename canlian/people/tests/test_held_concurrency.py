"""Two writers of one person's status periods at once leave the statuses held today as the
periods say (people/held.py): the trigger locks the persons before it reads their periods.

PostgreSQL only: this is where two writers run side by side (SQLite takes one writer at a
time, and its in-memory test database cannot be shared by threads). The PostgreSQL pass of
`.ci/run` runs it; on SQLite the marker `postgresql` deselects it (canlian/conftest.py)."""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from canlian.people.models import Person, StatusKind, StatusPeriod

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("flushable_db"),
]


def test_a_status_added_while_another_writer_waits_is_not_lost(make_person: Any) -> None:
    """One transaction adds 特困 and stays open; another ends nothing but extends the
    person's 低保 period meanwhile, waiting for the first; both commit. The person holds both
    today, and the columns say so."""
    today = timezone.localdate()
    person = make_person()
    dibao = StatusPeriod.objects.create(
        person=person, kind=StatusKind.DIBAO, start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=30),
    )  # fmt: skip
    added = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                StatusPeriod.objects.create(person_id=person.pk, kind=StatusKind.TEKUN, start=today)
                added.set()
                release.wait(timeout=30)
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=first)
    writer.start()
    assert added.wait(timeout=30)

    def second() -> None:
        try:
            StatusPeriod.objects.filter(pk=dibao.pk).update(end=None)
        finally:
            connection.close()

    waiting = threading.Thread(target=second)
    waiting.start()
    time.sleep(0.5)  # the second writer is now waiting for the first one's lock
    release.set()
    writer.join(timeout=30)
    waiting.join(timeout=30)
    assert not failures
    held = Person.objects.values("held_dibao", "held_tekun").get(pk=person.pk)
    assert held == {"held_dibao": True, "held_tekun": True}

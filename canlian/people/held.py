"""The statuses each person holds today, kept on the person by the database.

The registry list's "current status" filter (低保, 特困, …) asks which persons hold a status
today: a status period that has begun and not ended. Asked of the periods, that reads every
person in the jurisdiction (about 400 ms at 1,000,000 persons on PostgreSQL). So each person
carries one column per kind of status (`held_dibao`, …), true when they hold it on the day
in `people_statusday`, with a partial index per kind: the filter reads only the holders.

The database keeps the columns, whatever writes the periods (a form, an import, a bulk
load, raw SQL):

- PostgreSQL: statement triggers on `people_statusperiod` recompute the persons whose periods
  a statement inserted, changed or deleted, for the day (read under a key-share lock, so that
  bringing the day forward waits for them and they for it); TRUNCATE clears every column.
- SQLite: row triggers do the same for the row's person.

The day moves forward at the first request of a new day (`current`): in one transaction,
under an update lock on the day, the persons whose periods began or ended since are
recomputed and the day set to today. The periods remain what the filter means: a day other
than today, a database where the day cannot be moved (a read-only replica), or a table
without its day (emptied by a test's flush) reads the periods, as before.
"""

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError, connection, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from canlian.people.models import StatusDay, StatusKind

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = tuple(StatusKind.values)


def column(kind: str) -> str:
    return f"held_{kind}"


def _sets(day: str, kinds: tuple[str, ...] = KINDS) -> str:
    """The SET list recomputing every kind for the row of people_person being updated, on
    `day` (an SQL expression)."""
    # The kinds are the model's own choices, not input: no value of a request reaches here.
    return ", ".join(
        f"{column(kind)} = EXISTS (SELECT 1 FROM people_statusperiod s "  # noqa: S608
        f"WHERE s.person_id = people_person.id AND s.kind = '{kind}' AND s.start <= {day} "
        f'AND (s."end" IS NULL OR s."end" >= {day}))'
        for kind in kinds
    )


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION people_held_sync() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
    d date;
    ids bigint[];
BEGIN
    SELECT day INTO d FROM people_statusday WHERE id = 1 FOR KEY SHARE;
    IF d IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE people_person SET {clear} WHERE {any};
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT person_id) INTO ids FROM changed;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT person_id) INTO ids
        FROM (SELECT person_id FROM changed UNION SELECT person_id FROM gone) AS both_sides;
    ELSE
        SELECT array_agg(DISTINCT person_id) INTO ids FROM gone;
    END IF;
    -- The persons locked first, in one order, and only then their periods read, by a
    -- statement of its own: it sees what another writer of the same persons committed while
    -- this one waited for the lock (a single UPDATE would read them as they were before).
    PERFORM 1 FROM people_person WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE people_person SET {sets} WHERE id = ANY(ids);
    RETURN NULL;
END
$$;
"""
_PG_TRIGGERS = {
    "insert": "AFTER INSERT ON people_statusperiod REFERENCING NEW TABLE AS changed",
    "update": (
        "AFTER UPDATE ON people_statusperiod REFERENCING OLD TABLE AS gone NEW TABLE AS changed"
    ),
    "delete": "AFTER DELETE ON people_statusperiod REFERENCING OLD TABLE AS gone",
    "truncate": "AFTER TRUNCATE ON people_statusperiod",
}
_SQLITE_DAY = "(SELECT day FROM people_statusday WHERE id = 1)"
_SQLITE_TRIGGERS = {
    "insert": ("INSERT", "id = NEW.person_id"),
    "update": ("UPDATE", "id IN (NEW.person_id, OLD.person_id)"),
    "delete": ("DELETE", "id = OLD.person_id"),
}


def install(schema_editor: BaseDatabaseSchemaEditor, kinds: tuple[str, ...] = KINDS) -> None:
    """The partial indexes and the triggers that keep the columns of `kinds` (idempotent; a
    migration names the kinds its schema has)."""
    run = schema_editor.execute
    postgres = schema_editor.connection.vendor == "postgresql"
    for kind in kinds:
        # The jurisdiction's prefix (LIKE '4108%') needs the pattern operators on PostgreSQL.
        place = "place_id varchar_pattern_ops" if postgres else "place_id"
        run(
            f"CREATE INDEX IF NOT EXISTS people_person_{column(kind)} "
            f"ON people_person ({place}) WHERE {column(kind)}"
        )
    if postgres:
        clear = ", ".join(f"{column(k)} = false" for k in kinds)
        held = " OR ".join(column(k) for k in kinds)
        run(_PG_FUNCTION.format(sets=_sets("d", kinds), clear=clear, any=held))
        for name, when in _PG_TRIGGERS.items():
            run(
                f"CREATE OR REPLACE TRIGGER people_held_{name} {when} "
                "FOR EACH STATEMENT EXECUTE FUNCTION people_held_sync()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for name, (operation, persons) in _SQLITE_TRIGGERS.items():
            run(
                f"CREATE TRIGGER IF NOT EXISTS people_held_{name} AFTER {operation} "  # noqa: S608
                f"ON people_statusperiod WHEN {_SQLITE_DAY} IS NOT NULL BEGIN "
                f"UPDATE people_person SET {_sets(_SQLITE_DAY, kinds)} WHERE {persons}; END"
            )


def uninstall(schema_editor: BaseDatabaseSchemaEditor, kinds: tuple[str, ...] = KINDS) -> None:
    run = schema_editor.execute
    for kind in kinds:
        run(f"DROP INDEX IF EXISTS people_person_{column(kind)}")
    if schema_editor.connection.vendor == "postgresql":
        run("DROP FUNCTION IF EXISTS people_held_sync() CASCADE")
    elif schema_editor.connection.vendor == "sqlite":
        for name in _SQLITE_TRIGGERS:
            run(f"DROP TRIGGER IF EXISTS people_held_{name}")


def recompute_all(
    schema_editor: BaseDatabaseSchemaEditor, day: datetime.date, kinds: tuple[str, ...] = KINDS
) -> None:
    """Set the day and every person's columns for it (the migration that adds them)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_statusday")
        cursor.execute("INSERT INTO people_statusday (id, day) VALUES (1, %s)", [day])
        cursor.execute(
            f"UPDATE people_person SET {_sets('%s', kinds)} "  # noqa: S608
            "WHERE id IN (SELECT person_id FROM people_statusperiod)",
            [day, day] * len(kinds),
        )


def current(today: datetime.date) -> bool:
    """Whether the columns are for `today`, after moving them there from an earlier day."""
    day = StatusDay.objects.filter(pk=1).values_list("day", flat=True).first()
    if day == today:
        return True
    if day is None or day > today:
        return False  # emptied, or set ahead by a clock since put back: the periods are read
    try:
        with transaction.atomic():
            # Not waiting: a write of the periods in flight (an import across midnight) holds
            # the day; this request reads the periods and a later one moves it.
            day = (
                StatusDay.objects.select_for_update(nowait=True)
                .filter(pk=1)
                .values_list("day", flat=True)
                .first()
            )
            if day is None or day > today:
                return False
            if day < today:
                _move(day, today)
    except DatabaseError:  # the day held by a writer, or a read-only replica
        log.info("people: the statuses held could not be brought to %s now", today)
        return False
    return True


def _move(day: datetime.date, today: datetime.date) -> None:
    """Recompute, for `today`, the persons whose periods began after `day` or ended before
    `today` from `day` on: the only ones whose columns can differ between the two days."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_statusday SET day = %s WHERE id = 1", [today])
        cursor.execute(
            f"UPDATE people_person SET {_sets('%s')} "  # noqa: S608
            "WHERE id IN (SELECT person_id FROM people_statusperiod "
            'WHERE (start > %s AND start <= %s) OR ("end" >= %s AND "end" < %s))',
            [today, today] * len(KINDS) + [day, today, day, today],
        )

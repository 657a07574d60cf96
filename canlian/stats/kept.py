"""Figures' results kept until what they count changes (docs/statistics.md, decision 0024).

A figure that names its ``sources`` (the models whose tables its rows read) has its rows for
a query computed once and kept in the database (:class:`~canlian.stats.models.Kept`), with
the *generation* of each source at the time: how many transactions had changed that table.
The next request for the same query reads the kept rows while every source's generation is
still the same; a change to any source makes the next request compute again. So a kept
result is always what computing would give now.

The generations are counted by the database itself, whatever wrote to the table (the ORM, a
bulk update, COPY, raw SQL, a restore):

- PostgreSQL: a statement trigger on each source adds a row to ``stats_change`` once per
  transaction (a transaction-local setting remembers it). Inserting waits on no other writer,
  so two clerks saving at once never queue behind each other; the row becomes visible with
  the transaction's own changes, atomically. The generation is the number of rows of the
  source folded into ``stats_generation`` plus those still in ``stats_change``.
- SQLite: a row trigger adds one to the source's ``stats_generation`` (SQLite has one writer
  at a time).

A result is kept only if the generations read before and after computing it are the same:
no change to a source committed meanwhile, so every statement of the computation saw the
same data the generation names. Reading the generation also clears this session's "already
counted" settings, so a transaction that writes again after reading figures counts again.

The key holds the figure, the query (region, day or period, breakdown, cell), today's date
(a figure may count relative to today) and a digest of Canlian's code and parameter files as
the process loaded them; every `migrate` forgets all kept results.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import functools
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from canlian.stats.models import Kept

if TYPE_CHECKING:
    from canlian.stats.catalogue import Figure, Query, Row

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent.parent
# Rows of stats_change folded into stats_generation once a source has this many.
FOLD_AT = 500

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION stats_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF current_setting('canlian.changed_' || TG_TABLE_NAME, true) IS DISTINCT FROM 'y' THEN
        INSERT INTO stats_change (source) VALUES (TG_TABLE_NAME);
        PERFORM set_config('canlian.changed_' || TG_TABLE_NAME, 'y', true);
    END IF;
    RETURN NULL;
END
$$;
"""
_PG_TRIGGER = (
    "CREATE OR REPLACE TRIGGER stats_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON {table} FOR EACH STATEMENT EXECUTE FUNCTION stats_changed()"
)
_SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS stats_changed_{name}_{operation} AFTER {operation} ON {table} "
    "BEGIN INSERT INTO stats_generation (source, n) VALUES ('{name}', 1) "
    "ON CONFLICT (source) DO UPDATE SET n = n + 1; END"
)
# One statement, so one snapshot: the folded count plus the changes not yet folded; and this
# session's "already counted" settings cleared.
_PG_GENERATION = """
SELECT s,
       COALESCE((SELECT n FROM stats_generation g WHERE g.source = s), 0),
       (SELECT count(*) FROM stats_change c WHERE c.source = s),
       set_config('canlian.changed_' || s, '', true)
FROM unnest(%s::text[]) AS s
"""
_PG_FOLD = """
WITH moved AS (DELETE FROM stats_change WHERE source = ANY(%s) RETURNING source)
INSERT INTO stats_generation (source, n) SELECT source, count(*) FROM moved GROUP BY source
ON CONFLICT (source) DO UPDATE SET n = stats_generation.n + EXCLUDED.n
"""


def tables(models: Iterable[type[Model]]) -> list[str]:
    return sorted({model._meta.db_table for model in models})


def install(sources: Iterable[str], using: BaseDatabaseWrapper | None = None) -> None:
    """Count the changes of every table in `sources` (idempotent)."""
    db = using or connection
    present = set(db.introspection.table_names())
    names = sorted(set(sources) & present)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for name in names:
                cursor.execute(_PG_TRIGGER.format(table=db.ops.quote_name(name)))
        elif db.vendor == "sqlite":
            for name in names:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        _SQLITE_TRIGGER.format(
                            name=name, operation=operation, table=db.ops.quote_name(name)
                        )
                    )


def installed(using: BaseDatabaseWrapper | None = None) -> set[str]:
    """The tables whose changes are counted."""
    db = using or connection
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'stats_changed'"
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'stats_changed_%%'"
        )
        return {row[0] for row in cursor.fetchall()}


def generation(sources: Sequence[str]) -> tuple[str, int]:
    """The generations of `sources` as one text, and how many changes wait to be folded."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_GENERATION, [list(sources)])
            found = {name: (folded + waiting, waiting) for name, folded, waiting, _ in cursor}
        else:
            marks = ", ".join(["%s"] * len(sources))
            cursor.execute(
                f"SELECT source, n FROM stats_generation WHERE source IN ({marks})",  # noqa: S608
                list(sources),
            )
            found = {name: (n, 0) for name, n in cursor}
    counts = [found.get(name, (0, 0)) for name in sources]
    text = ",".join(f"{name}:{n}" for name, (n, _) in zip(sources, counts, strict=True))
    return text, sum(waiting for _, waiting in counts)


def fold(sources: Sequence[str]) -> None:
    """Move the waiting changes of `sources` into their folded counts (PostgreSQL), in one
    statement: every generation stays what it was."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # folded by a later request: a caller's transaction is not held up by it
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_PG_FOLD, [list(sources)])
    except DatabaseError:  # e.g. a read-only replica: nothing is lost, the rows wait
        log.warning("stats: changes could not be folded", exc_info=True)


def forget(using: str = "default") -> int:
    """Forget every kept result; how many there were."""
    count, _ = Kept.objects.using(using).all().delete()
    return count


def rows(figure: Figure, query: Query) -> list[Row]:
    """The figure's rows for `query`: kept ones while its sources are unchanged, otherwise
    computed (and kept when nothing changed meanwhile)."""
    sources = tables(figure.sources_of(query))
    if not sources or not settings.STATS_KEEP:
        return figure.rows(query)
    key = digest(figure, query)
    before, waiting = generation(sources)
    found = Kept.objects.filter(key=key, generation=before).values_list("rows", flat=True).first()
    if found is not None:
        try:
            return decode(found)
        except (ValueError, TypeError):
            log.warning("stats: a kept result of %s could not be read", figure.id)
    start = time.perf_counter()
    computed = figure.rows(query)
    seconds = time.perf_counter() - start
    after, waiting = generation(sources)
    # The same tables still read for the query (e.g. no snapshot went), none changed.
    if after == before and tables(figure.sources_of(query)) == sources:
        _keep(key, figure.id, before, computed, seconds)
    if waiting >= FOLD_AT:
        fold(sources)
    return computed


def _keep(key: str, figure_id: str, generation: str, found: list[Row], seconds: float) -> None:
    try:
        text = encode(found)
    except (TypeError, ValueError):
        log.warning("stats: a result of %s cannot be kept", figure_id, exc_info=True)
        return
    kept = Kept(
        key=key,
        figure=figure_id,
        generation=generation,
        rows=text,
        computed_at=timezone.now(),
        seconds=seconds,
    )
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        with _briefly_waiting(), transaction.atomic():
            # Kept before today: today's date is in the key, so never read again.
            Kept.objects.filter(computed_at__lt=today).delete()
            Kept.objects.bulk_create(
                [kept],
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["figure", "generation", "rows", "computed_at", "seconds"],
            )
    except DatabaseError:  # e.g. a read-only replica: the result is still right, only not kept
        log.warning("stats: a result of %s could not be kept", figure_id, exc_info=True)


@functools.cache
def _code() -> str:
    """Canlian's code and parameter files as this process loaded them: a result kept by one
    version (or with other parameters, which each process reads once) is not read by
    another, even before `migrate` forgets them."""
    digest = hashlib.sha256()
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("parameters/**/*.yaml")]):
        if "tests" in path.relative_to(PACKAGE).parts:
            continue
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _briefly_waiting() -> Iterator[None]:
    """SQLite has one writer: keeping a result waits at most a moment for it (an import may
    hold it for seconds) rather than holding up the page."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (configured,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 100")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(configured)}")


def digest(figure: Figure, query: Query) -> str:
    described = {
        "figure": figure.id,
        "region": query.region,
        "as_of": query.as_of,
        "start": query.start,
        "end": query.end,
        "by": list(query.by),
        "cell": sorted((str(k), v) for k, v in query.cell.items()),
        "today": timezone.localdate(),
        "code": _code(),
    }
    text = json.dumps(described, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _tagged(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return {"$date": value.isoformat()}
    raise TypeError(f"a figure's row holds {type(value).__name__}")


def _untagged(value: dict[str, Any]) -> Any:
    if "$decimal" in value:
        return decimal.Decimal(value["$decimal"])
    if "$date" in value:
        return datetime.date.fromisoformat(value["$date"])
    return value


def encode(found: list[Row]) -> str:
    return json.dumps(found, default=_tagged, ensure_ascii=False)


def decode(text: str) -> list[Row]:
    decoded: list[Row] = json.loads(text, object_hook=_untagged)
    return decoded

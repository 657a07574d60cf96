"""Time a month's payment rolls end to end, against a bare floor, OpenFisca and a plain loop.

Usage: python bench/payroll_month.py [--persons 100000] [--database-url URL] [--month 2026-11]
                                     [--skip-openfisca] [--reuse] [--profile]

Builds a demo registry of --persons on a fresh database (SQLite in a temporary folder unless
--database-url is given; `canlian demo` enrols everyone eligible last month and approves last
month's rolls), then, in one process on that population:

- `canlian payroll generate --month M` as a subprocess, wall clock (start-up included), and
  `rolls.generate` in process with the time of each of its stages; three runs each, the
  month's draft rolls deleted (and the enrolments' back pay unsettled again) between runs;
- `eligibility.decide` alone (the columnar rules) on the population `rolls` reads;
- **the floor**: the same inputs read by one query each (enrolments with their persons; status
  periods), on PostgreSQL `COPY (SELECT …) TO STDOUT (FORMAT binary)` straight into numpy,
  the rules in plain numpy, and the lines (and stops) written to a TEMP table shaped like
  benefits_line without its constraints (COPY on PostgreSQL, executemany on SQLite);
- **OpenFisca** (openfisca-core): the same rules in a minimal TaxBenefitSystem (entity Person,
  the county's amounts and extensions as parameters looked up by county and grade), the same
  population set as input arrays, `calculate` of the two subsidies;
- **a plain per-person Python loop** over dicts;
- one person's explanation (`explain`, median over 200 persons).

It checks that the implementations agree (eligible persons and total per programme; lines and
total of the floor against the generated rolls) and appends the figures to bench/RESULTS.md.
--reuse skips migrate and demo (the database is loaded already); --profile prints a cProfile of
one more `generate` to stderr; --note adds a line to the record; --no-record only prints.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import postgres_version, record  # noqa: E402

REPEAT = 3


def ensure_openfisca() -> None:
    """Install openfisca-core unless importable (benchmark only, not a project dependency)."""
    if importlib.util.find_spec("openfisca_core"):
        return
    print("installing openfisca-core (benchmark only, not a project dependency) …")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "openfisca-core"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--skip-openfisca", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--note", action="append", default=[], help="a line added to the record")
    parser.add_argument("--no-record", action="store_true", help="print, do not append")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        # The database in a folder of its own: the keys ({tmp}/keys) may not lie beside it.
        Path(tmp, "db").mkdir()
        url = args.database_url or f"sqlite:///{tmp}/db/bench.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CANLIAN_KEY_DIR": f"{tmp}/keys",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        if args.reuse and "CANLIAN_KEY_DIR" in os.environ:
            env["CANLIAN_KEY_DIR"] = os.environ["CANLIAN_KEY_DIR"]
        canlian = [sys.executable, "-m", "canlian.cli"]
        demo_seconds = None
        if not args.reuse:
            subprocess.run([*canlian, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
            start = time.perf_counter()
            subprocess.run(
                [*canlian, "demo", "--persons", str(args.persons)],
                env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            demo_seconds = time.perf_counter() - start
            print(f"demo --persons {args.persons}: {demo_seconds:.1f} s", file=sys.stderr)
        if not args.skip_openfisca:
            ensure_openfisca()
        load_before = os.getloadavg()[0]
        child = [sys.executable, __file__, "--measure", "--month", args.month]
        child += ["--skip-openfisca"] if args.skip_openfisca else []
        child += ["--profile"] if args.profile else []
        out = subprocess.run(
            child, env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    db = postgres_version(url) if url.startswith("postgres") else "SQLite"
    lines = report(figures, db, args.month, demo_seconds)
    lines.append(
        f"load average (1 min) {load_before:.1f} before the measurements, "
        f"{os.getloadavg()[0]:.1f} after (2 cores; other work on the machine slows every figure)"
    )
    lines += args.note
    for line in lines:
        print(line)
    if not args.no_record:
        record(f"Payment rolls for one month, {figures['persons']:,} persons ({db})", lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def runs(times: list[float]) -> str:
    return f"median {ms(statistics.median(times))} (runs: {', '.join(ms(t) for t in times)})"


def report(f: dict[str, Any], db: str, month: str, demo_seconds: float | None) -> list[str]:
    gen = statistics.median(f["generate"])
    decide = statistics.median(f["decide"])
    out = [
        f"registry: {f['persons']:,} persons (demo) on {db}; {f['enrolments']:,} enrolments "
        f"active in {month}, {f['population']:,} distinct enrolled persons"
        + (f"; demo load {demo_seconds:.1f} s" if demo_seconds is not None else ""),
        f"rolls made: {f['summary']['rolls']} rolls, {f['summary']['lines']:,} lines "
        f"({f['summary']['back_pay_lines']} back pay), {f['summary']['total']} yuan, "
        f"{f['stops']:,} stops, {f['summary']['recoveries']} recoveries opened",
        f"`canlian payroll generate --month {month}` (subprocess, wall clock, start-up "
        f"included): {runs(f['cli'])}; the command's start-up alone (Django, imports; a "
        f"refused month): {runs(f['startup'])}",
        f"`rolls.generate` in process: {runs(f['generate'])}; stages of the median run: "
        + ", ".join(f"{name} {ms(t)}" for name, t in f["stages"]),
        f"`eligibility.decide` alone on the {f['population']:,} enrolled persons: "
        f"{runs(f['decide'])}; `rolls.reading.read` (the two queries into numpy): "
        f"{runs(f['read'])}",
        f"floor (one query each for enrolments+persons and status periods"
        f"{', COPY binary into numpy' if db.startswith('Postgre') else ''}, plain numpy rules, "
        f"lines and stops into a TEMP table{' by COPY' if db.startswith('Postgre') else ''}): "
        f"{runs(f['floor'])}; stages of the median run: "
        + ", ".join(f"{name} {ms(t)}" for name, t in f["floor_stages"])
        + f"; generate / floor = {gen / statistics.median(f['floor']):.1f}",
    ]
    of = f.get("openfisca")
    if of is None:
        out.append(f"OpenFisca: not measured ({f.get('openfisca_note', '--skip-openfisca')})")
    else:
        calc = statistics.median(of["calculate"])
        out.append(
            f"OpenFisca {of['version']} (the same rules as a TaxBenefitSystem, county parameters "
            f"by fancy indexing): `calculate` both subsidies {runs(of['calculate'])}; building "
            f"the simulation and set_input {runs(of['build'])}; preparing the input columns "
            f"from status periods {ms(of['prepare'])}; calculate / decide = {calc / decide:.1f}, "
            f"calculate / generate = {calc / gen:.2f}"
        )
    loop = statistics.median(f["loop"])
    out.append(
        f"plain Python loop over per-person dicts (if/else per condition): {runs(f['loop'])} "
        f"(building the dicts {ms(f['loop_build'])}); loop / decide = {loop / decide:.1f}, "
        f"loop / generate = {loop / gen:.2f}"
    )
    out.append(f"one person's explanation (`explain`, reading the person included): {f['explain']}")
    out.append(
        "agreement (eligible persons, total yuan per programme): "
        + "; ".join(
            f"{name}: " + ", ".join(f"{p} {n:,} / {fen / 100:.2f}" for p, (n, fen) in sums.items())
            for name, sums in f["agreement"].items()
        )
    )
    out += [f"WARNING: {warning}" for warning in f["warnings"]]
    if not f["warnings"]:
        out.append("the implementations agree (persons, amounts, lines, totals)")
    targets = {"SQLite": 3.0, "PostgreSQL": 3.0 if f["persons"] < 500_000 else 10.0}
    target = targets["SQLite" if db == "SQLite" else "PostgreSQL"]
    out.append(
        f"target: {f['persons']:,} persons < {target:.0f} s end to end: CLI median "
        f"{ms(statistics.median(f['cli']))}, in process {ms(gen)}: "
        + ("met" if statistics.median(f["cli"]) < target else "NOT met")
    )
    return out


# --- In the measuring process (Django set up) -------------------------------------------------


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from canlian.accounts.operator import CommandLineOperator
    from canlian.benefits import eligibility
    from canlian.benefits.models import Enrolment
    from canlian.payroll import rolls
    from canlian.payroll.management.commands.payroll import OPERATOR_PAYROLL
    from canlian.payroll.models import Line, Recovery, Stop
    from canlian.payroll.rolls import reading
    from canlian.people.models import Person

    month = eligibility.Month.parse(args.month)
    user = CommandLineOperator(perms=OPERATOR_PAYROLL)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    persons = Person.objects.count()
    enrolments = Enrolment.objects.count()
    if not enrolments:
        sys.exit("The demo made no enrolments (it enrols from 10,000 persons): use more persons.")
    unsettled = list(Enrolment.objects.filter(back_pay_settled=False).values_list("pk", flat=True))
    highest_recovery = max(Recovery.objects.order_by("-pk").values_list("pk", flat=True)[:1] or [0])

    def reset() -> None:
        drafts = "SELECT id FROM benefits_roll WHERE month = %s AND status = 'draft'"
        day = month.first
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM benefits_recovery WHERE id > %s", [highest_recovery])
            cursor.execute(f"DELETE FROM benefits_stop WHERE roll_id IN ({drafts})", [day])
            cursor.execute(f"DELETE FROM benefits_line WHERE roll_id IN ({drafts})", [day])
            for at in range(0, len(unsettled), 5000):
                chunk = unsettled[at : at + 5000]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "UPDATE benefits_enrolment SET back_pay_settled = %s, settled_by_id = NULL "
                    f"WHERE id IN ({marks})",
                    [False, *chunk],
                )
            cursor.execute("DELETE FROM benefits_roll WHERE month = %s AND status = 'draft'", [day])
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE benefits_line")
                cursor.execute("VACUUM ANALYZE benefits_stop")
                cursor.execute("VACUUM ANALYZE benefits_enrolment")

    reset()
    result: dict[str, Any] = {"persons": persons, "warnings": []}

    # 1. The command, as an operator runs it.
    env = dict(os.environ)
    result["cli"] = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "canlian.cli", "payroll", "generate", "--month", str(month)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        result["cli"].append(time.perf_counter() - start)
        result["summary"] = json.loads(out.stdout.strip().splitlines()[-1])
        reset()
    log(f"cli {result['cli']}")
    result["startup"] = []
    for _ in range(REPEAT):  # start-up only: an invalid month is refused after it
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "canlian.cli", "payroll", "generate", "--month", "2026-13"],
            env=env, cwd=ROOT, check=False, capture_output=True,
        )  # fmt: skip
        result["startup"].append(time.perf_counter() - start)

    # 2. In process, with the stages.
    result["generate"], all_stages = [], []
    for i in range(REPEAT):
        marks: list[tuple[str, float]] = []
        start = time.perf_counter()
        rolls.generate(
            month=month,
            acting_user=user,
            on_stage=lambda name, marks=marks: marks.append((name, time.perf_counter())),
        )
        end = time.perf_counter()
        result["generate"].append(end - start)
        points = [("set-up", start), *marks, ("", end)]
        all_stages.append(
            [(name, points[k + 1][1] - at) for k, (name, at) in enumerate(points[:-1])]
        )
        if i < REPEAT - 1:
            reset()
    log(f"generate {result['generate']}")
    median_run = sorted(range(REPEAT), key=lambda k: result["generate"][k])[REPEAT // 2]
    # The last stage reported ends when generate returns: it holds the commit.
    result["stages"] = [
        ("recoveries and commit" if name == "recoveries" else name, t)
        for name, t in all_stages[median_run]
    ]
    generated: dict[str, list[int]] = {}
    for programme, amount in Line.objects.filter(
        roll__month=month.first, roll__status="draft", kind="regular"
    ).values_list("programme", "amount"):
        sums = generated.setdefault(programme, [0, 0])
        sums[0] += 1
        sums[1] += int(amount * 100)
    result["stops"] = Stop.objects.filter(roll__month=month.first, roll__status="draft").count()
    result["enrolments"] = int(
        Enrolment.objects.filter(start_month__lte=month.last).filter(status="active").count()
    )
    if args.profile:
        reset()
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        rolls.generate(month=month, acting_user=user)
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    reset()

    # 3. The rules alone, on the population generate reads.
    params = eligibility.load_parameters()
    county_list = rolls.counties_for(None, user)
    result["read"] = timed(lambda: reading.read(month, county_list), REPEAT)
    enrolled = reading.read(month, county_list)
    population = enrolled.population
    result["population"] = len(population)
    result["decide"] = timed(lambda: eligibility.decide(population, month, params), REPEAT)
    decided = eligibility.decide(population, month, params)
    agreement: dict[str, dict[str, tuple[int, int]]] = {
        "eligibility.decide": {
            p: (int(d.eligible.sum()), int(d.amount.sum())) for p, d in decided.items()
        }
    }
    log(f"decide {result['decide']}")

    # 4. The floor.
    floor_times, floor_stages, floor_lines = [], [], {}
    for _ in range(REPEAT):
        start = time.perf_counter()
        stages, floor_lines = floor(month, params)
        floor_times.append(time.perf_counter() - start)
        floor_stages.append(stages)
    result["floor"] = floor_times
    median_run = sorted(range(REPEAT), key=lambda k: floor_times[k])[REPEAT // 2]
    result["floor_stages"] = floor_stages[median_run]
    log(f"floor {floor_times}")
    for programme in sorted(set(generated) | set(floor_lines)):
        if tuple(generated.get(programme, [0, 0])) != tuple(floor_lines.get(programme, (0, 0))):
            result["warnings"].append(
                f"{programme}: generate made {generated.get(programme)} regular lines (count, "
                f"fen), the floor {floor_lines.get(programme)}"
            )
    agreement["regular lines, generate"] = {p: tuple(v) for p, v in generated.items()}
    agreement["regular lines, floor"] = dict(floor_lines)

    # 5. OpenFisca.
    regions = sorted({str(r) for r in population.region.tolist()})
    rules = {region: eligibility.rules_for(params, region, month) for region in regions}
    if not args.skip_openfisca:
        try:
            result["openfisca"], agreement["OpenFisca"] = openfisca(population, month, rules)
            log(f"openfisca {result['openfisca']}")
        except ImportError as error:
            result["openfisca_note"] = f"openfisca-core not importable: {error}"

    # 6. A plain loop.
    start = time.perf_counter()
    people = loop_people(population)
    result["loop_build"] = time.perf_counter() - start
    loop_rules = {region: plain_rules(r) for region, r in rules.items()}
    sums: dict[str, tuple[int, int]] = {}
    result["loop"] = timed(lambda: sums.update(plain_loop(people, loop_rules, month)), REPEAT)
    agreement["plain loop"] = sums
    log(f"loop {result['loop']}")

    # 7. One person's explanation.
    import random

    from common import summary

    sample = random.Random(7).sample(enrolled.person_ids.tolist(), min(200, len(population)))
    eligibility.explain(Person.objects.get(pk=sample[0]), month)
    explain_times = []
    for pk in sample:
        start = time.perf_counter()
        eligibility.explain(Person.objects.get(pk=pk), month)
        explain_times.append((time.perf_counter() - start) * 1000)
    result["explain"] = summary(explain_times)

    reference = agreement["eligibility.decide"]
    for name, sums_of in agreement.items():
        if name.startswith("regular lines") or sums_of == reference:
            continue
        result["warnings"].append(f"{name} disagrees with eligibility.decide: {sums_of}")
    result["agreement"] = agreement
    return result


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


# --- The floor --------------------------------------------------------------------------------

FAR = datetime.date.max.toordinal()
LIFE = ("active", "deceased", "moved_out", "cancelled")
KINDS = ("dibao", "dibao_edge", "registered_poor", "tekun")
END = 's."end"'  # a reserved word


def _ord(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def _floor_queries(month: Any, vendor: str) -> tuple[str, str]:
    first, last = month.first.isoformat(), month.last.isoformat()
    int8 = "::int8" if vendor == "postgresql" else ""
    life = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(LIFE))
    kind = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(KINDS))
    active = f"(e.status = 'active' OR e.end_month >= '{first}') AND e.start_month <= '{last}'"
    columns = [
        "e.id", "e.person_id", "CASE e.programme WHEN 'living' THEN 0 ELSE 1 END", "e.account_id",
        "CAST(SUBSTR(e.region, 1, 6) AS INTEGER)", "p.category", "p.grade",
        _ord("p.certificate_issued_on", vendor), _ord("p.certificate_expires_on", vendor),
        f"CASE p.life_status {life} END",
        f"COALESCE({_ord('p.life_status_date', vendor)}, {FAR})",
    ]  # fmt: skip
    enrolled = (
        f"SELECT {', '.join(f'({c}){int8}' for c in columns)} "
        f"FROM benefits_enrolment e JOIN people_person p ON p.id = e.person_id WHERE {active}"
    )
    period_columns = [
        "s.person_id", f"CASE s.kind {kind} END", _ord("s.start", vendor),
        f"COALESCE({_ord(END, vendor)}, {FAR})",
    ]  # fmt: skip
    periods = (
        f"SELECT {', '.join(f'({c}){int8}' for c in period_columns)} "
        f"FROM people_statusperiod s WHERE s.start <= '{last}' "
        f'AND (s."end" IS NULL OR s."end" >= \'{first}\') AND s.person_id IN '
        f"(SELECT e.person_id FROM benefits_enrolment e WHERE {active})"
    )
    return enrolled, periods


def _read_ints(cursor: Any, sql: str, ncols: int, vendor: str) -> Any:
    """(rows, ncols) int64: on PostgreSQL by COPY in binary format, parsed by numpy."""
    import numpy as np

    if vendor != "postgresql":
        cursor.execute(sql)
        return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, ncols)
    chunks = []
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)") as copy:
        for data in copy:
            chunks.append(bytes(data))
    buffer = b"".join(chunks)
    fields = [("n", ">i2")]
    for i in range(ncols):
        fields += [(f"l{i}", ">i4"), (f"v{i}", ">i8")]
    dtype = np.dtype(fields)
    count = (len(buffer) - 19 - 2) // dtype.itemsize  # header, trailer
    rows = np.frombuffer(buffer, dtype=dtype, offset=19, count=count)
    return np.stack([rows[f"v{i}"].astype(np.int64) for i in range(ncols)], axis=1)


def _digits(values: Any, width: int) -> Any:
    """Zero-padded decimal digits of non-negative integers as an (n, width) byte matrix."""
    import numpy as np

    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10 + 48).astype(np.uint8)


def _text(value: str, n: int) -> Any:
    import numpy as np

    return np.broadcast_to(np.frombuffer(value.encode(), dtype=np.uint8), (n, len(value)))


def _copy_block(
    roll: Any, person: Any, programme: str, month: Any, fen: Any, rule_set: Any, account: Any
) -> bytes:
    """COPY text of regular lines of one programme: fixed-width rows built by numpy."""
    import numpy as np

    n = len(person)
    tab = _text("\t", n)
    letter = "L" if programme == "living" else "C"
    parts = [
        _digits(roll, 8), tab, _digits(person, 10), tab, _text(programme, n), tab,
        _text(month.first.isoformat(), n), tab, _text("regular", n), tab,
        _digits(fen // 100, 8), _text(".", n), _digits(fen % 100, 2), tab,
        _digits(rule_set, 8), tab, _digits(account, 10), tab,
        _text(f"{letter}{month.year:04d}{month.month:02d}", n), _digits(person, 10), tab,
        _text("\n", n),
    ]  # fmt: skip
    return np.concatenate(parts, axis=1).tobytes()


LINE_COLUMNS = (
    "roll_id, person_id, programme, month, kind, amount, rule_set_id, account_id, reference, reason"
)


def floor(month: Any, params: Any) -> tuple[list[tuple[str, float]], dict[str, tuple[int, int]]]:
    """The bare pipeline: read, decide (plain numpy), write lines and stops, commit."""
    import numpy as np
    from django.db import connection, transaction

    from canlian.benefits import eligibility

    vendor = connection.vendor
    marks = [("read", time.perf_counter())]
    counts: dict[str, tuple[int, int]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        on_commit = " ON COMMIT DROP" if vendor == "postgresql" else ""
        cursor.execute(
            "CREATE TEMP TABLE bench_line (id INTEGER PRIMARY KEY, roll_id bigint, "
            "person_id bigint, programme varchar(8), month date, kind varchar(12), "
            "amount numeric(10, 2), rule_set_id bigint, account_id bigint, reference varchar(40), "
            f"reason varchar(200)){on_commit}"
            if vendor != "postgresql"
            else "CREATE TEMP TABLE bench_line (id bigserial, roll_id bigint, person_id bigint, "
            "programme varchar(8), month date, kind varchar(12), amount numeric(10, 2), "
            "rule_set_id bigint, account_id bigint, reference varchar(40), reason varchar(200) "
            f"DEFAULT ''){on_commit}"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_stop (roll_id bigint, person_id bigint, conditions text)"
            + on_commit
        )
        enrolled_sql, periods_sql = _floor_queries(month, vendor)
        table = _read_ints(cursor, enrolled_sql, 11, vendor)
        periods = _read_ints(cursor, periods_sql, 4, vendor)
        marks.append(("decide", time.perf_counter()))
        _e, person, prog, account, county, category, grade, issued, expires, life, life_date = (
            table.T
        )
        first, last = month.first.toordinal(), month.last.toordinal()
        size = int(person.max()) + 1 if len(person) else 1
        days = np.maximum(0, np.minimum(periods[:, 3], last) - np.maximum(periods[:, 2], first) + 1)

        def held(kind: int) -> Any:
            mask = periods[:, 1] == kind
            total = np.bincount(periods[mask, 0], weights=days[mask], minlength=size)
            return total[person]

        dibao, edge, poor, tekun = (held(k) for k in range(4))
        dibao, edge, poor = dibao > 0, edge > 0, poor > 0
        counties, where = np.unique(county, return_inverse=True)
        rules = [eligibility.rules_for(params, f"{c:06d}", month) for c in counties.tolist()]

        def fen(value: Any) -> int:
            return -1 if value is None else int(value.decimal * 100)

        def flag(value: Any) -> bool:
            return value is not None and value.value is True

        living_table = np.array([[fen(v) for v in r.living] for r in rules], dtype=np.int64)
        care_table = np.array([[fen(v) for v in r.care] for r in rules], dtype=np.int64)
        care_poor = np.array([fen(r.care_registered_poor_amount) for r in rules])[where]
        flag_edge = np.array([flag(r.living_dibao_edge) for r in rules], dtype=bool)[where]
        flag_poor = np.array([flag(r.living_registered_poor) for r in rules], dtype=bool)[where]
        flag_34 = np.array([flag(r.care_grades_3_4) for r in rules], dtype=bool)[where]
        flag_cpoor = np.array([flag(r.care_registered_poor) for r in rules], dtype=bool)[where]
        before = life_date < first
        certified = (issued <= last) & (expires >= first) & ~((life == 3) & before)
        alive = ~((life == 1) & before)
        resident = ~((life == 2) & before)
        not_tekun = tekun < month.days
        common = certified & alive & resident & not_tekun
        living_std = living_table[where, grade - 1]
        low = dibao | (edge & flag_edge) | (poor & flag_poor)
        living_ok = (living_std >= 0) & common & low
        care_std = np.where(poor & (care_poor >= 0), care_poor, care_table[where, grade - 1])
        severe = (grade <= 2) | (flag_34 & (grade >= 3) & ((category == 5) | (category == 6)))
        severe |= poor & flag_cpoor
        care_ok = (care_std >= 0) & common & severe
        living = prog == 0
        ok = np.where(living, living_ok, care_ok)
        amount = np.where(living, living_std, care_std)
        pay = ok & (amount > 0)
        marks.append(("write", time.perf_counter()))
        roll = where * 2 + prog + 1  # a stand-in for the roll of (county, programme)
        rule_set = where + 1
        for index, programme in enumerate(("living", "care")):
            rows = np.flatnonzero(pay & (prog == index))
            counts[programme] = (len(rows), int(amount[rows].sum()))
            if vendor == "postgresql":
                block = _copy_block(
                    roll[rows], person[rows], programme, month, amount[rows], rule_set[rows],
                    account[rows],
                )  # fmt: skip
                with cursor.cursor.copy(f"COPY bench_line ({LINE_COLUMNS}) FROM STDIN") as copy:
                    copy.write(block)
            else:
                letter = "L" if programme == "living" else "C"
                prefix = f"{letter}{month.year:04d}{month.month:02d}"
                day = month.first.isoformat()
                cursor.executemany(
                    f"INSERT INTO bench_line ({LINE_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (r, p, programme, day, "regular", f"{f // 100}.{f % 100:02d}", s, a,
                         f"{prefix}{p:010d}", "")
                        for r, p, f, s, a in zip(
                            roll[rows].tolist(), person[rows].tolist(), amount[rows].tolist(),
                            rule_set[rows].tolist(), account[rows].tolist(), strict=True,
                        )
                    ],
                )  # fmt: skip
        stopped = np.flatnonzero(~pay)
        failing = {
            "certified": ~certified, "alive": ~alive, "resident": ~resident,
            "not_tekun": ~not_tekun, "low_income": living & ~low, "severe": ~living & ~severe,
        }  # fmt: skip
        stop_rows = [
            (int(roll[r]), int(person[r]), json.dumps([k for k, m in failing.items() if m[r]]))
            for r in stopped.tolist()
        ]
        cursor.executemany("INSERT INTO bench_stop VALUES (%s, %s, %s)", stop_rows)
        cursor.execute("SELECT COUNT(*) FROM bench_line")
        (written,) = cursor.fetchone()
        assert written == sum(n for n, _f in counts.values()), (written, counts)
        marks.append(("commit", time.perf_counter()))
    marks.append(("", time.perf_counter()))
    if vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_line")
            cursor.execute("DROP TABLE bench_stop")
    stages = [(name, marks[k + 1][1] - at) for k, (name, at) in enumerate(marks[:-1])]
    return stages, counts


# --- OpenFisca --------------------------------------------------------------------------------


def openfisca(
    population: Any, month: Any, rules: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """The same rules through openfisca-core with array input; timings and sums."""
    from importlib.metadata import version

    import numpy as np
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import MONTH
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    from canlian.benefits import eligibility

    person_entity = build_entity(key="person", plural="persons", label="Person", is_person=True)

    def variable(name: str, kind: type, formula: Callable[..., Any] | None = None) -> type:
        body: dict[str, Any] = {
            "value_type": kind, "entity": person_entity, "definition_period": MONTH,
            "label": name,
        }  # fmt: skip
        if formula is not None:
            body["formula"] = formula
        return type(name, (Variable,), body)

    def bounds(period: Any) -> tuple[int, int, int]:
        first = datetime.date(*period.start).toordinal()
        last = datetime.date(*period.stop).toordinal()
        return first, last, last - first + 1

    def certified(person: Any, period: Any, parameters: Any) -> Any:
        first, last, _days = bounds(period)
        return (
            (person("issued", period) <= last)
            & (person("expires", period) >= first)
            & (person("cancelled", period) >= first)
        )

    def alive(person: Any, period: Any, parameters: Any) -> Any:
        return person("died", period) >= bounds(period)[0]

    def resident(person: Any, period: Any, parameters: Any) -> Any:
        return person("moved_out", period) >= bounds(period)[0]

    def not_tekun(person: Any, period: Any, parameters: Any) -> Any:
        return person("tekun_days", period) < bounds(period)[2]

    def low_income(person: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).benefits.living
        county = person("county", period)
        return (
            person("dibao", period)
            | (person("dibao_edge", period) & p.extends_to_dibao_edge[county])
            | (person("registered_poor", period) & p.extends_to_registered_poor[county])
        )

    def severe(person: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).benefits.care
        county = person("county", period)
        grade = person("grade", period)
        category = person("category", period)
        extended = p.extends_to_grades_3_4[county] & (grade >= 3)
        extended = extended & ((category == 5) | (category == 6))
        poor = person("registered_poor", period) & p.extends_to_registered_poor[county]
        return (grade <= 2) | extended | poor

    def living_standard(person: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).benefits.living.amount
        return p[person("county", period)][person("grade", period).astype(str)]

    def care_standard(person: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).benefits.care
        county = person("county", period)
        poor_amount = p.amount_registered_poor[county]
        by_grade = p.amount[county][person("grade", period).astype(str)]
        poor = person("registered_poor", period) & (poor_amount >= 0)
        return np.where(poor, poor_amount, by_grade)

    def common(person: Any, period: Any) -> Any:
        return (
            person("certified", period)
            & person("alive", period)
            & person("resident", period)
            & person("not_tekun", period)
        )

    def living_subsidy(person: Any, period: Any, parameters: Any) -> Any:
        standard = person("living_standard", period)
        ok = (standard >= 0) & common(person, period) & person("low_income", period)
        return np.where(ok, standard, 0)

    def care_subsidy(person: Any, period: Any, parameters: Any) -> Any:
        standard = person("care_standard", period)
        ok = (standard >= 0) & common(person, period) & person("severe", period)
        return np.where(ok, standard, 0)

    inputs = {
        "county": int, "category": int, "grade": int, "issued": int, "expires": int,
        "cancelled": int, "died": int, "moved_out": int, "dibao": bool, "dibao_edge": bool,
        "registered_poor": bool, "tekun_days": int,
    }  # fmt: skip
    formulas = {
        "certified": (bool, certified), "alive": (bool, alive), "resident": (bool, resident),
        "not_tekun": (bool, not_tekun), "low_income": (bool, low_income),
        "severe": (bool, severe), "living_standard": (int, living_standard),
        "care_standard": (int, care_standard), "living_subsidy": (int, living_subsidy),
        "care_subsidy": (int, care_subsidy),
    }  # fmt: skip

    def fen(value: Any) -> int:
        return -1 if value is None else int(value.decimal * 100)

    def flag(value: Any) -> bool:
        return value is not None and value.value is True

    since = month.first.isoformat()

    def by_county(pick: Callable[[Any], Any]) -> dict[str, Any]:
        return {region: {"values": {since: pick(r)}} for region, r in rules.items()}

    def grades(programme: str) -> dict[str, Any]:
        return {
            region: {
                str(g): {"values": {since: fen(getattr(r, programme)[g - 1])}} for g in (1, 2, 3, 4)
            }
            for region, r in rules.items()
        }

    data = {
        "benefits": {
            "living": {
                "amount": grades("living"),
                "extends_to_dibao_edge": by_county(lambda r: flag(r.living_dibao_edge)),
                "extends_to_registered_poor": by_county(lambda r: flag(r.living_registered_poor)),
            },
            "care": {
                "amount": grades("care"),
                "amount_registered_poor": by_county(lambda r: fen(r.care_registered_poor_amount)),
                "extends_to_grades_3_4": by_county(lambda r: flag(r.care_grades_3_4)),
                "extends_to_registered_poor": by_county(lambda r: flag(r.care_registered_poor)),
            },
        }
    }

    class Subsidies(TaxBenefitSystem):
        def __init__(self) -> None:
            super().__init__([person_entity])
            for name, kind in inputs.items():
                self.add_variable(variable(name, kind))
            for name, (kind, formula) in formulas.items():
                self.add_variable(variable(name, kind, formula))
            self.parameters = ParameterNode("", data=data)

    system = Subsidies()

    # The input columns: what decide derives from the facts and the status periods.
    start = time.perf_counter()
    n = len(population)
    days = eligibility.overlap_days(population.period_start, population.period_end, month)

    def days_of(kind: str) -> Any:
        mask = population.period_kind == kind
        return np.bincount(population.period_person[mask], weights=days[mask], minlength=n)

    def event(status: str) -> Any:
        return np.where(
            population.life_status == status, population.life_status_date, eligibility.FAR
        )

    columns = {
        "county": population.region.astype(np.int64), "category": population.category,
        "grade": population.grade, "issued": population.issued, "expires": population.expires,
        "cancelled": event("cancelled"), "died": event("deceased"),
        "moved_out": event("moved_out"), "dibao": days_of("dibao") > 0,
        "dibao_edge": days_of("dibao_edge") > 0,
        "registered_poor": days_of("registered_poor") > 0,
        "tekun_days": days_of("tekun").astype(np.int64),
    }  # fmt: skip
    prepare = time.perf_counter() - start
    period = str(month)

    build_times, calculate_times = [], []
    sums: dict[str, tuple[int, int]] = {}
    for _ in range(REPEAT):
        start = time.perf_counter()
        simulation = SimulationBuilder().build_default_simulation(system, n)
        for name, values in columns.items():
            simulation.set_input(name, period, values)
        build_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        living = simulation.calculate("living_subsidy", period)
        care = simulation.calculate("care_subsidy", period)
        calculate_times.append(time.perf_counter() - start)
        sums = {
            "living": (int((living > 0).sum()), int(living.sum())),
            "care": (int((care > 0).sum()), int(care.sum())),
        }
    figures = {
        "version": version("openfisca-core"),
        "calculate": calculate_times,
        "build": build_times,
        "prepare": prepare,
    }
    return figures, sums


# --- A plain per-person loop ------------------------------------------------------------------


def loop_people(population: Any) -> list[dict[str, Any]]:
    periods: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for i, kind, start, end in zip(
        population.period_person.tolist(), population.period_kind.tolist(),
        population.period_start.tolist(), population.period_end.tolist(), strict=True,
    ):  # fmt: skip
        periods[i].append((kind, start, end))
    return [
        {
            "county": county,
            "category": category,
            "grade": grade,
            "issued": issued,
            "expires": expires,
            "life": life,
            "life_date": life_date,
            "periods": periods[i],
        }
        for i, (county, category, grade, issued, expires, life, life_date) in enumerate(
            zip(
                population.region.tolist(),
                population.category.tolist(),
                population.grade.tolist(),
                population.issued.tolist(),
                population.expires.tolist(),
                population.life_status.tolist(),
                population.life_status_date.tolist(),
                strict=True,
            )
        )
    ]


def plain_rules(rules: Any) -> dict[str, Any]:
    def fen(value: Any) -> int:
        return -1 if value is None else int(value.decimal * 100)

    def flag(value: Any) -> bool:
        return value is not None and value.value is True

    return {
        "living": [fen(v) for v in rules.living],
        "care": [fen(v) for v in rules.care],
        "care_poor": fen(rules.care_registered_poor_amount),
        "edge": flag(rules.living_dibao_edge),
        "poor": flag(rules.living_registered_poor),
        "grades_3_4": flag(rules.care_grades_3_4),
        "care_poor_extended": flag(rules.care_registered_poor),
    }


def plain_loop(
    people: list[dict[str, Any]], rules: dict[str, dict[str, Any]], month: Any
) -> dict[str, tuple[int, int]]:
    first, last = month.first.toordinal(), month.last.toordinal()
    days_in_month = last - first + 1
    living_n = living_fen = care_n = care_fen = 0
    for p in people:
        r = rules[p["county"]]
        dibao = edge = poor = False
        tekun = 0
        for kind, start, end in p["periods"]:
            days = min(end, last) - max(start, first) + 1
            if days <= 0:
                continue
            if kind == "dibao":
                dibao = True
            elif kind == "dibao_edge":
                edge = True
            elif kind == "registered_poor":
                poor = True
            elif kind == "tekun":
                tekun += days
        life, life_date = p["life"], p["life_date"]
        if (
            p["issued"] > last
            or p["expires"] < first
            or (life == "cancelled" and life_date < first)
        ):
            certified = False
        else:
            certified = True
        alive = not (life == "deceased" and life_date < first)
        resident = not (life == "moved_out" and life_date < first)
        if not (certified and alive and resident and tekun < days_in_month):
            continue
        grade = p["grade"]
        standard = r["living"][grade - 1]
        if standard >= 0 and (dibao or (edge and r["edge"]) or (poor and r["poor"])):
            living_n += 1
            living_fen += standard
        standard = r["care_poor"] if poor and r["care_poor"] >= 0 else r["care"][grade - 1]
        if standard < 0:
            continue
        if (
            grade <= 2
            or (p["category"] in (5, 6) and r["grades_3_4"])
            or (poor and r["care_poor_extended"])
        ):
            severe = True
        else:
            severe = False
        if severe:
            care_n += 1
            care_fen += standard
    return {"living": (living_n, living_fen), "care": (care_n, care_fen)}


if __name__ == "__main__":
    main()

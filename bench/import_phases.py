"""Where an import's time goes: CPU seconds per phase of `import_persons` on one file.

Usage: python bench/import_phases.py FILE [--dry-run]
Runs in-process on a fresh SQLite database holding only the demo places, with the main
functions of the engine wrapped in CPU timers (the wrapping itself adds a few per cent).
Phases nest: check_row includes validate and plan; write includes the audit entries.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import record  # noqa: E402

ROWS = "canlian.people.exchange.rows"
PHASES = [
    (ROWS, "PersonRules.read_row", "read a row (cells, ID check, blind index)"),
    ("canlian.lib.idcard", "check", "  of which: ID number check"),
    (ROWS, "PersonRules.check_row", "check a row (the registry's rules)"),
    ("canlian.people.services", "validate", "  of which: people.services.validate"),
    (ROWS, "PersonRules.plan", "  of which: plan (ciphers, masks, changes)"),
    ("canlian.people.batch", "Writer.write", "write a chunk (persons, statuses, audit)"),
    ("canlian.people.batch", "Writer._audit", "  of which: audit entries (JSON, hash chain)"),
    ("canlian.lib.bulk", "insert_rows", "  of which: INSERT (persons, audit entries)"),
]


def _wrap(module: Any, dotted: str, label: str, spent: collections.Counter[str]) -> None:
    owner: Any = module
    *path, name = dotted.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    setattr(owner, name, timed)


def measure(path: Path, dry_run: bool) -> list[str]:
    import importlib

    import django

    django.setup()
    from canlian.accounts.operator import OPERATOR_IMPORT, acting_user
    from canlian.people.exchange.importing import import_persons

    spent: collections.Counter[str] = collections.Counter()
    for module, dotted, label in PHASES:
        _wrap(importlib.import_module(module), dotted, label, spent)
    user = acting_user(None, perms=OPERATOR_IMPORT)
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = import_persons(path, filename=path.name, acting_user=user, dry_run=dry_run)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    lines = [
        f"file: {path.name}, {'dry run' if dry_run else 'import'} on SQLite: "
        f"{outcome.rows:,} rows, CPU {cpu:.1f} s, wall {wall:.1f} s (in-process, timers on)"
    ]
    lines += [f"{label}: {spent[label]:.1f} s CPU" for _m, _d, label in PHASES]
    top = sum(spent[label] for _m, _d, label in PHASES if not label.startswith(" "))
    lines.append(
        f"everything else (opening and parsing the file, queries, commit): {cpu - top:.1f} s"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{tmp}/phases.sqlite3",
               "CANLIAN_KEY_DIR": f"{tmp}/keys"}  # fmt: skip
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        canlian = [sys.executable, "-m", "canlian.cli"]
        for step in (["migrate", "-v0"], ["demo", "--persons", "0"]):
            subprocess.run([*canlian, *step], env={**os.environ}, check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)  # fmt: skip
        lines = measure(args.file.resolve(), args.dry_run)
    print("\n".join(lines))
    record("Spreadsheet import: where the time goes", lines)


if __name__ == "__main__":
    main()

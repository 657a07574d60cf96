"""Before-and-after runs of whole `canlian` processes, two code trees measured in one run.

A change is measured beside the code before it on the same machine in the same hour (machines
differ from day to day): each tree (a checkout with its own .venv) runs the same steps on fresh
SQLite databases, rounds alternating before, after, before, after, …; the medians and every run
go to RESULTS.md with the load average at the start and the end.
"""

from __future__ import annotations

import base64
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from common import record

#: One round of a tree: (tree, work folder) → seconds per step.
Round = Callable[[Path, Path], dict[str, float]]


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def environment(work: Path) -> dict[str, str]:
    """New keys, and folders of their own under `work` (add DATABASE_URL, see `sqlite`)."""
    return {
        **os.environ,
        "CANLIAN_FIELD_KEY": _key(),
        "CANLIAN_AUDIT_KEY": _key(),
        "CANLIAN_KEY_DIR": str(work / "keys"),
        "CANLIAN_VAR_DIR": str(work / "var"),
        "CANLIAN_FILES_DIR": str(work / "files"),
        "IMPORT_MAX_BYTES": str(4 * 1024**3),
    }


def sqlite(env: dict[str, str], path: Path) -> dict[str, str]:
    """`env` with the SQLite database at `path`."""
    return {**env, "DATABASE_URL": f"sqlite:///{path}"}


def run(tree: Path, env: dict[str, str], *args: str) -> float:
    """Seconds of one `canlian …` process of `tree` (start-up included)."""
    start = time.perf_counter()
    subprocess.run(
        [str(tree / ".venv" / "bin" / "python"), "-m", "canlian.cli", *args],
        cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def alternate(
    trees: dict[str, Path], steps: Sequence[str], rounds: int, one_round: Round
) -> dict[str, dict[str, list[float]]]:
    """`rounds` rounds of every tree in turn, each in a temporary folder of its own."""
    results: dict[str, dict[str, list[float]]] = {k: {s: [] for s in steps} for k in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            with tempfile.TemporaryDirectory(prefix="canlian-bench-") as folder:
                for step, seconds in one_round(tree, Path(folder)).items():
                    results[name][step].append(seconds)
                    print(name, step, f"{seconds:.1f} s", flush=True)
    return results


def record_rounds(
    title: str, first_line: str, steps: Sequence[str],
    results: dict[str, dict[str, list[float]]], load: float,
) -> None:  # fmt: skip
    """Append the medians of "before" and "after" per step, with every run, to RESULTS.md."""
    lines = [first_line]
    for step in steps:
        before = statistics.median(results["before"][step])
        after = statistics.median(results["after"][step])
        lines.append(
            f"{step}: before {before:.1f} s, after {after:.1f} s ({after / before:.2f}×); "
            f"runs before {[round(t, 1) for t in results['before'][step]]}, "
            f"after {[round(t, 1) for t in results['after'][step]]}"
        )
    lines.append(
        f"load average 1 min: {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    record(title, lines)

"""Shared helpers for the benchmarks: machine description, timing statistics, results file."""

from __future__ import annotations

import os
import platform
import secrets
import socket
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")

# The benchmarks run the production settings (DEBUG off), which need a secret key; the
# scripts and the `canlian` processes they start inherit this one.
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {mem_gib:.0f} GiB, Python {platform.python_version()}"


def postgres_version(url: str) -> str:
    try:
        out = subprocess.run(
            ["psql", url, "-Atc", "SHOW server_version"], capture_output=True, text=True, check=True
        )
        return "PostgreSQL " + out.stdout.strip().split()[0]
    except (OSError, subprocess.CalledProcessError):
        return "PostgreSQL"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms "
        f"(n={len(ordered)})"
    )


def record(title: str, lines: list[str]) -> None:
    """Append a dated section to bench/RESULTS.md."""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = [f"\n## {title}\n", f"- date: {stamp}", f"- machine: {machine()}"]
    text += [f"- {line}" for line in lines]
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by the scripts in bench/.\n")
    with RESULTS.open("a") as handle:
        handle.write("\n".join(text) + "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until `server` (a process just started) accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)

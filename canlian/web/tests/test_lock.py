"""The lock (requirements/lock.txt) agrees with pyproject.toml (decision 0022).

`make setup` installs from the lock alone, with --require-hashes and --no-deps: a dependency
added to pyproject.toml but not locked would be missing at run time, a lock pinned outside
pyproject's range would install what the project says it does not support.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def declared(pyproject: str) -> list[Requirement]:
    project = tomllib.loads(pyproject)["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(r) for r in requirements]


def pins(lock: str) -> dict[str, tuple[Version, int]]:
    """Name → (pinned version, number of hashes) for every package of the lock."""
    found: dict[str, tuple[Version, int]] = {}
    name = None
    for line in lock.splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            found[name] = (Version(match.group(2)), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
        elif not line.startswith(" "):
            name = None
    return found


def disagreements(pyproject: str, lock: str) -> list[str]:
    locked = pins(lock)
    environment = {**default_environment(), "python_version": "3.11", "extra": "dev"}
    problems = []
    for requirement in declared(pyproject):
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement.name}: not in the lock")
        elif not requirement.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{requirement.name}: locked {locked[name][0]} outside {requirement}")
    problems += [f"{name}: no hash" for name, (_, hashes) in locked.items() if not hashes]
    return problems


def test_every_dependency_is_locked_within_its_range_with_hashes() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    lock = (ROOT / "requirements/lock.txt").read_text(encoding="utf-8")
    assert len(pins(lock)) > len(declared(pyproject))  # their own dependencies are locked too
    assert disagreements(pyproject, lock) == []


def test_the_check_sees_a_missing_pin_a_pin_out_of_range_and_a_missing_hash() -> None:
    pyproject = """
[project]
dependencies = ["django>=5.2,<5.3", "whitenoise>=6.8"]
[project.optional-dependencies]
dev = ["pytest>=8"]
"""
    lock = """\
django==5.3.1 \\
    --hash=sha256:00
    # via canlian
pytest==8.4.0
"""
    assert disagreements(pyproject, lock) == [
        "django: locked 5.3.1 outside django<5.3,>=5.2",
        "whitenoise: not in the lock",
        "pytest: no hash",
    ]

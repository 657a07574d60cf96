"""docs/security.md names, for each control, the test that fails without it: each test named
there exists (a renamed or deleted test must be replaced in the page)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "security.md"
NAMED = re.compile(r"`([\w/]+\.py)::(test_\w+)(?:\[\*\])?`|`::(test_\w+)(?:\[\*\])?`")


def _tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_every_test_the_security_page_names_exists():
    missing, named, current = [], 0, None
    for match in NAMED.finditer(PAGE.read_text()):
        file, test, same_file_test = match.groups()
        if file and "/" in file:
            current = ROOT / "canlian" / file
        elif file:  # a file of the same folder as the one named before
            assert current is not None, f"{file} before any folder"
            current = current.parent / file
        assert current is not None, "a ::test_ reference before any file"
        name = test or same_file_test
        named += 1
        if not current.exists() or name not in _tests(current):
            missing.append(f"{current.relative_to(ROOT)}::{name}")
    assert named > 50
    assert missing == []

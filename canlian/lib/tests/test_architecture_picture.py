"""The picture of the apps in docs/architecture.md is the one the code draws today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _app_graph():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("app_graph", ROOT / "scripts" / "app_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_architecture_page_shows_the_apps_as_the_code_imports_them() -> None:
    graph = _app_graph()
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert graph.block() in page, "run: python scripts/app_graph.py --write"


def test_the_picture_has_an_edge_for_an_import_between_apps() -> None:
    graph = _app_graph()
    # people's rules read the jurisdiction through accounts; payroll reads benefits' rules.
    found = graph.edges()
    assert ("people", "accounts") in found
    assert ("payroll", "benefits") in found
    assert ("people", "benefits") not in found
    # accounts → places → audit is a path: the direct accounts → audit edge is left out.
    assert ("accounts", "audit") in found
    assert ("accounts", "audit") not in graph.reduced(found)

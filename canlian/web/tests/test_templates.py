"""Every template keeps to the Content-Security-Policy: no inline script, style or handler.

The policy (config/settings.py) allows scripts and styles from this site's files only, so a
template that writes `<script>…</script>`, `<style>`, `style="…"`, `onclick="…"` or a
`javascript:` link would break in the browser; this finds it before a browser does.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATE_ROOTS = [Path(settings.BASE_DIR) / "canlian" / "templates"]
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
INLINE_ATTRIBUTE = re.compile(r"""(?:^|\s)(style|on[a-z]+)\s*=""", re.I)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.I)
# PDFs are drawn by WeasyPrint on the server, never served as HTML (decision 0005).
PRINTED = "print"


def inline_code(html: str) -> list[str]:
    """What in `html` the policy would refuse: inline scripts, style elements and
    attributes, event handler attributes and javascript: URLs."""
    found = []
    for match in TAG.finditer(html):
        name, attributes = match.group(1).lower(), match.group(2)
        if name == "script" and "src=" not in attributes:
            found.append(match.group(0))
        if name == "style":
            found.append(match.group(0))
        if INLINE_ATTRIBUTE.search(attributes) or JAVASCRIPT_URL.search(attributes):
            found.append(match.group(0))
    return found


def page_templates() -> list[Path]:
    templates = []
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*.html")):
            if PRINTED not in path.relative_to(root).parts:
                templates.append(path)
    return templates


def test_the_scan_finds_each_kind_of_inline_code() -> None:
    for bad in (
        "<script>alert(1)</script>",
        '<div style="color: red">',
        "<button type=submit onclick='go()'>",
        '<a href="javascript:go()">',
        "<style>p { color: red }</style>",
    ):
        assert inline_code(bad), bad
    assert inline_code('<script type="module" src="/static/canlian.js"></script>') == []
    assert inline_code('<p class="govuk-body" data-style="x">on=1 style=2</p>') == []


def test_no_page_template_has_inline_script_style_or_event_handlers() -> None:
    templates = page_templates()
    assert len(templates) > 50, "templates not found"
    offending = {
        str(path.relative_to(settings.BASE_DIR)): found
        for path in templates
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert offending == {}


def test_the_base_layout_loads_its_scripts_from_files() -> None:
    base = (TEMPLATE_ROOTS[0] / "base.html").read_text(encoding="utf-8")
    assert "{% static 'js-enabled.js' %}" in base
    assert "{% static 'canlian.js' %}" in base

"""The compact header's markup: one button folds the controls and the menu at small widths."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from canlian.conftest import client_for

STYLES = Path(__file__).resolve().parents[2] / "static_src/canlian.scss"


def _toggle(html: str) -> str:
    found = re.search(r'<button type="button" class="[^"]*cl-header__toggle[^>]*>', html)
    assert found, "no header toggle"
    return found.group(0)


def test_the_toggle_controls_the_actions_and_the_menu_that_are_on_the_page(county_clerk):
    html = client_for(county_clerk).get("/people/").content.decode()
    button = _toggle(html)
    controls = re.search(r'aria-controls="([^"]+)"', button).group(1).split()
    assert controls == ["cl-header-actions", "cl-nav"]
    for target in controls:
        assert f'id="{target}"' in html
    assert 'aria-expanded="false"' in button
    # The skip link comes before the header, and so before the toggle.
    assert html.index("govuk-skip-link") < html.index("cl-header__toggle")
    assert html[html.index(button) :].startswith(button + "菜单与显示设置</button>")


def test_signed_out_the_toggle_controls_only_the_display_controls(places):
    html = Client().get("/login/").content.decode()
    button = _toggle(html)
    assert 'aria-controls="cl-header-actions"' in button
    assert 'id="cl-nav"' not in html


def test_the_controls_fold_only_below_the_tablet_width_and_only_with_javascript():
    styles = STYLES.read_text()
    block = styles[
        styles.index("@include govuk-media-query($until: tablet) {\n  .cl-header__container") :
    ]
    block = block[: block.index("\n}\n")]
    assert ".govuk-frontend-supported" in block
    assert ".cl-header:not(.cl-header--open)" in block

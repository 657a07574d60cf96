"""The error pages in a real browser, with DEBUG off as in production: each passes axe-core,
runs its scripts under the Content-Security-Policy (conftest.new_page fails on anything the
policy refuses) and keeps the skip link and the layout."""

from __future__ import annotations

from typing import Any

import pytest

from canlian.accounts.models import User

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server must see the data (see conftest.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def error_urls(settings: Any) -> None:
    """The project's URLs plus views that fail on purpose (the live server reads them)."""
    settings.ROOT_URLCONF = "canlian.web.tests.error_urls"


def assert_scripted_and_clean(page: Any, axe: Any, where: str) -> None:
    # js-enabled.js ran (a file: the policy refuses inline script) and GOV.UK Frontend
    # started the skip link (canlian.js, a module).
    assert page.evaluate("() => document.body.classList.contains('js-enabled')"), where
    page.wait_for_selector("[data-govuk-skip-link-init]", state="attached")
    axe.assert_clean(page, where)


def test_the_error_pages_pass_axe_and_run_their_scripts(
    login_as: Any, new_page: Any, axe: Any, county_clerk: User, error_urls: None
) -> None:
    page = login_as(county_clerk)
    for url, status, heading in (
        ("/no-such-page/", 404, "找不到页面"),
        ("/audit/", 403, "无权打开此页面"),
        ("/test-errors/500/", 500, "抱歉，系统出错了"),
        ("/test-errors/400/", 400, "无法处理此请求"),
    ):
        response = page.goto(url)
        assert response.status == status, url
        assert page.inner_text("h1") == heading, url
        assert_scripted_and_clean(page, axe, url)


def test_a_form_sent_without_its_token_gets_the_own_page_in_the_browser(
    new_page: Any, axe: Any
) -> None:
    page = new_page()
    page.goto("/login/")
    page.evaluate("() => document.querySelector('main [name=csrfmiddlewaretoken]').remove()")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "not-a-password")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.inner_text("h1") == "表单未能提交"
    assert_scripted_and_clean(page, axe, "CSRF failure")

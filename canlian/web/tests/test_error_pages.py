"""With DEBUG off, errors show Canlian's own pages (in Chinese, in the site's layout), never
Django's debug or plain pages; the 500 page needs neither the database nor an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views import defaults

from canlian.conftest import client_for

ERROR_URLS = "canlian.web.tests.error_urls"


def assert_own_page(html: str, heading: str) -> None:
    assert '<html lang="zh-Hans"' in html
    assert 'class="cl-header"' in html and 'id="main-content"' in html
    assert re.search(r"<h1[^>]*>\s*" + re.escape(heading) + r"\s*</h1>", html), html[:2000]
    assert re.search(r"<title>[^<]*" + re.escape(heading), html)
    assert "Traceback" not in html and "DEBUG = True" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_unknown_address_shows_canlians_own_not_found_page(county_clerk: Any) -> None:
    response = client_for(county_clerk).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_own_page(html, "找不到页面")
    assert "如果网址是手动输入的" in html
    assert "Using the URLconf" not in html  # Django's debug 404


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_unknown_public_address_shows_the_not_found_page_signed_out() -> None:
    response = Client().get("/portal/no-such-page/")
    assert response.status_code == 404
    assert_own_page(response.content.decode(), "找不到页面")


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=ERROR_URLS)
def test_a_bug_shows_canlians_own_server_error_page(county_clerk: Any) -> None:
    client = client_for(county_clerk)
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_own_page(html, "抱歉，系统出错了")
    assert "a bug, on purpose" not in html
    assert "<form" not in html  # no token to send one with


@override_settings(DEBUG=False)
def test_the_server_error_page_renders_without_database_or_account() -> None:
    # No django_db mark: pytest-django fails any database query made here.
    request = RequestFactory().get("/people/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    assert_own_page(response.content.decode(), "抱歉，系统出错了")


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=ERROR_URLS)
def test_a_malformed_request_shows_canlians_own_bad_request_page(county_clerk: Any) -> None:
    response = client_for(county_clerk).get("/test-errors/400/")
    assert response.status_code == 400
    assert_own_page(response.content.decode(), "无法处理此请求")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_unknown_host_name_gets_the_bad_request_page() -> None:
    # Refused by CommonMiddleware before the session and the account are read.
    response = Client(HTTP_HOST="canlian.attacker.example").get("/login/")
    assert response.status_code == 400
    assert_own_page(response.content.decode(), "无法处理此请求")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_form_sent_without_its_security_token_gets_canlians_own_page(county_clerk: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "clerk-wen", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_own_page(html, "表单未能提交")
    assert "本次提交没有保存任何内容" in html
    assert "CSRF" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_refused_page_shows_canlians_own_page(county_clerk: Any) -> None:
    response = client_for(county_clerk).get("/audit/")
    assert response.status_code == 403
    assert_own_page(response.content.decode(), "无权打开此页面")

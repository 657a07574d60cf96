"""Accessibility fixes that can be checked without a browser (the browser suite checks more:
docs/accessibility.md)."""

from __future__ import annotations

import pytest
from django.test import Client

from canlian.conftest import client_for

pytestmark = pytest.mark.django_db


def test_error_summary_links_name_their_field(county_clerk):
    html = client_for(county_clerk).post("/people/new/", {}).content.decode()
    start = html.index('class="govuk-error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert ">公民身份号码：请填写公民身份号码。</a>" in summary
    assert ">姓名：请填写姓名。</a>" in summary
    assert "这个字段是必填项" not in html


def test_no_field_is_autofocused_so_the_skip_link_comes_first(db):
    html = Client().get("/login/").content.decode()
    assert 'id="id_username"' in html
    assert "autofocus" not in html


def test_header_controls_speak_the_page_language_and_name_languages_in_themselves(county_clerk):
    html = client_for(county_clerk).get("/people/").content.decode()
    for label in ("文字大小", ">标准<", ">特大<", "高对比度"):
        assert label in html
    assert 'lang="en" aria-pressed="false">English</button>' in html
    assert 'lang="zh-Hans" aria-pressed="true">简体中文</button>' in html


def test_main_menu_marks_the_current_page_and_section(county_clerk, make_person):
    person = make_person()
    client = client_for(county_clerk)
    assert 'href="/people/" aria-current="page"' in client.get("/people/").content.decode()
    detail = client.get(f"/people/{person.pk}/").content.decode()
    assert 'href="/people/" aria-current="true"' in detail
    assert 'aria-current="true"' not in client.get("/accounts/me/").content.decode()


def test_refused_and_missing_pages_use_the_site_layout(county_clerk):
    client = client_for(county_clerk)
    pages = (("/audit/", 403, "无权打开此页面"), ("/nowhere/", 404, "找不到页面"))
    for url, status, heading in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == status
        assert '<html lang="zh-Hans"' in html and f">{heading}</h1>" in html
        assert 'href="#main-content"' in html  # skip link


def test_wide_tables_scroll_in_a_named_focusable_region(auditor, make_person):
    make_person()
    client = client_for(auditor)
    for url, caption in (("/people/", "persons-caption"), ("/audit/", "entries-caption")):
        html = client.get(url).content.decode()
        assert (
            f'<div class="cl-table-wrap" role="region" aria-labelledby="{caption}" tabindex="0">'
            in html
        )
        assert f'id="{caption}"' in html

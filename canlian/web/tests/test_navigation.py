"""The main menu offers each role the sections it may open, the payment rolls from the county
up."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from canlian.web.context import navigation

pytestmark = pytest.mark.django_db


def _menu(user: Any) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    request.COOKIES = {}
    request.session = {}  # type: ignore[assignment]
    return [key for _url, key in navigation(request)["nav"]]


def test_a_township_officer_sees_applications_but_no_payment_rolls(township_officer: Any) -> None:
    menu = _menu(township_officer)
    assert "subsidies" in menu and "payroll" not in menu


def test_a_county_clerk_sees_applications_and_the_county_s_rolls(county_clerk: Any) -> None:
    menu = _menu(county_clerk)
    assert "subsidies" in menu and "payroll" in menu


def test_finance_sees_the_payment_rolls(finance: Any) -> None:
    assert "payroll" in _menu(finance)


def test_an_administrator_sees_neither(security_admin: Any) -> None:
    menu = _menu(security_admin)
    assert "subsidies" not in menu and "payroll" not in menu


def test_the_to_do_list_is_first_for_roles_that_take_steps(
    township_officer: Any, finance: Any, civil_affairs: Any, auditor: Any, security_admin: Any
) -> None:
    for user in (township_officer, finance, civil_affairs):
        assert _menu(user)[0] == "home"
    for user in (auditor, security_admin):
        assert "home" not in _menu(user)

"""Two security administrators give an auditor account, and its holder sets the password: with
the keyboard alone, axe-core on every page the crawl cannot reach (a code shown once)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from canlian.accounts.models import AccountRequest, User

from .test_keyboard_flows import Keys, choose, sign_in, tick, type_into

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server must see the data (see conftest.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "Shenji-mima-2026"


def shown_code(page: Any) -> str:
    code = page.inner_text(".cl-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    return code


def test_an_auditor_account_takes_two_administrators_and_its_holder_sets_the_password(
    new_page: Any, security_admin: User, security_admin_2: User, axe: Any
) -> None:
    # The first administrator asks for the account.
    maker = new_page()
    keys = Keys(maker)
    sign_in(maker, keys, security_admin)
    maker.goto("/accounts/new/")
    type_into(maker, keys, "#id_username", "auditor-2")
    type_into(maker, keys, "#id_full_name", "审计二")
    choose(maker, keys, "#id_role", "auditor")
    choose(maker, keys, "#id_place", "410800000000")
    keys.tab_to("main button[type=submit]")
    keys.press_and_wait("Enter")
    assert maker.url.endswith("/accounts/code/") and "第一个激活码" in maker.inner_text("h1")
    first = shown_code(maker)
    axe.assert_clean(maker, "accounts: the first code, shown once")
    maker.reload()
    assert not maker.locator(".cl-code").count(), "the code must be shown only once"
    asked = AccountRequest.objects.get(username="auditor-2")
    maker.goto(f"/accounts/requests/{asked.pk}/")
    assert not maker.locator(f"a[href='/accounts/requests/{asked.pk}/approve/']").count()
    axe.assert_clean(maker, "accounts: own request, approval refused")

    # The second approves it.
    checker = new_page()
    keys = Keys(checker)
    sign_in(checker, keys, security_admin_2)
    checker.goto("/accounts/requests/")
    keys.tab_to(f"main a[href='/accounts/requests/{asked.pk}/']")
    keys.press_and_wait("Enter")
    keys.tab_to(f"main a[href='/accounts/requests/{asked.pk}/approve/']")
    keys.press_and_wait("Enter")
    tick(checker, keys, "#id_confirm")
    keys.tab_to("main button[type=submit]")
    keys.press_and_wait("Enter")
    assert "第二个激活码" in checker.inner_text("h1")
    second = shown_code(checker)
    axe.assert_clean(checker, "accounts: the second code, shown once")
    checker.goto(f"/accounts/requests/{asked.pk}/")
    axe.assert_clean(checker, "accounts: an approved request")

    # The holder, signed out, sets the password from the sign-in page and signs in.
    holder = new_page()
    keys = Keys(holder)
    holder.goto("/login/")
    keys.tab_to("main a[href='/login/activate/']")
    keys.press_and_wait("Enter")
    type_into(holder, keys, "#id_username", "auditor-2")
    type_into(holder, keys, "#id_first_code", first.lower())
    type_into(holder, keys, "#id_second_code", second)
    type_into(holder, keys, "#id_password", NEW_PASSWORD)
    type_into(holder, keys, "#id_password_again", NEW_PASSWORD)
    keys.press_and_wait("Enter")
    assert holder.url.endswith("/login/"), holder.url
    axe.assert_clean(holder, "sign-in page after the password was set")
    keys.tab_to("#id_username")
    holder.keyboard.type("auditor-2")
    keys.tab()
    holder.keyboard.type(NEW_PASSWORD)
    keys.press_and_wait("Enter")
    assert "/login/" not in holder.url
    assert holder.goto("/audit/").status == 200

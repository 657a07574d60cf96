"""Password rules of 等保 level 3 and staff changing their own password."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from canlian.accounts import passwords
from canlian.audit.models import Entry

from .signin_helpers import PASSWORD, post_password, sign_in


@pytest.mark.parametrize(
    ("password", "kinds"),
    [("abcdefghij", 1), ("abcdefghi1", 2), ("abcdefghI1", 3), ("abcdefgh-1", 3),
     ("ABCDEFGH-1", 3), ("残疾人联合会abc1", 3), ("aB1-", 4)],
)  # fmt: skip
def test_character_classes_are_counted_as_small_capital_digit_and_other(password, kinds):
    assert len({passwords.character_class(c) for c in password}) == kinds


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Ab1-", "太短"),  # Django's own words, in Chinese
        ("abcdefghijk", "至少"),  # one kind of character
        ("abcdefgh12", "至少"),  # two kinds
        ("Password123", "太常见"),
        ("1234567890123", "只包含数字"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(county_clerk, password, problem):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password, county_clerk)
    assert any(problem in m for m in caught.value.messages), caught.value.messages


@pytest.mark.django_db
def test_three_kinds_of_characters_and_ten_of_them_pass(county_clerk):
    validate_password("Qiuyu-lake-7", county_clerk)


def change(client: Client, old: str, new: str) -> object:
    return client.post(
        "/accounts/me/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.mark.django_db
def test_none_of_the_last_five_passwords_can_be_used_again(county_clerk):
    client = sign_in(county_clerk)
    used = [PASSWORD] + [f"Sequence-{n}-pass" for n in range(1, 6)]
    for old, new in itertools.pairwise(used):
        assert change(client, old, new).status_code == 302
    for recent in used[1:]:  # the current one and the four before it
        refused = change(client, used[-1], recent)
        assert refused.status_code == 200 and "最近 5 次" in refused.content.decode()
    assert change(client, used[-1], "Sequence-1-pass").status_code == 200
    # Six changes back is allowed again (the history keeps five).
    history = [f"Second-{n}-pass" for n in range(5)]
    old = used[-1]
    for new in history:
        assert change(client, old, new).status_code == 302
        old = new
    assert change(client, old, "Sequence-5-pass").status_code == 302


@pytest.mark.django_db
def test_changing_ones_password_keeps_this_session_and_ends_the_others(county_clerk):
    here, elsewhere = sign_in(county_clerk), sign_in(county_clerk, address="198.51.100.9")
    response = change(here, PASSWORD, "Brand-new-pass-1")
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    assert here.get("/people/").status_code == 200
    assert elsewhere.get("/people/").status_code == 302
    assert post_password(Client(), county_clerk.username, "Brand-new-pass-1").status_code == 302
    assert Entry.objects.filter(action="password.change", actor=county_clerk).count() == 1


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing_and_is_logged(county_clerk):
    client = sign_in(county_clerk)
    refused = change(client, "not-my-password", "Brand-new-pass-1")
    assert refused.status_code == 200 and "不是您当前的密码" in refused.content.decode()
    county_clerk.refresh_from_db()
    assert county_clerk.check_password(PASSWORD)
    assert Entry.objects.filter(action="password.change_failure").count() == 1


@pytest.mark.django_db
def test_guessing_the_current_password_on_the_change_page_locks_like_the_login(county_clerk):
    client = sign_in(county_clerk)
    for _ in range(30):
        change(client, "not-my-password", "Brand-new-pass-1")
    locked = change(client, PASSWORD, "Brand-new-pass-1")
    assert locked.status_code == 429 and "暂停" in locked.content.decode()
    county_clerk.refresh_from_db()
    assert county_clerk.check_password(PASSWORD)


@pytest.mark.django_db
def test_mismatched_or_empty_new_passwords_are_refused_with_the_fields_named(county_clerk):
    client = sign_in(county_clerk)
    response = client.post(
        "/accounts/me/password/",
        {"old_password": PASSWORD, "new_password1": "Brand-new-pass-1", "new_password2": "x"},
    )
    assert "两次输入的新密码不一致" in response.content.decode()
    empty = client.post("/accounts/me/password/", {})
    assert empty.content.decode().count('class="govuk-error-message"') == 3

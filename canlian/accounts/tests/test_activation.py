"""Activation codes: the holder sets a password nobody else knows; refusals say nothing more."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from canlian.accounts import activation, approvals
from canlian.accounts.models import Activation, User
from canlian.accounts.roles import Role
from canlian.audit.models import Entry
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

PASSWORD = "Shezhi-mima-2026"


def officer_with_code(security_admin: User) -> str:
    outcome = approvals.create_account(
        username="officer", full_name="", role=Role.TOWNSHIP_OFFICER,
        place=Place.objects.get(code="410825001000"), is_active=True, acting_user=security_admin,
    )  # fmt: skip
    return outcome.code


def auditor_with_codes(maker: User, checker: User) -> tuple[str, str]:
    asked = approvals.create_account(
        username="new-auditor", full_name="", role=Role.AUDITOR,
        place=Place.objects.get(code="410800000000"), is_active=True, acting_user=maker,
    )  # fmt: skip
    return asked.code, approvals.approve(request_id=asked.request.pk, acting_user=checker).code


def signs_in(username: str, password: str) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_codes_are_read_leniently_and_differ_each_time():
    code = activation.new_code()
    assert len(code) == 14 and code.count("-") == 2
    assert activation.digest(code.lower().replace("-", " ")) == activation.digest(code)
    assert activation.digest("0O1IL") == activation.digest("00111")
    assert len({activation.new_code() for _ in range(50)}) == 50


def test_the_holder_sets_the_password_with_the_code_once(security_admin):
    code = officer_with_code(security_admin)
    assert not signs_in("officer", "")
    user = activation.activate(
        username="officer", first_code=code, second_code="", password=PASSWORD
    )
    assert user.check_password(PASSWORD) and signs_in("officer", PASSWORD)
    assert not Activation.objects.exists()
    with pytest.raises(ValidationError):
        activation.activate(username="officer", first_code=code, second_code="", password="x" * 12)
    assert Entry.objects.filter(action="account.activate", actor=user).exists()


def test_a_pending_auditor_cannot_sign_in_until_approved_and_activated(
    security_admin, security_admin_2
):
    asked = approvals.create_account(
        username="new-auditor", full_name="", role=Role.AUDITOR,
        place=Place.objects.get(code="410800000000"), is_active=True, acting_user=security_admin,
    )  # fmt: skip
    # Pending: no account to sign in to, and the maker's code opens nothing.
    assert not User.objects.filter(username="new-auditor").exists()
    with pytest.raises(ValidationError):
        activation.activate(
            username="new-auditor", first_code=asked.code, second_code="", password=PASSWORD
        )
    second = approvals.approve(request_id=asked.request.pk, acting_user=security_admin_2).code
    assert not signs_in("new-auditor", "")  # approved, but no password yet
    activation.activate(
        username="new-auditor", first_code=asked.code, second_code=second, password=PASSWORD
    )
    client = Client()
    client.post(reverse("login"), {"username": "new-auditor", "password": PASSWORD})
    assert client.get("/audit/").status_code == 200


def test_a_pending_role_change_grants_nothing_before_approval(security_admin, township_officer):
    approvals.change_account(
        user=township_officer, role=Role.AUDITOR, place=Place.objects.get(code="410800000000"),
        is_active=True, full_name="", acting_user=security_admin,
    )  # fmt: skip
    client = Client()
    client.force_login(township_officer)
    assert client.get("/audit/").status_code == 403
    township_officer.refresh_from_db()
    assert township_officer.role == Role.TOWNSHIP_OFFICER


def test_every_wrong_try_gets_the_same_words_and_tries_on_real_accounts_are_recorded(
    security_admin, security_admin_2
):
    first, second = auditor_with_codes(security_admin, security_admin_2)
    messages = set()
    for username, codes in [
        ("nobody", (first, second)),  # no such account
        ("new-auditor", (first, "")),  # one of two codes
        ("new-auditor", (second, first)),  # in the wrong order
        ("secadmin", (first, second)),  # an account without codes
    ]:
        with pytest.raises(ValidationError) as caught:
            activation.activate(
                username=username, first_code=codes[0], second_code=codes[1], password=PASSWORD
            )
        messages.add(tuple(caught.value.messages))
    assert len(messages) == 1
    refused = Entry.objects.filter(action="account.activate_refused")
    assert refused.count() == 2 and {e.target_id for e in refused} == {
        str(User.objects.get(username="new-auditor").pk)
    }


def test_expired_codes_are_refused(security_admin):
    code = officer_with_code(security_admin)
    Activation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        activation.activate(username="officer", first_code=code, second_code="", password=PASSWORD)


def test_the_password_rules_apply_and_keep_the_code_usable(security_admin):
    code = officer_with_code(security_admin)
    with pytest.raises(ValidationError) as caught:
        activation.activate(username="officer", first_code=code, second_code="", password="1234")
    assert caught.value.message_dict["password"]
    activation.activate(username="officer", first_code=code, second_code="", password=PASSWORD)


def test_the_activation_page_is_open_signed_out_and_leads_to_sign_in(security_admin):
    code = officer_with_code(security_admin)
    client = Client()
    url = reverse("activate")
    assert client.get(url).status_code == 200
    empty = client.post(url, {})
    assert empty.status_code == 200 and "govuk-error-summary" in empty.content.decode()
    differ = client.post(url, {"username": "officer", "first_code": code,
                               "password": PASSWORD, "password_again": PASSWORD + "x"})  # fmt: skip
    assert differ.status_code == 200
    assert not User.objects.get(username="officer").has_usable_password()
    wrong = client.post(url, {"username": "officer", "first_code": "AAAA-AAAA-AAAA",
                              "password": PASSWORD, "password_again": PASSWORD})  # fmt: skip
    assert "激活码" in wrong.content.decode()
    done = client.post(url, {"username": "officer", "first_code": code.lower(),
                             "password": PASSWORD, "password_again": PASSWORD})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert signs_in("officer", PASSWORD)

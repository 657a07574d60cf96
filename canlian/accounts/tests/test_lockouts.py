"""Wrong passwords lock one (user name, client address) pair, for longer each time; the
security administrator unlocks; everything is logged and nothing tells whether an account
exists."""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from canlian.accounts import lockouts
from canlian.audit.models import Entry
from canlian.conftest import client_for

from .signin_helpers import post_password

A = "192.0.2.10"
B = "198.51.100.20"
LIMIT = 30


def fail(username: str, times: int, address: str = A) -> object:
    client = Client(REMOTE_ADDR=address)
    response = None
    for _ in range(times):
        response = post_password(client, username, "wrong-password")
    return response


def signs_in(username: str, address: str = A) -> bool:
    response = post_password(Client(REMOTE_ADDR=address), username)
    return response.status_code == 302


@pytest.mark.django_db
def test_thirty_wrong_passwords_lock_that_user_name_from_that_address_only(
    county_clerk, city_staff
):
    fail(county_clerk.username, LIMIT - 1)
    assert signs_in(county_clerk.username)  # 29 failures: not locked (and reset by success)
    fail(county_clerk.username, LIMIT)
    # The right password from the locked address is refused…
    response = post_password(Client(REMOTE_ADDR=A), county_clerk.username)
    assert response.status_code == 429
    assert "暂停" in response.content.decode()
    # …but the same account from another address, and another account from the same
    # address, still sign in.
    assert signs_in(county_clerk.username, B)
    assert signs_in(city_staff.username, A)


@pytest.mark.django_db
def test_an_unknown_user_name_is_refused_and_locked_exactly_like_a_wrong_password(county_clerk):
    def page(username: str, times: int) -> tuple[int, str]:
        response = fail(username, times)
        text = response.content.decode()
        # The error summary and the field errors, times removed (they may cross a minute).
        main = text.split('id="main-content"')[1]
        main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
        main = re.sub(r"\d", "#", main)
        return response.status_code, main.replace(username, "NAME")

    assert page(county_clerk.username, 1) == page("no-such-account", 1)
    assert page(county_clerk.username, LIMIT - 1) == page("no-such-account", LIMIT - 1)
    locked = page(county_clerk.username, 1)
    assert locked[0] == 429 and locked == page("no-such-account", 1)


@pytest.mark.django_db
def test_each_failure_after_the_limit_doubles_the_lockout_up_to_a_day(county_clerk):
    assert lockouts.lockout_duration(LIMIT) == datetime.timedelta(minutes=15)
    assert lockouts.lockout_duration(LIMIT + 1) == datetime.timedelta(minutes=30)
    assert lockouts.lockout_duration(LIMIT + 3) == datetime.timedelta(hours=2)
    assert lockouts.lockout_duration(LIMIT + 40) == datetime.timedelta(hours=24)
    fail(county_clerk.username, LIMIT)

    def wait(minutes: int) -> None:
        ago = timezone.now() - datetime.timedelta(minutes=minutes)
        AccessAttempt.objects.update(attempt_time=ago)

    wait(16)  # the first lockout (15 minutes) is over: one more guess is allowed…
    assert fail(county_clerk.username, 1).status_code == 429  # …wrong: locked again
    wait(16)  # 16 minutes later the second lockout (30 minutes) still holds
    assert not signs_in(county_clerk.username)
    wait(31)
    assert signs_in(county_clerk.username)
    assert not AccessAttempt.objects.exists()  # a success forgets the failures


@pytest.mark.django_db
def test_the_pair_address_is_the_client_behind_the_trusted_proxy(settings, county_clerk):
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"

    def behind_proxy(client_ip: str) -> Client:
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_ip}")

    client = behind_proxy(A)
    for _ in range(LIMIT):
        post_password(client, county_clerk.username, "wrong-password")
    assert post_password(behind_proxy(A), county_clerk.username).status_code == 429
    assert post_password(behind_proxy(B), county_clerk.username).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {A}


@pytest.mark.django_db
def test_sign_ins_failures_lockouts_and_refusals_are_logged(county_clerk):
    fail(county_clerk.username, LIMIT + 1)
    fail("no-such-account", 1)
    assert signs_in(county_clerk.username, B)
    entries = Entry.objects.filter(action__startswith="signin").order_by("id")
    actions = list(entries.values_list("action", "target_id", "detail"))
    kinds = [a for a, _, _ in actions]
    assert kinds.count("signin.failure") == LIMIT  # 29 for the clerk, 1 for the unknown name
    # Tries on the locked pair are refused unread and not logged again (no flooding the log).
    assert kinds.count("signin.lockout") == 1 and kinds.count("signin.locked") == 0
    assert kinds[-1] == "signin"
    assert actions[0][1] == str(county_clerk.pk)
    assert {"username": "no-such-account"} in [d for _, _, d in actions]
    assert Entry.objects.filter(action="signin.failure", source=A).count() == LIMIT


@pytest.mark.django_db
def test_the_security_administrator_unlocks_a_locked_pair_with_a_reason(
    security_admin, county_clerk
):
    fail(county_clerk.username, LIMIT)
    admin = client_for(security_admin)
    listing = admin.get("/accounts/lockouts/").content.decode()
    assert county_clerk.username in listing and A in listing
    pair = lockouts.locked_pairs(user=security_admin)[0]
    url = f"/accounts/lockouts/{pair.id}/unlock/"
    assert "理由" in admin.get(url).content.decode() or admin.get(url).status_code == 200
    refused = admin.post(url, {"reason": "  "})
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()
    assert not signs_in(county_clerk.username)
    done = admin.post(url, {"reason": "本人来电确认输错密码"})
    assert done.status_code == 302
    assert signs_in(county_clerk.username)
    entry = Entry.objects.get(action="signin.unlock")
    assert entry.actor == security_admin and entry.target_id == str(county_clerk.pk)
    assert entry.detail == {"username": county_clerk.username, "address": A,
                            "failures": LIMIT, "reason": "本人来电确认输错密码"}  # fmt: skip


@pytest.mark.django_db
def test_only_the_security_administrator_sees_and_unlocks_lockouts(
    county_clerk, city_staff, audit_admin
):
    fail(county_clerk.username, LIMIT)
    pair_id = AccessAttempt.objects.get().pk
    for user in (city_staff, audit_admin):
        client = client_for(user)
        assert client.get("/accounts/lockouts/").status_code == 403
        unlock = client.post(f"/accounts/lockouts/{pair_id}/unlock/", {"reason": "x"})
        assert unlock.status_code == 403
    assert not signs_in(county_clerk.username)


@pytest.mark.django_db
def test_an_unlock_of_a_pair_that_is_not_locked_is_not_found(security_admin, county_clerk):
    fail(county_clerk.username, 3)
    pair_id = AccessAttempt.objects.get().pk
    url = f"/accounts/lockouts/{pair_id}/unlock/"
    response = client_for(security_admin).post(url, {"reason": "x"})
    assert response.status_code == 404

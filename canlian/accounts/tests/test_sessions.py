"""Sessions end after 30 idle minutes and 12 hours in all, and when the account is disabled."""

from __future__ import annotations

import time

import pytest

from canlian.accounts import approvals, sessions
from canlian.audit.models import Entry

from .signin_helpers import sign_in


def age(client, *, seen_minutes: float = 0, signed_in_hours: float = 0) -> None:
    """Pretend the last request and the sign-in were that long ago."""
    session = client.session
    now = time.time()
    session[sessions.SEEN_AT] = int(now - seen_minutes * 60)
    session[sessions.SIGNED_IN_AT] = int(now - signed_in_hours * 3600)
    session.save()


@pytest.mark.django_db
def test_a_session_idle_for_more_than_30_minutes_ends_and_the_login_page_says_why(county_clerk):
    client = sign_in(county_clerk)
    age(client, seen_minutes=31)
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/people/"
    page = client.get(response["Location"]).content.decode()
    assert "30 分钟" in page and "已自动退出" in page
    assert client.get("/people/").status_code == 302  # signed out for good
    assert Entry.objects.get(action="signin.expired").detail == {"reason": "idle"}


@pytest.mark.django_db
def test_a_session_used_within_30_minutes_goes_on(county_clerk):
    client = sign_in(county_clerk)
    age(client, seen_minutes=29, signed_in_hours=11)
    assert client.get("/people/").status_code == 200
    assert time.time() - client.session[sessions.SEEN_AT] < 5  # the clock restarts


@pytest.mark.django_db
def test_a_busy_session_ends_12_hours_after_signing_in(county_clerk):
    client = sign_in(county_clerk)
    age(client, seen_minutes=1, signed_in_hours=12.1)
    response = client.get("/people/")
    assert response.status_code == 302
    assert "12 小时" in client.get(response["Location"]).content.decode()
    assert Entry.objects.get(action="signin.expired").detail == {"reason": "absolute"}


@pytest.mark.django_db
def test_the_idle_limit_is_a_setting(settings, county_clerk):
    settings.SESSION_IDLE_MINUTES = 5
    client = sign_in(county_clerk)
    age(client, seen_minutes=6)
    assert client.get("/people/").status_code == 302


@pytest.mark.django_db
def test_disabling_an_account_ends_its_sessions_even_if_it_is_enabled_again(
    security_admin, security_admin_2, county_clerk
):
    client = sign_in(county_clerk)
    # Disabling takes effect at once; enabling a sensitive account again takes a second
    # administrator (accounts.approvals).
    approvals.change_account(
        user=county_clerk, role=county_clerk.role, place=county_clerk.place,
        is_active=False, full_name="", acting_user=security_admin,
    )  # fmt: skip
    assert client.get("/people/").status_code == 302
    asked = approvals.change_account(
        user=county_clerk, role=county_clerk.role, place=county_clerk.place,
        is_active=True, full_name="", acting_user=security_admin,
    )  # fmt: skip
    assert asked.request is not None
    approvals.approve(request_id=asked.request.pk, acting_user=security_admin_2)
    county_clerk.refresh_from_db()
    assert county_clerk.is_active
    assert client.get("/people/").status_code == 302  # the old session stays ended
    assert sign_in(county_clerk).get("/people/").status_code == 200

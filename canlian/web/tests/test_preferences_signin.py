"""Text size and contrast chosen on the sign-in page survive signing in, and signing out."""

from __future__ import annotations

import time

from django.conf import settings
from django.test import Client

from canlian.accounts import sessions
from canlian.accounts.models import User
from canlian.accounts.tests.signin_helpers import post_password


def _classes(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split("<html", 1)[1].split(">", 1)[0]


def test_a_choice_made_on_the_sign_in_page_is_kept_after_signing_in(county_clerk):
    client = Client()
    client.post("/ui/", {"text": "larger", "next": "/login/"})
    client.post("/ui/", {"contrast": "high", "next": "/login/"})
    assert "cl-text-larger" in _classes(client, "/login/")
    response = post_password(client, county_clerk.username)
    assert response.status_code == 302
    after = _classes(client, "/people/")
    assert "cl-text-larger" in after and "cl-contrast-high" in after
    # Made the account's: a sign-in elsewhere finds them too.
    assert User.objects.get(pk=county_clerk.pk).ui_preferences == {
        "text": "larger",
        "contrast": "high",
    }


def test_without_a_choice_the_account_keeps_its_own_preferences(county_clerk):
    User.objects.filter(pk=county_clerk.pk).update(
        ui_preferences={"text": "large", "contrast": "normal"}
    )
    client = Client()
    assert post_password(client, county_clerk.username).status_code == 302
    assert "cl-text-large" in _classes(client, "/people/")
    assert User.objects.get(pk=county_clerk.pk).ui_preferences["text"] == "large"


def test_signing_out_keeps_the_preferences_on_the_sign_in_page(county_clerk):
    client = Client()
    client.post("/ui/", {"text": "larger", "contrast": "high", "next": "/login/"})
    assert post_password(client, county_clerk.username).status_code == 302
    assert client.post("/logout/").status_code in (200, 302)
    page = _classes(client, "/login/")
    assert "cl-text-larger" in page and "cl-contrast-high" in page
    assert client.get("/people/").status_code == 302  # signed out indeed


def test_preferences_carried_from_a_sign_out_do_not_overwrite_the_next_account(
    county_clerk, other_county_clerk
):
    client = Client()
    client.post("/ui/", {"text": "larger", "next": "/login/"})
    assert post_password(client, county_clerk.username).status_code == 302
    client.post("/logout/")
    # The next person at the same computer signs in without choosing anything.
    assert post_password(client, other_county_clerk.username).status_code == 302
    assert User.objects.get(pk=other_county_clerk.pk).ui_preferences in ({}, None)
    assert "cl-text-larger" not in _classes(client, "/people/")


def test_an_expired_session_keeps_the_preferences_on_the_sign_in_page(county_clerk):
    client = Client()
    client.post("/ui/", {"text": "large", "contrast": "high", "next": "/login/"})
    assert post_password(client, county_clerk.username).status_code == 302
    session = client.session
    past = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session[sessions.SEEN_AT] = past
    session.save()
    assert client.get("/people/").status_code == 302
    page = client.get("/login/").content.decode()
    assert "cl-text-large" in page and "cl-contrast-high" in page

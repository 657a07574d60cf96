"""Signing in through the real pages in tests: the password form, then the code."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from canlian.accounts import otp
from canlian.conftest import TEST_TOTP_KEY

PASSWORD = "not-a-real-password"


def fresh_code(user: Any, key: str = TEST_TOTP_KEY) -> str:
    """The app's current code, usable even if this time step's code was used already (a
    real app waits 30 seconds; tests forget the step instead)."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return otp.current_code(key)


def post_password(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def sign_in(user: Any, *, address: str = "192.0.2.10", password: str = PASSWORD) -> Client:
    """A client signed in through the login page (and the code, for a user with an app)."""
    client = Client(REMOTE_ADDR=address)
    response = post_password(client, user.username, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"].startswith("/login/verify/"):
        response = client.post(response["Location"], {"code": fresh_code(user)})
        assert response.status_code == 302, response.content.decode()[:2000]
    return client

"""Installation creates accounts from the command line, with the password rules enforced."""

import io

import pytest
from django.core.management import CommandError, call_command

from canlian.accounts.models import User
from canlian.accounts.roles import Perm

pytestmark = pytest.mark.django_db


def test_an_administrator_is_created_with_a_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-Long-secret-phrase\n"))
    call_command(
        "create_account", "--username", "secadmin", "--role", "security_admin",
        "--place", "410800000000", "--password-stdin", stdout=io.StringIO(),
    )  # fmt: skip
    user = User.objects.get(username="secadmin")
    assert user.check_password("a-Long-secret-phrase")
    assert user.can(Perm.MANAGE_ACCOUNTS) and not user.can(Perm.VIEW_AUDIT)


def test_a_weak_password_or_unknown_place_is_refused(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError):
        call_command(
            "create_account", "--username", "x", "--role", "auditor",
            "--place", "410800000000", "--password-stdin",
        )  # fmt: skip
    with pytest.raises(CommandError):
        call_command(
            "create_account", "--username", "y", "--role", "auditor", "--place", "999",
            "--password-stdin",
        )  # fmt: skip
    assert not User.objects.filter(username__in=["x", "y"]).exists()

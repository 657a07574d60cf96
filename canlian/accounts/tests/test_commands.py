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


def test_the_role_is_explained_and_the_new_account_named_by_its_place(monkeypatch):
    """The help lists each role with its name; the account is reported with its place's name,
    never the place's code."""
    from django.core.management import load_command_class
    from django.utils import translation

    with translation.override("zh-hans"):
        command = load_command_class("canlian.accounts", "create_account")
        usage = "".join(command.create_parser("canlian", "create_account").format_help().split())
    assert "county_clerk（县级残联工作人员）" in usage
    monkeypatch.setattr("sys.stdin", io.StringIO("a-Long-secret-phrase\n"))
    out = io.StringIO()
    call_command(
        "create_account", "--username", "wenclerk", "--role", "county_clerk",
        "--place", "410825000000", "--password-stdin", stdout=out,
    )  # fmt: skip
    assert "温县" in out.getvalue() and "410825" not in out.getvalue()


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


def test_resetting_a_second_factor_removes_the_app_and_codes_and_is_logged(security_admin):
    from canlian.accounts import otp
    from canlian.audit.models import Entry

    assert otp.authenticator(security_admin) is not None
    out = io.StringIO()
    call_command(
        "reset_second_factor", "--username", "secadmin", "--reason", "手机和恢复码都丢失",
        stdout=out,
    )  # fmt: skip
    assert otp.authenticator(security_admin) is None
    assert otp.recovery_codes_left(security_admin) == 0
    assert otp.pending_step(security_admin) == "enrol"
    entry = Entry.objects.get(action="otp.reset")
    assert entry.detail == {"devices": 2, "reason": "手机和恢复码都丢失"}
    with pytest.raises(CommandError):
        call_command("reset_second_factor", "--username", "secadmin", "--reason", " ")

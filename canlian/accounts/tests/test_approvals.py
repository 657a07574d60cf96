"""Duties kept apart: every administrator × role, and the maker-checker of sensitive roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from canlian.accounts import activation, approvals, services
from canlian.accounts.models import AccountRequest, User
from canlian.accounts.roles import SENSITIVE_PERMS, Role, is_sensitive, permissions_for
from canlian.audit.models import Entry
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

AT_ONCE, PENDING, REFUSED = "effective at once", "pending approval", "refused"
# What the security administrator asking for each role gets (written out, not derived, so
# that a change of the rule or of a role's permissions shows here).
SECURITY_ADMIN_GETS = {
    Role.TOWNSHIP_OFFICER: AT_ONCE,
    Role.COUNTY_CLERK: PENDING,  # reveals ID numbers
    Role.CIVIL_AFFAIRS: PENDING,  # reveals
    Role.CITY_STAFF: PENDING,  # reveals and exports full values
    Role.FINANCE: PENDING,  # reveals and exports full values
    Role.AUDITOR: PENDING,  # reads the audit log, reveals
    Role.SYSTEM_ADMIN: REFUSED,  # administrator roles only at installation
    Role.SECURITY_ADMIN: REFUSED,
    Role.AUDIT_ADMIN: REFUSED,
}
ROLE_FIXTURES = {
    Role.TOWNSHIP_OFFICER: "township_officer",
    Role.COUNTY_CLERK: "county_clerk",
    Role.CIVIL_AFFAIRS: "civil_affairs",
    Role.CITY_STAFF: "city_staff",
    Role.FINANCE: "finance",
    Role.AUDITOR: "auditor",
    Role.SYSTEM_ADMIN: "system_admin",
    Role.SECURITY_ADMIN: "security_admin",
    Role.AUDIT_ADMIN: "audit_admin",
}
WEN = "410825000000"
CITY = "410800000000"
# Each role's account at the level of the jurisdiction tree it belongs to (roles.ROLE_LEVELS).
PLACE_OF = {
    Role.TOWNSHIP_OFFICER: "410825001000",
    Role.COUNTY_CLERK: WEN,
    Role.CIVIL_AFFAIRS: WEN,
    Role.FINANCE: WEN,
    Role.CITY_STAFF: CITY,
    Role.AUDITOR: CITY,
    Role.SYSTEM_ADMIN: CITY,
    Role.SECURITY_ADMIN: CITY,
    Role.AUDIT_ADMIN: CITY,
}


def place(code: str = WEN) -> Place:
    return Place.objects.get(code=code)


def installed(username: str, role: str, code: str = "", *, password: str = "") -> User:
    """An account made at installation (no administrator involved), at its role's level."""
    return services.create_account(
        username=username, password=password or "an-installed-password", role=role,
        place=place(code or PLACE_OF[role]), acting_user=None, check_password=False,
    )  # fmt: skip


def ask_create(maker: User, role: str, username: str = "newcomer") -> approvals.Outcome:
    return approvals.create_account(
        username=username, full_name="新同事", role=role, place=place(PLACE_OF[role]),
        is_active=True, acting_user=maker,
    )  # fmt: skip


def ask_change(maker: User, user: User, role: str, **state: Any) -> approvals.Outcome:
    values: dict[str, Any] = {
        "place": place(PLACE_OF[role]), "is_active": True, "full_name": user.full_name,
    }  # fmt: skip
    values.update(state)
    return approvals.change_account(user=user, role=role, acting_user=maker, **values)


def sensitive_perms(role: str) -> frozenset[str]:
    return permissions_for(role) & SENSITIVE_PERMS


def test_the_table_covers_every_role_and_holds_back_every_sensitive_one():
    assert set(SECURITY_ADMIN_GETS) == set(Role.values) == set(ROLE_FIXTURES)
    for role, outcome in SECURITY_ADMIN_GETS.items():
        if is_sensitive(role):
            assert outcome in (PENDING, REFUSED), role


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("maker_role", Role.values)
def test_each_maker_and_role_is_refused_effective_at_once_or_held_for_a_second_administrator(
    request, maker_role, role, security_admin_2
):
    maker = request.getfixturevalue(ROLE_FIXTURES[maker_role])
    target = installed("target", Role.TOWNSHIP_OFFICER, "410825001000")
    expected = SECURITY_ADMIN_GETS[role] if maker_role == Role.SECURITY_ADMIN else REFUSED

    if expected == REFUSED:
        # Without the accounts permission: refused outright; administrator roles: on the field.
        refusal = PermissionDenied if maker_role != Role.SECURITY_ADMIN else ValidationError
        with pytest.raises(refusal):
            ask_create(maker, role)
        with pytest.raises(refusal):
            ask_change(maker, target, role)
        target.refresh_from_db()
        assert target.role == Role.TOWNSHIP_OFFICER and target.place_id == "410825001000"
        assert not User.objects.filter(username="newcomer").exists()
        assert not AccountRequest.objects.exists()
        assert not Entry.objects.filter(actor=maker, action__startswith="account.").exists()
        return

    created, changed = ask_create(maker, role), ask_change(maker, target, role)
    target.refresh_from_db()
    if expected == AT_ONCE:
        new = User.objects.get(username="newcomer")
        assert new.role == role and new.is_active and created.account == new
        assert target.role == role and target.place_id == PLACE_OF[role]
        assert created.code and not new.has_usable_password()  # the holder sets it
        assert not AccountRequest.objects.exists()
        return

    # Pending: nothing granted until another security administrator approves.
    assert created.request and created.request.is_pending and created.code
    assert changed.request and changed.request.is_pending and changed.code
    assert not User.objects.filter(username="newcomer").exists()
    assert target.role == Role.TOWNSHIP_OFFICER and target.place_id == "410825001000"
    assert not any(target.can(p) for p in SENSITIVE_PERMS)
    for outcome in (created, changed):
        with pytest.raises(ValidationError):
            approvals.approve(request_id=outcome.request.pk, acting_user=maker)
    assert AccountRequest.objects.filter(status=AccountRequest.Status.PENDING).count() == 2
    assert not User.objects.filter(username="newcomer").exists()

    for outcome in (created, changed):
        approved = approvals.approve(request_id=outcome.request.pk, acting_user=security_admin_2)
        assert approved.code and approved.code != outcome.code  # the second of two codes
    new = User.objects.get(username="newcomer")
    target.refresh_from_db()
    for account in (new, target):
        assert account.role == role and account.place_id == PLACE_OF[role]
        assert account.is_active
        assert all(account.can(p) for p in sensitive_perms(role))
        assert not account.has_usable_password()  # nobody but the holder will know it
    assert set(AccountRequest.objects.values_list("status", flat=True)) == {"approved"}


def test_the_system_and_audit_administrators_can_neither_approve_nor_reject(
    security_admin, system_admin, audit_admin
):
    asked = ask_create(security_admin, Role.AUDITOR).request
    for admin in (system_admin, audit_admin):
        with pytest.raises(PermissionDenied):
            approvals.approve(request_id=asked.pk, acting_user=admin)
        with pytest.raises(PermissionDenied):
            approvals.reject(request_id=asked.pk, reason="不同意", acting_user=admin)
    asked.refresh_from_db()
    assert asked.is_pending and not User.objects.filter(username="newcomer").exists()


def test_the_database_refuses_an_approval_by_the_maker(security_admin):
    asked = ask_create(security_admin, Role.AUDITOR).request
    asked.status, asked.decided_by = AccountRequest.Status.APPROVED, security_admin
    with pytest.raises(IntegrityError), transaction.atomic():
        asked.save()


def test_a_rejection_needs_a_reason_and_changes_nothing(security_admin, security_admin_2):
    target = installed("target", Role.TOWNSHIP_OFFICER)
    asked = ask_change(security_admin, target, Role.AUDITOR).request
    with pytest.raises(ValidationError) as caught:
        approvals.reject(request_id=asked.pk, reason="  ", acting_user=security_admin_2)
    assert "reason" in caught.value.message_dict
    approvals.reject(request_id=asked.pk, reason="未经审批的岗位", acting_user=security_admin_2)
    asked.refresh_from_db()
    target.refresh_from_db()
    assert asked.status == AccountRequest.Status.REJECTED and asked.reason == "未经审批的岗位"
    assert target.role == Role.TOWNSHIP_OFFICER and target.check_password("an-installed-password")
    with pytest.raises(ValidationError):
        approvals.approve(request_id=asked.pk, acting_user=security_admin_2)


def test_the_maker_may_withdraw_a_request_by_rejecting_it(security_admin):
    asked = ask_create(security_admin, Role.FINANCE).request
    approvals.reject(request_id=asked.pk, reason="用户名写错", acting_user=security_admin)
    # The user name is free again.
    assert ask_create(security_admin, Role.FINANCE).request.is_pending


def test_a_request_outside_the_approvers_jurisdiction_is_refused(security_admin):
    # A security administrator of one county (an account made before roles were bound to
    # levels of the tree, written here as it is in the database).
    meng_admin = User.objects.create(
        username="secadmin-meng", role=Role.SECURITY_ADMIN, place=place("410883000000")
    )
    asked = ask_create(security_admin, Role.AUDITOR).request  # in 温县
    with pytest.raises(PermissionDenied):
        approvals.approve(request_id=asked.pk, acting_user=meng_admin)
    assert AccountRequest.objects.visible_to(meng_admin).count() == 0


def test_every_request_approval_and_rejection_is_audited(security_admin, security_admin_2):
    target = installed("target", Role.TOWNSHIP_OFFICER)
    created = ask_create(security_admin, Role.AUDITOR).request
    changed = ask_change(security_admin, target, Role.CITY_STAFF).request
    approvals.approve(request_id=created.pk, acting_user=security_admin_2)
    approvals.reject(request_id=changed.pk, reason="不需要", acting_user=security_admin_2)
    by_admins = Entry.objects.filter(action__startswith="account.", actor__isnull=False)
    entries = list(by_admins.order_by("id"))
    assert [(e.action, e.actor_id) for e in entries] == [
        ("account.request", security_admin.pk),
        ("account.request", security_admin.pk),
        ("account.create", security_admin_2.pk),
        ("account.approve", security_admin_2.pk),
        ("account.reject", security_admin_2.pk),
    ]
    assert entries[0].detail["role"] == Role.AUDITOR and entries[4].detail["reason"] == "不需要"
    assert entries[2].detail["request"] == created.pk


def test_a_request_is_not_recorded_when_its_audit_entry_fails(security_admin, monkeypatch):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("canlian.accounts.approvals.audit.record", broken)
    with pytest.raises(RuntimeError):
        ask_create(security_admin, Role.AUDITOR)
    assert not AccountRequest.objects.exists()


@pytest.mark.parametrize(
    ("state", "held"),
    [
        ({"is_active": False}, False),  # disabling takes rights away: at once
        ({"full_name": "改名"}, False),
        ({"place": "410883000000"}, True),  # another jurisdiction
        ({"role": Role.FINANCE}, True),  # another sensitive role
        # A role without sensitive rights (at its own level of the tree).
        ({"role": Role.TOWNSHIP_OFFICER, "place": "410825001000"}, False),
    ],
)
def test_changes_of_a_sensitive_account_wait_only_when_they_grant(security_admin, state, held):
    clerk = installed("clerk", Role.COUNTY_CLERK)
    values: dict[str, Any] = {"role": Role.COUNTY_CLERK, **state}
    values["place"] = place(state.get("place", WEN))
    outcome = ask_change(security_admin, clerk, **values)
    clerk.refresh_from_db()
    assert (outcome.request is not None) == held
    assert (clerk.role, clerk.place_id, clerk.is_active) == (
        (Role.COUNTY_CLERK, WEN, True)
        if held
        else (values["role"], values["place"].code, values.get("is_active", True))
    )
    # A sensitive account's password was set by its holder: a change keeps it, no codes.
    assert not outcome.code and clerk.check_password("an-installed-password")


def test_reactivating_a_disabled_sensitive_account_waits_for_approval(
    security_admin, security_admin_2
):
    clerk = installed("clerk", Role.COUNTY_CLERK)
    ask_change(security_admin, clerk, Role.COUNTY_CLERK, is_active=False)
    asked = ask_change(security_admin, clerk, Role.COUNTY_CLERK, is_active=True).request
    clerk.refresh_from_db()
    assert asked is not None and not clerk.is_active
    approvals.approve(request_id=asked.pk, acting_user=security_admin_2)
    clerk.refresh_from_db()
    assert clerk.is_active and clerk.check_password("an-installed-password")


def test_nothing_else_changes_an_account_while_a_request_for_it_waits(security_admin):
    target = installed("target", Role.TOWNSHIP_OFFICER)
    ask_change(security_admin, target, Role.AUDITOR)
    with pytest.raises(ValidationError):
        ask_change(security_admin, target, Role.TOWNSHIP_OFFICER, full_name="别的")
    with pytest.raises(ValidationError):
        approvals.reset_password(user=target, acting_user=security_admin)


def test_an_account_changed_since_the_request_is_not_approved(security_admin, security_admin_2):
    target = installed("target", Role.TOWNSHIP_OFFICER)
    asked = ask_change(security_admin, target, Role.AUDITOR).request
    services.update_account(
        user=target, role=Role.TOWNSHIP_OFFICER, place=target.place, is_active=False,
        full_name="", acting_user=security_admin,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        approvals.approve(request_id=asked.pk, acting_user=security_admin_2)
    target.refresh_from_db()
    assert target.role == Role.TOWNSHIP_OFFICER and not target.is_active


def test_a_password_reset_of_a_sensitive_account_waits_and_then_needs_both_codes(
    security_admin, security_admin_2
):
    clerk = installed("clerk", Role.COUNTY_CLERK)
    asked = approvals.reset_password(user=clerk, acting_user=security_admin)
    clerk.refresh_from_db()
    assert asked.request is not None and clerk.check_password("an-installed-password")
    second = approvals.approve(request_id=asked.request.pk, acting_user=security_admin_2).code
    clerk.refresh_from_db()
    assert not clerk.has_usable_password()
    for first_code, second_code in ((asked.code, ""), (second, ""), (second, asked.code)):
        with pytest.raises(ValidationError):
            activation.activate(
                username="clerk", first_code=first_code, second_code=second_code,
                password="Xin-mima-2026",
            )  # fmt: skip
    activation.activate(
        username="clerk", first_code=asked.code, second_code=second, password="Xin-mima-2026"
    )
    clerk.refresh_from_db()
    assert clerk.check_password("Xin-mima-2026")


def test_a_password_reset_of_a_township_officer_is_at_once_with_one_code(security_admin):
    officer = installed("officer", Role.TOWNSHIP_OFFICER)
    outcome = approvals.reset_password(user=officer, acting_user=security_admin)
    officer.refresh_from_db()
    assert outcome.request is None and outcome.code and not officer.has_usable_password()
    assert Entry.objects.filter(action="account.reset_password", actor=security_admin).exists()


def test_making_an_account_sensitive_takes_its_password_from_whoever_knew_it(
    security_admin, security_admin_2
):
    """The maker created the township officer and handed its only code (so could have set
    its password); once made an auditor, the account opens only with the maker's new code
    and the approver's."""
    officer = approvals.create_account(
        username="officer", full_name="", role=Role.TOWNSHIP_OFFICER,
        place=place("410825001000"), is_active=True, acting_user=security_admin,
    )  # fmt: skip
    activation.activate(
        username="officer", first_code=officer.code, second_code="", password="Maker-knows-it-1"
    )
    asked = ask_change(security_admin, officer.account, Role.AUDITOR)
    second = approvals.approve(request_id=asked.request.pk, acting_user=security_admin_2).code
    account = User.objects.get(username="officer")
    assert account.role == Role.AUDITOR and not account.check_password("Maker-knows-it-1")
    with pytest.raises(ValidationError):
        activation.activate(
            username="officer", first_code=officer.code, second_code="",
            password="Maker-knows-it-2",
        )  # fmt: skip
    activation.activate(
        username="officer", first_code=asked.code, second_code=second, password="Holder-only-3"
    )
    assert User.objects.get(username="officer").check_password("Holder-only-3")


def test_a_user_name_is_taken_while_a_request_for_it_waits(security_admin):
    ask_create(security_admin, Role.AUDITOR)
    with pytest.raises(ValidationError) as caught:
        ask_create(security_admin, Role.TOWNSHIP_OFFICER)
    assert "username" in caught.value.message_dict

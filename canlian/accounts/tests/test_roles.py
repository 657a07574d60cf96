"""Roles grant only what they list; the three administrators are kept apart."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from canlian.accounts import services
from canlian.accounts.models import User
from canlian.accounts.roles import (
    ROLE_PERMISSIONS,
    SENSITIVE_PERMS,
    Perm,
    Role,
    is_sensitive,
    permissions_for,
)
from canlian.conftest import client_for
from canlian.places.models import Place


def test_no_role_can_both_grant_permissions_and_read_the_audit_log():
    for role, perms in ROLE_PERMISSIONS.items():
        assert not ({Perm.MANAGE_ACCOUNTS, Perm.VIEW_AUDIT} <= perms), role


def test_an_unknown_or_empty_role_grants_nothing():
    assert permissions_for("") == frozenset()
    assert permissions_for("superuser") == frozenset()


def test_a_role_is_sensitive_when_it_reads_the_audit_log_or_reveals_or_exports_full_values():
    assert {Perm.VIEW_AUDIT, Perm.REVEAL_PERSON, Perm.EXPORT_REVEAL} <= SENSITIVE_PERMS
    for role in Role.values:
        assert is_sensitive(role) == bool(permissions_for(role) & SENSITIVE_PERMS), role
    assert is_sensitive(Role.AUDITOR) and is_sensitive(Role.AUDIT_ADMIN)
    assert not is_sensitive(Role.TOWNSHIP_OFFICER) and not is_sensitive(Role.SECURITY_ADMIN)
    assert not is_sensitive("") and not is_sensitive("superuser")


def test_the_auditor_can_change_nothing():
    assert Perm.CHANGE_PERSON not in permissions_for(Role.AUDITOR)
    assert Perm.MANAGE_ACCOUNTS not in permissions_for(Role.AUDITOR)


def test_every_role_is_configured():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


@pytest.mark.django_db
def test_a_django_superuser_flag_grants_nothing_without_a_role(places):
    user = User.objects.create(username="root", is_superuser=True, is_staff=True)
    assert not any(user.can(p) for p in Perm.values)


@pytest.mark.django_db
def test_the_security_admin_cannot_grant_an_administrator_role(security_admin):
    with pytest.raises(ValidationError) as caught:
        services.create_account(
            username="x", password="a-long-password-1", role=Role.AUDIT_ADMIN,
            place=Place.objects.get(code="410800000000"), acting_user=security_admin,
        )  # fmt: skip
    assert "role" in caught.value.message_dict
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_the_security_admin_cannot_change_their_own_account(security_admin):
    with pytest.raises(PermissionDenied):
        services.update_account(
            user=security_admin, role=Role.CITY_STAFF, place=security_admin.place,
            is_active=True, full_name="", acting_user=security_admin,
        )  # fmt: skip


@pytest.mark.django_db
def test_only_the_security_admin_creates_accounts(county_clerk, audit_admin, security_admin):
    place = Place.objects.get(code="410825001000")
    for user in (county_clerk, audit_admin):
        with pytest.raises(PermissionDenied):
            services.create_account(
                username="new", password="a-long-password-1", role=Role.TOWNSHIP_OFFICER,
                place=place, acting_user=user,
            )  # fmt: skip
    created = services.create_account(
        username="new", password="a-long-password-1", role=Role.TOWNSHIP_OFFICER, place=place,
        acting_user=security_admin,
    )  # fmt: skip
    assert created.can(Perm.VIEW_PERSON) and created.scope_prefix == "410825001"


@pytest.mark.django_db
def test_the_security_admin_alone_cannot_create_or_grant_a_sensitive_role(
    security_admin, township_officer
):
    place = Place.objects.get(code="410825000000")
    with pytest.raises(ValidationError) as caught:
        services.create_account(
            username="new", password="a-long-password-1", role=Role.COUNTY_CLERK, place=place,
            acting_user=security_admin,
        )  # fmt: skip
    assert "role" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.update_account(
            user=township_officer, role=Role.AUDITOR, place=place, is_active=True,
            full_name="", acting_user=security_admin,
        )  # fmt: skip
    assert not User.objects.filter(username="new").exists()
    township_officer.refresh_from_db()
    assert township_officer.role == Role.TOWNSHIP_OFFICER


@pytest.mark.django_db
def test_weak_passwords_are_refused_with_a_reason(security_admin):
    with pytest.raises(ValidationError) as caught:
        services.create_account(
            username="weak", password="12345678", role=Role.TOWNSHIP_OFFICER,
            place=Place.objects.get(code="410825001000"), acting_user=security_admin,
        )  # fmt: skip
    assert caught.value.message_dict["password"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "path", "status"),
    [
        ("security_admin", "/audit/", 403),
        ("audit_admin", "/audit/", 200),
        ("audit_admin", "/accounts/", 403),
        ("security_admin", "/accounts/", 200),
        ("county_clerk", "/audit/", 403),
        ("county_clerk", "/accounts/", 403),
        ("security_admin", "/people/", 403),
        ("system_admin", "/places/", 200),
        ("county_clerk", "/places/", 403),
    ],
)
def test_each_page_is_open_only_to_its_roles(request, fixture, path, status):
    client = client_for(request.getfixturevalue(fixture))
    assert client.get(path).status_code == status


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(places):
    response = Client().get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_account_changes_are_audited(security_admin, county_clerk):
    from canlian.audit.models import Entry

    services.update_account(
        user=county_clerk, role=Role.TOWNSHIP_OFFICER, place=Place.objects.get(code="410825001000"),
        is_active=True, full_name="", acting_user=security_admin,
    )  # fmt: skip
    entry = Entry.objects.get(action="account.update")
    assert entry.detail["changes"]["role"] == [Role.COUNTY_CLERK, Role.TOWNSHIP_OFFICER]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.TOWNSHIP_OFFICER, "410800000000"),  # a township officer's rights for a city
        (Role.TOWNSHIP_OFFICER, "410825000000"),
        (Role.COUNTY_CLERK, "410800000000"),
        (Role.CITY_STAFF, "410825000000"),
    ],
)
def test_an_account_belongs_to_its_roles_level_of_the_jurisdiction_tree(security_admin, role, code):
    from canlian.accounts import approvals

    with pytest.raises(ValidationError) as caught:
        approvals.create_account(
            username="wide", full_name="", role=role, place=Place.objects.get(code=code),
            is_active=True, acting_user=security_admin,
        )  # fmt: skip
    assert "place" in caught.value.message_dict
    assert not User.objects.filter(username="wide").exists()

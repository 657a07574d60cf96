"""The maker-checker pages: asking, the code shown once, approving, rejecting, the lists."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from canlian.accounts import approvals
from canlian.accounts.models import AccountRequest, User
from canlian.accounts.roles import Role
from canlian.conftest import client_for
from canlian.places.models import Place

pytestmark = pytest.mark.django_db

CODE = re.compile(r'class="cl-code">([0-9A-Z-]{14})<')


def ask_for_an_auditor(client: Client) -> str:
    """Post the create form for an auditor; return the page the browser lands on."""
    response = client.post(
        reverse("accounts:create"),
        {"username": "auditor-2", "full_name": "审计二", "role": Role.AUDITOR,
         "place": "410800000000", "is_active": "on"},
        follow=True,
    )  # fmt: skip
    return response.content.decode()


def test_asking_for_an_auditor_shows_the_first_code_once_and_lists_the_request(
    security_admin, security_admin_2
):
    maker = client_for(security_admin)
    page = ask_for_an_auditor(maker)
    assert "第一个激活码" in page and CODE.search(page)
    assert not CODE.search(maker.get(reverse("accounts:activation_code")).content.decode())
    assert not User.objects.filter(username="auditor-2").exists()
    asked = AccountRequest.objects.get(username="auditor-2")
    listing = client_for(security_admin_2).get(reverse("accounts:requests")).content.decode()
    assert "auditor-2" in listing and "审计人员" in listing and security_admin.username in listing
    accounts = client_for(security_admin_2).get(reverse("accounts:list")).content.decode()
    assert "1 项申请等待审批" in accounts
    assert reverse("accounts:request", args=[asked.pk]) in listing


def test_the_maker_is_not_offered_the_approval_and_cannot_post_it(security_admin):
    maker = client_for(security_admin)
    ask_for_an_auditor(maker)
    asked = AccountRequest.objects.get(username="auditor-2")
    detail = maker.get(reverse("accounts:request", args=[asked.pk])).content.decode()
    assert reverse("accounts:request_approve", args=[asked.pk]) not in detail
    assert "另一位安全管理员" in detail
    response = maker.post(reverse("accounts:request_approve", args=[asked.pk]), {"confirm": "on"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    asked.refresh_from_db()
    assert asked.is_pending and not User.objects.filter(username="auditor-2").exists()


def test_a_second_administrator_approves_after_confirming_and_gets_the_second_code(
    security_admin, security_admin_2
):
    ask_for_an_auditor(client_for(security_admin))
    asked = AccountRequest.objects.get(username="auditor-2")
    checker = client_for(security_admin_2)
    url = reverse("accounts:request_approve", args=[asked.pk])
    assert checker.get(url).status_code == 200
    unconfirmed = checker.post(url, {})
    assert "govuk-error-summary" in unconfirmed.content.decode()
    assert not User.objects.filter(username="auditor-2").exists()
    page = checker.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "第二个激活码" in page and CODE.search(page)
    assert User.objects.get(username="auditor-2").role == Role.AUDITOR


def test_a_rejection_asks_for_the_reason_and_shows_it(security_admin, security_admin_2):
    ask_for_an_auditor(client_for(security_admin))
    asked = AccountRequest.objects.get(username="auditor-2")
    checker = client_for(security_admin_2)
    url = reverse("accounts:request_reject", args=[asked.pk])
    assert "govuk-error-summary" in checker.post(url, {"reason": ""}).content.decode()
    response = checker.post(url, {"reason": "岗位未经批准"})
    assert response.status_code == 302
    detail = client_for(security_admin).get(reverse("accounts:request", args=[asked.pk]))
    assert "岗位未经批准" in detail.content.decode() and "未通过" in detail.content.decode()


def test_the_edit_page_shows_a_pending_change_and_saves_nothing_meanwhile(
    security_admin, township_officer
):
    client = client_for(security_admin)
    url = reverse("accounts:edit", args=[township_officer.pk])
    form = {"full_name": "", "role": Role.AUDITOR, "place": "410800000000", "is_active": "on"}
    assert client.post(url, form).status_code == 302
    township_officer.refresh_from_db()
    assert township_officer.role == Role.TOWNSHIP_OFFICER
    page = client.get(url).content.decode()
    assert "等待审批" in page
    again = client.post(
        url,
        {**form, "role": Role.TOWNSHIP_OFFICER, "place": "410825001000", "full_name": "改"},
    )
    assert "govuk-error-summary" in again.content.decode()
    township_officer.refresh_from_db()
    assert township_officer.full_name == ""
    listing = client.get(reverse("accounts:list")).content.decode()
    assert "变更等待审批" in listing


def test_creating_a_township_officer_is_at_once_with_one_code(security_admin):
    client = client_for(security_admin)
    page = client.post(
        reverse("accounts:create"),
        {"username": "officer-2", "role": Role.TOWNSHIP_OFFICER, "place": "410825001000",
         "is_active": "on"},
        follow=True,
    ).content.decode()  # fmt: skip
    assert CODE.search(page) and "第一个" not in page
    officer = User.objects.get(username="officer-2")
    assert officer.role == Role.TOWNSHIP_OFFICER and not officer.has_usable_password()
    listing = client.get(reverse("accounts:list")).content.decode()
    assert "等待持有人设置密码" in listing


def test_resetting_a_sensitive_accounts_password_is_a_request(security_admin, county_clerk):
    client = client_for(security_admin)
    url = reverse("accounts:reset_password", args=[county_clerk.pk])
    assert "另一位安全管理员批准" in client.get(url).content.decode()
    assert "govuk-error-summary" in client.post(url, {}).content.decode()
    page = client.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "第一个激活码" in page
    county_clerk.refresh_from_db()
    assert county_clerk.check_password("not-a-real-password")
    assert AccountRequest.objects.get().kind == AccountRequest.Kind.RESET


@pytest.mark.parametrize("fixture", ["system_admin", "audit_admin", "county_clerk", "auditor"])
def test_the_request_pages_are_only_for_the_security_administrator(
    request, fixture, security_admin
):
    asked = approvals.create_account(
        username="auditor-2", full_name="", role=Role.AUDITOR,
        place=Place.objects.get(code="410800000000"), is_active=True, acting_user=security_admin,
    ).request  # fmt: skip
    client = client_for(request.getfixturevalue(fixture))
    for name, args in [
        ("accounts:requests", []),
        ("accounts:request", [asked.pk]),
        ("accounts:request_approve", [asked.pk]),
        ("accounts:request_reject", [asked.pk]),
        ("accounts:activation_code", []),
        ("accounts:reset_password", [security_admin.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("accounts:request_approve", args=[asked.pk])).status_code == 403

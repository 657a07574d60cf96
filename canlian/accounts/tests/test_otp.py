"""The second factor: mandatory for the administrators and finance, optional for the others,
enrolment with a QR code and the secret as text, recovery codes, and a gate on every URL."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from canlian.accounts import otp, services
from canlian.accounts.models import User
from canlian.accounts.roles import Role
from canlian.audit.models import Entry
from canlian.conftest import TEST_TOTP_KEY, client_for
from canlian.places.models import Place

from .signin_helpers import PASSWORD, fresh_code, post_password, sign_in

SECOND_FACTOR_FIXTURES = ("system_admin", "security_admin", "audit_admin", "finance")
# What a session that owes its second factor may still open (otp.OPEN_PREFIXES).
OPEN_NAMES = {
    "login", "login_verify", "activate", "logout", "set_language", "ui_preferences",
    "portal:subsidy_progress", "portal:certificate_progress",
}  # fmt: skip


def every_url() -> list[tuple[str, str]]:
    """(name, path) of every named URL, with sample arguments."""
    samples = {"int": "1", "str": "x", "slug": "x", "path": "x"}

    def walk(patterns: list[object], prefix: str, namespace: str) -> list[tuple[str, str]]:
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                found += walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                for name, converter in {**getattr(p.pattern, "converters", {})}.items():
                    kind = type(converter).__name__.replace("Converter", "").lower()
                    route = route.replace(f"<{kind}:{name}>", samples.get(kind, "1"))
                    route = route.replace(f"<{name}>", "x")
                found.append((f"{namespace}{p.name}", "/" + route))
        return found

    return walk(get_resolver().url_patterns, "", "")


def password_only(user: User) -> Client:
    client = Client()
    client.force_login(user)  # signed in by password, no code yet
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", SECOND_FACTOR_FIXTURES)
def test_a_password_only_session_of_an_administrator_or_finance_reaches_no_page(request, fixture):
    user = request.getfixturevalue(fixture)
    client = password_only(user)
    urls = every_url()
    assert len(urls) > 90
    opened = set()
    for name, path in urls:
        if path.startswith(otp.OPEN_PREFIXES):
            opened.add(name)
            continue
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (name, path, response.status_code)
            assert response["Location"].startswith("/login/verify/"), (name, response["Location"])
    assert opened == OPEN_NAMES


@pytest.mark.django_db
def test_an_administrator_without_an_app_must_enrol_before_any_other_page(places):
    admin = services.create_account(
        username="new-sysadmin", password=PASSWORD, role=Role.SYSTEM_ADMIN,
        place=Place.objects.get(code="410800000000"), acting_user=None, check_password=False,
    )  # fmt: skip
    client = Client()
    response = post_password(client, admin.username)
    assert response["Location"].startswith("/accounts/me/second-factor/")
    for name, path in every_url():
        if path.startswith((*otp.OPEN_PREFIXES, "/accounts/me/second-factor/")):
            continue
        response = client.get(path)
        assert response.status_code == 302, (name, path)
        assert response["Location"].startswith("/accounts/me/second-factor/"), name
    page = client.get("/accounts/me/second-factor/").content.decode()
    key = client.session[otp.PENDING_KEY]
    secret_groups = otp.provisioning(user=admin, key=key, issuer="Canlian").secret_groups
    assert secret_groups in page and '<svg role="img"' in page and "菜单" not in page
    wrong = client.post("/accounts/me/second-factor/", {"code": "000000"})
    assert "govuk-error-summary" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=admin).exists()
    done = client.post("/accounts/me/second-factor/", {"code": otp.current_code(key)})
    assert done.status_code == 302 and done["Location"].startswith("/accounts/me/recovery-codes/")
    shown = client.get(done["Location"]).content.decode()
    assert shown.count("<code") == otp.RECOVERY_CODES
    # Shown once: the page does not show them again.
    assert client.get("/accounts/me/recovery-codes/").content.decode().count("<code") == 0
    assert client.get("/places/").status_code == 200
    assert Entry.objects.get(action="otp.enrol").detail == {"replaced": False, "recovery_codes": 10}


@pytest.mark.django_db
def test_the_code_after_the_password_opens_the_pages_and_a_wrong_one_is_refused(security_admin):
    client = Client()
    response = post_password(client, security_admin.username)
    assert response["Location"] == "/login/verify/?next=/"
    refused = client.post("/login/verify/", {"code": "000000", "next": "/accounts/"})
    assert refused.status_code == 200 and "这个验证码不对" in refused.content.decode()
    assert client.get("/accounts/").status_code == 302
    time.sleep(1.1)  # django-otp's throttle after one wrong code
    done = client.post("/login/verify/", {"code": fresh_code(security_admin), "next": "/accounts/"})
    assert done["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200
    entries = Entry.objects.filter(action__startswith="signin").order_by("id")
    actions = list(entries.values_list("action", flat=True))
    assert actions == ["signin", "signin.second_factor_failure", "signin.second_factor"]


@pytest.mark.django_db
def test_codes_right_after_a_wrong_one_are_refused_for_a_while(security_admin):
    client = Client()
    post_password(client, security_admin.username)
    client.post("/login/verify/", {"code": "000000"})
    refused = client.post("/login/verify/", {"code": fresh_code(security_admin)})
    assert "请等待" in refused.content.decode()
    failures = Entry.objects.filter(action="signin.second_factor_failure")
    assert failures.filter(detail__throttled=True).exists()


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(security_admin):
    codes = otp.new_recovery_codes(user=security_admin, acting_user=security_admin)
    client = Client()
    post_password(client, security_admin.username)
    typed = otp.format_code(codes[0]).upper()
    assert client.post("/login/verify/", {"code": typed})["Location"] == "/"
    used = Entry.objects.get(action="signin.second_factor.recovery_code")
    assert used.detail == {"method": "recovery_code", "recovery_codes_left": 9}
    again = Client()
    post_password(again, security_admin.username)
    refused = again.post("/login/verify/", {"code": codes[0]})
    assert refused.status_code == 200 and "已经用过" in refused.content.decode()


@pytest.mark.django_db
def test_a_password_only_session_cannot_replace_the_authenticator(security_admin):
    client = password_only(security_admin)
    response = client.get("/accounts/me/second-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    key = otp.new_key()
    session = client.session
    session[otp.PENDING_KEY] = key
    session.save()
    client.post("/accounts/me/second-factor/", {"code": otp.current_code(key)})
    assert TOTPDevice.objects.get(user=security_admin).key == TEST_TOTP_KEY


@pytest.mark.django_db
def test_replacing_the_authenticator_asks_for_the_password_again(security_admin):
    client = sign_in(security_admin)  # password and code: a verified session
    client.get("/accounts/me/second-factor/")
    key = client.session[otp.PENDING_KEY]
    refused = client.post(
        "/accounts/me/second-factor/", {"code": otp.current_code(key), "password": "wrong-one-1A"}
    )
    assert refused.status_code == 200
    assert TOTPDevice.objects.get(user=security_admin).key == TEST_TOTP_KEY
    assert Entry.objects.filter(action="otp.replace_refused").count() == 1
    client.post(
        "/accounts/me/second-factor/", {"code": otp.current_code(key), "password": PASSWORD}
    )
    assert TOTPDevice.objects.get(user=security_admin).key == key


@pytest.mark.django_db
def test_resetting_the_second_factor_ends_every_session_of_the_account(finance, security_admin):
    client = sign_in(finance)
    assert client.get("/payroll/").status_code == 200
    otp.reset(user=finance, reason="手机丢失", acting_user=None)
    response = client.get("/payroll/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_other_roles_sign_in_without_a_code_until_they_enrol_from_their_profile(county_clerk):
    client = sign_in(county_clerk)
    assert client.get("/people/").status_code == 200
    profile = client.get("/accounts/me/").content.decode()
    assert "/accounts/me/second-factor/" in profile
    client.get("/accounts/me/second-factor/")
    key = client.session[otp.PENDING_KEY]
    client.post("/accounts/me/second-factor/", {"code": otp.current_code(key)})
    later = Client()
    assert post_password(later, county_clerk.username)["Location"].startswith("/login/verify/")
    assert later.get("/people/").status_code == 302


@pytest.mark.django_db
def test_new_recovery_codes_need_a_code_from_the_app_and_end_the_old_ones(security_admin):
    old = otp.new_recovery_codes(user=security_admin, acting_user=security_admin)
    client = client_for(security_admin)
    refused = client.post("/accounts/me/recovery-codes/", {"code": "12"})
    assert "govuk-error-summary" in refused.content.decode()
    wrong = client.post("/accounts/me/recovery-codes/", {"code": "000000"})
    assert wrong.status_code == 200 and "这个验证码不对" in wrong.content.decode()
    assert otp.verify(user=security_admin, code=old[0]).device is not None  # still valid
    time.sleep(1.1)  # django-otp's throttle after the wrong code
    made = client.post("/accounts/me/recovery-codes/", {"code": fresh_code(security_admin)})
    assert made.status_code == 302
    assert client.get("/accounts/me/recovery-codes/").content.decode().count("<code") == 10
    assert otp.verify(user=security_admin, code=old[1]).device is None
    assert Entry.objects.filter(action="otp.recovery_codes").count() == 2


def test_the_roles_that_need_a_second_factor_are_the_administrators_and_finance():
    expected = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.FINANCE}
    assert expected == otp.SECOND_FACTOR_ROLES


@pytest.mark.django_db
def test_the_provisioning_uri_carries_the_secret_of_the_key(county_clerk):
    setup = otp.provisioning(user=county_clerk, key=TEST_TOTP_KEY, issuer="Canlian")
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert setup.uri.startswith(f"otpauth://totp/Canlian%3Aclerk-wen?secret={secret}")
    assert setup.secret_groups == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert reverse("accounts:second_factor") == "/accounts/me/second-factor/"

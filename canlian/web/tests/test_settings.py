"""The settings as production gets them: each case starts a fresh interpreter with only the
environment variables given, as a server process would."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "p7Kq2vXr9LmN4sT8wYb3cF6hJ1gD5zA0eU-_RtQoPiSlKkMnBvCxZaWyEuIoHgFd",
    "ALLOWED_HOSTS": "canlian.example.cn",
    "DATABASE_URL": "postgres://canlian@db.example.cn:5432/canlian",
}
HTTPS = {
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "TRUSTED_PROXIES": "1",
    "SECURE_SSL_REDIRECT": "True",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
    "SECURE_HSTS_PRELOAD": "True",
    "SECURE_COOKIES": "True",
    "CANLIAN_FIELD_KEY": "dGVzdC1rZXktZm9yLWNhbmxpYW4tdGVzdHMtb25seSE=",
    "CANLIAN_AUDIT_KEY": "dGVzdCBhdWRpdCBrZXksIG5ldmVyIGZvciB1c2UgISE=",
}
SHOW = """
import json
from config import settings as s
print(json.dumps({name: getattr(s, name) for name in %r}))
"""


def run(code: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(env: dict[str, str], *names: str) -> dict[str, Any]:
    result = run(["-c", SHOW % (names,)], env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_with_only_the_production_variables_debug_is_off() -> None:
    assert production_settings(PRODUCTION, "DEBUG") == {"DEBUG": False}


def test_debug_is_on_only_when_the_environment_says_true() -> None:
    assert production_settings({**PRODUCTION, "DEBUG": "True"}, "DEBUG") == {"DEBUG": True}
    assert production_settings({**PRODUCTION, "DEBUG": ""}, "DEBUG") == {"DEBUG": False}
    result = run(["-c", SHOW % (("DEBUG",),)], {**PRODUCTION, "DEBUG": "yes"})
    assert result.returncode != 0 and "use True or False" in result.stderr


def test_a_production_start_without_secret_key_fails_loudly() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["-m", "canlian.cli", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_development_gets_a_key_of_its_own_only_with_debug_on() -> None:
    env = {"DEBUG": "True"}
    assert production_settings(env, "SECRET_KEY") == {
        "SECRET_KEY": "canlian-development-only-secret-key-not-for-production"
    }


def test_https_settings_are_off_by_default_so_that_plain_http_works() -> None:
    names = (
        "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE",
        "CSRF_TRUSTED_ORIGINS",
    )  # fmt: skip
    assert production_settings(PRODUCTION, *names) == {
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_TRUSTED_ORIGINS": [],
    }


def test_https_behind_a_proxy_is_turned_on_from_the_environment() -> None:
    env = {
        **PRODUCTION,
        **HTTPS,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "CSRF_TRUSTED_ORIGINS": "https://canlian.example.cn, https://cl.example.cn:8443",
    }
    names = (
        "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE", "CSRF_TRUSTED_ORIGINS",
    )  # fmt: skip
    assert production_settings(env, *names) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "CSRF_COOKIE_SAMESITE": "Strict",
        "CSRF_TRUSTED_ORIGINS": ["https://canlian.example.cn", "https://cl.example.cn:8443"],
    }


def test_a_mistyped_https_setting_stops_the_start() -> None:
    for name, value, message in (
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https", "give the header's name"),
        ("SESSION_COOKIE_SAMESITE", "None", "use Lax or Strict"),
        ("SECURE_HSTS_SECONDS", "one year", "use a whole number"),
    ):
        result = run(["-c", SHOW % (("DEBUG",),)], {**PRODUCTION, name: value})
        assert result.returncode != 0 and message in result.stderr, name


def test_check_deploy_passes_with_the_production_and_https_variables() -> None:
    result = run(
        ["-m", "canlian.cli", "check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION, **HTTPS},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https_or_with_debug_on() -> None:
    without_https = run(
        ["-m", "canlian.cli", "check", "--deploy", "--fail-level", "WARNING"],
        {
            **PRODUCTION,
            "CANLIAN_FIELD_KEY": HTTPS["CANLIAN_FIELD_KEY"],
            "CANLIAN_AUDIT_KEY": HTTPS["CANLIAN_AUDIT_KEY"],
        },
    )
    assert without_https.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in without_https.stderr
    with_debug = run(
        ["-m", "canlian.cli", "check", "--deploy"], {**PRODUCTION, **HTTPS, "DEBUG": "True"}
    )
    assert with_debug.returncode != 0
    assert "canlian.E001" in with_debug.stderr

"""Fixtures of other apps that the page-wide tests use (a certificate application's PDF)."""

from canlian.certificates.tests.conftest import apply_first  # noqa: F401

"""The address a request came from, behind the configured number of reverse proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_address"]


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with ``settings.TRUSTED_PROXIES`` = n > 0, the address the outermost
    trusted proxy saw: the n-th entry of X-Forwarded-For from the right (entries further left
    are whatever the client sent, and are not trusted). "" when there is none."""
    trusted = int(settings.TRUSTED_PROXIES)
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    if trusted <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return forwarded[-trusted]

"""Age-friendly display preferences (适老化): text size and contrast, remembered per user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

TEXT_SIZES = (("normal", _("Standard")), ("large", _("Large")), ("larger", _("Larger")))
CONTRASTS = ("normal", "high")
SESSION_KEY = "ui"
STANDARD = {"text": "normal", "contrast": "normal"}


def current(request: HttpRequest) -> dict[str, str]:
    """The visitor's preferences: the account's when signed in, else the session's."""
    user = request.user
    stored: dict[str, Any] = {}
    if user.is_authenticated:
        stored = dict(getattr(user, "ui_preferences", {}) or {})
    else:
        stored = dict(request.session.get(SESSION_KEY, {}))
    text = stored.get("text") if stored.get("text") in dict(TEXT_SIZES) else "normal"
    contrast = stored.get("contrast") if stored.get("contrast") in CONTRASTS else "normal"
    return {"text": str(text), "contrast": str(contrast)}


def html_classes(prefs: dict[str, str]) -> list[str]:
    classes = []
    if prefs["text"] != "normal":
        classes.append(f"cl-text-{prefs['text']}")
    if prefs["contrast"] == "high":
        classes.append("cl-contrast-high")
    return classes


@require_POST
def update(request: HttpRequest) -> HttpResponse:
    prefs = current(request)
    if request.POST.get("text") in dict(TEXT_SIZES):
        prefs["text"] = request.POST["text"]
    if request.POST.get("contrast") in CONTRASTS:
        prefs["contrast"] = request.POST["contrast"]
    user = request.user
    if user.is_authenticated:
        # A display preference is not registry data: no service, no audit entry.
        get_user_model().objects.filter(pk=user.pk).update(ui_preferences=prefs)
    request.session[SESSION_KEY] = prefs
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)

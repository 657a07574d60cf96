"""Age-friendly display preferences (适老化): text size and contrast, remembered per user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

TEXT_SIZES = (("normal", _("Standard")), ("large", _("Large")), ("larger", _("Larger")))
CONTRASTS = ("normal", "high")
SESSION_KEY = "ui"
# Set when the preferences in the session were chosen while signed out (on the sign-in page):
# signing in then makes them the account's. Preferences carried over from a sign-out are not
# marked, so the next person to sign in on a shared computer keeps their own.
CHOSEN_KEY = "ui_chosen"
# The request attribute holding the preferences between a sign-out and the new session.
CARRY_ATTRIBUTE = "_ui_carry"
STANDARD = {"text": "normal", "contrast": "normal"}


def current(request: HttpRequest) -> dict[str, str]:
    """The visitor's preferences: the account's when signed in, else the session's."""
    user = request.user
    stored: dict[str, Any] = {}
    if user.is_authenticated:
        stored = dict(getattr(user, "ui_preferences", {}) or {})
    else:
        stored = dict(request.session.get(SESSION_KEY, {}))
    return _clean(stored)


def _clean(stored: dict[str, Any]) -> dict[str, str]:
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
    if not user.is_authenticated:
        request.session[CHOSEN_KEY] = True
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@receiver(user_logged_in)
def _adopt_on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing in keeps what the visitor chose on the sign-in page: Django cycles the session
    key but keeps its data, so a choice made while signed out is still there and becomes the
    account's. Without such a choice the account's own preferences apply."""
    if request is None or not hasattr(request, "session"):
        return
    session = request.session
    if session.pop(CHOSEN_KEY, False):
        prefs = _clean(dict(session.get(SESSION_KEY, {})))
        # A display preference is not registry data: no service, no audit entry.
        get_user_model().objects.filter(pk=user.pk).update(ui_preferences=prefs)
        user.ui_preferences = prefs


@receiver(user_logged_out)
def _keep_on_sign_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing out (by hand or on expiry) empties the session after this signal: the
    preferences are kept on the request and put in the new session by CarryMiddleware."""
    if request is None or user is None:
        return
    setattr(request, CARRY_ATTRIBUTE, _clean(dict(getattr(user, "ui_preferences", {}) or {})))


class CarryMiddleware:
    """Puts the preferences of a signed-out account in the new, signed-out session, so the
    sign-in page that follows keeps the text size and contrast. Placed inside
    SessionMiddleware (which saves the session afterwards) and outside the middleware that
    signs out an expired session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        carried = getattr(request, CARRY_ATTRIBUTE, None)
        if carried is not None and hasattr(request, "session"):
            request.session[SESSION_KEY] = carried
            request.session.pop(CHOSEN_KEY, None)
        return response

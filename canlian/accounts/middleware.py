"""Every page needs a logged-in user except the login page, static files and the citizens'
self-service pages (/portal/)."""

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from canlian.audit.records import current_source
from canlian.lib.clients import client_address

PUBLIC_PREFIXES = ("/login/", "/static/", "/i18n/", "/ui/", "/portal/")


class LoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_source.set(client_address(request) or "web")
        try:
            if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
                return redirect_to_login(request.get_full_path())
            return self.get_response(request)
        finally:
            current_source.reset(token)

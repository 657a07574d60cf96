"""Response headers for every page and download: no caching, the Content-Security-Policy."""

from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any response.

    Pages, downloads (CSV, .xlsx, PDF), JSON and redirects alike carry personal data or may
    one day; a shared office computer's cache or a proxy must not keep them. Static files
    never reach this middleware: WhiteNoise, placed before it, answers them with their own
    cache headers. A view's own Cache-Control is kept, with no-store added (and `public`
    replaced by `private`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, for HTML only.

    The policy governs documents the browser renders from our markup. A PDF shown inline is
    drawn by the browser's own viewer in a page it makes itself, and a policy on the PDF's
    response blocks that viewer's styles in Chrome (crbug.com/271452); CSV, .xlsx and JSON
    are never rendered (X-Content-Type-Options: nosniff).
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)

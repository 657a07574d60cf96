"""The project's URLs plus views that fail on purpose, for the error page and header tests."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import cache_control

from config.urls import urlpatterns as project_urls


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, on purpose")


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request, on purpose")


@cache_control(public=True, max_age=3600)
def public_cache(request: HttpRequest) -> HttpResponse:
    return HttpResponse("a view that asks to be cached")


urlpatterns = [
    *project_urls,
    path("test-errors/500/", server_error),
    path("test-errors/400/", bad_request),
    path("test-errors/public-cache/", public_cache),
]

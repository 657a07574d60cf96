"""Printable PDFs: Django templates rendered by WeasyPrint, and a check for unprintable characters.

`render_pdf` renders a template (normally one extending ``print/base.html``) to an A4 PDF with
the print stylesheet ``print/pdf.css``. WeasyPrint never touches the network: its URL fetcher
serves our own static files and ``data:`` URLs and refuses everything else.

Fonts come from fontconfig: Pango picks each character from the first font of the stylesheet's
``font-family`` list that has it, then from any installed font that has it. A character that no
installed font covers prints as an empty box (.notdef); `missing_glyphs` finds such characters
beforehand, so a page can say so instead of printing the box silently. The fonts and the Debian
packages that provide them are in docs/decisions/0005-pdf-printing.md.
"""

from __future__ import annotations

import bisect
import logging
import mimetypes
import re
import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "BASE_URL",
    "STYLESHEET",
    "FetchRefused",
    "font_coverage_cache_clear",
    "missing_glyphs",
    "missing_glyphs_message",
    "render_pdf",
]

logger = logging.getLogger(__name__)

#: The static file applied to every PDF (A4, fonts, header and footer).
STYLESHEET = "print/pdf.css"
#: Relative URLs in a PDF template resolve against this origin, which never resolves on the
#: network (.invalid is reserved by RFC 2606); the URL fetcher maps it to our static files.
BASE_URL = "https://canlian.invalid/"

# fc-list: the Debian package `fontconfig`, a dependency of libpangoft2 and so of WeasyPrint.
FC_LIST_TIMEOUT = 30


class FetchRefused(ValueError):
    """WeasyPrint asked for a resource that is neither one of our static files nor data:."""


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """Render a Django template to PDF bytes (A4, the print stylesheet, no network access).

    The context gets ``printed_at`` (now, local time) unless it has one; ``print/base.html``
    also reads ``title`` and ``federation_name``. With ``request`` the template sees the usual
    context processors (user, language). WeasyPrint is imported here, not at module import: it
    takes most of a second and most requests never print.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(
        template_name, {"printed_at": timezone.localtime(), **context}, request=request
    )
    fetcher = _url_fetcher()
    # A font configuration per document: cheap (a few ms, fontconfig keeps its cache on disk),
    # not shared between threads, and it sees fonts installed since the process started.
    font_config = FontConfiguration()
    stylesheets = [
        CSS(
            url=urljoin(BASE_URL, static(STYLESHEET)), url_fetcher=fetcher, font_config=font_config
        ),
        CSS(string=_page_number_css(), font_config=font_config),
    ]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
    pdf: bytes = document.write_pdf(stylesheets=stylesheets, font_config=font_config)
    return pdf


def _page_number_css() -> str:
    """The footer's "Page 1 of 3" as an @page rule, in the current language."""
    label = _("Page %(page)s of %(pages)s")
    parts: list[str] = []
    for piece in re.split(r"(%\(pages?\)s)", label):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    if "counter(page)" not in parts:  # a broken translation must not lose the page number
        parts = ["counter(page)", '" / "', "counter(pages)"]
    return f"@page {{ @bottom-right {{ content: {' '.join(parts)}; }} }}"


def _css_string(text: str) -> str:
    """A double-quoted CSS string; anything but letters, digits and spaces is escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def _url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves our static files and data: URLs and nothing else."""
    # fail_on_errors=False: a refused or missing image is left out with a logged warning, as a
    # browser would. The print stylesheet itself is fetched by CSS(url=...), which raises.
    # A new fetcher per document: URLFetcher keeps per-request state, so it is not shared.
    return _fetcher_class()(fail_on_errors=False)


@cache
def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no stubs
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)  # decoded in memory by urllib
            path = _static_file(url)
            if path is None:
                logger.warning("PDF: refused to fetch %s (only our static files)", url[:200])
                raise FetchRefused(f"PDF rendering fetches only our static files, not {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher


def _static_file(url: str) -> Path | None:
    """The file behind a URL under our static prefix, or None for any other URL."""
    prefix = urljoin(BASE_URL, settings.STATIC_URL)
    if not url.startswith(prefix):
        return None
    name = unquote(urlsplit(url).path[len(urlsplit(prefix).path) :])
    if not name or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    # The source directories first (what runserver serves), then collectstatic's output (the
    # hashed names that ManifestStaticFilesStorage's {% static %} produces).
    try:
        found = finders.find(name)
    except (SuspiciousFileOperation, ValueError):  # ValueError: a NUL byte in the path
        return None
    if isinstance(found, str):
        return Path(found)
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return None


# --- Font coverage -------------------------------------------------------------------------


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` that no installed font covers, each once, in order.

    Such a character prints as an empty box. Spaces, control and format characters and
    variation selectors are not checked: they print nothing anyway. The installed fonts are
    read once per process (one ``fc-list`` run, about 0.1 s); a check is then a lookup.
    """
    starts, ends = _coverage()
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if not _needs_glyph(char):
            continue
        code = ord(char)
        i = bisect.bisect_right(starts, code) - 1
        if i < 0 or code > ends[i]:
            missing.append(char)
    return missing


def missing_glyphs_message(text: str) -> str | None:
    """A message for staff when ``text`` has characters no installed font can print, or None."""
    missing = missing_glyphs(text)
    if not missing:
        return None
    characters = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing)
    return _(
        "No installed font can print these characters: %(characters)s. They would print as "
        "empty boxes. Ask the system administrator to install the print fonts."
    ) % {"characters": characters}


def font_coverage_cache_clear() -> None:
    """Forget the installed fonts' coverage (after installing fonts, or in tests)."""
    _coverage.cache_clear()


def _needs_glyph(char: str) -> bool:
    if char.isspace():
        return False
    # Cc control, Cf format (ZWJ, soft hyphen...), Mn covers the variation selectors, which
    # fonts handle through cmap format 14 rather than as glyphs of their own.
    category = unicodedata.category(char)
    if category in ("Cc", "Cf"):
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


@cache
def _coverage() -> tuple[list[int], list[int]]:
    """The union of the code points of all installed scalable fonts, as sorted, merged ranges."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        logger.warning("PDF: fc-list not found (Debian package fontconfig); no font is assumed")
        return [], []
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [fc_list, "--format=%{charset}\\n", ":scalable=true"],
        capture_output=True,
        text=True,
        check=False,
        timeout=FC_LIST_TIMEOUT,
    )
    if result.returncode != 0:
        logger.warning("PDF: fc-list failed (%s); no font is assumed", result.stderr.strip())
        return [], []
    ranges: set[tuple[int, int]] = set()
    for token in result.stdout.split():
        first, _sep, last = token.partition("-")
        try:
            ranges.add((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    starts: list[int] = []
    ends: list[int] = []
    for low, high in sorted(ranges):
        if ends and low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends

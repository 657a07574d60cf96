"""Receipts given at a window (受理回执): the public address printed on them and its QR code.

The address is absolute, built from ``settings.PUBLIC_URL`` (CANLIAN_PUBLIC_URL), so that a
citizen can type it or scan it at home; a bare path such as /portal/subsidies/ reaches nobody.
The QR code is drawn by segno (pure Python, SVG output, no image library; decision 0017) as
inline SVG, which both the browser and WeasyPrint render sharply at any size."""

from __future__ import annotations

import dataclasses
import datetime
from html import escape

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from canlian.lib import pdf

__all__ = ["QR_ERROR", "Office", "Qr", "Sheet", "public_url", "qr_for", "respond"]

#: Error correction M (15 %): survives a crease or a stamp on the paper.
QR_ERROR = "m"


@dataclasses.dataclass(frozen=True)
class Qr:
    payload: str  # what the code encodes: the absolute address
    svg: str  # inline SVG, role="img" with the label


@dataclasses.dataclass(frozen=True)
class Office:
    """What a receipt needs of the office that took the application (the places app's
    canlian.places.offices.office_of gives it)."""

    name: str
    phone: str


@dataclasses.dataclass(frozen=True)
class Sheet:
    """What templates/receipts/_sheet.html prints."""

    code: str  # the receipt code, or its masked form (``code_whole`` False)
    code_whole: bool
    number: str  # the application's number
    name: str
    id_masked: str
    applied_for: str
    taken_on: datetime.date
    office: Office
    qr: Qr | None  # the public page's address and its QR code, where there is one
    next_steps: list[str]


def public_url(path: str) -> str:
    """The absolute public address of ``path`` (an absolute path, e.g. from reverse())."""
    if not path.startswith("/"):
        raise ValueError(f"not an absolute path: {path!r}")
    return f"{settings.PUBLIC_URL.rstrip('/')}{path}"


def qr_for(payload: str, *, label: str) -> Qr:
    """A QR code of ``payload`` as inline SVG, labelled for screen readers."""
    code = segno.make(payload, error=QR_ERROR, micro=False)
    svg = code.svg_inline(scale=4, border=4, omitsize=True, dark="#000", light="#fff")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Qr(payload=payload, svg=svg)


def respond(
    request: HttpRequest, sheet: Sheet, *, title: str, as_pdf: bool, back_url: str, pdf_url: str
) -> HttpResponse:
    """The receipt `sheet` as the page to print (with a way back to the application and to the
    PDF) or as the PDF itself; the caller has checked access and logged the print."""
    context: dict[str, object] = {
        "sheet": sheet,
        "title": title,
        "federation_name": sheet.office.name,
    }
    if as_pdf:
        content = pdf.render_pdf("receipts/print.html", context, request=request)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{sheet.number}.pdf"'
        return response
    back_label = _("Application %(number)s") % {"number": sheet.number}
    return render(
        request,
        "receipts/page.html",
        context | {"back_url": back_url, "back_label": back_label, "pdf_url": pdf_url},
    )

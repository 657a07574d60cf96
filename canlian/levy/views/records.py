"""Employers and declarations looked up in the user's scope, and what the tables show of a
declaration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from canlian.accounts.display import with_office
from canlian.levy.formula import Tier
from canlian.levy.models import Declaration, DeclarationStatus, Employer
from canlian.lib import money

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

# The status tags' colour variants (the status is always written out as well).
STATUS_TAGS = {
    DeclarationStatus.DRAFT: "neutral",
    DeclarationStatus.VERIFIED: "info",
    DeclarationStatus.NOTIFIED: "success",
}


def employer_in_scope(user: Actor, employer_id: int) -> Employer:
    """The employer if `user` may see it; 404 otherwise."""
    employer = (
        Employer.objects.visible_to(user)
        .select_related("place", "place__parent")
        .filter(pk=employer_id)
        .first()
    )
    if employer is None:
        raise Http404
    return employer


def declaration_in_scope(user: Actor, declaration_id: int) -> Declaration:
    """The declaration if `user` may see it; 404 otherwise."""
    declaration = (
        Declaration.objects.visible_to(user)
        .select_related("employer", "employer__place", "employer__place__parent")
        .select_related(with_office("verified_by"), with_office("notified_by"))
        .filter(pk=declaration_id)
        .first()
    )
    if declaration is None:
        raise Http404
    return declaration


def status_tag(declaration: Declaration) -> str:
    return STATUS_TAGS.get(DeclarationStatus(declaration.status), "neutral")


def tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


def annotate(declarations: list[Declaration]) -> None:
    """What the tables show of each declaration: status tag, tier and amount in words."""
    for declaration in declarations:
        declaration.status_tag = status_tag(declaration)  # type: ignore[attr-defined]
        declaration.tier_label = tier_label(declaration.tier)  # type: ignore[attr-defined]
        declaration.amount_text = (  # type: ignore[attr-defined]
            "" if declaration.amount is None else money.figures(declaration.amount)
        )

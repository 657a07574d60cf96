"""Audit entries as the pages show them: every page that lists entries gets them re-masked."""

from __future__ import annotations

import pytest

from canlian.accounts.display import entry_views
from canlian.audit import records as audit

pytestmark = pytest.mark.django_db

NUMBER = "410823199001011234"
ACCOUNT = "6222020200001234567"


def test_entry_views_mask_full_values_recorded_before_a_mask_existed():
    """The log, an application's history and a person's history all call entry_views: a
    value recorded in full is shown with today's mask by each of them."""
    entry = audit.record(
        acting_user=None,
        action="person.create",
        target=None,
        detail={
            "id_number": NUMBER,
            "after": {"id_number_masked": NUMBER, "bank_account_masked": ACCOUNT},
        },
    )
    (view,) = entry_views([entry])
    shown = f"{view.detail} {view.details}"
    assert NUMBER not in shown and ACCOUNT not in shown
    assert "*" in str(view.detail["id_number"])


def test_a_user_is_named_the_same_whatever_the_page_loaded_with_them(county_clerk):
    """{{ user|display_name }} shows the office whether or not the page joined the user's
    place; pages join it with accounts.display.with_office (OFFICE)."""
    from django.template import Context, Template

    from canlian.accounts.display import OFFICE, user_name
    from canlian.accounts.models import User

    template = Template("{% load names %}{{ u|display_name }}")
    bare = User.objects.get(pk=county_clerk.pk)
    loaded = User.objects.select_related(OFFICE).get(pk=county_clerk.pk)
    shown = {template.render(Context({"u": u})) for u in (bare, loaded)}
    assert shown == {user_name(loaded)} and "（" in user_name(loaded)

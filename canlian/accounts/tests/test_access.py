"""The one permission check and the one permission-checked fetch."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from canlian.accounts.access import MAX_PK, get_visible_or_404, require
from canlian.accounts.roles import Perm
from canlian.places.models import Place

pytestmark = pytest.mark.django_db


def test_require_lets_a_holder_of_the_permission_through(county_clerk) -> None:
    require(county_clerk, Perm.CHANGE_PERSON)


def test_require_refuses_without_the_permission_and_says_nothing_itself(auditor) -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(auditor, Perm.CHANGE_PERSON)
    assert str(refused.value) == ""


def test_require_refuses_anyone_signed_out_and_an_inactive_account(county_clerk) -> None:
    with pytest.raises(PermissionDenied):
        require(AnonymousUser(), Perm.VIEW_PERSON)
    with pytest.raises(PermissionDenied):
        require(None, Perm.VIEW_PERSON)
    county_clerk.is_active = False
    with pytest.raises(PermissionDenied):
        require(county_clerk, Perm.VIEW_PERSON)


def test_a_visible_row_is_fetched_from_a_model_or_a_queryset(make_person, county_clerk) -> None:
    person = make_person(place_code="410825001001")
    assert get_visible_or_404(type(person), county_clerk, person.pk) == person
    queryset = type(person).objects.select_related("place")
    assert get_visible_or_404(queryset, county_clerk, person.pk) == person


def test_a_row_outside_the_jurisdiction_is_not_found_like_a_missing_one(
    make_person, county_clerk, other_county_clerk, security_admin
) -> None:
    person = make_person(place_code="410825001001")
    for user in (other_county_clerk, security_admin, AnonymousUser()):
        with pytest.raises(Http404):
            get_visible_or_404(type(person), user, person.pk)
    for pk in (0, person.pk + 1, MAX_PK + 1):
        with pytest.raises(Http404):
            get_visible_or_404(type(person), county_clerk, pk)


def test_a_model_without_a_scoping_rule_is_refused_rather_than_fetched(county_clerk) -> None:
    place = Place.objects.first()
    assert place is not None
    with pytest.raises(TypeError, match="no visible_to"):
        get_visible_or_404(Place, county_clerk, place.pk)

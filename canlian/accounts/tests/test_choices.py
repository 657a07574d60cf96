"""The places of a user's jurisdiction as form choices."""

from __future__ import annotations

import pytest

from canlian.accounts.choices import (
    county_choices,
    county_itself,
    indented,
    jurisdiction_choices,
    place_choices,
)
from canlian.places.models import Level

pytestmark = pytest.mark.django_db


def test_a_county_clerk_chooses_among_the_townships_and_villages_of_their_county(
    county_clerk,
) -> None:
    [(county, options)] = place_choices(county_clerk)
    assert county == "温县"
    assert options == [
        ("410825001000", "测试一镇"),
        ("410825001001", "测试一镇 测试一村"),
        ("410825002000", "测试二镇"),
    ]


def test_a_township_officer_still_sees_their_county_named(township_officer) -> None:
    groups = jurisdiction_choices(
        township_officer, levels={Level.COUNTY, Level.TOWNSHIP}, label=county_itself, by_county=True
    )
    assert groups == [("温县", [("410825001000", "测试一镇")])]


def test_counties_are_given_by_their_six_digit_code(city_staff, county_clerk) -> None:
    codes = [code for code, _name in county_choices(city_staff)]
    assert {"410825", "410883"} <= set(codes)
    assert codes == sorted(codes)
    assert county_choices(county_clerk) == [("410825", "温县")]


def test_a_filter_leaves_out_the_users_own_node_and_indents_what_lies_below(
    county_clerk,
) -> None:
    areas = jurisdiction_choices(
        county_clerk,
        levels={Level.COUNTY, Level.TOWNSHIP},
        value=lambda place: place.prefix,
        label=indented(Level.COUNTY),
        below_own=True,
    )
    assert areas == [("410825001", "— 测试一镇"), ("410825002", "— 测试二镇")]


def test_an_account_with_no_node_chooses_nothing(county_clerk) -> None:
    county_clerk.place = None
    assert place_choices(county_clerk) == []
    assert county_choices(county_clerk) == []

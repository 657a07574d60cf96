"""Months of the rules: a span of months across a year's end, and none when backwards."""

from canlian.benefits.eligibility import Month


def test_a_span_holds_every_month_from_the_first_to_the_last_across_a_year() -> None:
    assert Month.span(Month(2025, 11), Month(2026, 2)) == [
        Month(2025, 11), Month(2025, 12), Month(2026, 1), Month(2026, 2),
    ]  # fmt: skip
    assert Month.span(Month(2026, 3), Month(2026, 3)) == [Month(2026, 3)]
    assert Month.span(Month(2026, 3), Month(2026, 2)) == []
    assert len(Month.span(Month(2016, 1), Month(2025, 12))) == 120

"""A select built in Python (lib.forms.render_select) is the HTML Django's Select widget
renders through its templates, byte for byte: options, groups, the chosen value, attributes
and escaping. Anything the fast path does not cover is left to Django."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from canlian.lib.forms import render_select
from canlian.web.templatetags.govuk import _widget_html

TEXT = st.text(alphabet="ab<>&\"' 中—", max_size=6)
VALUE = st.one_of(TEXT, st.integers(-3, 30), st.none())
OPTION = st.tuples(VALUE, TEXT)
CHOICE = st.one_of(OPTION, st.tuples(TEXT.filter(bool), st.lists(OPTION, max_size=4)))
ATTRS = st.dictionaries(
    st.sampled_from(["id", "class", "aria-describedby", "required", "disabled", "data-x"]),
    st.one_of(st.booleans(), TEXT),
    max_size=4,
)
CHOSEN = st.one_of(VALUE, st.lists(VALUE, max_size=3))


@given(choices=st.lists(CHOICE, max_size=8), chosen=CHOSEN, attrs=ATTRS, widget_attrs=ATTRS)
def test_a_select_is_rendered_as_django_renders_it(
    choices: list[Any], chosen: Any, attrs: dict[str, Any], widget_attrs: dict[str, Any]
) -> None:
    widget = forms.Select(attrs=widget_attrs, choices=choices)
    expected = widget.render("pick<&>", chosen, attrs=dict(attrs))
    assert render_select(widget, "pick<&>", chosen, dict(attrs)) == expected


def test_lazy_and_safe_labels_and_the_first_of_two_equal_values() -> None:
    name = lazy(lambda: "县<区>", str)()
    choices = [
        ("", name), ("1", mark_safe("<b>一</b>")), ("1", "again"),
        (name, [("2", name), ("3", "三 & 四")]),
    ]  # fmt: skip
    widget = forms.Select(choices=choices)
    html = render_select(widget, "place", "1", {"id": "id_place"})
    assert html == widget.render("place", "1", attrs={"id": "id_place"})
    assert html is not None and html.count(" selected") == 1


@pytest.mark.parametrize(
    "widget",
    [
        forms.SelectMultiple(choices=[("1", "一")]),
        forms.NullBooleanSelect(),
        forms.Select(choices=[(1, 2)]),  # a label that is not text: localised by Django
    ],
)
def test_other_selects_are_left_to_django(widget: forms.Widget) -> None:
    assert render_select(widget, "x", "1", {}) is None


class _Form(forms.Form):
    area = forms.ChoiceField(choices=[("", "全部"), ("县", [("4108", "甲"), ("410883", "乙")])])
    grade = forms.TypedChoiceField(choices=[(1, "一级"), (2, "二级")], coerce=int)
    fixed = forms.ChoiceField(choices=[("a", "A")], disabled=True, help_text="说明")


@pytest.mark.parametrize("data", [None, {"area": "410883", "grade": "2"}, {"area": "zz"}])
def test_the_field_tag_gives_what_the_bound_field_renders(data: dict[str, str] | None) -> None:
    form = _Form(data)
    form.is_valid()
    for name in form.fields:
        bound = form[name]
        attrs = {"class": "govuk-select", "autofocus": False, "aria-describedby": "x-hint"}
        assert _widget_html(bound, dict(attrs)) == bound.as_widget(attrs=dict(attrs))

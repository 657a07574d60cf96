"""Render form fields and error summaries in the accessible GOV.UK Frontend markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from canlian.lib.forms import render_select

register = template.Library()

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


def _widget_class(widget: forms.Widget, has_error: bool) -> str:
    base = next((c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")
    width = widget.attrs.get("data-width")
    classes = [base]
    if width:
        classes.append(f"govuk-input--width-{width}")
    if has_error:
        classes.append(f"{base}--error")
    return " ".join(classes)


@register.simple_tag
def field(bound: forms.BoundField, **options: Any) -> SafeString:
    """Label, hint, errors and widget tied together with for/id and aria-describedby."""
    widget = bound.field.widget
    described = []
    hint_id = f"{bound.auto_id}-hint"
    error_id = f"{bound.auto_id}-error"
    if bound.help_text:
        described.append(hint_id)
    if bound.errors:
        described.append(error_id)
    # No autofocus, whatever the form asks (Django's login form does): it skips the skip link
    # and the header for keyboard and screen-reader users, and GOV.UK advises against it.
    attrs: dict[str, Any] = {
        "class": _widget_class(widget, bool(bound.errors)),
        "autofocus": False,
    }
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return _choices(bound, hint_id, error_id, described)
    if isinstance(widget, forms.CheckboxInput):
        template_name = "web/checkbox.html"
    else:
        template_name = "web/field.html"
    return render_to_string(
        template_name,
        {
            "field": bound,
            "widget_html": _widget_html(bound, attrs),
            "hint_id": hint_id,
            "error_id": error_id,
            "optional": _optional(bound),
            "label_class": options.get("label_class", ""),
        },
    )


def _optional(bound: forms.BoundField) -> bool:
    """Whether the label says "（选填）": a field that may be left empty, unless the form marks
    none (a filter form) or the field is needed in some cases (its hint says when)."""
    form = bound.form
    return (
        not bound.field.required
        and getattr(form, "mark_optional", True)
        and bound.name not in getattr(form, "required_when", ())
    )


def _widget_html(bound: forms.BoundField, attrs: dict[str, Any]) -> str:
    """The field's widget: a select built in Python (lib.forms.render_select: the same HTML,
    without an include per option), anything else by Django (BoundField.as_widget)."""
    widget = bound.field.widget
    if type(widget) is forms.Select and not bound.field.localize:
        # What as_widget does before rendering: required, disabled, the id.
        built = bound.build_widget_attrs(attrs, widget)
        if bound.auto_id and "id" not in widget.attrs:
            built.setdefault("id", bound.auto_id)
        html = render_select(widget, bound.html_name, bound.value(), built)
        if html is not None:
            return html
    return bound.as_widget(attrs=attrs)


def _choices(
    bound: forms.BoundField, hint_id: str, error_id: str, described: list[str]
) -> SafeString:
    """Radios or a group of checkboxes: a fieldset whose legend is the field's label, each
    option with its own label (the error summary links to the first option)."""
    radio = not isinstance(bound.field.widget, forms.CheckboxSelectMultiple)
    kind = "radios" if radio else "checkboxes"
    options = []
    for index, sub in enumerate(bound.subwidgets):
        options.append(
            {
                "id": sub.id_for_label or f"{bound.auto_id}_{index}",
                "value": sub.data["value"],
                "label": sub.choice_label,
                "checked": sub.data["selected"],
            }
        )
    if options:
        # The summary's link (#id) lands on the first option.
        options[0]["id"] = bound.auto_id
    return render_to_string(
        "web/choices.html",
        {
            "field": bound,
            "kind": kind,
            "type": "radio" if radio else "checkbox",
            "options": options,
            "hint_id": hint_id,
            "error_id": error_id,
            "described": " ".join(described),
            "optional": _optional(bound),
        },
    )


@register.inclusion_tag("web/error_summary.html")
def error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    """The error summary: every problem, each linking to its field.

    Problems come in the order of the fields on the page. Each link names its field ("Name:
    This field is required."): a generic message alone would give a list of identical links
    that do not say what is wrong where (WCAG 3.3.1).
    """
    items: list[tuple[str, Any]] = []
    for form in forms_:
        for message in form.non_field_errors():
            items.append(("", message))
        # In the form's order, as the page reads: a check made in clean() (a service's rules,
        # a number's check digit) is added after the fields' own and would otherwise come last.
        order = {name: i for i, name in enumerate(form.fields)}
        named = sorted(form.errors.items(), key=lambda item: order.get(item[0], len(order)))
        for name, errors in named:
            if name == NON_FIELD_ERRORS:
                continue
            if name in form.fields:
                anchor = f"#{form[name].auto_id}"
                label = form[name].label
                items.extend(
                    (anchor, _("%(label)s: %(message)s") % {"label": label, "message": message})
                    for message in errors
                )
            else:
                items.extend(("", message) for message in errors)
    return {"items": items}


@register.filter
def has_errors(*forms_: forms.BaseForm) -> bool:
    return any(f.errors for f in forms_)


@register.filter
def page_range(page: Any) -> list[Any]:
    """Page numbers around the current one, with ellipses, for the pagination component."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))

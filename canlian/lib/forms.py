"""What the pages' forms share: the base form (messages that name their field, an empty choice
that says what to choose), the date field, and a service's refusal put on a form."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.forms import DeclarativeFieldsMetaclass
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Django's own wording, replaced on every project form: "这个字段是必填项。" says nothing of
# which field, and "---------" says nothing of what to choose.
STOCK_REQUIRED = forms.Field.default_error_messages["required"]
STOCK_EMPTY_LABELS = ("---------", "")
# "选择一个有效的选项。 reject 不在可用的选项中。": the stock wording of a value not among a
# choice field's options (ChoiceField and its Typed/Multiple kinds, ModelChoiceField).
STOCK_INVALID_CHOICES = {
    forms.ChoiceField.default_error_messages["invalid_choice"],
    forms.MultipleChoiceField.default_error_messages["invalid_choice"],
    forms.ModelChoiceField.default_error_messages["invalid_choice"],
    forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"],
}


def _label(field: forms.Field, name: str) -> str:
    return str(field.label or name.replace("_", " ").capitalize())


def _chooses(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.FileField) or (
        isinstance(field.widget, forms.Select | forms.RadioSelect)
    )


def _max_length(field: forms.Field) -> int | None:
    """The longest value `field` takes, when a MaxLengthValidator (a CharField's max_length)
    says so."""
    return next(
        (int(v.limit_value) for v in field.validators if isinstance(v, MaxLengthValidator)),
        None,
    )


def _required_message(field: forms.Field) -> str:
    if isinstance(field.widget, forms.CheckboxInput):
        return gettext("Tick “%(label)s”.")
    return gettext("Choose %(label)s.") if _chooses(field) else gettext("Enter %(label)s.")


def name_the_fields(form: forms.BaseForm) -> None:
    """Give each field of `form` a required message naming it (请填写姓名。/ 请选择性别。), a
    choice field an invalid-choice one (请从给出的选项中选择性别。) and a text field a length one
    (代办人姓名最多64个字。) where it has Django's stock ones, and a select's empty choice a
    prompt (请选择性别) where it has "---------" or nothing. Run again after fields change: it
    only replaces stock wording."""
    for name, field in form.fields.items():
        label = _label(field, name)
        if field.error_messages.get("required") == STOCK_REQUIRED:
            field.error_messages = {
                **field.error_messages,
                "required": _required_message(field) % {"label": label},
            }
        if field.error_messages.get("invalid_choice") in STOCK_INVALID_CHOICES:
            # Django fills the message with the value (%(value)s): a % in the label is kept.
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": gettext("Choose %(label)s from the options given.")
                % {"label": label.replace("%", "%%")},
            }
        if "max_length" not in field.error_messages and _max_length(field) is not None:
            # Django's own is "确保该变量包含不超过 40 字符 (目前字符数 300)。": half-width
            # brackets, and "变量" for what the user typed. Django fills in %(limit_value)d.
            field.error_messages = {
                **field.error_messages,
                "max_length": gettext("%(label)s has at most %(limit)s characters.")
                % {"label": label.replace("%", "%%"), "limit": "%(limit_value)d"},
            }
        prompt = gettext("Choose %(label)s") % {"label": label}
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None and str(field.empty_label) in STOCK_EMPTY_LABELS:
                field.empty_label = prompt
                field.widget.choices = field.choices
            continue
        if isinstance(field, forms.ChoiceField) and isinstance(field.widget, forms.Select):
            choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
            if any(v == "" and str(t) in STOCK_EMPTY_LABELS for v, t in choices):
                field.choices = [
                    (v, prompt if v == "" and str(t) in STOCK_EMPTY_LABELS else t)
                    for v, t in choices
                ]


class _NamingFieldsMetaclass(DeclarativeFieldsMetaclass):
    """Runs name_the_fields once a form is made, after every __init__ of its classes has set
    up its fields (choices set after the base's __init__ included)."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        form = super().__call__(*args, **kwargs)
        name_the_fields(form)
        return form


class Form(forms.Form, metaclass=_NamingFieldsMetaclass):
    """Every page form's base: its fields named in its messages (name_the_fields).
    `mark_optional = False` on a filter form: every filter may be left empty, and
    "（选填）" after each one is noise. `required_when` names the fields not required by
    themselves but needed in some cases (a proxy's name when the application is made by proxy):
    not marked "（选填）" either, their hint says when they are needed."""

    mark_optional = True
    required_when: frozenset[str] = frozenset()


class FilterForm(Form):
    """A list's filters: all optional, not marked so."""

    mark_optional = False


DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]
DATE_HINT = _("For example 2020-03-15")


def date_field(label: Any, *, required: bool = True, help_text: Any = DATE_HINT) -> forms.DateField:
    """A date typed as 2020-03-15 (or with / . or nothing between), shown ten characters wide."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"data-width": "10", "autocomplete": "off"}
        ),
        error_messages={"invalid": _("Enter a real date, for example 2020-03-15.")},
    )


def add_service_errors(
    form: Any,
    exc: ValidationError,
    *,
    aliases: Mapping[str, str] | None = None,
    field: str | None = None,
) -> None:
    """Put a service's ValidationError on `form`: each message on the field it names, or on
    the form field `aliases` maps it to, or at the top of the form when the form has neither
    (the error summary lists both kinds). A refusal that names no field goes on `field` when
    the form has it, else at the top."""
    fields = form.fields
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(field if field in fields else None, message)
        return
    for field, messages in exc.message_dict.items():
        target: str | None = field if field in fields else (aliases or {}).get(field)
        if target not in fields:
            target = None
        for message in messages:
            form.add_error(target, message)


def add_rule_errors(
    form: Any, errors: Mapping[str, Sequence[str]], *, aliases: Mapping[str, str] | None = None
) -> None:
    """Put the problems a service's rules found in a form that has problems of its own: each
    on the field it names (or the form field `aliases` maps it to) when that field was given
    and is otherwise fine, so that one submit lists both kinds; a problem with a field that
    has its own, or that names no form field, waits for the complete submit."""
    given = {name for name in getattr(form, "cleaned_data", {}) if name not in form.errors}
    for name, messages in errors.items():
        target = name if name in form.fields else (aliases or {}).get(name, "")
        if target in given:
            for message in messages:
                form.add_error(target, message)


@contextmanager
def service_errors(
    form: Any, *, aliases: Mapping[str, str] | None = None, field: str | None = None
) -> Iterator[None]:
    """Run a service call for a valid `form`: a refusal (ValidationError) goes on the form's
    fields (see add_service_errors), a PermissionDenied at its top. After the block,
    `form.errors` says which."""
    try:
        yield
    except ValidationError as exc:
        add_service_errors(form, exc, aliases=aliases, field=field)
    except PermissionDenied as exc:
        form.add_error(None, refusal_text(exc))


def refusal_text(exc: PermissionDenied) -> str:
    """The words of a refusal: its own, or the generic sentence when it has none (the one
    permission check, canlian.accounts.access.require, gives none: on a page the 403 page
    explains)."""
    return str(exc) or gettext("You do not have permission to do this.")


# ---------------------------------------------------------------------------------------------
# A select rendered without the template engine


def _escape(value: Any) -> str:
    """Django's conditional_escape, without its check for lazy arguments on every call (a
    select's options are escaped by the hundred): the same text out."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """Django's django/forms/widgets/attrs.html in Python: ` name="value"`, a bare ` name`
    for True, nothing for False."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: forms.Widget, name: str, value: Any, attrs: dict[str, Any]) -> str | None:
    """The HTML Django's Select widget renders (select.html, select_option.html, attrs.html),
    byte for byte, built in Python: a place filter's hundred options through the template
    engine took a quarter of the registry list's time. None for any other widget (a subclass,
    a multiple select, a label that is not text): the caller renders it the usual way."""
    if type(widget) is not forms.Select or widget.allow_multiple_selected:
        return None
    selected_values = widget.format_value(value)
    has_selected = False
    final_attrs = widget.build_attrs(widget.attrs, attrs)
    parts = [f'<select name="{_escape(name)}"{_attrs_html(final_attrs)}>']
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        grouped = isinstance(option_label, list | tuple)
        if grouped:
            if not isinstance(option_value, str | Promise):
                return None
            parts.append(f'\n  <optgroup label="{_escape(str(option_value))}">')
        for sub_value, sub_label in option_label if grouped else [(option_value, option_label)]:
            if not isinstance(sub_label, str | Promise):
                return None
            selected = not has_selected and str(sub_value) in selected_values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_escape(str(sub_value))}"'
                f"{' selected' if selected else ''}>{_escape(str(sub_label))}</option>\n"
            )
        if grouped:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped

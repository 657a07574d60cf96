"""Every project form speaks for its fields: no stock "这个字段是必填项。", no "---------", no
"（选填）" after a list's filters."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.test import Client
from django.urls import reverse
from django.utils import translation

import canlian
from canlian.benefits.models import SubsidyApplication
from canlian.conftest import client_for
from canlian.lib.forms import FilterForm, Form, name_the_fields
from canlian.people.models import Person

STOCK_REQUIRED_ZH = "这个字段是必填项。"


def _project_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(canlian.__path__, "canlian."):
        if any(part in module.name for part in (".tests", ".migrations", "conftest")):
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    todo: list[type[Any]] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("canlian.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def test_every_project_form_names_its_fields_in_its_messages() -> None:
    classes = _project_form_classes()
    assert len(classes) > 40  # the walk found the forms
    strays = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, Form)
        and not (
            issubclass(c, AuthenticationForm) and "name_the_fields" in c.__init__.__code__.co_names
        )
    ]
    assert strays == []


def test_list_filters_are_filter_forms() -> None:
    filters = [c for c in _project_form_classes() if "Filter" in c.__name__]
    assert filters and all(issubclass(c, FilterForm) for c in filters)


class _Sample(Form):
    name = forms.CharField(label="姓名")
    sex = forms.ChoiceField(label="性别", choices=[("", "---------"), ("1", "男")])
    kept = forms.CharField(label="保留", error_messages={"required": "自定义。"})
    late = forms.ChoiceField(label="乡镇")
    agree = forms.BooleanField(label="已核对")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices set after the base's __init__, as most project forms do.
        self.fields["late"].choices = [("", "---------"), ("410825001", "某镇")]  # type: ignore[attr-defined]


def test_required_messages_name_the_field_and_empty_choices_say_what_to_choose() -> None:
    with translation.override("zh-hans"):
        form = _Sample(data={})
        assert not form.is_valid()
        assert form.errors["name"] == ["请填写姓名。"]
        assert form.errors["sex"] == ["请选择性别。"]
        assert form.errors["kept"] == ["自定义。"]
        assert form.errors["agree"] == ["请勾选“已核对”。"]
        html = str(form)
    assert "---------" not in html
    assert STOCK_REQUIRED_ZH not in html
    assert "请选择性别" in html and "请选择乡镇" in html


class _Choices(Form):
    sex = forms.ChoiceField(label="性别", choices=[("1", "男"), ("2", "女")])
    kinds = forms.MultipleChoiceField(label="类别", choices=[("1", "视力")])
    grade = forms.TypedChoiceField(label="等级", choices=[("1", "一级")], coerce=int)
    rate = forms.ChoiceField(label="比例%", choices=[("1", "一")])
    kept = forms.ChoiceField(
        label="保留", choices=[("1", "一")], error_messages={"invalid_choice": "自定义。"}
    )


def test_a_value_not_among_the_options_names_the_field() -> None:
    with translation.override("zh-hans"):
        form = _Choices(
            data={"sex": "reject", "kinds": ["9"], "grade": "9", "rate": "9", "kept": "9"}
        )
        assert not form.is_valid()
        assert form.errors["sex"] == ["请从给出的选项中选择性别。"]
        assert form.errors["kinds"] == ["请从给出的选项中选择类别。"]
        assert form.errors["grade"] == ["请从给出的选项中选择等级。"]
        assert form.errors["rate"] == ["请从给出的选项中选择比例%。"]
        assert form.errors["kept"] == ["自定义。"]
        messages = " ".join(m for errs in form.errors.values() for m in errs)
    assert "有效的选项" not in messages and "reject" not in messages


class _Lengths(Form):
    name = forms.CharField(label="姓名", max_length=4)
    rate = forms.CharField(label="比例%", max_length=2)
    kept = forms.CharField(label="保留", max_length=2, error_messages={"max_length": "自定义。"})


def test_too_long_a_value_is_refused_in_words_written_for_its_field() -> None:
    """Not Django's "确保该变量包含不超过 4 字符 (目前字符数 9)。" (half-width brackets)."""
    with translation.override("zh-hans"):
        form = _Lengths(data={"name": "张" * 9, "rate": "123", "kept": "123"})
        assert not form.is_valid()
        assert form.errors["name"] == ["姓名最多4个字。"]
        assert form.errors["rate"] == ["比例%最多2个字。"]
        assert form.errors["kept"] == ["自定义。"]
        assert _Lengths(data={"name": "张" * 4, "rate": "12", "kept": "12"}).is_valid()


@pytest.mark.django_db
def test_too_long_a_search_or_code_is_refused_in_words_written_for_its_field(
    county_clerk: Any,
) -> None:
    page = _zh(county_clerk).get(reverse("people:list"), {"q": "张" * 300}).content.decode()
    assert "查询：查询最多40个字。" in page
    portal = _zh(None).post(
        reverse("portal:subsidy_progress"), {"receipt": "7KQ2M-X9RTA", "id_tail": "1" * 100}
    )
    text = portal.content.decode()
    assert "申请人身份证号码后六位最多20个字。" in text
    for page_text in (page, text):
        assert "确保" not in page_text and "目前字符数" not in page_text


def test_the_sign_in_form_names_its_fields() -> None:
    with translation.override("zh-hans"):
        form = AuthenticationForm(data={})
        name_the_fields(form)
        form.is_valid()
        messages = [m for errs in form.errors.values() for m in errs]
    assert messages and STOCK_REQUIRED_ZH not in messages


def _zh(user: Any) -> Any:
    client = client_for(user) if user is not None else Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.mark.django_db
def test_a_wrong_check_digit_is_reported_with_the_empty_fields(county_clerk: Any) -> None:
    """One round: the empty name and the wrong check digit on the same page."""
    page = (
        _zh(county_clerk)
        .post(reverse("people:create"), {"id_number": "410825199003150012"})
        .content.decode()
    )
    assert "请填写姓名。" in page
    assert 'href="#id_id_number"' in page  # the ID number's problem is listed too
    # In the form's order: the ID number, the form's first field, comes first although its
    # check digit is checked after the fields' own checks.
    summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert re.findall(r'href="#id_(\w+)"', summary)[0] == "id_number"
    assert STOCK_REQUIRED_ZH not in page and "---------" not in page
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_proxy_application_asks_for_the_proxy_with_the_other_errors(
    make_person: Any, township_officer: Any
) -> None:
    person = make_person()
    page = (
        _zh(township_officer)
        .post(f"{reverse('benefits:apply')}?person={person.pk}", {"channel": "proxy"})
        .content.decode()
    )
    assert 'href="#id_programme"' in page  # a field's own problem
    assert 'href="#id_proxy_name"' in page and 'href="#id_proxy_relation"' in page
    assert STOCK_REQUIRED_ZH not in page
    assert not SubsidyApplication.objects.exists()

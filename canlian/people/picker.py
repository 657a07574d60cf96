"""The person picker: how every form that needs a person already on the registry finds them.

Staff search by the beginning of the name, its pinyin initials, the whole ID or certificate
number, or the last 4 to 6 characters of the ID number beside the name (or all six within a
township): the registry's own search and rules (selectors.search_persons), in the user's
jurisdiction only. They then choose among the persons found, each labelled with the name, the
masked ID number, the township and the year of birth. Without JavaScript it is a GET search,
then radio buttons; the choice is checked again on submit against the same persons, so a person
outside the jurisdiction is never listed, never accepted, and never said to exist.

The page's part is the template include people/_picker.html (the search and the results'
heading, focused after a search); the choice is a PersonChoiceField of the form that needs the
person, or the GET form of people/pick.html where a page starts from the person.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canlian.accounts import lookups
from canlian.accounts.choices import jurisdiction_choices
from canlian.lib.forms import FilterForm, Form
from canlian.people.models import Person, PersonQuerySet
from canlian.people.selectors import (
    TOWNSHIP_PREFIX_LENGTH,
    PersonFilters,
    search_persons,
    split_tail,
    tail_search_problem,
)
from canlian.places.models import Level

if TYPE_CHECKING:
    from canlian.accounts.actors import Actor

# At most this many persons are offered after a search; more found: the search is narrowed.
RESULTS = 20

SEARCH_HINT = gettext_lazy(
    "The beginning of the name, its pinyin initials (zs for 张三), the whole ID or certificate "
    "number, or the last 4 to 6 characters of the ID number with the name (张三 12345X)"
)
REFUSED = gettext_lazy(
    "The person chosen is not among those you may choose here: find the person again and "
    "choose among those found."
)


def label(person: Person) -> str:
    """The name, the masked ID number, the township and the year of birth: enough to tell
    namesakes apart, nothing that completes the mask (lib.masks). The person's place and its
    parent are loaded with it (labelled)."""
    place = person.place
    township = place.parent if place.level == Level.VILLAGE and place.parent else place
    return _("%(name)s, ID number %(id)s, %(township)s, born %(year)s") % {
        "name": person.name,
        "id": person.id_number_masked,
        "township": township.name,
        "year": person.birth_date.year,
    }


def labelled(persons: PersonQuerySet, limit: int) -> list[tuple[int, str]]:
    """(id, label) of the first `limit` of `persons` by name, in one query."""
    rows = persons.select_related("place", "place__parent").order_by("name", "pk")[:limit]
    return [(person.pk, label(person)) for person in rows]


def choosable(user: Actor, among: PersonQuerySet | None = None) -> PersonQuerySet:
    """The persons `user` may choose: those of their jurisdiction, narrowed to `among` (the
    persons the form may take, such as those enrolled in a roll's programme and county)."""
    visible = Person.objects.visible_to(user)
    return visible if among is None else visible.filter(pk__in=among.values("pk"))


@dataclasses.dataclass(frozen=True)
class Found:
    """The persons a search found, labelled (at most RESULTS); `more` when there were more."""

    choices: list[tuple[int, str]]
    more: bool = False


def find(user: Actor, filters: PersonFilters, among: PersonQuerySet | None = None) -> Found:
    """The persons of `user`'s jurisdiction (and of `among`) the search `filters` finds.
    Raises lookups.TooManyNumberSearches past the hourly limit of searches by number."""
    matched = search_persons(user, filters).values("pk")
    rows = labelled(choosable(user, among).filter(pk__in=matched), RESULTS + 1)
    return Found(choices=rows[:RESULTS], more=len(rows) > RESULTS)


def chosen(user: Actor, value: Any, among: PersonQuerySet | None = None) -> Person | None:
    """The person of the id `value` sent by a form, if `user` may choose them; None for an id
    that is malformed, unknown, outside the jurisdiction or not among: one answer for all."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return choosable(user, among).select_related("place", "place__parent").filter(pk=pk).first()


def short_list(user: Actor, among: PersonQuerySet, limit: int) -> list[tuple[int, str]] | None:
    """Every person of `among` the user may choose, when they are no more than `limit`: they
    are offered in a list before any search. None when there are more."""
    persons = choosable(user, among)
    if persons[: limit + 1].count() > limit:
        return None
    return labelled(persons, limit)


# ---------------------------------------------------------------------------------------------
# Forms


class PersonSearchForm(FilterForm):
    """The search step (GET). `where`, a township of the user's jurisdiction, is what lets the
    last six characters of an ID number be searched without a name; it is left out for a user
    whose jurisdiction is one township (their own is the search's)."""

    who = forms.CharField(
        label=gettext_lazy("Find the person"),
        max_length=40,
        required=False,
        help_text=SEARCH_HINT,
        widget=forms.TextInput(
            attrs={"data-width": "20", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    where = forms.ChoiceField(
        label=gettext_lazy("Township"),
        required=False,
        help_text=gettext_lazy(
            "Needed only to search by the last six characters of the ID number without a name"
        ),
    )

    def __init__(self, *args: Any, user: Actor, who_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if who_label is not None:
            self.fields["who"].label = who_label
        townships = jurisdiction_choices(
            user, levels={Level.TOWNSHIP}, value=lambda place: place.prefix, by_county=True
        )
        if sum(len(options) for _county, options in townships) > 1:
            cast(forms.ChoiceField, self.fields["where"]).choices = [
                ("", _("Any township")),
                *townships,
            ]
        else:
            del self.fields["where"]

    def _place(self) -> str:
        """The township searched in: the one chosen, or the user's own when their whole
        jurisdiction is one township."""
        chosen_place = self.cleaned_data.get("where") or ""
        own = self.user.scope_prefix or ""
        return chosen_place or (own if len(own) >= TOWNSHIP_PREFIX_LENGTH else "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "who" in cleaned and not cleaned["who"].strip():
            self.add_error(
                "who", _("Enter the beginning of the name, or the ID number, to search.")
            )
            return cleaned
        tail, rest = split_tail(cleaned.get("who") or "")
        if tail and (problem := tail_search_problem(tail, rest, self._place())):
            self.add_error("who", problem)
        return cleaned

    def filters(self) -> PersonFilters | None:
        """The search to run; None when none was asked for, or it was refused (the form's
        errors say why)."""
        if not self.is_bound or not self.is_valid():
            return None
        return PersonFilters(q=self.cleaned_data["who"].strip(), place=self._place())


class PersonChoiceField(forms.TypedChoiceField):
    """The person chosen, by id, among the persons offered (`offer`). A person not offered,
    whoever they are, gets the same refusal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Person"))
        kwargs.setdefault("coerce", int)
        messages = {
            "required": gettext_lazy("Choose the person among those found."),
            "invalid_choice": REFUSED,
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(error_messages=messages, **kwargs)

    def offer(self, choices: list[tuple[int, str]], *, searched: bool) -> None:
        """Offer `choices`: the persons found by a search, as radio buttons; a short list
        given before any search, as a select; none yet (the field stays, for the error
        summary to link to, with a prompt to search first)."""
        if searched and choices:
            self.widget = forms.RadioSelect()
            self.choices = choices
            self.help_text = _("Choose the person among those found")
        elif choices:
            self.widget = forms.Select()
            self.choices = [("", _("Choose…")), *choices]
        else:
            self.widget = forms.Select()
            self.choices = [("", _("Find the person first"))]


class PersonChoiceForm(Form):
    """The choice step of a page that starts from the person (people/pick.html): the persons
    found offered as radio buttons, sent by GET as ?person=."""

    person = PersonChoiceField()

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["person"]).offer(choices, searched=True)


# ---------------------------------------------------------------------------------------------
# The search step of a page


@dataclasses.dataclass
class Picker:
    """What a page shows of the picker: its search form and, once searched, what it found."""

    search: PersonSearchForm
    found: Found | None = None  # None: no search made (or refused)

    @property
    def searched(self) -> bool:
        return self.search.is_bound

    @property
    def choices(self) -> list[tuple[int, str]]:
        return self.found.choices if self.found is not None else []

    @property
    def has_errors(self) -> bool:
        return bool(self.search.errors)

    def kept(self) -> list[tuple[str, str]]:
        """The search as hidden fields of the choice's form, so that a choice sent without a
        person shows the same results again."""
        if not self.search.is_bound:
            return []
        return [
            (name, str(self.search.data.get(name, "")))
            for name in ("who", "where")
            if name in self.search.fields
        ]


def search(
    data: QueryDict | None,
    *,
    user: Actor,
    among: PersonQuerySet | None = None,
    who_label: Any = None,
) -> Picker:
    """Run the picker's search step on a page's GET `data` (unbound without a `who`)."""
    form = PersonSearchForm(
        data if data is not None and "who" in data else None, user=user, who_label=who_label
    )
    filters = form.filters()
    if filters is None:
        return Picker(search=form)
    try:
        return Picker(search=form, found=find(user, filters, among))
    except lookups.TooManyNumberSearches as exc:
        form.add_error("who", str(exc.args[0]))
        return Picker(search=form)


# ---------------------------------------------------------------------------------------------
# A page that starts from the person (people/pick.html)


@dataclasses.dataclass
class Pick:
    """The picker's steps on a page that starts from the person (?person=): the search, the
    choice among those found, and the person once one that may be chosen was sent. `refused`:
    a person was sent that may not be chosen (the page answers 404, with the reason)."""

    picker: Picker
    choice: PersonChoiceForm
    person: Person | None = None
    refused: bool = False

    @property
    def forms(self) -> list[forms.BaseForm]:
        return [self.picker.search, self.choice]

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.forms)


def pick(
    data: QueryDict,
    *,
    user: Actor,
    among: PersonQuerySet | None = None,
    who_label: Any = None,
) -> Pick:
    """Read the steps from a page's GET `data`: ?person= once chosen (checked here), else the
    search and the choice (?picked= when sent without a person chosen)."""
    picker = search(data, user=user, among=among, who_label=who_label)
    sent = "person" in data
    if sent and (person := chosen(user, data["person"], among)) is not None:
        return Pick(picker=picker, choice=PersonChoiceForm(choices=[]), person=person)
    bound = sent or "picked" in data
    choice = PersonChoiceForm(data if bound else None, choices=picker.choices)
    if bound:
        choice.is_valid()
    if sent and not picker.choices:
        # No radio buttons on the page to link the refusal to: it heads the page's errors.
        choice.errors.pop("person", None)
        choice.add_error(None, str(REFUSED))
    return Pick(picker=picker, choice=choice, refused=sent)


def render_pick(
    request: HttpRequest,
    step: Pick,
    *,
    title: Any,
    intro: Any = "",
    caption: Any = "",
    keep: list[tuple[str, str]] | None = None,
    back: tuple[str, Any] | None = None,
) -> HttpResponse:
    """The page of the steps before the person is chosen: `title`, `intro` and `caption` its
    words, `keep` the page's own parameters (the application's kind), `back` (address, words)
    the way back. A person sent who may not be chosen is answered 404, with the reason."""
    return render(
        request,
        "people/pick.html",
        {
            "step": step,
            "title": title,
            "intro": intro,
            "caption": caption,
            "action": request.path,
            "keep": keep or [],
            "back_url": back[0] if back else "",
            "back_text": back[1] if back else "",
            "page_has_errors": step.has_errors,
        },
        status=404 if step.refused else 200,
    )

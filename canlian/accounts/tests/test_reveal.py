"""The one gate for full values: permission and jurisdiction first, the record in the same
transaction, and no other way to decrypt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from canlian.accounts import reveal as gate
from canlian.audit.models import Entry
from canlian.conftest import opened
from canlian.lib import crypto
from canlian.people.models import Person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]  # canlian/
GATE = ROOT / "accounts" / "reveal.py"
CRYPTO = ROOT / "lib" / "crypto.py"  # the primitive itself


def _source_files() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and p.name != "conftest.py"
    ]


def test_nothing_else_decrypts():
    """Only the gate calls crypto.decrypt (tests open values with conftest.opened)."""
    callers = []
    for path in _source_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            name = ""
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            elif isinstance(node, ast.ImportFrom) and node.module == "canlian.lib.crypto":
                name = "decrypt" if any(a.name == "decrypt" for a in node.names) else ""
            if name == "decrypt" and path not in (GATE, CRYPTO):
                callers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert callers == []


def test_every_sealing_model_has_a_jurisdiction_for_the_gate_to_check():
    from django.apps import apps

    sealing = [m for m in apps.get_models() if getattr(m, "SEALED", None)]
    assert {m.__name__ for m in sealing} >= {"Person", "Application", "PaymentAccount"}
    for model in sealing:
        assert isinstance(getattr(model, "region_prefix", None), property), model.__name__


@pytest.fixture
def person(make_person):
    return make_person(
        bank_account="6222020200112233445", bank_name="农业银行", phone="13812345678"
    )


@pytest.fixture
def decrypts(monkeypatch):
    """Counts the decryptions made."""
    calls = []
    original = crypto.decrypt

    def counting(blob, *, context):
        calls.append(context)
        return original(blob, context=context)

    monkeypatch.setattr(crypto, "decrypt", counting)
    return calls


def test_the_gate_opens_checks_and_records_in_one_step(person, county_clerk):
    values = gate.reveal(
        target=person, fields=("id_number", "bank_account"), purpose=gate.Purpose.SHOW,
        acting_user=county_clerk, action="person.reveal",
    )  # fmt: skip
    assert values == {"id_number": opened(person), "bank_account": "6222020200112233445"}
    entry = Entry.objects.get(action="person.reveal")
    assert entry.kind == Entry.Kind.ACCESS and entry.actor == county_clerk
    assert entry.detail == {"purpose": "show", "fields": ["id_number", "bank_account"]}
    assert entry.region == person.place_id


@pytest.mark.parametrize(
    ("role", "fields", "purpose"),
    [
        ("township_officer", ("id_number",), gate.Purpose.SHOW),  # no reveal permission
        ("township_officer", ("bank_account",), gate.Purpose.SHOW),
        ("county_clerk", ("id_number",), gate.Purpose.EXPORT),  # no full export
        ("county_clerk", ("id_number",), gate.Purpose.BANK_FILE),
        ("civil_affairs", ("id_number",), gate.Purpose.ISSUE),  # processes no certificate
        ("auditor", ("phone",), gate.Purpose.EXPORT),
        ("security_admin", ("phone",), gate.Purpose.SHOW),
        ("audit_admin", ("id_number",), gate.Purpose.SHOW),
        ("other_county_clerk", ("id_number",), gate.Purpose.SHOW),  # outside jurisdiction
    ],
)
def test_a_refused_opening_opens_nothing_and_records_the_attempt(
    request, person, decrypts, role, fields, purpose
):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        gate.reveal(target=person, fields=fields, purpose=purpose, acting_user=user)
    assert decrypts == []
    (entry,) = Entry.objects.filter(kind=Entry.Kind.ACCESS)
    assert entry.action == "reveal.refused" and entry.actor == user
    assert entry.detail == {"purpose": str(purpose), "fields": list(fields)}


def test_a_signed_out_visitor_opens_nothing(person, decrypts):
    with pytest.raises(PermissionDenied):
        gate.reveal(
            target=person, fields=("phone",), purpose=gate.Purpose.SHOW,
            acting_user=AnonymousUser(),  # type: ignore[arg-type]
        )  # fmt: skip
    assert decrypts == []


def test_the_township_officer_may_open_phone_numbers_only(person, township_officer):
    values = gate.reveal(
        target=person, fields=("phone",), purpose=gate.Purpose.SHOW, acting_user=township_officer
    )
    assert values == {"phone": "13812345678"}


def test_no_value_is_opened_when_the_access_record_cannot_be_written(
    person, county_clerk, decrypts, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(gate.audit, "record_access", broken)
    with pytest.raises(RuntimeError):
        gate.reveal(
            target=person, fields=("id_number",), purpose=gate.Purpose.SHOW,
            acting_user=county_clerk,
        )  # fmt: skip
    assert decrypts == []


def test_many_records_are_opened_under_one_record_and_only_inside_its_jurisdiction(
    make_person, city_staff, county_clerk
):
    wen = make_person(place_code="410825001001")
    meng = make_person(place_code="410883001001")
    opener = gate.reveal_many(
        model=Person, fields=("id_number",), purpose=gate.Purpose.EXPORT, acting_user=city_staff,
        region="410825", action="person.export.full", detail={"rows": 1},
    )  # fmt: skip
    assert opener(wen, "id_number") == opened(wen)
    with pytest.raises(PermissionDenied):
        opener(meng, "id_number")  # a row of another county
    with pytest.raises(KeyError):
        opener(wen, "bank_account")  # a field not recorded as opened
    assert Entry.objects.filter(kind=Entry.Kind.ACCESS).count() == 1
    with pytest.raises(PermissionDenied):  # a county clerk opens nothing of the city
        gate.reveal_many(
            model=Person, fields=("id_number",), purpose=gate.Purpose.SHOW,
            acting_user=county_clerk, region="4108", action="x", detail={},
        )  # fmt: skip


def test_questions_about_a_sealed_value_are_answered_without_opening_it_to_anyone(person):
    number = opened(person)
    assert gate.ends_with(target=person, field="id_number", tail=number[-6:])
    assert not gate.ends_with(target=person, field="id_number", tail="")
    wrong = number[-6:-1] + ("0" if number[-1] != "0" else "1")
    assert not gate.ends_with(target=person, field="id_number", tail=wrong)
    assert gate.equals(target=person, field="phone", value="13812345678")
    assert not gate.equals(target=person, field="phone", value="13812345679")
    assert not Entry.objects.filter(kind=Entry.Kind.ACCESS).exists()


def test_models_offer_no_way_to_their_full_values(person):
    for name in ("id_number", "bank_account", "certificate_number", "phone"):
        assert not callable(getattr(person, name, None)), name


def test_the_tail_index_of_a_sealed_value_is_an_index_and_never_the_value(person):
    """A migration fills the tail search index through the gate: it takes no function to hand
    the opened value to, and only the blind index of the last six characters comes out."""
    import inspect

    from canlian.people.models import TAIL_CONTEXT, tail_index

    parameters = inspect.signature(gate.tail_index).parameters
    assert set(parameters) == {"cipher", "spec", "context"}
    number = opened(person)
    spec = Person.SEALED["id_number"]
    index = gate.tail_index(cipher=person.id_number_cipher, spec=spec, context=TAIL_CONTEXT)
    assert index == tail_index(number) == crypto.tail_blind_index(number, context=TAIL_CONTEXT)
    assert number not in index and number[-6:] not in index
    assert gate.tail_index(cipher=None, spec=spec, context=TAIL_CONTEXT) == ""

"""Every action the code records has a display name; details are shown in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from canlian.audit import actions

ROOT = Path(__file__).resolve().parents[2]

# `action="…"` (also `action: str = "…"`, `… if … else "…"`) on the line of an argument.
LITERAL = re.compile(r"\baction(?:\s*:\s*str)?\s*=\s*(.*)")
# Actions are dotted ("person.update"); an undotted word is a form's or a refusal's step
# ("approve"), except the one undotted action, a sign-in.
DOTTED = re.compile(r'"([a-z_]+(?:\.[a-z_]+)+|signin)"')
# certificates' helpers: record(app, user, "issue", …) -> certificate.issue, and the tours'.
CERTIFICATE_STEP = re.compile(r'\brecord\(\s*\w+,\s*\w+,\s*"([a-z_.]+)"', re.S)
TOUR_STEP = re.compile(r'_audit_batch\(\s*[\w.]+,\s*\w+,\s*"([a-z_.]+)"', re.S)
# The people import's batch writer: self._add("person.status.add", …).
BATCH_ADD = re.compile(r'\._add\(\s*"([a-z_.]+)"')
# The second factor's verification suffixes a failure or a recovery code to its action.
DERIVED = {"signin.second_factor_failure", "signin.second_factor.recovery_code"}


def recorded_actions() -> set[str]:
    found = set(DERIVED)
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or path.name == "conftest.py":
            continue
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if match := LITERAL.search(line):
                found |= set(DOTTED.findall(match.group(1)))
        if "certificates" in path.parts:
            found |= {f"certificate.{a}" for a in CERTIFICATE_STEP.findall(text)}
            found |= {f"certificate.tour.{a}" for a in TOUR_STEP.findall(text)}
        found |= set(BATCH_ADD.findall(text))
    return found


def test_the_scan_finds_the_actions_of_every_kind_of_call() -> None:
    found = recorded_actions()
    # literal, conditional, helper-made, tour, batch and migration actions
    for action in (
        "person.update", "signin.lockout", "signin.locked", "certificate.issue",
        "certificate.tour.book_all", "person.status.add", "audit.chain_unsealed",
    ):  # fmt: skip
        assert action in found


def test_every_recorded_action_has_a_display_name() -> None:
    missing = sorted(recorded_actions() - set(actions.ACTION_NAMES))
    assert missing == []


def test_every_action_name_is_translated_to_chinese() -> None:
    with translation.override("zh-hans"):
        untranslated = [
            code
            for code, name in actions.ACTION_NAMES.items()
            if not re.search(r"[\u4e00-\u9fff]", str(name))
        ]
    assert untranslated == []


def test_an_unknown_action_is_named_by_its_group_never_by_its_code() -> None:
    with translation.override("zh-hans"):
        assert actions.action_name("certificate.something_new") == "残疾人证"
        assert actions.action_name("zzz.unknown") == "其他操作"


@pytest.mark.django_db
def test_details_in_words_reason_date_and_place() -> None:
    with translation.override("zh-hans"):
        items = dict(
            actions.detail_items(
                "certificate.cancel",
                {
                    "certificate": 7,
                    "reason": "not_meeting",
                    "on": "2026-08-21",
                    "locked_until": "2027-08-21",
                    "region": "410823",
                },
                place_name=lambda code: "武陟县" if code == "410823" else None,
            )
        )
    assert items == {
        "原因": "不再符合残疾标准",
        "日期": "2026-08-21",
        "此日前不得再次申请": "2027-08-21",
        "地区": "武陟县",
    }


def test_sources_in_words_and_addresses_as_they_are() -> None:
    with translation.override("zh-hans"):
        assert actions.source_name("cli") == "服务器命令行"
        assert actions.source_name("203.0.113.7") == "203.0.113.7"


@pytest.mark.django_db
def test_a_number_is_a_place_only_under_a_place_key() -> None:
    """{"count": 41} is a quantity, not 河南省: only the keys of PLACE_KEYS name places."""
    henan = {"41": "河南省", "410823": "武陟县"}.get
    with translation.override("zh-hans"):
        items = dict(
            actions.detail_items("person.export", {"count": 41, "region": "41"}, place_name=henan)
        )
    assert items == {"数量": "41", "地区": "河南省"}


@pytest.mark.django_db
def test_a_before_and_after_shows_labels_and_names_never_field_names_or_codes() -> None:
    places = {"410823": "武陟县"}.get
    before = {"role": "county_clerk", "place": "410823", "is_active": True, "secret_code": "x"}
    with translation.override("zh-hans"):
        items = dict(actions.detail_items("account.update", {"before": before}, place_name=places))
    shown = items["原值"]
    for code in ("role", "county_clerk", "place", "410823", "is_active", "secret_code"):
        assert code not in shown
    assert "武陟县" in shown and "县级残联工作人员" in shown

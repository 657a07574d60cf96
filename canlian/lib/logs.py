"""Structured logs (one JSON object a line) with personal numbers redacted.

Every record the application, the worker or the web server (gunicorn's error and access logs,
deploy/gunicorn.conf.py) writes goes through :class:`Redact` before any handler formats it:
an ID number (15 or 18 characters, the last possibly X), a bank account number (12 to 19
digits), a mobile number (11 digits from 13–19) or a landline (0 and 9–11 digits with an
optional dash) anywhere in the message, its arguments, an exception's text or an access log's
URL is replaced by its mask (canlian.lib.masks: an ID number by stars, an account by stars and
its last four digits, a phone as 138****5678). A search typed into a query string
(`/people/?q=41082519700517…`) is therefore not kept in the server's log. :class:`JsonFormatter`
writes time, level, logger, message and, for a request, its method, path, status and
duration.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from typing import Any

from canlian.lib import masks

# Longest first: an 18-character ID number before a 12–19 digit account or an 11-digit phone.
_ID = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14})(?![0-9A-Za-z])")
_ACCOUNT = re.compile(r"(?<![0-9])([0-9]{12,19})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")


def redact(text: str) -> str:
    """`text` with every ID, account and phone number in it masked."""
    text = _ID.sub(lambda m: masks.id_number(m.group(1)), text)
    text = _ACCOUNT.sub(lambda m: masks.bank_account(m.group(1)), text)
    text = _MOBILE.sub(lambda m: masks.phone(m.group(1)), text)
    return _LANDLINE.sub(lambda m: masks.phone(m.group(1)), text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return redact(str(value)) if isinstance(value, int) and abs(value) >= 10**10 else value
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redacted(v) for v in value)
    return redact(str(value))


class Redact(logging.Filter):
    """Masks personal numbers in a record, in place, before any handler sees it: the message
    is made final (its arguments merged) and redacted; an exception's text too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the text above stands for it
        for name in ("request_line", "url", "path", "query"):
            if isinstance(getattr(record, name, None), str):
                setattr(record, name, redact(getattr(record, name)))
        return True


# The attributes every LogRecord has: anything else was passed by `extra` and is written too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, any extra
    fields, and the exception's text. Use with :class:`Redact` on the handler."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = _redacted(value)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


def config(level: str = "WARNING", fmt: str = "json") -> dict[str, Any]:
    """The LOGGING setting: every record through Redact, written as JSON lines (or as plain
    text with fmt="text") to the standard error stream."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "canlian.lib.logs.Redact"}},
        "formatters": {
            "json": {"()": "canlian.lib.logs.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["redact"],
                "formatter": "json" if fmt == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }

"""The Chinese catalogue is complete: no interface text falls back to English."""

import subprocess
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"


def _entries(*flags: str) -> str:
    out = subprocess.run(
        ["msgattrib", *flags, "--no-obsolete", str(CATALOGUE)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


def test_every_message_has_a_chinese_translation():
    assert "msgid" not in _entries("--untranslated")


def test_no_translation_is_marked_fuzzy():
    assert "msgid" not in _entries("--only-fuzzy").replace('msgid ""\nmsgstr ""', "", 1)


def test_the_catalogue_compiles_with_matching_placeholders():
    subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOGUE)], check=True)

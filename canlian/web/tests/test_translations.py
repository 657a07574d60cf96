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


# Other names once given to a step, and the one docs/glossary.md gives it: on screen (the
# catalogue, the templates) and in the documents only the glossary's.
VARIANTS = {"县级审核": "县级残联审核", "县残联审核": "县级残联审核"}
ROOT = CATALOGUE.parents[4]  # the repository


def test_the_county_review_step_has_the_glossary_name_everywhere():
    where = {"django.po (zh_Hans)": _entries()}
    for path in [*(ROOT / "canlian/templates").rglob("*.html"), *ROOT.glob("docs/*.md")]:
        if path.name != "glossary.md":  # it names the variants to avoid
            where[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    found = [
        f"{name}: {variant} (use {term})"
        for name, text in where.items()
        for variant, term in VARIANTS.items()
        if variant in text
    ]
    assert not found, "\n".join(found)

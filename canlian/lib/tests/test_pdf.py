"""Tests for canlian.lib.pdf: PDFs in which rare characters print, and the font coverage check.

The PDFs are checked from their bytes: a small reader below finds each embedded font, maps the
codes of its ToUnicode CMap to glyphs of the embedded font file (fontTools) and asks whether the
glyph has an outline. A character drawn with .notdef, or with a glyph the font file lacks, is
"missing". The same check is run with the fonts taken away (a fontconfig configuration that
holds one Latin font), where it must report the Chinese characters missing.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from canlian.lib import pdf as pdf_module
from canlian.lib.pdf import (
    font_coverage_cache_clear,
    missing_glyphs,
    missing_glyphs_message,
    render_pdf,
)

RARE_NAME = "李𠀾"  # U+2003E: CJK Extension B, in Noto CJK's subset of it
RARE_CHAR = "𠈌"  # U+2020C: Extension B, also in Noto CJK
BEYOND_NOTO = "𠀀"  # U+20000: Extension B, not in Noto CJK; HanaMinB (fonts-hanazono) has it
NO_FONT = "\U000f0001"  # supplementary private use: no font a federation would install has it
ORDINARY = "张三 焦作市 ABC xyz 0123456789"

SAMPLE = """{% extends "print/base.html" %}
{% block content %}
<p>{{ name }}</p>
<p>{{ other }}</p>
<p>{{ ordinary }}</p>
{% endblock %}
"""


# --- A small reader for the PDFs WeasyPrint writes -------------------------------------------

OBJ = re.compile(rb"(\d+) (\d+) obj\s*")
REF = rb"\s+(\d+)\s+\d+\s+R"


def _skip_dict(data: bytes, pos: int) -> int:
    """The index just after the dictionary starting at ``pos`` (which is at ``<<``)."""
    depth = 0
    while pos < len(data):
        if data.startswith(b"<<", pos):
            depth += 1
            pos += 2
        elif data.startswith(b">>", pos):
            depth -= 1
            pos += 2
            if depth == 0:
                return pos
        elif data[pos : pos + 1] == b"<":  # hex string
            pos = data.index(b">", pos) + 1
        elif data[pos : pos + 1] == b"(":  # literal string, maybe nested and escaped
            level = 0
            while True:
                c = data[pos : pos + 1]
                if c == b"\\":
                    pos += 2
                    continue
                if c == b"(":
                    level += 1
                elif c == b")":
                    level -= 1
                    if level == 0:
                        pos += 1
                        break
                pos += 1
        else:
            pos += 1
    raise AssertionError("unterminated dictionary")


def read_objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary or other body, decoded stream or None), object streams too."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    pos = 0
    while match := OBJ.search(data, pos):
        number, start = int(match[1]), match.end()
        if not data.startswith(b"<<", start):
            end = data.index(b"endobj", start)
            objects[number] = (data[start:end].strip(), None)
            pos = end
            continue
        end = _skip_dict(data, start)
        head = data[start:end]
        after = re.compile(rb"\s*stream\r?\n").match(data, end)
        if after is None:
            objects[number] = (head, None)
            pos = end
            continue
        length = re.search(rb"/Length\s+(\d+)(\s+\d+\s+R)?", head)
        assert length is not None and length[2] is None, head[:200]
        raw = data[after.end() : after.end() + int(length[1])]
        stream = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        objects[number] = (head, stream)
        pos = after.end() + int(length[1])
    for head, stream in list(objects.values()):
        if b"/Type /ObjStm" in head and stream is not None:
            count = int(re.search(rb"/N\s+(\d+)", head)[1])  # type: ignore[index]
            first = int(re.search(rb"/First\s+(\d+)", head)[1])  # type: ignore[index]
            numbers = [int(n) for n in stream[:first].split()]
            pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))[:count]
            for i, (number, offset) in enumerate(pairs):
                stop = pairs[i + 1][1] if i + 1 < len(pairs) else len(stream) - first
                objects[number] = (stream[first + offset : first + stop].strip(), None)
    return objects


def _ref(head: bytes, key: bytes) -> int | None:
    match = re.search(b"/" + key + REF, head)
    return int(match[1]) if match else None


def _cmap_pairs(cmap: bytes, kind: bytes) -> Iterator[tuple[int, bytes]]:
    """(code, destination) from the ``bf``/``cid`` char and range sections of a CMap."""
    for block in re.findall(rb"begin" + kind + rb"char(.*?)end" + kind + rb"char", cmap, re.S):
        for code, dest in re.findall(rb"<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\d+)", block):
            yield int(code, 16), dest
    for block in re.findall(rb"begin" + kind + rb"range(.*?)end" + kind + rb"range", cmap, re.S):
        pattern = rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\d+)"
        for low, high, dest in re.findall(pattern, block):
            for k, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                if dest.startswith(b"<"):  # consecutive Unicode values from dest
                    value = int(dest[1:-1], 16) + k
                    width = len(dest) - 2
                    yield code, b"<" + f"{value:0{width}x}".encode() + b">"
                else:
                    yield code, str(int(dest) + k).encode()


class EmbeddedFont:
    """One Type0 font of a PDF: its codes, the text they stand for, and the glyphs behind them."""

    def __init__(self, objects: dict[int, tuple[bytes, bytes | None]], head: bytes) -> None:
        name = re.search(rb"/BaseFont\s*/([^\s/<>\[\]]+)", head)
        self.name = name[1].decode() if name else "?"
        to_unicode = objects[_ref(head, b"ToUnicode")][1]  # type: ignore[index]
        self.text = {
            code: bytes.fromhex(dest[1:-1].decode()).decode("utf-16-be")
            for code, dest in _cmap_pairs(to_unicode or b"", b"bf")
        }
        encoding = _ref(head, b"Encoding")
        if encoding is None:  # /Identity-H: code = CID
            self.cid = {code: code for code in self.text}
        else:
            cmap = objects[encoding][1] or b""
            self.cid = {code: int(dest) for code, dest in _cmap_pairs(cmap, b"cid")}
        descendant = int(re.search(rb"/DescendantFonts\s*\[\s*(\d+)", head)[1])  # type: ignore[index]
        cid_font = objects[descendant][0]
        assert b"/CIDToGIDMap" not in cid_font or b"/CIDToGIDMap /Identity" in cid_font
        descriptor = objects[_ref(cid_font, b"FontDescriptor")][0]  # type: ignore[index]
        file_ref = _ref(descriptor, b"FontFile2") or _ref(descriptor, b"FontFile3")
        assert file_ref is not None, f"font {self.name} is not embedded"
        self.font = TTFont(io.BytesIO(objects[file_ref][1] or b""))
        self.glyph_set = self.font.getGlyphSet()
        cff = self.font["CFF "].cff if "CFF " in self.font else None
        self.cid_keyed = cff is not None and hasattr(cff.topDictIndex[0], "ROS")

    def has_glyph(self, code: int) -> bool:
        """Whether the code draws a real glyph: not .notdef, present in the file, with ink."""
        cid = self.cid.get(code, 0)
        if cid == 0:
            return False
        if self.cid_keyed:  # CID-keyed CFF: fontTools names glyphs by CID
            glyph_name = f"cid{cid:05d}"
        else:  # CIDToGIDMap /Identity: CID = glyph index
            order = self.font.getGlyphOrder()
            if cid >= len(order):
                return False
            glyph_name = order[cid]
        if glyph_name not in self.glyph_set:
            return False
        pen = BoundsPen(self.glyph_set)
        self.glyph_set[glyph_name].draw(pen)
        return pen.bounds is not None


def fonts_of(data: bytes) -> tuple[dict[int, tuple[bytes, bytes | None]], dict[int, EmbeddedFont]]:
    objects = read_objects(data)
    fonts = {
        number: EmbeddedFont(objects, head)
        for number, (head, _stream) in objects.items()
        if b"/Subtype /Type0" in head
    }
    assert fonts, "no Type0 font in the PDF"
    return objects, fonts


def glyph_report(data: bytes) -> tuple[dict[str, set[str]], set[str]]:
    """(character → names of the fonts that print it with a real glyph, characters drawn blank)."""
    _objects, fonts = fonts_of(data)
    printed: dict[str, set[str]] = {}
    missing: set[str] = set()
    for font in fonts.values():
        for code, text in font.text.items():
            if text.isspace():
                continue
            if font.has_glyph(code):
                printed.setdefault(text, set()).add(font.name)
            else:
                missing.add(text)
    return printed, missing


def page_text(data: bytes) -> str:
    """The text drawn on the pages (margin boxes included), through the fonts' ToUnicode maps."""
    objects, fonts = fonts_of(data)
    resource_names: dict[bytes, EmbeddedFont] = {}
    for head, _stream in objects.values():
        font_dict = _ref(head, b"Font")
        if font_dict is not None:
            for name, number in re.findall(rb"/([^\s/<>\[\]]+)" + REF, objects[font_dict][0]):
                resource_names[name] = fonts[int(number)]
    contents = [
        objects[int(n)][1] or b""
        for head, _stream in objects.values()
        if b"/Type /Page" in head and b"/Type /Pages" not in head
        for n in re.findall(rb"/Contents" + REF, head)
    ]
    assert contents, "no page content"
    out: list[str] = []
    for stream in contents:
        font: EmbeddedFont | None = None
        for tf, text in re.findall(rb"/([^\s/<>\[\]]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ", stream, re.S):
            if tf:
                font = resource_names.get(tf)
                continue
            assert font is not None
            for hexes in re.findall(rb"<([0-9a-fA-F]+)>", text):
                for i in range(0, len(hexes), 4):
                    out.append(font.text.get(int(hexes[i : i + 4], 16), "\ufffd"))
        out.append("\n")
    return "".join(out)


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def template(tmp_path: Path, settings: Any) -> Callable[[str, str], str]:
    """Write a template into a directory searched first; returns its name."""
    directory = tmp_path / "templates"
    directory.mkdir()
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [directory, *engine["DIRS"]]}]

    def write(name: str, text: str) -> str:
        (directory / name).write_text(text, encoding="utf-8")
        return name

    return write


@pytest.fixture
def fresh_coverage() -> Iterator[None]:
    font_coverage_cache_clear()
    yield
    font_coverage_cache_clear()


@pytest.fixture
def latin_only_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_coverage: None) -> str:
    """A fontconfig configuration holding DejaVu Sans only: the machine without CJK fonts."""
    fc_match = shutil.which("fc-match")
    assert fc_match, "fc-match missing (Debian package fontconfig)"
    latin = subprocess.run(
        [fc_match, "--format=%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True
    ).stdout
    assert "DejaVuSans" in latin, f"DejaVu Sans not installed (fonts-dejavu-core): {latin}"
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / Path(latin).name).symlink_to(latin)
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    return Path(latin).stem


def _render_sample(template: Callable[[str, str], str], **extra: str) -> bytes:
    context = {
        "title": f"残疾人证明 {RARE_NAME}",
        "federation_name": "焦作市残疾人联合会",
        "name": f"姓名：{RARE_NAME}",
        "other": f"曾用名：{RARE_CHAR}{BEYOND_NOTO}",
        "ordinary": ORDINARY,
        **extra,
    }
    return render_pdf(template("sample.html", SAMPLE), context)


# --- render_pdf ------------------------------------------------------------------------------


def test_a_rendered_template_is_an_a4_pdf_with_header_title_and_footer(template, monkeypatch):
    served: list[tuple[str, Path | None]] = []
    static_file = pdf_module._static_file

    def spy(url: str) -> Path | None:
        served.append((url, static_file(url)))
        return served[-1][1]

    monkeypatch.setattr(pdf_module, "_static_file", spy)
    with translation.override("en"):
        data = _render_sample(template)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert served == [
        (
            f"{pdf_module.BASE_URL}static/{pdf_module.STYLESHEET}",
            Path(__file__).parents[2] / "static" / pdf_module.STYLESHEET,
        )
    ]
    pages = [head for head, _s in read_objects(data).values() if b"/Type /Page/" in head]
    assert len(pages) == 1
    assert re.search(rb"/MediaBox \[0 0 595\.27\d* 841\.88\d*\]", pages[0])  # A4 in points
    text = page_text(data)
    assert "焦作市残疾人联合会" in text
    assert f"残疾人证明 {RARE_NAME}" in text
    assert ORDINARY in text
    assert "Page 1 of 1" in text
    assert re.search(r"Printed \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)


def test_rare_characters_in_names_print_with_real_glyphs_not_empty_boxes(template):
    data = _render_sample(template)
    printed, missing = glyph_report(data)
    expected = set((RARE_NAME + RARE_CHAR + BEYOND_NOTO + ORDINARY).replace(" ", ""))
    assert not missing, f"drawn as .notdef: {sorted(missing)}"
    assert expected <= set(printed), f"not printed: {sorted(expected - set(printed))}"
    # Noto Sans CJK SC first; the Extension B fallback only for what Noto lacks.
    for char in RARE_NAME + RARE_CHAR:
        assert any("Noto-Sans-CJK-SC" in name for name in printed[char]), printed[char]
    assert any("HanaMin" in name for name in printed[BEYOND_NOTO]), (
        f"{BEYOND_NOTO} (U+20000) needs HanaMinB: apt-get install fonts-hanazono"
    )


def test_the_glyph_check_catches_characters_printed_without_a_font(template, latin_only_fonts):
    # The same document on a machine whose only font is DejaVu Sans: the check must see the boxes.
    data = _render_sample(template)
    printed, missing = glyph_report(data)
    for char in RARE_NAME + RARE_CHAR + BEYOND_NOTO + "张三焦作市":
        assert char in missing
        assert char not in printed
    assert set("ABCxyz0123456789") <= set(printed)
    assert all(latin_only_fonts.replace("-", "") in n.replace("-", "") for n in printed["A"])
    # ... and missing_glyphs, asking the same fontconfig, agrees.
    assert missing_glyphs(RARE_NAME + RARE_CHAR + "A") == ["李", "𠀾", "𠈌"]


def test_a_character_no_font_has_is_reported_by_missing_glyphs_and_prints_blank(template):
    assert missing_glyphs(NO_FONT) == [NO_FONT]
    data = _render_sample(template, other=f"曾用名：{RARE_CHAR}{NO_FONT}")
    printed, missing = glyph_report(data)
    assert NO_FONT in missing
    assert RARE_CHAR in printed


def test_with_a_request_the_template_sees_the_signed_in_user(template, rf, county_clerk):
    request = rf.get("/people/")
    request.user = county_clerk
    request.session = {}
    name = template(
        "user.html",
        '{% extends "print/base.html" %}{% block content %}<p>{{ user.username }}</p>'
        "{% endblock %}",
    )
    assert county_clerk.username in page_text(render_pdf(name, {"title": "x"}, request=request))


def test_render_pdf_fetches_nothing_but_our_static_files(template, monkeypatch, caplog):
    connections: list[Any] = []

    def no_network(*args: Any, **kwargs: Any) -> Any:
        connections.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    name = template(
        "external.html",
        """{% extends "print/base.html" %}{% block content %}
        <link rel="stylesheet" href="https://example.com/evil.css">
        <style>@import url("http://example.com/import.css");</style>
        <p>外部资源</p>
        <img src="http://example.com/x.png" alt="">
        <img src="file:///etc/passwd" alt="">
        <img src="/static/../../../etc/passwd" alt="">
        {% endblock %}""",
    )
    with caplog.at_level("WARNING", logger="canlian.lib.pdf"):
        data = render_pdf(name, {"title": "test"})
    assert data.startswith(b"%PDF-")
    assert connections == []
    refused = [r.getMessage() for r in caplog.records if r.name == "canlian.lib.pdf"]
    for url in (
        "https://example.com/evil.css",
        "http://example.com/import.css",
        "http://example.com/x.png",
        "file:///etc/passwd",
    ):
        assert any(url in message for message in refused), (url, refused)
    assert any("/etc/passwd" in m and "canlian.invalid" in m for m in refused), refused
    assert "外部资源" in page_text(data)


def test_the_url_fetcher_serves_static_files_and_data_urls_only():
    fetcher = pdf_module._url_fetcher()
    css_url = pdf_module.BASE_URL + "static/" + pdf_module.STYLESHEET
    response = fetcher(css_url)
    assert response.content_type == "text/css"
    assert b"size: A4" in response.read()
    response.close()
    assert fetcher("data:text/plain;base64,5Lit").read() == "中".encode()
    for url in (
        "http://example.com/x.png",
        "https://canlian.invalid/etc/passwd",
        pdf_module.BASE_URL + "static/print/missing.css",
        pdf_module.BASE_URL + "static/%2e%2e/%2e%2e/pyproject.toml",
        pdf_module.BASE_URL + "static/print/pdf.css%00.png",
        pdf_module.BASE_URL + "static/",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ):
        with pytest.raises(pdf_module.FetchRefused):
            fetcher(url)


def test_the_page_number_label_is_translated_into_css_and_escaped(monkeypatch):
    with translation.override("en"):
        css = pdf_module._page_number_css()
    assert (
        css == '@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
    )
    monkeypatch.setattr(pdf_module, "_", lambda s: '第%(page)s页，共%(pages)s页"}</style>')
    css = pdf_module._page_number_css()
    assert css.startswith('@page { @bottom-right { content: "第" counter(page) "页\\ff0c 共" ')
    assert '"}' not in css.removesuffix("; } }") and "<" not in css
    monkeypatch.setattr(pdf_module, "_", lambda s: "broken")
    assert 'counter(page) " / " counter(pages)' in pdf_module._page_number_css()


# --- missing_glyphs --------------------------------------------------------------------------


def test_ordinary_and_rare_chinese_text_has_no_missing_glyphs():
    assert missing_glyphs("") == []
    assert missing_glyphs(ORDINARY + "，。：（）《》") == []
    assert missing_glyphs(RARE_NAME + RARE_CHAR) == []
    assert missing_glyphs(BEYOND_NOTO) == [], "apt-get install fonts-hanazono"
    assert missing_glyphs_message(RARE_NAME) is None


def test_missing_glyphs_lists_each_unprintable_character_once_in_order():
    other = "\U000f0002"
    assert missing_glyphs(f"李{NO_FONT}张{other}{NO_FONT}") == [NO_FONT, other]


def test_spaces_controls_joiners_and_variation_selectors_are_not_checked():
    assert missing_glyphs("张 三\t\n\u3000\u200d\u00ad\ufe0f\U000e0100") == []


def test_the_message_names_the_characters_and_their_code_points():
    with translation.override("en"):
        message = missing_glyphs_message(f"李{NO_FONT}")
    assert message is not None
    assert f"{NO_FONT} (U+F0001)" in message
    assert "font" in message


def test_coverage_is_read_once_and_then_cached(fresh_coverage, monkeypatch):
    missing_glyphs("李")
    monkeypatch.setattr(pdf_module.subprocess, "run", pytest.fail)
    assert missing_glyphs(RARE_NAME) == []


def test_without_fc_list_every_character_counts_as_missing(fresh_coverage, monkeypatch):
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    assert missing_glyphs("李A") == ["李", "A"]

"""The static review packet: rendered text (not raw Markdown), the article's title, the approver only for a
verified record of the current text, shadowed entries marked, and a table that fits a laptop and A4 paper."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import browser  # noqa: F401  (the fixture)

from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.packet import render_packet

PL = "locales/pl/LC_MESSAGES/pain-relief.po"
CALL = "Call [NHS 111](https://111.nhs.uk/) if you need advice. In an emergency, call 999."
FIRST = "Do not take more than the leaflet says."
LONG = ("Sprawdź https://example.org/leaflets/paracetamol-500mg-tablets-patient-information-"
        "and-dosage-for-adults-and-children.pdf")


def change(root: Path, msgid: str, how, path: str = PL) -> None:
    po = read_catalog(root / path)
    how(po.find(msgid))
    write_catalog(po, root / path)


def row_of(html: str, msgid_text: str) -> str:
    """The <tr> whose source cell shows ``msgid_text``."""
    for row in re.findall(r"<tr id=.*?</tr>", html, re.S):
        if msgid_text in re.sub(r"<[^>]+>", "", row):
            return row
    raise AssertionError(f"no row shows {msgid_text!r}")


def test_text_is_rendered_as_the_reader_sees_it_and_escaped(site_project):
    change(site_project, FIRST, lambda e: setattr(e, "msgstr", "<img src=x onerror=alert(1)> *nie* przekraczaj"))
    html = render_packet(load_config(site_project), "pl-GB", "pain-relief")
    assert "[NHS 111](" not in html
    call = row_of(html, "Call NHS 111 if you need advice")
    assert '<a href="https://111.nhs.uk/">' in call and '<mark class="number">999</mark>' in call
    first = row_of(html, FIRST)
    assert "&lt;img src=x onerror=alert(" in first and "<em>nie</em> przekraczaj" in first, first
    assert "<img" not in first


def test_title_not_slug(site_project):
    html = render_packet(load_config(site_project), "pl-GB", "pain-relief")
    assert "<title>Review packet: Pain relief basics (pl-GB)</title>" in html
    assert "<h1>Review packet: Pain relief basics</h1>" in html


def test_the_approver_only_for_a_verified_record_of_this_text(site_project):
    def fuzzy(entry):
        entry.flags.append("fuzzy")
    change(site_project, FIRST, fuzzy)
    change(site_project, CALL, lambda e: setattr(e, "msgstr", e.msgstr + " Teraz."))
    html = render_packet(load_config(site_project), "pl-GB", "pain-relief")
    assert "approved by Dr Piotr Nowak" in row_of(html, "Pain relief basics")
    for text in (FIRST, "Call NHS 111 if you need advice"):
        row = row_of(html, text)
        assert "Piotr" not in row and "no longer covers this text" in row, row


def test_shadowed_override_entries_are_marked(site_project):
    config = load_config(site_project)
    override = read_catalog(config.po_path("es_US", "pain-relief"))
    shadowed = [e.msgid for e in override if e.msgstr and not e.obsolete]
    assert shadowed
    html = render_packet(config, "es-US", "pain-relief")
    rows = re.findall(r'<tr id="seg-(\w+)-\w+"( class="is-shadowed")?>', html)
    assert ("es", ' class="is-shadowed"') in rows and ("es_US", ' class="is-shadowed"') not in rows
    assert "Shadowed: readers of es-US (es_US) see the override" in html
    assert render_packet(config, "es", "pain-relief").count('class="is-shadowed"') == len(shadowed)


def test_the_table_fits_a_laptop_and_prints_on_a4(site_project, browser, tmp_path):  # noqa: F811
    change(site_project, FIRST, lambda e: setattr(e, "msgstr", LONG))
    out = tmp_path / "packet.html"
    out.write_text(render_packet(load_config(site_project), "pl-GB", "pain-relief"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(out.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.evaluate("document.querySelector('thead th:last-child').getBoundingClientRect().right") <= 1280
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 718, "height": 1000})      # A4 less 10 mm margins, at 96 px an inch
        assert page.evaluate("document.documentElement.scrollWidth") <= 718
        assert page.evaluate("document.querySelector('thead th:last-child').getBoundingClientRect().right") <= 718
        smallest = page.evaluate("Math.min(...[...document.querySelectorAll('td, td *')]"
                                 ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
        assert smallest >= 10 * 96 / 72 - 0.01          # 10 pt
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        page.close()


@pytest.mark.parametrize("locale", ["ar-GB", "es-US"])
def test_every_locale_renders(site_project, locale):
    html = render_packet(load_config(site_project), locale, "sleep-and-pain")
    assert html.count("<tr id=") >= 3

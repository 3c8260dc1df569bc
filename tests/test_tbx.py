"""TBX: the glossary as a TBX-Basic termbase, valid against LTAC Global's schema and read by Translate Toolkit."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import DATA, REPO, require

from workflow.config import load_config
from workflow.errors import UsageError
from workflow.exchange import tbx

RNG = DATA / "schemas" / "TBXcoreStructV03_TBX-Basic_integrated.rng"
NS = {"t": tbx.NS}
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def shipped() -> bytes:
    """The termbase of the repository's own glossary (every status, regional columns, regex forms)."""
    return tbx.export(load_config(REPO))


def terms(data: bytes) -> dict[str, dict[str, list[tuple[str, str, list[str]]]]]:
    """English term → language → [(term, administrative status, notes)]."""
    out = {}
    for entry in ET.fromstring(data).iterfind(".//t:conceptEntry", NS):
        languages = {}
        for lang_sec in entry.iterfind("t:langSec", NS):
            languages[lang_sec.get(LANG)] = [
                (sec.findtext("t:term", namespaces=NS), sec.findtext("t:termNote", namespaces=NS),
                 [note.text for note in sec.iterfind("t:note", NS)]) for sec in lang_sec.iterfind("t:termSec", NS)]
        out[languages["en"][0][0]] = languages
    return out


@pytest.mark.parametrize("root", [REPO, DATA / "project"], ids=["shipped", "fixture"])
def test_the_termbase_validates_against_the_tbx_basic_schema(tmp_path, root):
    xmllint = require("xmllint")
    out = tmp_path / "glossary.tbx"
    out.write_bytes(tbx.export(load_config(root)))
    result = subprocess.run([xmllint, "--noout", "--nonet", "--relaxng", str(RNG), str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_statuses_are_mapped(shipped):
    found = terms(shipped)
    assert found["duloxetine"]["es"] == [("duloxetina", "preferredTerm-admn-sts", [])]
    assert found["constipation"]["es"] == [("constipación", "deprecatedTerm-admn-sts", ["do not use"]),
                                           ("constipado", "deprecatedTerm-admn-sts", ["do not use"])]
    assert found["constipation"]["en"][0][1] == "preferredTerm-admn-sts"        # English is right; Spanish is not
    for language in ("es", "pl", "ar"):
        assert found["Cymbalta"][language] == [("Cymbalta", "preferredTerm-admn-sts", ["do not translate"])]
    first, second = found["NSAID"]["ar"]
    assert first[1] == "preferredTerm-admn-sts" and second[1] == "admittedTerm-admn-sts"


def test_regional_columns_are_languages_of_their_own(shipped):
    paracetamol = terms(shipped)["paracetamol"]
    assert set(paracetamol) == {"en", "es", "es-US", "pl", "ar", "en-US"}
    assert paracetamol["es-US"][0][0] == "acetaminofén" and paracetamol["en-US"][0][0] == "acetaminophen"
    assert "es-US" not in terms(shipped)["duloxetine"]          # no regional column: the language's applies


def test_a_regex_is_exported_as_its_base_form_and_a_note(shipped):
    found = terms(shipped)
    term, status, notes = found["duloxetine"]["pl"][0]
    assert term == "duloksetyna" and status == "preferredTerm-admn-sts"
    assert notes == ["accepted forms: duloksetyna, duloksetyny, duloksetynę, duloksetyną, duloksetynie, "
                     "duloksetynach, duloksetynami"]
    assert found["MAOI"]["pl"][0][0] == "inhibitor MAO" and "inhibitor… MAO" in found["MAOI"]["pl"][0][2][0]
    assert found["serotonin syndrome"]["pl"][0][0] == "zespół serotoninowy"
    every = [name for languages in found.values() for secs in languages.values() for name, _, _ in secs]
    assert not any(mark in name for name in every for mark in "/\\|()*?")


def test_the_concepts_note_and_stable_bytes(shipped):
    entry = ET.fromstring(shipped).find(".//t:conceptEntry", NS)
    assert entry.get("id") == "term-duloxetine" and entry.findtext("t:note", namespaces=NS) == "Generic drug name (INN)"
    assert tbx.export(load_config(REPO)) == shipped


def test_translate_toolkit_reads_the_tbx2_rendering():
    storage = pytest.importorskip("translate.storage.tbx")
    config = load_config(REPO)
    store = storage.tbxfile.parsestring(tbx.export(config, version=2))
    by_term = {unit.source: unit for unit in store.units}
    assert len(by_term) == 19
    pl = by_term["duloxetine"].get_target_terms("pl")[0]
    assert pl.text == "duloksetyna" and pl.administrative_status == "preferredTerm-admn-sts"
    assert all(term.deprecated for term in by_term["constipation"].get_target_terms("es"))
    assert by_term["paracetamol"].get_target_terms("es-US")[0].text == "acetaminofén"
    assert "do not translate" in by_term["Cymbalta"].getnotes()


def test_translate_toolkit_refuses_tbx3_so_the_2008_names_are_offered():
    """Translate Toolkit 3.20 (and so Weblate's glossary import) reads only the 2008 ``martif`` form."""
    storage = pytest.importorskip("translate.storage.tbx")
    with pytest.raises(AssertionError):
        storage.tbxfile.parsestring(tbx.export(load_config(REPO)))


def test_an_empty_glossary_or_another_version_is_a_usage_error(project: Path):
    (project / "locales" / "glossary.csv").write_text("term,status,note\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no term"):
        tbx.export(load_config(project))
    with pytest.raises(UsageError, match="version 4"):
        tbx.export(load_config(REPO), version=4)

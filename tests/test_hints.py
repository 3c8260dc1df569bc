"""Glossary hints: each catalog's rendering on the entries with a term, stable, gone with the term, msgmerge-safe."""

from __future__ import annotations

import subprocess
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest
from conftest import REPO, require, snapshot

from workflow.catalogs import parse_catalog, read_catalog
from workflow.cli import main
from workflow.config import load_config
from workflow.exchange.tmx import approved_units
from workflow.glossary import load_glossary
from workflow.hints import KEY, MORE, WIDTH, hint_lines, spell

PARACETAMOL = "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it."
NHS = "Call [NHS 111](https://111.nhs.uk/) if you need advice. In an emergency, call 999."


def entry(root: Path, catalog: str, msgid: str):
    po = read_catalog(root / "locales" / catalog / "LC_MESSAGES" / "pain-relief.po")
    return next(e for e in po if e.msgid == msgid)


def hints(comment: str | None) -> list[str]:
    return [line for line in (comment or "").split("\n") if line.startswith((KEY, MORE))]


def update(root: Path) -> None:
    with redirect_stdout(StringIO()):
        assert main(["--project", str(root), "update"]) == 0


def test_each_catalog_gets_its_own_rendering(site_project):
    assert hints(entry(site_project, "es", PARACETAMOL).tcomment) == ["glossary: paracetamol → paracetamol (locked)"]
    assert hints(entry(site_project, "es_US", PARACETAMOL).tcomment) == [
        "glossary: paracetamol → acetaminofén (locked)"]
    assert hints(entry(site_project, "en_US", PARACETAMOL).tcomment) == [
        "glossary: paracetamol → acetaminophen (locked)"]
    assert hints(entry(site_project, "pl", PARACETAMOL).tcomment) == [
        "glossary: paracetamol → paracetamol (inflected) (locked)"]
    assert hints(entry(site_project, "pl", NHS).tcomment) == ["glossary: NHS 111 → NHS 111 (do not translate)",
                                                              "glossary: 999 → 999 (do not translate)"]


def test_a_second_update_changes_no_byte_and_approvals_still_hold(site_project):
    before = snapshot(site_project / "locales")
    approved = len(approved_units(load_config(site_project)))
    update(site_project)
    assert snapshot(site_project / "locales") == before
    assert approved > 20 and len(approved_units(load_config(site_project))) == approved


def test_a_hint_goes_with_its_term_and_changes_with_its_rendering(site_project):
    glossary = site_project / "locales" / "glossary.csv"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace("999,dnt,,,,,,\n", "").replace(",acetaminofén,", ",acetaminofeno,"),
                        encoding="utf-8")
    update(site_project)
    assert hints(entry(site_project, "pl", NHS).tcomment) == ["glossary: NHS 111 → NHS 111 (do not translate)"]
    assert hints(entry(site_project, "es_US", PARACETAMOL).tcomment) == [
        "glossary: paracetamol → acetaminofeno (locked)"]
    assert "approval-sig" in entry(site_project, "pl", NHS).tcomment           # the record is kept, after the hints


def test_msgmerge_keeps_the_hints(site_project, tmp_path):
    """The hints are translator comments: ``msgmerge --previous`` keeps them as they are (extracted comments it
    would replace with the template's)."""
    msgmerge = require("msgmerge")
    for catalog in ("es", "es_US", "pl", "ar", "en_US"):
        path = site_project / "locales" / catalog / "LC_MESSAGES" / "pain-relief.po"
        merged = subprocess.run([msgmerge, "--quiet", "--previous", "-o", "-", str(path),
                                 str(site_project / "locales" / "pain-relief.pot")],
                                capture_output=True, check=True).stdout
        after = {e.msgid: hints(e.tcomment) for e in parse_catalog(merged) if not e.obsolete}
        before = {e.msgid: hints(e.tcomment) for e in read_catalog(path)}
        assert {k: v for k, v in after.items() if k in before} == before, catalog


def test_every_hint_line_of_the_shipped_glossary_fits_72_characters():
    config = load_config(REPO)
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    text = " ".join(term.term for term in glossary.terms)
    for catalog in config.catalogs:
        lines = hint_lines([text], glossary, catalog, config.source_language)
        assert lines and all(len(line) <= WIDTH for line in lines), catalog
        assert not any("/" in line or "(a|" in line for line in lines)      # never a raw expression


@pytest.mark.parametrize("cell, forms", [
    ("AINE", ("AINE",)),
    ("/duloksetyn(a|y)/", ("duloksetyna", "duloksetyny")),
    ("/trazodon(u|em|ie)?/", ("trazodon", "trazodonu", "trazodonem", "trazodonie")),
    (r"/a\.b(c|d)/", ("a.bc", "a.bd")),
])
def test_cells_are_spelled_for_people(cell, forms):
    assert spell(cell).forms == forms

"""Merge semantics: golden cases whose after.po is GNU ``msgmerge --previous`` output, plus market rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, require

from workflow.catalogs import catalog_text, parse_catalog, read_catalog
from workflow.entries import in_market
from workflow.merge import merge_catalog

MERGE = Path(__file__).parent / "golden" / "merge"
CASES = sorted(p for p in MERGE.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_merge(case: Path):
    merged = merge_catalog(read_catalog(case / "template.pot"), read_catalog(case / "before.po"))
    assert catalog_text(merged) == (case / "after.po").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_after_is_what_msgmerge_makes(case: Path, tmp_path: Path):
    require("msgmerge")
    out = tmp_path / "after.po"
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(out), str(case / "before.po"),
                    str(case / "template.pot")], check=True)
    assert out.read_bytes() == (case / "after.po").read_bytes()


HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def po(body: str):
    return parse_catalog(HEADER + body)


def test_translator_comments_travel_with_fuzzy_matches():
    old = po('# keep me\nmsgid "Take it with food."\nmsgstr "Tómelo con comida."\n')
    new = merge_catalog(po('msgid "Take it with some food."\nmsgstr ""\n'), old)
    (entry,) = list(new)
    assert entry.tcomment == "keep me"
    assert entry.fuzzy and entry.previous_msgid == "Take it with food."
    assert entry.msgstr == "Tómelo con comida."


def test_unrelated_text_gets_no_suggestion_and_old_becomes_obsolete():
    old = po('msgid "Take it with food."\nmsgstr "Tómelo con comida."\n')
    new = merge_catalog(po('msgid "Call 999 in an emergency."\nmsgstr ""\n'), old)
    fresh, gone = list(new)
    assert fresh.msgstr == "" and not fresh.fuzzy
    assert gone.obsolete and gone.msgstr == "Tómelo con comida."


def test_inputs_are_not_modified():
    template = po('msgid "A"\nmsgstr ""\n')
    old = po('msgid "B"\nmsgstr "b"\n')
    before = (catalog_text(template), catalog_text(old))
    merge_catalog(template, old)
    assert (catalog_text(template), catalog_text(old)) == before


def test_include_filters_by_market():
    template = po('#. region: us\nmsgid "US only"\nmsgstr ""\n\nmsgid "Everywhere"\nmsgstr ""\n')
    new = merge_catalog(template, po(""), include=lambda e: in_market(e, {"gb"}))
    assert [e.msgid for e in new] == ["Everywhere"]


def test_sparse_override_keeps_only_its_own_entries_and_obsoletes_departed_ones():
    template = po('msgid "Take paracetamol."\nmsgstr ""\n\nmsgid "Other"\nmsgstr ""\n')
    old = po('msgid "Take paracetamol."\nmsgstr "Take acetaminophen."\n\n'
             'msgid "Ask your GP."\nmsgstr "Ask your primary care doctor."\n')
    new = merge_catalog(template, old, sparse=True)
    kept, gone = list(new)
    assert (kept.msgid, kept.msgstr, kept.obsolete) == ("Take paracetamol.", "Take acetaminophen.", False)
    assert (gone.msgid, gone.obsolete) == ("Ask your GP.", True)


def test_msgctxt_separates_entries():
    template = po('msgctxt "verb"\nmsgid "Fly"\nmsgstr ""\n')
    old = po('msgctxt "noun"\nmsgid "Fly"\nmsgstr "Mosca"\n')
    fresh, gone = list(merge_catalog(template, old))
    assert fresh.msgstr == "" and gone.obsolete and gone.msgctxt == "noun"


def test_plural_entries_keep_all_forms():
    template = po('msgid "{n} min read"\nmsgid_plural "{n} mins read"\nmsgstr[0] ""\nmsgstr[1] ""\n')
    old = parse_catalog(HEADER.rstrip("\n") + '\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                        'msgid "{n} min read"\nmsgid_plural "{n} mins read"\nmsgstr[0] "{n} minuto"\n'
                        'msgstr[1] "{n} minutos"\n')
    (entry,) = list(merge_catalog(template, old))
    assert entry.msgstr_plural == {0: "{n} minuto", 1: "{n} minutos"}


def test_new_plural_entries_get_one_slot_per_plural_form():
    template = po('msgid "{n} min read"\nmsgid_plural "{n} mins read"\nmsgstr[0] ""\nmsgstr[1] ""\n')
    old = parse_catalog('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 ? 1 : 2);\\n"\n')
    (entry,) = list(merge_catalog(template, old))
    assert entry.msgstr_plural == {0: "", 1: "", 2: ""}


def test_the_fuzzy_matcher_is_loaded_only_for_a_merge_with_new_text():
    """rapidfuzz costs an update 15 ms to load; a merge whose every text is already in the catalog needs none."""
    code = ("import sys\n"
            "from workflow.catalogs import POEntry, POFile\n"
            "from workflow.merge import merge_catalog\n"
            "def pot(*ids):\n"
            "    po = POFile()\n"
            "    po.extend(POEntry(msgid=i, msgstr='Tome una.') for i in ids)\n"
            "    return po\n"
            "def loaded():\n"
            "    return 'rapidfuzz' in sys.modules\n"
            "merge_catalog(pot('Take one tablet.'), pot('Take one tablet.'))\n"
            "same = loaded()\n"
            "merge_catalog(pot('Take two tablets.'), pot('Take one tablet.'))\n"
            "print(same, loaded())\n")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["False", "True"]

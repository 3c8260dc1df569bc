"""extract + update end to end: catalogs per language and market, sparse overrides, no lost translation."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from conftest import DATA, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.extract import extract
from workflow.update import update


def msgids(path: Path) -> list[str]:
    return [e.msgid for e in read_catalog(path) if not e.obsolete]


def test_update_creates_catalogs_with_complete_headers(project, locum):
    assert locum(project, "extract").code == 0
    result = locum(project, "update")
    assert result.code == 0
    po = read_catalog(project / "locales/pl/LC_MESSAGES/pain-relief.po")
    assert po.metadata["Language"] == "pl"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert read_catalog(project / "locales/ar/LC_MESSAGES/pain-relief.po").metadata["Plural-Forms"] \
        .startswith("nplurals=6;")


def test_language_catalogs_hold_only_their_markets(project, locum):
    locum(project, "extract")
    locum(project, "update")
    pl = msgids(project / "locales/pl/LC_MESSAGES/pain-relief.po")
    es = msgids(project / "locales/es/LC_MESSAGES/pain-relief.po")
    assert "Help in the UK" in pl and "Help in the US" not in pl
    assert "Help in the US" in es and "Help in the UK" not in es
    assert "Pain relief basics" in pl and "Pain relief basics" in es


PARACETAMOL = "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it."


def test_override_catalogs_hold_only_what_the_glossary_requires_and_stay_sparse(project, locum):
    """update creates an override entry only where the glossary's regional rendering (en_US: acetaminophen,
    es_US: acetaminofén) is one its fallback lacks, untranslated; nothing else enters an override catalog."""
    locum(project, "extract")
    locum(project, "update")
    override = project / "locales/en_US/LC_MESSAGES/pain-relief.po"
    for catalog in ("en_US", "es_US"):
        created = read_catalog(project / f"locales/{catalog}/LC_MESSAGES/pain-relief.po")
        assert [(e.msgid, e.msgstr) for e in created] == [(PARACETAMOL, "")]
        assert created.metadata["Language"] == catalog
    assert not (project / "locales/en_US/LC_MESSAGES/sleep-and-pain.po").exists()     # no paracetamol there
    po = read_catalog(override)
    po[0].msgstr = PARACETAMOL.replace("Paracetamol", "Acetaminophen")
    write_catalog(po, override)
    assert locum(project, "update").code == 0
    assert [(e.msgid, e.msgstr[:13]) for e in read_catalog(override)] == [(PARACETAMOL, "Acetaminophen")]


def _without_bookkeeping(files: dict) -> dict:
    """The project without .cache/: a rerun may record the digest of a file the first run wrote too
    recently to trust its stat signature (stamps.FileDigests), depending on how fast the machine is."""
    return {path: data for path, data in files.items() if not str(path).startswith(".cache/")}


def test_rerun_changes_no_byte_and_no_mtime(project, locum):
    locum(project, "extract")
    locum(project, "update")
    stamps = {p: p.stat().st_mtime_ns for p in project.rglob("*.po*")}
    before = _without_bookkeeping(snapshot(project))
    assert "0 template(s) written" in locum(project, "extract").out
    assert "0 catalog(s) written" in locum(project, "update").out
    assert _without_bookkeeping(snapshot(project)) == before
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*.po*")} == stamps


def test_pot_creation_date_moves_only_when_content_changes(project, locum):
    locum(project, "extract")
    pot = project / "locales/sleep-and-pain.pot"
    pot.write_text(pot.read_text().replace(read_catalog(pot).metadata["POT-Creation-Date"],
                                           "2020-01-01 00:00+0000"))
    locum(project, "extract")
    assert read_catalog(pot).metadata["POT-Creation-Date"] == "2020-01-01 00:00+0000"
    article = project / "source/sleep-and-pain.md"
    article.write_text(article.read_text() + "\nA new closing paragraph.\n")
    locum(project, "extract")
    assert read_catalog(pot).metadata["POT-Creation-Date"] != "2020-01-01 00:00+0000"


def test_update_one_locale(project, locum):
    locum(project, "extract")
    assert locum(project, "update", "--locale", "es-US").code == 0
    assert (project / "locales/es/LC_MESSAGES/pain-relief.po").exists()
    assert not (project / "locales/pl").exists()
    result = locum(project, "update", "--locale", "fr")
    assert result.code == 2 and "unknown locale 'fr'" in result.err


def test_update_without_templates_says_run_extract(project, locum):
    result = locum(project, "update")
    assert result.code == 2 and "run 'locum extract' first" in result.err


# -- property: random edits of source paragraphs never lose a translation -------------------------

WORDS = ["pain", "back", "take", "your", "doctor", "daily", "tablet", "sleep", "may", "help", "with",
         "food", "water", "often", "slowly", "the", "a", "nurse", "feel", "better", "week", "dose"]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")
edit = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 30), sentence),
    st.tuples(st.just("delete"), st.integers(0, 30), st.none()),
    st.tuples(st.just("reword"), st.integers(0, 30), st.sampled_from(WORDS)),
)


def write_article(root: Path, paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    (root / "source" / "article.md").write_text(f"---\ntitle: Property\n---\n\n{body}\n", encoding="utf-8")


def apply(paragraphs: list[str], op) -> list[str]:
    kind, index, arg = op
    out = list(paragraphs)
    if kind == "insert":
        out.insert(index % (len(out) + 1), arg)
    elif out and kind == "delete":
        del out[index % len(out)]
    elif out:
        words = out[index % len(out)].rstrip(".").split()
        words[index % len(words)] = arg
        out[index % len(out)] = " ".join(words).capitalize() + "."
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.lists(sentence, min_size=1, max_size=8), rounds=st.lists(st.lists(edit, max_size=5),
                                                                         min_size=1, max_size=3))
def test_edits_never_lose_a_translation(start, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(DATA / "project" / "locales", root / "locales")
        (root / "source").mkdir()
        config = load_config(root)
        paragraphs = start
        po_path = config.po_path("pl", "article")
        for number, ops in enumerate(rounds):
            write_article(root, paragraphs)
            extract(config)
            update(config, locale="pl")
            po = read_catalog(po_path)
            for entry in po:          # translators translate whatever is open
                if not entry.obsolete and not entry.msgstr:
                    entry.msgstr = f"PL{number}: {entry.msgid}"
                    if "fuzzy" in entry.flags:
                        entry.flags.remove("fuzzy")
            write_catalog(po, po_path)
            before = [(e.msgid, e.msgstr) for e in read_catalog(po_path) if e.msgstr]
            for op in ops:
                paragraphs = apply(paragraphs, op)
            write_article(root, paragraphs)
            extract(config)
            update(config, locale="pl")
            after = list(read_catalog(po_path))
            for msgid, msgstr in before:
                assert any(e.msgstr == msgstr and (
                    (e.msgid == msgid) or (e.fuzzy and e.previous_msgid == msgid)) for e in after), \
                    (msgid, msgstr)


def test_stamps_skip_unchanged_work_but_never_hide_a_changed_file(project, locum, monkeypatch):
    locum(project, "extract")
    locum(project, "update")
    calls = []
    import workflow.extract
    real = workflow.extract.read_article
    monkeypatch.setattr(workflow.extract, "read_article", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert "0 template(s) written, 3 unchanged" in locum(project, "extract").out
    assert calls == []                                   # nothing re-parsed
    pot = project / "locales/pain-relief.pot"
    good = pot.read_bytes()
    pot.write_bytes(good.replace(b"Pain relief basics", b"Pain relief", 1))   # someone edits a template
    assert "1 template(s) written" in locum(project, "extract").out
    assert pot.read_bytes() == good
    po = project / "locales/pl/LC_MESSAGES/pain-relief.po"
    po.write_bytes(po.read_bytes().replace(b'msgid "Help in the UK"', b'msgid "Help in the U.K."'))
    assert "1 catalog(s) written" in locum(project, "update").out   # the stamp no longer matches
    assert b'msgid "Help in the UK"' in po.read_bytes()


def test_a_noop_extract_and_update_read_no_template_and_no_catalog(project, locum, monkeypatch):
    monkeypatch.setattr("workflow.stamps.RACY_NS", 0)     # trust the files just written at once
    locum(project, "extract")
    locum(project, "update")
    read = []
    for method in ("read_bytes", "read_text"):
        real = getattr(Path, method)
        monkeypatch.setattr(Path, method, lambda self, *a, real=real, **k: read.append(self) or real(self, *a, **k))
    assert "0 template(s) written" in locum(project, "extract").out
    assert "0 catalog(s) written" in locum(project, "update").out
    assert [p.name for p in read if p.suffix in (".po", ".pot")] == []


def test_a_template_not_in_canonical_form_is_rewritten(project, locum):
    locum(project, "extract")
    pot = project / "locales/pain-relief.pot"
    good = pot.read_text(encoding="utf-8")
    date = read_catalog(pot).metadata["POT-Creation-Date"]
    shutil.rmtree(project / ".cache")
    pot.write_text(good.replace(date, "2020-01-01 00:00+0000").replace("\n\n", "\n\n\n", 1), encoding="utf-8")
    assert "1 template(s) written" in locum(project, "extract").out
    moved = read_catalog(pot).metadata["POT-Creation-Date"]
    assert moved != "2020-01-01 00:00+0000" and pot.read_text(encoding="utf-8") == good.replace(date, moved)

"""A parse kept by the digest of its bytes (workflow.parsecache) is the parse: same entries, same site.

Every catalog the repository holds (the shipped ones, the test corpora) is
parsed, kept and loaded back; every attribute of the file and of each entry
must come back equal and of the same type. Then end to end: a publish that
loads every parse gives the same site and catalogs as one that parses each
file, a damaged kept parse is parsed again, and each file of a cold publish
goes through polib's parser once.
"""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

import polib
import pytest
from conftest import REPO, snapshot

import workflow.catalogs
from workflow import parsecache
from workflow.catalogs import catalog_text, parse_catalog
from workflow.errors import CatalogError


def catalogs_here() -> list[Path]:
    found = [*REPO.glob("locales/**/*.po"), *REPO.glob("locales/**/*.pot"), *REPO.glob("tests/**/*.po"),
             *REPO.glob("tests/**/*.pot")]
    return sorted(p for p in found if ".venv" not in p.parts)


def parsed_or_none(path: Path) -> polib.POFile | None:
    try:
        return parse_catalog(path.read_bytes(), str(path))
    except CatalogError:
        return None         # the bad-input corpus: never kept


def assert_same(a: polib.POFile, b: polib.POFile) -> None:
    assert {k: (type(v), v) for k, v in vars(a).items()} == {k: (type(v), v) for k, v in vars(b).items()}
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert type(x) is type(y)
        assert {k: (type(v), v) for k, v in vars(x).items()} == {k: (type(v), v) for k, v in vars(y).items()}
        assert [tuple(map(type, o)) for o in x.occurrences] == [tuple(map(type, o)) for o in y.occurrences]
        assert [type(k) for k in x.msgstr_plural] == [type(k) for k in y.msgstr_plural]


def test_every_catalog_here_comes_back_from_its_kept_parse_exactly():
    checked = 0
    for path in catalogs_here():
        po = parsed_or_none(path)
        if po is None:
            continue
        state = parsecache.to_json(po)
        assert state is not None, path
        back = parsecache.from_json(json.loads(json.dumps(state, ensure_ascii=False)))
        assert_same(po, back)
        assert catalog_text(back) == catalog_text(po) and str(back) == str(po)
        checked += 1
    assert checked >= 40


def test_plural_obsolete_previous_and_context_entries_come_back(tmp_path):
    text = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

#. kind: paragraph
#: source/a.md:3 source/b.md
#, fuzzy, python-format
#| msgctxt "old"
#| msgid "Old %d tablet"
msgctxt "dose"
msgid "%d tablet"
msgid_plural "%d tablets"
msgstr[0] "%d tabletka"
msgstr[1] "%d tabletki"
msgstr[2] "%d tabletek"

# approval: none
#~ msgid "Gone"
#~ msgstr "Nie ma"
'''
    po = parse_catalog(text.encode(), "x.po")
    back = parsecache.from_json(json.loads(json.dumps(parsecache.to_json(po))))
    assert_same(po, back)
    assert back[0].msgstr_plural == {0: "%d tabletka", 1: "%d tabletki", 2: "%d tabletek"}
    assert back[0].occurrences == [("source/a.md", "3"), ("source/b.md", "")]


def test_a_catalog_with_anything_polib_did_not_set_is_not_kept():
    po = parse_catalog((REPO / "locales/es/LC_MESSAGES/antidepressants-chronic-pain.po").read_bytes(), "es.po")
    po.read_from = ("x", "y")
    assert parsecache.to_json(po) is None
    po = parse_catalog((REPO / "locales/es/LC_MESSAGES/antidepressants-chronic-pain.po").read_bytes(), "es.po")
    po[0].something = 1
    assert parsecache.to_json(po) is None


@pytest.fixture
def published(tmp_path, locum, monkeypatch):
    from test_shipped import copy_project

    monkeypatch.setenv("LOCUM_WORKERS", "1")        # parses counted in this process
    root = tmp_path / "site"
    copy_project(root)
    shutil.copy(REPO / "locales" / "locum.toml", root / "locales" / "locum.toml")
    assert locum(root, "publish").code == 0
    return root


def clean_state(root: Path) -> None:
    """Back to before any publish, as the bench's cold publish, except the kept parses."""
    shutil.rmtree(root / "output")
    for path in (root / ".cache").iterdir():
        if path.name != "parsed":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in (root / "locales").glob("*/LC_MESSAGES/*"):
        if path.suffix == ".mo" or path.name.endswith(".audit.json"):
            path.unlink()


def parsed_by_polib(monkeypatch) -> list[str]:
    """The files parse_catalog parses from now on (the strict scan runs before polib, after the lookup)."""
    seen: list[str] = []
    real = workflow.catalogs.postrict.scan

    def counted(text, display):
        seen.append(display.split("locales/", 1)[-1])
        return real(text, display)

    monkeypatch.setattr(workflow.catalogs.postrict, "scan", counted)
    return seen


def test_a_publish_that_loads_every_parse_makes_the_same_site(published, locum, monkeypatch):
    kept = list((published / ".cache" / "parsed").glob("*/*"))
    assert len(kept) >= len(list(published.glob("locales/*/LC_MESSAGES/*.po")))
    first = snapshot(published / "output")
    catalogs = snapshot(published / "locales")
    clean_state(published)
    seen = parsed_by_polib(monkeypatch)
    assert locum(published, "publish").code == 0
    assert seen == []                                   # every catalog and template: loaded, not parsed
    assert snapshot(published / "output") == first
    assert snapshot(published / "locales") == catalogs


def test_a_damaged_kept_parse_is_parsed_again(published, locum, monkeypatch):
    first = snapshot(published / "output")
    clean_state(published)
    kept = sorted((published / ".cache" / "parsed").glob("*/*"))
    kept[0].write_bytes(b"not zlib")
    kept[1].write_bytes(zlib.compress(b'["utf-8", 79, true, "", [], false, [["short row"]]]'))
    seen = parsed_by_polib(monkeypatch)
    assert locum(published, "publish").code == 0
    assert len(seen) == 2
    assert snapshot(published / "output") == first


def test_a_cold_publish_parses_each_file_once_and_prunes_what_it_did_not_read(tmp_path, locum, monkeypatch):
    from test_shipped import copy_project

    monkeypatch.setenv("LOCUM_WORKERS", "1")
    root = tmp_path / "site"
    copy_project(root)
    stale = root / ".cache" / "parsed" / "0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "e3b0c44298fc1c149afbf4c8996fb924").write_bytes(b"from other code")
    killed = root / ".cache" / "parsed" / parsecache._code_digest() / ".e3b0c442.x1y2.tmp"
    killed.parent.mkdir()
    killed.write_bytes(b"half a parse")         # a publish killed just now was writing it
    seen = parsed_by_polib(monkeypatch)
    assert locum(root, "publish").code == 0
    assert seen and len(seen) == len(set(seen)), "a file was parsed twice"
    files = [*root.glob("locales/*.pot"), *root.glob("locales/*/LC_MESSAGES/*.po"),
             *root.glob("locales/templates/*/*.pot")]
    kept = {p.name for p in (root / ".cache" / "parsed").glob("*/*")}
    import hashlib

    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert not stale.exists() and not killed.exists() and kept and kept <= digests

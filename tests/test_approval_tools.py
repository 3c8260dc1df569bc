"""Every PO tool of issue 13 keeps every signed approval record (polib, Babel and pybabel, GNU gettext,
Translate Toolkit), and ``update`` gives the lines back in canonical form with no orphan left.

Each test starts from the published fixture project (every catalog signed by its reviewer, plus one
rejection with a reason long enough for ``approval-reason+:`` lines, one accepted machine suggestion
with an ``approval-origin:`` line and a translator's own comment, and one approval made in the review server
with an ``approval-via:`` line), runs the tool over every catalog, then
checks that ``review verify`` reports exactly the same records in the same states and that ``publish``
publishes exactly the same pages, with the same bytes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from conftest import REVIEWERS, declare_server_key, key_of, missing, require, sign_approval

from workflow.approval import (
    VIA_SERVER,
    Record,
    canonical,
    is_record_line,
    parse_record,
    sign_record,
    with_record,
)
from workflow.catalogs import read_catalog, write_catalog
from workflow.provenance import suggestion_note
from workflow.review import segment_id

BIN = Path(sys.executable).parent       # console scripts of the environment running the tests
REJECTED = ("ar", "sleep-and-pain", "Avoid screens late at night.")
SUGGESTED = ("pl", "pain-relief", "Do not take more than the leaflet says.")
SERVED = ("es", "pain-relief", "Pain relief basics")
REASON = ("Use the wording of the leaflet at https://example.org/leaflets/paracetamol-500mg-tablets-"
          "patient-information.pdf and check the dose again.")


def catalogs(root: Path) -> list[Path]:
    return sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else require(name)


def verified(root: Path, locum) -> Counter:
    """``review verify``'s records as (catalog file, state, reviewer, time), counted (lines move)."""
    result = locum(root, "review", "verify")
    assert result.code == 0, result.out + result.err
    rows = Counter()
    for line in result.out.splitlines():
        where, rest = line.split(": ", 1)
        state, email, time = rest.split(" ", 3)[:3]
        rows[where.rsplit(":", 1)[0], state, email, time.rstrip(":")] += 1
    states = Counter(state for (_, state, _, _), n in rows.items() for _ in range(n))
    assert result.err.strip() == "verify: " + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    return rows


def records(root: Path) -> dict:
    """Every live entry's record, parsed: (file, context, source) -> Record."""
    out = {}
    for path in catalogs(root):
        for entry in polib.pofile(str(path)):
            record = parse_record(entry.tcomment)
            if record is not None and not entry.obsolete:
                out[path.relative_to(root).as_posix(), entry.msgctxt, entry.msgid] = record
    return out


def published(root: Path, locum) -> dict[str, bytes]:
    """Publish from scratch; every page under output/<locale>/<slug>/ and its bytes."""
    shutil.rmtree(root / "output", ignore_errors=True)
    result = locum(root, "publish")
    assert result.code == 0, result.err
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "output").glob("*/*/index.html"))}


def assert_canonical_and_no_orphans(root: Path) -> None:
    """Every record (live or obsolete entry) is in Locum's own form, and no record line stands outside one."""
    for path in catalogs(root):
        po = polib.pofile(str(path))
        in_records = 0
        assert parse_record(po.header) is None, path
        for entry in po:
            record = parse_record(entry.tcomment)
            assert not (record is not None and not isinstance(record, Record)), (path, entry.msgid, record)
            if record is None:
                continue
            kept = [line for line in entry.tcomment.split("\n") if is_record_line(line.strip())]
            assert kept == record.lines(), (path, entry.msgid)
            assert canonical(entry.tcomment) is None, (path, entry.msgid)
            in_records += len(kept)
        raw = [line for line in path.read_text(encoding="utf-8").splitlines()
               if line.startswith("#") and not line.startswith(("#.", "#:", "#,", "#|", "#~"))
               and is_record_line(line[1:].strip())]
        assert len(raw) == in_records, f"{path}: {len(raw) - in_records} record line(s) outside a record"


@pytest.fixture
def baseline(site_project: Path, locum, tmp_path: Path):
    """The published project with a rejection, an accepted suggestion and a server-made approval too, and what
    verify and publish say."""
    catalog, slug, msgid = REJECTED
    po = read_catalog(site_project / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po")
    result = locum(site_project, "review", "reject", "--locale", catalog, "--reviewer", REVIEWERS[catalog],
                   "--id", segment_id(slug, po.find(msgid)), "--reason", REASON,
                   "--key", str(key_of(REVIEWERS[catalog])))
    assert result.code == 0, result.err
    catalog, slug, msgid = SUGGESTED
    path = site_project / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po"
    po = read_catalog(path)
    entry = po.find(msgid)
    entry.tcomment = "Checked against the 2026 leaflet.\n" + suggestion_note(entry, "mt: libre 2026-11-20")
    sign_approval(entry, catalog, origin="mt: libre 2026-11-20")
    write_catalog(po, path)
    server = declare_server_key(site_project, tmp_path / "store")
    catalog, slug, msgid = SERVED
    path = site_project / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po"
    po = read_catalog(path)
    entry = po.find(msgid)
    entry.tcomment = with_record(entry.tcomment, sign_record(entry, catalog, "approved", REVIEWERS[catalog], server,
                                                             via=VIA_SERVER))
    write_catalog(po, path)

    before = records(site_project)
    rows = verified(site_project, locum)
    states = Counter(state for (_, state, _, _) in rows.elements())
    assert set(states) == {"approved", "rejected"} and states["rejected"] == 1 and states["approved"] > 60
    assert any("approval-reason+: " in line for r in before.values() for line in r.lines())
    assert any(r.origin for r in before.values())
    assert any(r.via == VIA_SERVER for r in before.values())
    pages = published(site_project, locum)
    assert len(pages) >= 8          # the rejected entry keeps one page back
    assert_canonical_and_no_orphans(site_project)
    return site_project, before, rows, pages


def assert_nothing_lost(root: Path, locum, before: dict, rows: Counter, pages: dict) -> None:
    after = records(root)
    assert {key: after.get(key) for key in before} == before, "a record changed or left its entry"
    assert set(after) == set(before)
    assert verified(root, locum) == rows
    assert published(root, locum) == pages


def assert_kept_with_fuzzy_copies(root: Path, before: dict) -> None:
    """Every record is still on its entry, unchanged; a tool's fuzzy matching copied some onto new fuzzy entries."""
    after = records(root)
    assert {key: after.get(key) for key in before} == before, "a record changed or left its entry"
    copies = [key for key in after if key not in before]
    assert copies, "the tool's fuzzy matching no longer copies comments: update this test's comment"
    po_of = {path.relative_to(root).as_posix(): polib.pofile(str(path)) for path in catalogs(root)}
    for file, context, msgid in copies:
        assert po_of[file].find(msgid, msgctxt=context or False).fuzzy, (file, msgid)


def after_update(root: Path, locum, before: dict, rows: Counter, pages: dict) -> None:
    """``update`` rewrites whatever a tool did into canonical form, keeps every record, leaves no orphan."""
    result = locum(root, "update")
    assert result.code == 0, result.err
    assert_canonical_and_no_orphans(root)
    assert_nothing_lost(root, locum, before, rows, pages)


def record_lines(root: Path) -> dict:
    return {key: "\n".join(line for line in (entry_comment or "").split("\n") if is_record_line(line.strip()))
            for key, entry_comment in comments(root).items()}


def comments(root: Path) -> dict:
    return {(path.relative_to(root).as_posix(), e.msgctxt, e.msgid): e.tcomment
            for path in catalogs(root) for e in polib.pofile(str(path)) if not e.obsolete}


@pytest.mark.parametrize("wrapwidth", [78, 0])
def test_polib_save(baseline, locum, wrapwidth):
    root, before, rows, pages = baseline
    lines = record_lines(root)
    for path in catalogs(root):
        polib.pofile(str(path), wrapwidth=wrapwidth).save(str(path))     # 78 is polib's default
    # polib rewraps the header and long msgid/msgstr (or unwraps them all at 0); record lines untouched
    assert record_lines(root) == lines
    assert_nothing_lost(root, locum, before, rows, pages)
    after_update(root, locum, before, rows, pages)


@pytest.mark.parametrize("width", [76, 79])
def test_babel_read_and_write_po(baseline, locum, width):
    from babel.messages.pofile import read_po, write_po

    root, before, rows, pages = baseline
    lines = record_lines(root)
    for path in catalogs(root):
        with path.open("rb") as f:
            catalog = read_po(f)
        with path.open("wb") as f:
            write_po(f, catalog, width=width)
    # Babel rewrites the header (order, charset, Generated-By) and rewraps messages; it keeps the
    # translator comments in order and before the extracted ones, and the fuzzy flag of the rejection
    assert record_lines(root) == lines
    assert_nothing_lost(root, locum, before, rows, pages)
    after_update(root, locum, before, rows, pages)


def test_pybabel_update(baseline, locum):
    root, before, rows, pages = baseline
    for path in catalogs(root):
        catalog, slug = path.parts[-3], path.stem
        subprocess.run([tool("pybabel"), "update", "-i", str(root / "locales" / f"{slug}.pot"),
                        "-d", str(root / "locales"), "-D", slug, "-l", catalog],
                       check=True, capture_output=True)
    # pybabel update rewrites the header and rewraps like write_po at 76; it adds the template's entries
    # of the other market (untranslated) and, by fuzzy matching, gives some of them the translation and
    # the translator comments -- the approval record too -- of a close entry ("Help in the UK" gets
    # "Help in the US"'s). Every record stays on its own entry, unchanged; the copies sit on new fuzzy
    # entries only, which the gate never admits; 'update' removes them (or, when the catalog's market
    # does not use the entry, keeps the entry obsolete with its copy, a complete record nothing reads).
    assert_kept_with_fuzzy_copies(root, before)
    assert published(root, locum) == pages
    after_update(root, locum, before, rows, pages)


def test_msgcat_and_msgmerge_previous(baseline, locum):
    require("msgcat"), require("msgmerge")
    root, before, rows, pages = baseline
    lines = record_lines(root)
    for path in catalogs(root):
        subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)
    # msgcat rewraps at 79 like Locum does: not a byte of a record moves
    assert record_lines(root) == lines
    assert_nothing_lost(root, locum, before, rows, pages)
    for path in catalogs(root):
        pot = root / "locales" / f"{path.stem}.pot"
        subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(path), str(path), str(pot)], check=True)
    # msgmerge adds the other market's entries and, like pybabel update, fuzzy-matches some of them and
    # copies the close entry's comments (record included) onto them; every record stays on its entry
    assert_kept_with_fuzzy_copies(root, before)
    assert published(root, locum) == pages
    after_update(root, locum, before, rows, pages)


def translate_toolkit():
    try:
        from translate.storage import po
    except ImportError:
        missing("Translate Toolkit (the 'test' extra: pip install -e '.[test]')")
    return po


def test_translate_toolkit_po_save(baseline, locum):
    po = translate_toolkit()
    root, before, rows, pages = baseline
    lines = record_lines(root)
    for path in catalogs(root):
        store = po.pofile(path.read_bytes())
        path.write_bytes(bytes(store))
    assert record_lines(root) == lines
    assert_nothing_lost(root, locum, before, rows, pages)
    after_update(root, locum, before, rows, pages)


def test_translate_toolkit_xliff_round_trip(baseline, locum, tmp_path):
    translate_toolkit()
    root, before, rows, pages = baseline
    for n, path in enumerate(catalogs(root)):
        xliff = tmp_path / f"{n}.xlf"
        # the comments travel as <note from="po-translator"> (xliff2po takes no template: none needed)
        subprocess.run([tool("po2xliff"), "--progress=none", "-i", str(path), "-o", str(xliff)],
                       check=True, capture_output=True)
        assert "approval-sig: " in xliff.read_text(encoding="utf-8")
        subprocess.run([tool("xliff2po"), "--progress=none", "-i", str(xliff), "-o", str(path)],
                       check=True, capture_output=True)
    # xliff2po marks the header fuzzy, drops 'python-format' flags, moves X-Generator and splits '#:'
    # lines; on a plural entry it also adds the comment again as ONE line, its lines joined by spaces
    # (the group's <note> is read without xml:space="preserve"): the record must still read the same
    assert_nothing_lost(root, locum, before, rows, pages)
    after_update(root, locum, before, rows, pages)

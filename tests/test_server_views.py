"""The review server's view model: dashboard counts, article rows in page order, rendering, diffs, escaping."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, sign_approval
from markupsafe import escape

from workflow.approval import text_digest
from workflow.catalogs import (
    POEntry,
    POFile,
    as_written,
    catalog_text,
    entry_key,
    own_copy,
    po_pieces,
    read_catalog,
    write_catalog,
)
from workflow.config import load_config
from workflow.errors import UsageError
from workflow.provenance import suggestion_note
from workflow.server.views import article_view, dashboard

PL = "locales/pl/LC_MESSAGES/pain-relief.po"
MSGID = "Do not take more than the leaflet says."
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped project's articles, catalogs and last approved versions."""
    root = tmp_path / "shipped"
    for folder in ("source", "locales"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("*.mo", "*.audit.json"))
    return root


def edit(root: Path, path: str, msgid: str, change) -> None:
    po = read_catalog(root / path)
    change(po.find(msgid))
    write_catalog(po, root / path)


def row_of(view, msgid_html: str):
    return next(row for row in view.rows if row.source_html == msgid_html)


def test_dashboard_lists_only_the_reviewers_catalogs_and_counts_add_up(site_project):
    config = load_config(site_project)
    summaries = dashboard(config, "Ana.Lopez@example.org")
    assert [s.catalog for s in summaries] == ["es_US", "es"]
    assert [s.catalog for s in dashboard(config, "layla.haddad@example.org")] == ["ar"]
    assert dashboard(config, "nobody@example.org") == []
    for summary in summaries:
        for article in summary.articles:
            path = config.po_path(summary.catalog, article.slug)
            live = [e for e in read_catalog(path) if not e.obsolete]
            assert article.segments.total == len(live) == article.segments.approved
            assert article.words.total == article.words.approved > 0
        assert summary.segments.total == sum(a.segments.total for a in summary.articles)
    titles = {a.slug: a.title for a in summaries[1].articles}
    assert titles["pain-relief"] == "Pain relief basics"


def test_dashboard_counts_states_and_errors(site_project):
    edit(site_project, PL, MSGID, lambda e: setattr(e, "msgstr", "Nie przekraczaj 30 mg."))      # stale, and an error
    edit(site_project, PL, "Pain relief basics", lambda e: e.flags.append("fuzzy"))
    config = load_config(site_project)
    [summary] = dashboard(config, "piotr.nowak@example.org")
    article = next(a for a in summary.articles if a.slug == "pain-relief")
    live = [e for e in read_catalog(site_project / PL) if not e.obsolete]
    assert (article.segments.stale, article.segments.fuzzy, article.segments.with_errors) == (1, 1, 1)
    assert article.segments.total == len(live) == article.segments.approved + 2
    assert article.words.stale == len(MSGID.rstrip(".").split())


def test_shipped_dashboard_counts_add_up(shipped):
    config = load_config(shipped)
    for summary in dashboard(config, "ana.lopez@example.org"):
        for article in summary.articles:
            live = [e for e in read_catalog(config.po_path(summary.catalog, article.slug)) if not e.obsolete]
            assert article.segments.total == len(live)


def test_outdated_and_withdrawn_pages_from_the_snapshots(shipped):
    config = load_config(shipped)
    assert all(a.pages == () for s in dashboard(config, "layla.haddad@example.org") for a in s.articles)
    article = shipped / "source/antidepressants-chronic-pain.md"
    text = article.read_text()
    article.write_text(text + "\nAsk your pharmacist.\n")
    [ar] = dashboard(config, "layla.haddad@example.org")
    states = {a.slug: a.pages for a in ar.articles}
    [page] = states["antidepressants-chronic-pain"]
    assert (page.locale, page.state) == ("ar-GB", "outdated")
    article.write_text(text.replace("\ndescription:", "\nsafety_change:\n  date: 2026-11-30\n  reason: dose"
                                    "\ndescription:", 1) + "\nAsk your pharmacist.\n")
    [ar] = dashboard(config, "layla.haddad@example.org")
    [page] = next(a.pages for a in ar.articles if a.slug == "antidepressants-chronic-pain")
    assert (page.state, page.since) == ("withdrawn", "2026-11-30")


def test_a_dose_added_to_the_source_shows_as_inserted_and_the_fuzzy_row_names_no_approver(site_project, locum):
    article = site_project / "source/pain-relief.md"
    new = "Do not take more than the leaflet says: 120 mg a day."
    article.write_text(article.read_text().replace(MSGID, new))
    assert locum(site_project, "extract").code == 0
    assert locum(site_project, "update").code == 0
    view = article_view(load_config(site_project), "pl", "pain-relief")
    row = next(r for r in view.rows if r.source_diff is not None)
    assert row.state == "fuzzy" and row.approver is None
    assert re.search(r"<ins>[^<]*120 mg a day[^<]*</ins>", str(row.source_diff))
    assert "<del>" not in str(row.source_diff)
    assert row.seen == text_digest(read_catalog(site_project / PL).find(new))
    assert all(r.source_diff is None for r in view.rows if r is not row)


def test_an_approved_record_on_a_fuzzy_entry_names_no_approver(site_project):
    edit(site_project, PL, MSGID, lambda e: e.flags.append("fuzzy"))
    view = article_view(load_config(site_project), "pl", "pain-relief")
    fuzzy = [r for r in view.rows if r.state == "fuzzy"]
    assert len(fuzzy) == 1 and fuzzy[0].approver is None
    others = [r.approver for r in view.rows if r.state == "approved"]
    assert others and all(a.name == "Dr Piotr Nowak" and a.state == "approved" for a in others)


def test_rejection_and_suggestion_provenance(site_project):
    def suggest(entry):
        entry.msgstr = "Podstawy leczenia bólu"
        entry.flags.append("fuzzy")
        entry.tcomment = suggestion_note(entry, "mt: libre 2026-11-22")
    edit(site_project, PL, "Pain relief basics", suggest)
    edit(site_project, PL, MSGID, lambda e: (e.flags.append("fuzzy"),
                                             sign_approval(e, "pl", meaning="rejected", reason="Say the dose")))
    view = article_view(load_config(site_project), "pl", "pain-relief")
    states = {r.state: r for r in view.rows if r.state != "approved"}
    assert states["suggested"].provenance == "mt: libre 2026-11-22" and states["suggested"].approver is None
    rejected = states["rejected"]
    assert rejected.approver is None and rejected.rejection.reason == "Say the dose"
    assert rejected.rejection.name == "Dr Piotr Nowak"


def test_right_to_left_for_arabic(site_project):
    config = load_config(site_project)
    view = article_view(config, "ar", "pain-relief")
    assert (view.lang, view.dir) == ("ar", "rtl")
    assert (article_view(config, "es_US", "pain-relief").lang, article_view(config, "pl", "pain-relief").dir) == \
        ("es-US", "ltr")
    assert view.title == "Pain relief basics"


def test_a_hostile_translation_comes_out_as_text(site_project):
    edit(site_project, PL, MSGID, lambda e: setattr(e, "msgstr", f"Uwaga {HOSTILE} **30 mg**"))
    view = article_view(load_config(site_project), "pl", "pain-relief")
    [row] = [r for r in view.rows if r.msgstrs == (f"Uwaga {HOSTILE} **30 mg**",)]
    html = str(row.target_html)
    assert "<img" not in html and "&lt;img src=x onerror=alert(" in html
    assert "<strong>" in html                     # the reader's rendering, not raw Markdown
    assert "<img" not in "".join(str(f) for f in row.forms)


def test_a_hostile_change_shows_escaped_in_the_diff_against_the_approved_text(shipped):
    config = load_config(shipped)
    view = article_view(config, "es", "antidepressants-chronic-pain")
    assert all(r.text_diff is None for r in view.rows)
    target = view.rows[2]
    path = "locales/es/LC_MESSAGES/antidepressants-chronic-pain.po"
    po = read_catalog(shipped / path)
    entry = next(e for e in po if e.msgstr == target.msgstrs[0])
    old = entry.msgstr
    entry.msgstr = old + " " + HOSTILE
    write_catalog(po, shipped / path)
    row = next(r for r in article_view(config, "es", "antidepressants-chronic-pain").rows if r.id == target.id)
    assert row.state == "stale" and row.approver is None and row.record_note.startswith("stale")
    assert str(row.text_diff) == f"{escape(old)}<ins> &lt;img src=x onerror=alert(1)&gt;</ins>"


def test_rows_follow_the_article(shipped):
    config = load_config(shipped)
    text = (shipped / "source/duloxetine-low-back-pain.md").read_text()
    view = article_view(config, "es", "duloxetine-low-back-pain")
    assert "title" in view.rows[0].kind and view.rows[1].kind == "description"
    assert len(view.rows) == view.segments.total > 20
    positions, cursor = [], 0
    for row in view.rows:
        found = text.find(row.msgid, cursor) if "\n" not in row.msgid else -1
        if found >= 0:
            positions.append(found)
            cursor = found
    assert len(positions) > len(view.rows) // 2 and positions == sorted(positions)


def test_page_order_does_not_depend_on_the_catalogs_order(site_project):
    config = load_config(site_project)
    before = [r.id for r in article_view(config, "pl", "pain-relief").rows]
    po = read_catalog(site_project / PL)
    entries = list(po)
    for entry in entries:
        po.remove(entry)
    for entry in reversed(entries):
        po.append(entry)
    write_catalog(po, site_project / PL)
    assert [r.id for r in article_view(config, "pl", "pain-relief").rows] == before


def test_terms_and_numbers_highlighted_on_both_sides(shipped):
    view = article_view(load_config(shipped), "es", "duloxetine-low-back-pain")
    both = [r for r in view.rows if '<mark class="number">' in r.source_html and '<mark class="number">' in r.target_html]
    assert both
    terms = [r for r in view.rows if '<mark class="term' in r.source_html and '<mark class="term' in r.target_html]
    assert terms


def test_plural_forms_are_listed(shipped):
    view = article_view(load_config(shipped), "ar", "site")
    plurals = [r for r in view.rows if r.plural]
    assert plurals and all(len(r.forms) == len(r.msgstrs) == 6 for r in plurals)
    assert view.title == ""


def test_an_entry_overridden_by_a_regional_catalog_is_marked_shadowed(shipped):
    config = load_config(shipped)
    overrides = {(e.msgctxt or "", e.msgid) for e in read_catalog(config.po_path("es_US", "antidepressants-chronic-pain"))
                 if not e.obsolete and e.msgstr}
    assert overrides
    view = article_view(config, "es", "antidepressants-chronic-pain")
    shadowed = [r for r in view.rows if r.shadowed]
    assert len(shadowed) == len(overrides) and all(r.shadowed_by == ("es_US",) for r in shadowed)
    assert not any(r.shadowed for r in article_view(config, "es_US", "antidepressants-chronic-pain").rows)


def test_unknown_catalog_or_article(site_project):
    config = load_config(site_project)
    with pytest.raises(UsageError):
        article_view(config, "es-US", "pain-relief")
    with pytest.raises(UsageError):
        article_view(config, "es", "no-such-article")


def test_a_view_made_from_the_last_one_is_the_view_made_afresh(site_project):
    """The oracle for lent rows: after each kind of change, the view made from the previous one is the same,
    row for row and line for line, as the view made from nothing."""
    config = load_config(site_project)

    def suggest(entry):
        entry.msgstr = "Podstawy leczenia bólu"
        entry.flags.append("fuzzy")
        entry.tcomment = suggestion_note(entry, "mt: libre 2026-11-22")

    changes = [
        lambda: edit(site_project, PL, MSGID, lambda e: setattr(e, "msgstr", e.msgstr + " Zawsze.")),
        lambda: edit(site_project, PL, MSGID, lambda e: sign_approval(e, "pl")),
        lambda: edit(site_project, PL, "Pain relief basics", suggest),
        lambda: edit(site_project, PL, MSGID, lambda e: (e.flags.append("fuzzy"),
                                                     sign_approval(e, "pl", meaning="rejected", reason="No."))),
        lambda: (site_project / "locales/glossary.csv").write_text(
            (site_project / "locales/glossary.csv").read_text(encoding="utf-8").replace("paracetamol,", "paracetamol ,", 1),
            encoding="utf-8"),
        lambda: (site_project / "source/pain-relief.md").write_text(
            (site_project / "source/pain-relief.md").read_text(encoding="utf-8").replace("title: ", "title: New ", 1),
            encoding="utf-8"),
    ]
    view = article_view(config, "pl", "pain-relief")
    for change in changes:
        change()
        lent, fresh = article_view(config, "pl", "pain-relief", previous=view), article_view(config, "pl", "pain-relief")
        assert lent == fresh and [r.where for r in lent.rows] == [r.where for r in fresh.rows]
        assert [hash(r) for r in lent.rows] == [hash(r) for r in fresh.rows]      # a kept hash is the hash
        view = lent
    assert view.title.startswith("New ")


def test_a_shared_parse_is_used_while_the_bytes_are_the_same(site_project):
    config, known = load_config(site_project), {}
    first = article_view(config, "pl", "pain-relief", known=known)
    (po,) = [parsed for parsed in known.values() if parsed.read_from[0].endswith("pl/LC_MESSAGES/pain-relief.po")]
    assert read_catalog(site_project / PL, known=known) is po
    edit(site_project, PL, MSGID, lambda e: setattr(e, "msgstr", "Inny tekst."))
    newer = read_catalog(site_project / PL, known=known)
    assert newer is not po and read_catalog(site_project / PL, known=known) is newer
    assert known[po.read_from] is po            # a reader still on the older bytes finds them too
    assert article_view(config, "pl", "pain-relief", known=known) != first


def test_an_actions_own_copy_changes_no_reader_of_the_shared_catalog(tmp_path):
    path = tmp_path / "x.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "A"\n\n'
                    'msgid "b"\nmsgstr "B"\n', encoding="utf-8")
    known: dict = {}
    shared = read_catalog(path, known=known)
    assert read_catalog(path, known=known) is shared
    mine = own_copy(shared, lambda entry: entry.msgid == "a")
    mine.find("a").msgstr = "changed"
    mine.metadata["X-Test"] = "1"
    assert shared.find("a").msgstr == "A" and "X-Test" not in shared.metadata
    assert mine.find("b") is shared.find("b") and mine.read_from == shared.read_from
    assert write_catalog(mine, path) and read_catalog(path, known=known).find("a").msgstr == "changed"


def test_a_catalog_as_written_is_the_catalog_read_back(site_project, tmp_path):
    """The oracle for as_written: polib's own parse of the canonical text, entry for entry and line for line."""
    paths = sorted((REPO / "locales").glob("*/LC_MESSAGES/*.po")) + sorted(site_project.glob("locales/*/LC_MESSAGES/*.po"))
    assert len(paths) > 10
    for path in paths:
        po = read_catalog(path)
        for entry in po:                # a record's worth of lines more, in the middle
            if not entry.obsolete and entry.msgstr:
                entry.tcomment = (entry.tcomment + "\n" if entry.tcomment else "") + "one\ntwo\n\nthree"
                break
        copy_path = tmp_path / path.name
        text = catalog_text(po)
        copy_path.write_text(text, encoding="utf-8")
        pieces = po_pieces(po)
        assert "".join(piece for _, piece in pieces) == text
        written = as_written(po, pieces, text.encode("utf-8"), str(copy_path))
        back = read_catalog(copy_path)
        assert written is not None and written.read_from == back.read_from, path
        assert [(entry_key(e), e.linenum) for e in written] == [(entry_key(e), e.linenum) for e in back], path


def test_a_catalog_leaving_an_entry_out_is_not_learnt_as_written(tmp_path):
    """An obsolete entry with no translation is not written: the catalog read back has one entry less, so
    the writer does not teach its own (the next reader parses the file)."""
    po = POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(POEntry(msgid="kept", msgstr="guardado"))
    po.append(POEntry(msgid="gone", msgstr="", obsolete=True))
    path, known = tmp_path / "x.po", {}
    assert as_written(po, po_pieces(po), catalog_text(po).encode("utf-8"), str(path)) is None
    assert write_catalog(po, path, known=known) and known == {}
    assert [e.msgid for e in read_catalog(path)] == ["kept"]


def test_an_action_teaches_the_shared_parses_the_catalog_it_wrote(site_project, tmp_path):
    from conftest import declare_server_key

    from workflow import review

    signer = declare_server_key(site_project, tmp_path / "store")
    config, known = load_config(site_project), {}
    edit(site_project, PL, MSGID, lambda e: setattr(e, "msgstr", "Inny tekst."))
    entry = read_catalog(site_project / PL, known=known).find(MSGID)
    action = review.Action("approve", "piotr.nowak@example.org", review.segment_id("pain-relief", entry),
                           text_digest(entry))
    assert review.apply_actions(config, "pl", "pain-relief", [action], signer, known=known) == [None]
    learnt, fresh = read_catalog(site_project / PL, known=known), read_catalog(site_project / PL)
    assert learnt is known[fresh.read_from] and learnt.read_from == fresh.read_from
    assert [(entry_key(e), e.linenum) for e in learnt] == [(entry_key(e), e.linenum) for e in fresh]
    assert article_view(config, "pl", "pain-relief", known=known) == article_view(config, "pl", "pain-relief")

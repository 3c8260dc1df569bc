"""Review end to end: approvals in the PO, bound to the text; the gate; tools keep approvals; packet."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from conftest import key_of, require, sign_approval
from test_build import set_translation

from workflow.approval import judge, trust_for
from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config

PL = "locales/pl/LC_MESSAGES/pain-relief.po"
MSGID = "Do not take more than the leaflet says."


def entry(root, path=PL, msgid=MSGID):
    return read_catalog(root / path).find(msgid)


def state(root, path=PL, msgid=MSGID) -> str:
    """The verified state of an entry's approval record (approved, stale, unverified, forged, none…)."""
    po = read_catalog(root / path)
    trust = trust_for(load_config(root).reviewers, Path(path).parts[1])
    return judge(po.find(msgid), trust, po).state


def pending_ids(root, locum, locale="pl", article="pain-relief"):
    out = locum(root, "review", "pending", "--locale", locale, "--article", article).out
    return [line.split("]")[0].lstrip("[") for line in out.splitlines() if line.startswith("[")]


def test_fixture_is_fully_approved(site_project, locum):
    result = locum(site_project, "stats", "--format", "json")
    rows = json.loads(result.out)
    assert rows and all(r["approved"] == r["segments"] == r["translated"] for r in rows)
    assert state(site_project) == "approved"
    assert "\napproval-by: piotr.nowak@example.org\n" in entry(site_project).tcomment


def test_editing_an_approved_translation_makes_it_pending_and_unpublished(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", MSGID, "Nie należy przekraczać dawki z ulotki.",
                    approve=False)
    assert state(site_project) == "stale"
    out = locum(site_project, "review", "pending", "--locale", "pl-GB").out
    assert "Nie należy przekraczać dawki z ulotki." in out and "state: stale" in out
    result = locum(site_project, "publish")
    assert "skipped pl-GB/pain-relief" in result.err
    assert not (site_project / "output/pl-GB/pain-relief").exists()
    assert (site_project / "output/ar-GB/pain-relief/index.html").exists()


def test_changed_source_makes_the_entry_fuzzy_and_its_approval_stale(site_project, locum):
    article = site_project / "source/pain-relief.md"
    article.write_text(article.read_text().replace(MSGID, "Do not take more than the leaflet allows."))
    locum(site_project, "extract")
    locum(site_project, "update")
    changed = entry(site_project, msgid="Do not take more than the leaflet allows.")
    assert changed.fuzzy and changed.previous_msgid == MSGID
    assert state(site_project, msgid="Do not take more than the leaflet allows.") == "stale"
    assert "skipped pl-GB/pain-relief" in locum(site_project, "publish").err


def test_msgcat_and_msgmerge_keep_every_approval_valid(site_project, locum, tmp_path):
    require("msgcat"), require("msgmerge")
    def approved():
        rows = json.loads(locum(site_project, "stats", "--format", "json").out)
        assert all(row["stale"] == 0 for row in rows)
        return {(row["locale"], row["article"]): row["approved"] for row in rows}

    before = approved()
    for po in (site_project / "locales").glob("*/LC_MESSAGES/*.po"):
        subprocess.run(["msgcat", "-o", str(po), str(po)], check=True)
        pot = site_project / "locales" / f"{po.stem}.pot"
        if not po.parts[-3].endswith("_US"):
            subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(po), str(po), str(pot)], check=True)
    # msgmerge also adds the other market's entries (untranslated); every approval stays valid
    assert approved() == before
    assert "10 page(s) published" in locum(site_project, "publish").out


def test_undeclared_reviewer_is_refused(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", MSGID, "Nie należy przekraczać dawki.", approve=False)
    (segment,) = pending_ids(site_project, locum)
    result = locum(site_project, "review", "approve", "--locale", "pl", "--reviewer", "eve@example.org",
                   "--id", segment)
    assert result.code == 2
    assert "eve@example.org is not a declared reviewer" in result.err
    result = locum(site_project, "review", "approve", "--locale", "pl", "--reviewer", "ana.lopez@example.org",
                   "--id", segment)
    assert result.code == 2 and "not declared as a reviewer for pl" in result.err
    assert state(site_project) == "stale"


def test_entry_with_a_check_error_cannot_be_approved(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", MSGID, "Nie należy przyjmować więcej niż 2 tabletki.",
                    approve=False)
    (segment,) = pending_ids(site_project, locum)
    result = locum(site_project, "review", "approve", "--locale", "pl", "--reviewer",
                   "piotr.nowak@example.org", "--id", segment,
                   "--key", str(key_of("piotr.nowak@example.org")))
    assert result.code == 2 and f"cannot approve {segment}: [numbers]" in result.err
    result = locum(site_project, "review", "approve", "--locale", "pl", "--reviewer",
                   "piotr.nowak@example.org", "--article", "pain-relief", "--all-clean",
                   "--key", str(key_of("piotr.nowak@example.org")))
    assert result.code == 0 and "0 segment(s) approved" in result.out and "left pending" in result.out


def test_approve_then_publish(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", MSGID, "Nie należy przekraczać dawki z ulotki.",
                    approve=False)
    (segment,) = pending_ids(site_project, locum)
    result = locum(site_project, "review", "approve", "--locale", "pl-GB", "--reviewer",
                   "piotr.nowak@example.org", "--id", segment,
                   "--key", str(key_of("piotr.nowak@example.org")))
    assert result.code == 0, result.err
    assert state(site_project) == "approved"
    assert pending_ids(site_project, locum) == []
    assert "10 page(s) published" in locum(site_project, "publish").out
    index = json.loads((site_project / "audit/index.audit.json").read_text())
    listed = next(p for p in index if p["locale"] == "pl-GB" and p["slug"] == "pain-relief")
    page = json.loads((site_project / "audit" / listed["file"]).read_text())
    assert page["locale"] == "pl-GB" and listed["segments"] == len(page["segments"])
    segment_audit = next(s for s in page["segments"] if s["text"] == MSGID)
    assert segment_audit["approver"] == "Dr Piotr Nowak <piotr.nowak@example.org>"
    assert segment_audit["catalog"] == "pl" and segment_audit["date"]


def test_reject_marks_fuzzy_with_the_reason(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", MSGID, "Nie należy przekraczać dawki.", approve=False)
    (segment,) = pending_ids(site_project, locum)
    result = locum(site_project, "review", "reject", "--locale", "pl", "--reviewer", "piotr.nowak@example.org",
                   "--id", segment, "--reason", "Say 'ulotka', as the source does.",
                   "--key", str(key_of("piotr.nowak@example.org")))
    assert result.code == 0
    rejected = entry(site_project)
    assert rejected.fuzzy and "approval: rejected " in rejected.tcomment
    assert "approval-by: piotr.nowak@example.org" in rejected.tcomment
    assert "approval-reason: Say 'ulotka', as the source does." in rejected.tcomment
    assert state(site_project) == "rejected"
    out = locum(site_project, "review", "pending", "--locale", "pl").out
    assert "state: rejected" in out and "Say 'ulotka', as the source does." in out


class Cells(HTMLParser):
    """Text and <mark> classes of the source and target cells of a packet."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.marks = [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "text" in (attrs.get("class") or ""):
            self.cell = {"side": attrs["class"].split()[-1], "lang": attrs.get("lang"), "text": "", "marks": []}
        elif tag == "mark" and self.cell is not None:
            self.cell["marks"].append(attrs["class"])
        elif tag == "tr":
            self.rows.append([])

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None


def test_review_packet_side_by_side_with_highlights(site_project, locum, vnu):
    out = site_project / "packet.html"
    result = locum(site_project, "review", "packet", "--locale", "pl-GB", "--article", "pain-relief",
                   "--output", str(out))
    assert result.code == 0
    parser = Cells()
    parser.feed(out.read_text(encoding="utf-8"))
    rows = [r for r in parser.rows if r]
    assert len(rows) == len(read_catalog(site_project / PL))
    by_source = {row[0]["text"]: row for row in rows}
    source, target = by_source["Call NHS 111 if you need advice. In an emergency, call 999."] \
        if "Call NHS 111 if you need advice. In an emergency, call 999." in by_source else \
        by_source["Call [NHS 111](https://111.nhs.uk/) if you need advice. In an emergency, call 999."]
    assert (source["side"], source["lang"], target["side"], target["lang"]) == ("source", "en", "target", "pl")
    assert "term dnt" in source["marks"] and "number" in source["marks"]
    assert "term dnt" in target["marks"] and "number" in target["marks"]
    para = by_source["Paracetamol is often the first medicine to try for mild pain. Read the leaflet before "
                     "you take it."]
    assert "term locked" in para[0]["marks"] and "term locked" in para[1]["marks"]
    assert "Dr Piotr Nowak" in out.read_text(encoding="utf-8")
    checked = vnu([str(out)])
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_stats_table(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", MSGID, "Zmienione.", approve=False)
    out = locum(site_project, "stats", "--locale", "pl").out.splitlines()
    assert out[0].split() == ["locale", "article", "segments", "translated", "fuzzy", "approved", "stale", "errors"]
    row = next(line.split() for line in out if line.startswith("pl") and "pain-relief" in line)
    assert row[2:] == ["6", "6", "0", "5", "1", "0"]


def test_a_new_approval_of_the_same_text_reaches_the_page_audit(site_project, locum):
    """Another reviewer approves the very same translation: the .mo stays byte-identical, the page audit moves."""
    assert locum(site_project, "publish").code == 0
    path = site_project / "locales/pl/LC_MESSAGES/pain-relief.po"
    po = read_catalog(path)
    approved = po.find(MSGID)
    sign_approval(approved, "pl", when=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc))
    write_catalog(po, path)
    mo = (site_project / "locales/pl/LC_MESSAGES/pain-relief.mo").read_bytes()
    assert "1 rendered" in locum(site_project, "publish").out
    assert (site_project / "locales/pl/LC_MESSAGES/pain-relief.mo").read_bytes() == mo
    page = json.loads((site_project / "audit/pl-GB/pain-relief.audit.json").read_text())
    assert next(s for s in page["segments"] if s["text"] == MSGID)["date"] == "2026-12-01"

"""The build's bookkeeping: ``.cache/build.json`` is what a build reads of the last one; the report is only written.

A page the gate held back keeps its missing segments in its manifest record,
so a later build lists them (console and ``audit/build-report.json``)
without localizing the page again; the report on disk is compared with the
one the build wrote by digest, and written anew when it differs, never parsed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, snapshot
from test_build import set_translation

import workflow.pages

REPORT = Path("audit/build-report.json")
MANIFEST = Path(".cache/build.json")
MISSING = [{"text": "Do not take more than the leaflet says.", "source": "source/pain-relief.md:14"}]


@pytest.fixture
def held_back(site_project, locum) -> Path:
    """A published project where the gate holds pl-GB/pain-relief back (one segment not translated)."""
    set_translation(site_project, "pl", "pain-relief", "Do not take more than the leaflet says.", "", approve=False)
    result = locum(site_project, "publish")
    assert "9 page(s) published" in result.out and "skipped pl-GB/pain-relief: 1 segment(s)" in result.err
    return site_project


@pytest.fixture
def localized(monkeypatch) -> list[str]:
    """The pages the build localizes in this process (the tiny project is built without workers)."""
    pages: list[str] = []
    localize = workflow.pages.localize_page

    def counting(config, locale, article, *args, **kwargs):
        pages.append(f"{locale.tag}/{article.slug}")
        return localize(config, locale, article, *args, **kwargs)

    monkeypatch.setattr("workflow.pages.localize_page", counting)
    return pages


def site(root: Path) -> dict[str, bytes]:
    return {**snapshot(root / "output"), **{f"audit/{k}": v for k, v in snapshot(root / "audit").items()}}


def test_the_manifest_keeps_the_missing_segments_of_a_held_back_page(held_back):
    records = json.loads((held_back / MANIFEST).read_text(encoding="utf-8"))["records"]
    assert records["pl-GB/pain-relief"]["missing"] == MISSING
    assert not any("missing" in record for name, record in records.items() if name != "pl-GB/pain-relief")
    report = json.loads((held_back / REPORT).read_text(encoding="utf-8"))
    assert report["skipped"] == [{"locale": "pl-GB", "slug": "pain-relief", "missing": MISSING}]


def test_a_deleted_report_comes_back_identical_without_localizing_a_page(held_back, locum, localized):
    before = site(held_back)
    (held_back / REPORT).unlink()
    result = locum(held_back, "build")
    assert "0 rendered, 9 unchanged" in result.out and "source/pain-relief.md:14" in result.err
    assert localized == []
    assert site(held_back) == before


def test_a_report_edited_by_hand_is_written_anew(held_back, locum, localized):
    before = site(held_back)
    report = held_back / REPORT
    report.write_text(report.read_text(encoding="utf-8").replace("leaflet", "label"), encoding="utf-8")
    assert "0 rendered, 9 unchanged" in locum(held_back, "build").out
    assert localized == []
    assert site(held_back) == before
    stamps = {p: p.stat().st_mtime_ns for p in (held_back / "audit").rglob("*")}
    assert "0 rendered, 9 unchanged" in locum(held_back, "build").out
    assert {p: p.stat().st_mtime_ns for p in (held_back / "audit").rglob("*")} == stamps   # now it is ours


def test_the_missing_segments_come_from_the_bookkeeping_not_the_report(held_back, locum):
    """A report edited and made to look like the build's own is kept as it is, and still not read."""
    report = held_back / REPORT
    edited = report.read_text(encoding="utf-8").replace("the leaflet says", "the report says")
    report.write_text(edited, encoding="utf-8")
    manifest = json.loads((held_back / MANIFEST).read_text(encoding="utf-8"))
    manifest["report"] = hashlib.sha256(edited.encode("utf-8")).hexdigest()
    (held_back / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = locum(held_back, "build")
    assert "'Do not take more than the leaflet says.'" in result.err and "the report says" not in result.err
    assert report.read_text(encoding="utf-8") == edited


@pytest.mark.parametrize("text", ["{garbage", "[]", '{"format": 3, "pages": {}}', '{"format": 4, "pages": []}',
                                  '{"format": 4, "pages": {"index.html": "x"}, "records": {"en-GB/x": 1}}'],
                         ids=["broken", "list", "old-format", "pages-list", "record-not-object"])
def test_a_corrupt_manifest_falls_back_to_a_full_build_with_identical_output(held_back, locum, text):
    before = site(held_back)
    (held_back / MANIFEST).write_text(text, encoding="utf-8")
    result = locum(held_back, "build")
    assert "9 page(s) published (9 rendered, 0 unchanged), 1 skipped" in result.out
    assert "source/pain-relief.md:14" in result.err
    assert site(held_back) == before
    assert "0 rendered, 9 unchanged" in locum(held_back, "build").out


def test_a_deleted_manifest_and_report_give_the_same_site(held_back, locum):
    before = site(held_back)
    (held_back / MANIFEST).unlink()
    (held_back / REPORT).unlink()
    assert "9 rendered, 0 unchanged" in locum(held_back, "build").out
    assert site(held_back) == before


def test_a_record_without_missing_segments_is_localized_again(held_back, locum, localized):
    """A manifest written before records kept missing segments: only the held-back page is localized again."""
    before = site(held_back)
    manifest = json.loads((held_back / MANIFEST).read_text(encoding="utf-8"))
    del manifest["records"]["pl-GB/pain-relief"]["missing"]
    (held_back / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert "0 rendered, 9 unchanged" in locum(held_back, "build").out
    assert localized == ["pl-GB/pain-relief"]
    assert site(held_back) == before
    records = json.loads((held_back / MANIFEST).read_text(encoding="utf-8"))["records"]
    assert records["pl-GB/pain-relief"]["missing"] == MISSING


def test_a_page_let_through_drops_its_missing_segments(held_back, locum):
    set_translation(held_back, "pl", "pain-relief", "Do not take more than the leaflet says.",
                    "Nie należy przyjmować więcej, niż podaje ulotka.")
    assert "10 page(s) published" in locum(held_back, "publish").out
    records = json.loads((held_back / MANIFEST).read_text(encoding="utf-8"))["records"]
    assert not any("missing" in record for record in records.values())
    assert json.loads((held_back / REPORT).read_text(encoding="utf-8"))["skipped"] == []


STAGES = {"extract", "update", "quality", "translate", "review", "compile", "publish", "cli"}


def test_the_build_imports_no_other_stage():
    """The build and the modules it is made of load no other stage, not even indirectly."""
    code = "import sys, workflow.build; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    modules = {name.removeprefix("workflow.") for name in loaded.stdout.split() if name.startswith("workflow.")}
    assert {"pages", "site_files", "staging", "audit", "manifest", "contexts"} <= modules
    assert not modules & STAGES

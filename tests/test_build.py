"""compile + build end to end on the tiny project: markets, fallbacks, the gate, atomic output, HTML."""

from __future__ import annotations

import gettext
import json
import os
import shutil
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import sign_approval, snapshot

import workflow.build
import workflow.publish
import workflow.stamps
from workflow.catalogs import read_catalog, write_catalog

LOCALES = ("en-GB", "en-US", "es-US", "pl-GB", "ar-GB")
SLUGS = ("pain-relief", "sleep-and-pain")


def page(root: Path, locale: str, slug: str, site: str = "output") -> str:
    """A built page: of ``output/``, or of the preview (``site=PREVIEW``)."""
    return (root / site / locale / slug / "index.html").read_text(encoding="utf-8")


PREVIEW = ".cache/preview"      # where ``--preview`` builds: never output/


def set_translation(root: Path, catalog: str, slug: str, msgid: str, msgstr: str, fuzzy=False,
                    approve=True) -> None:
    """A translator edits one entry; by default its reviewer then approves the new text."""
    path = root / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po"
    po = read_catalog(path)
    entry = po.find(msgid)
    entry.msgstr = msgstr
    if fuzzy:
        entry.flags.append("fuzzy")
    if approve and msgstr and not fuzzy:
        sign_approval(entry, catalog)
    write_catalog(po, path)


def test_publish_builds_every_locale_and_market(site_project, locum):
    result = locum(site_project, "publish")
    assert result.code == 0, result.err
    assert "10 page(s) published" in result.out
    for locale in LOCALES:
        for slug in SLUGS:
            assert (site_project / "output" / locale / slug / "index.html").exists()
    for locale in ("en-GB", "pl-GB", "ar-GB"):
        html = page(site_project, locale, "pain-relief")
        assert 'data-region="gb"' in html and 'data-region="us"' not in html
    for locale in ("en-US", "es-US"):
        html = page(site_project, locale, "pain-relief")
        assert 'data-region="us"' in html and 'data-region="gb"' not in html
    assert "Acetaminophen is often" in page(site_project, "en-US", "pain-relief")
    assert "Paracetamol is often" in page(site_project, "en-GB", "pain-relief")
    assert "999" in page(site_project, "pl-GB", "pain-relief")


def test_page_attributes(site_project, locum):
    locum(site_project, "publish")
    ar = page(site_project, "ar-GB", "pain-relief")
    assert '<html lang="ar-GB" dir="rtl">' in ar
    es = page(site_project, "es-US", "pain-relief")
    assert '<html lang="es-US" dir="ltr">' in es
    assert '<time datetime="2026-09-01">1 de septiembre de 2026</time>' in es
    assert "2 min de lectura" in es
    assert '<link rel="canonical" href="https://health.example.org/es-US/pain-relief/">' in es
    assert 'hreflang="x-default" href="https://health.example.org/en-GB/pain-relief/"' in es
    assert "Aviso médico:" in es


def test_compiled_catalogs_are_read_by_python_gettext_and_hold_only_gated_entries(site_project, locum):
    set_translation(site_project, "es", "pain-relief", "Call 911 in an emergency.", "Llame al 911.", fuzzy=True)
    assert locum(site_project, "compile").code == 0
    for mo in (site_project / "locales").glob("*/LC_MESSAGES/*.mo"):
        lang, domain = mo.parts[-3], mo.stem
        gettext.translation(domain, site_project / "locales", languages=[lang])
    es = gettext.translation("pain-relief", site_project / "locales", languages=["es"])
    assert es.gettext("Pain relief basics") == "Lo básico sobre los analgésicos"
    assert es.gettext("Call 911 in an emergency.") == "Call 911 in an emergency."  # fuzzy: held back


def test_gate_skips_one_page_and_publishes_the_rest(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", "Help in the UK", "")
    result = locum(site_project, "publish")
    assert result.code == 0
    assert "skipped pl-GB/pain-relief: 1 segment(s)" in result.err
    assert "source/pain-relief.md:17: 'Help in the UK'" in result.err
    assert not (site_project / "output/pl-GB/pain-relief").exists()
    assert (site_project / "output/pl-GB/sleep-and-pain/index.html").exists()
    assert (site_project / "output/ar-GB/pain-relief/index.html").exists()
    report = json.loads((site_project / "audit/build-report.json").read_text())
    assert report["skipped"] == [{"locale": "pl-GB", "slug": "pain-relief",
                                  "missing": [{"text": "Help in the UK", "source": "source/pain-relief.md:17"}]}]
    assert 'hreflang="pl-GB"' not in page(site_project, "ar-GB", "pain-relief")
    assert locum(site_project, "build", "--strict").code == 1


def test_preview_marks_fallback_with_source_language(site_project, locum):
    set_translation(site_project, "pl", "pain-relief", "Help in the UK", "")
    assert locum(site_project, "publish", "--preview").code == 0
    html = page(site_project, "pl-GB", "pain-relief", PREVIEW)
    assert ('<h2><span lang="en" class="untranslated">Help in the UK <span class="untranslated-note">'
            'jeszcze nieprzetłumaczone</span></span></h2>') in html


def let_everything_through(monkeypatch):
    """Switch the checks off at the gate, to test that rendering alone is safe."""
    monkeypatch.setattr("workflow.compile.check_entry", lambda *args, **kwargs: [])
    monkeypatch.setattr("workflow.compile.cached_findings", lambda *args: None)


def test_translation_with_markup_is_held_back_by_the_gate(site_project, locum):
    set_translation(site_project, "es", "pain-relief", "Call 911 in an emergency.",
                    "Llame al 911. <script>alert(1)</script>")
    result = locum(site_project, "publish")
    assert "error [html]" in result.err and "skipped es-US/pain-relief" in result.err


def test_translation_cannot_inject_markup_even_past_the_gate(site_project, locum, monkeypatch):
    let_everything_through(monkeypatch)
    set_translation(site_project, "es", "pain-relief", "Call 911 in an emergency.",
                    'Llame al 911. <script>alert(1)</script> <img src=x onerror=alert(1)>')
    assert locum(site_project, "publish").code == 0
    html = page(site_project, "es-US", "pain-relief")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_failed_build_leaves_previous_output(site_project, locum):
    assert locum(site_project, "publish").code == 0
    before = snapshot(site_project / "output")
    (site_project / "locales/ar/LC_MESSAGES/sleep-and-pain.mo").write_bytes(b"not a catalog")
    result = locum(site_project, "build")
    assert result.code == 2
    assert ("locales/ar/LC_MESSAGES/sleep-and-pain.mo: error: this compiled catalog is not the one "
            "'locum compile' wrote") in result.err
    assert snapshot(site_project / "output") == before
    assert not list(site_project.glob(".output-*"))


def test_missing_compiled_catalog_is_an_error(site_project, locum):
    locum(site_project, "extract")
    result = locum(site_project, "build")
    assert result.code == 2 and "run 'locum compile'" in result.err


def test_rebuild_renders_only_changed_pages(site_project, locum):
    assert locum(site_project, "publish").code == 0
    stamps = {p: p.stat().st_mtime_ns for p in (site_project / "output").rglob("*/*/index.html")}
    assert "0 rendered, 10 unchanged" in locum(site_project, "build").out
    set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Tenga horarios regulares.")
    out = locum(site_project, "publish").out
    assert "1 rendered, 9 unchanged" in out
    changed = {p for p in stamps if p.exists() and p.stat().st_mtime_ns != stamps[p]}
    assert changed == {site_project / "output/es-US/sleep-and-pain/index.html"}
    assert "Tenga horarios regulares." in page(site_project, "es-US", "sleep-and-pain")


def mtimes(root):
    """Every file of the project but the caches, with its modification time."""
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts}


def test_noop_publish_rewrites_no_file(site_project, locum):
    assert locum(site_project, "publish").code == 0
    before = mtimes(site_project)
    result = locum(site_project, "publish")
    assert result.code == 0 and "nothing changed since the last publish: 10 page(s) published" in result.out
    assert mtimes(site_project) == before
    (site_project / ".cache/publish.json").unlink()      # every stage asks its own question: same answer
    result = locum(site_project, "publish")
    assert "0 template(s) written" in result.out and "0 catalog(s) written" in result.out
    assert "0 .mo file(s) written" in result.out and "0 rendered, 10 unchanged" in result.out
    assert mtimes(site_project) == before


def test_publish_notices_a_change_after_a_noop(site_project, locum):
    assert locum(site_project, "publish").code == 0
    assert "nothing changed" in locum(site_project, "publish").out
    (site_project / "output/pl-GB/pain-relief/index.html").unlink()
    assert "1 rendered, 9 unchanged" in locum(site_project, "publish").out
    set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Tenga horarios regulares.")
    assert "1 rendered, 9 unchanged" in locum(site_project, "publish").out


def test_a_publish_puts_back_a_page_altered_in_output(site_project, locum):
    """Only what the pipeline made reaches readers: a page edited in output/ is made again by the next publish."""
    assert locum(site_project, "publish").code == 0
    page = site_project / "output/pl-GB/pain-relief/index.html"
    made = page.read_bytes()
    page.write_bytes(made.replace(b"</main>", b"<p>Take twice the dose.</p></main>", 1))
    assert b"twice the dose" in page.read_bytes()
    result = locum(site_project, "publish")
    assert result.code == 0 and "1 rendered, 9 unchanged" in result.out
    assert page.read_bytes() == made
    assert "nothing changed" in locum(site_project, "publish").out
    (site_project / "output/pl-GB/offer.html").write_text("<p>Buy now</p>\n", encoding="utf-8")    # added
    assert locum(site_project, "publish").code == 0
    assert not (site_project / "output/pl-GB/offer.html").exists()
    other = site_project / "output/es-US/sleep-and-pain/index.html"      # a page the next build no longer makes
    other.write_bytes(other.read_bytes() + b"<!-- altered -->\n")
    (site_project / "source/sleep-and-pain.md").unlink()
    assert locum(site_project, "publish").code == 0
    assert not other.exists() and not other.parent.exists() and page.read_bytes() == made
    assert "nothing changed" in locum(site_project, "publish").out


def test_an_edit_made_during_a_publish_is_taken_in_by_the_next(site_project, locum, monkeypatch):
    """A translator saves a catalog while the build runs: that publish cannot have it, so the next one is no no-op."""
    assert locum(site_project, "publish").code == 0
    build = workflow.build.build

    def edit_then_build(*args, **kwargs):
        set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Tenga horarios regulares.")
        return build(*args, **kwargs)

    monkeypatch.setattr("workflow.build.build", edit_then_build)
    set_translation(site_project, "pl", "sleep-and-pain", "Keep regular hours.", "Trzymaj się stałych godzin.")
    result = locum(site_project, "publish")
    assert "1 file(s) changed while publishing (locales/es/LC_MESSAGES/sleep-and-pain.po)" in result.err
    assert "Tenga horarios" not in page(site_project, "es-US", "sleep-and-pain")
    monkeypatch.setattr("workflow.build.build", build)
    result = locum(site_project, "publish")
    assert "nothing changed" not in result.out and "1 rendered, 9 unchanged" in result.out
    assert "Tenga horarios regulares." in page(site_project, "es-US", "sleep-and-pain")
    assert "nothing changed" in locum(site_project, "publish").out


def test_a_fresh_file_saved_while_the_publish_waits_for_the_clock_is_noticed(site_project, locum, monkeypatch):
    """A publish that finds files too fresh to trust waits and looks at them again: a save meanwhile is reported."""
    assert locum(site_project, "publish").code == 0
    catalog = site_project / "locales/es/LC_MESSAGES/sleep-and-pain.po"
    waited = []

    def save_instead_of_waiting(seconds):
        waited.append(seconds)
        if len(waited) == 1:
            set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Tenga horarios regulares.")

    monkeypatch.setattr("workflow.publish.RACY_NS", 3_600 * 10**9)      # every file counts as fresh
    monkeypatch.setattr("workflow.publish.time", type("Clock", (), {"time_ns": staticmethod(time.time_ns),
                                                                    "sleep": staticmethod(save_instead_of_waiting)}))
    set_translation(site_project, "pl", "sleep-and-pain", "Keep regular hours.", "Trzymaj się stałych godzin.")
    result = locum(site_project, "publish")
    assert waited and "1 file(s) changed while publishing (locales/es/LC_MESSAGES/sleep-and-pain.po)" in result.err
    assert "Tenga horarios regulares." in catalog.read_text(encoding="utf-8")
    monkeypatch.undo()
    result = locum(site_project, "publish")
    assert "nothing changed" not in result.out and "Tenga horarios regulares." in page(site_project, "es-US",
                                                                                       "sleep-and-pain")


def test_the_wait_for_the_clock_counts_the_time_the_look_took(site_project, locum, monkeypatch):
    """Files too fresh to trust are trusted once the clock moved on: the time the look at every file took (100 ms
    at 22,000 files) counts towards that, and the look at the fresh ones again trusts them."""
    assert locum(site_project, "publish").code == 0
    waited, late = [], []
    restat = workflow.publish._restat

    def slow_restat(*args):
        restat(*args)
        late.append(20 * 10**9)             # the look took 20 s

    monkeypatch.setattr("workflow.publish.RACY_NS", 10 * 10**9)     # every file counts as fresh at first
    monkeypatch.setattr("workflow.publish._restat", slow_restat)
    monkeypatch.setattr("workflow.publish.time", type("Clock", (), {
        "time_ns": staticmethod(lambda: time.time_ns() + (late[0] if late else 0)),
        "sleep": staticmethod(waited.append)}))
    set_translation(site_project, "pl", "sleep-and-pain", "Keep regular hours.", "Trzymaj się stałych godzin.")
    assert locum(site_project, "publish").code == 0
    assert len(waited) == 1 and waited[0] < 0.01
    monkeypatch.undo()
    assert "nothing changed" in locum(site_project, "publish").out


def test_a_publish_writes_its_bookkeeping_once(site_project, locum, monkeypatch):
    """Five stages update the stamps; the megabytes of bookkeeping reach the disk once, at the end."""
    assert locum(site_project, "publish").code == 0
    written = []
    write = workflow.stamps.write_atomic
    monkeypatch.setattr("workflow.stamps.write_atomic",
                        lambda path, data, **options: written.append(path.name) or write(path, data, **options))
    set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Tenga horarios regulares.")
    (site_project / "source/pain-relief.md").write_text(
        (site_project / "source/pain-relief.md").read_text(encoding="utf-8") + "\nA new closing paragraph.\n",
        encoding="utf-8")
    assert locum(site_project, "publish").code == 0
    assert sorted(written) == ["digests.marshal", "stamps.marshal"]


def test_rebuild_removes_pages_no_longer_published(site_project, locum):
    assert locum(site_project, "publish").code == 0
    before = set(snapshot(site_project / "output"))
    (site_project / "source/sleep-and-pain.md").unlink()
    assert locum(site_project, "publish").code == 0
    after = set(snapshot(site_project / "output"))
    assert {p for p in before - after if "sleep-and-pain" not in p} == set()
    assert not any("sleep-and-pain" in p for p in after)
    assert not any((site_project / "output").glob("*/sleep-and-pain"))    # no empty folders left
    fresh = site_project / "fresh"
    shutil.copytree(site_project, fresh, ignore=shutil.ignore_patterns("output", ".cache", "fresh"))
    assert locum(fresh, "build").code == 0
    assert snapshot(fresh / "output") == snapshot(site_project / "output")


def test_the_report_of_an_incremental_build_matches_a_clean_build(site_project, locum):
    """Skipped pages keep their missing segments in the manifest; a report edited by hand is written anew."""
    set_translation(site_project, "pl", "pain-relief", "Do not take more than the leaflet says.", "", approve=False)
    assert "skipped pl-GB/pain-relief: 1 segment(s)" in locum(site_project, "publish").err
    report = site_project / "audit/build-report.json"

    def clean_report() -> str:
        fresh = site_project.parent / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(site_project, fresh, ignore=shutil.ignore_patterns("output", ".cache"))
        assert locum(fresh, "build").code == 0
        return (fresh / "audit/build-report.json").read_text(encoding="utf-8")

    set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Tenga horarios regulares.")
    result = locum(site_project, "publish")
    assert "1 rendered, 8 unchanged" in result.out and "skipped pl-GB/pain-relief: 1 segment(s)" in result.err
    assert report.read_text(encoding="utf-8") == clean_report()
    report.write_text(report.read_text(encoding="utf-8").replace("leaflet", "label"), encoding="utf-8")
    set_translation(site_project, "es", "sleep-and-pain", "Keep regular hours.", "Mantenga horarios regulares.")
    result = locum(site_project, "publish")       # the edited report is not the build's: it is written anew
    assert "1 rendered, 8 unchanged" in result.out and "the leaflet says" in result.err
    assert report.read_text(encoding="utf-8") == clean_report()


def test_images_are_copied_kept_and_removed(site_project, locum):
    images = site_project / "source/images"
    (images / "diagrams").mkdir(parents=True)
    (images / "spine.png").write_bytes(b"\x89PNG spine")
    (images / "diagrams/dose.svg").write_text("<svg/>", encoding="utf-8")
    assert locum(site_project, "publish").code == 0
    out = site_project / "output/images"
    assert (out / "spine.png").read_bytes() == b"\x89PNG spine" and (out / "diagrams/dose.svg").is_file()
    before = mtimes(site_project)
    (site_project / ".cache/publish.json").unlink()
    assert "0 rendered, 10 unchanged" in locum(site_project, "publish").out
    assert mtimes(site_project) == before                 # unchanged images are not copied again
    (images / "diagrams/dose.svg").unlink()
    (images / "spine.png").write_bytes(b"\x89PNG spine, redrawn")
    assert locum(site_project, "publish").code == 0
    assert (out / "spine.png").read_bytes() == b"\x89PNG spine, redrawn"
    assert not (out / "diagrams").exists()


def test_parallel_build_matches_serial(site_project, locum, monkeypatch):
    assert locum(site_project, "compile").code == 0
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    assert locum(site_project, "build").code == 0
    serial = snapshot(site_project / "output")
    shutil.rmtree(site_project / "output")
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    monkeypatch.setattr("workflow.parallel.MIN_ITEMS", 1)
    assert "10 page(s) published (10 rendered" in locum(site_project, "build").out
    assert snapshot(site_project / "output") == serial


def test_sitemap_alternates_are_reciprocal(site_project, locum):
    locum(site_project, "publish")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    tree = ElementTree.parse(site_project / "output/sitemap.xml")
    alternates = {}
    for url in tree.findall("s:url", ns):
        loc = url.find("s:loc", ns).text
        alternates[loc] = {link.get("href") for link in url.findall("x:link", ns)}
    assert len(alternates) == 16        # 10 article pages, 5 locale indexes and the front door
    for loc, links in alternates.items():
        assert loc in links
        for other in links:
            assert loc in alternates[other]


def test_every_page_passes_the_nu_html_checker(site_project, locum, vnu, monkeypatch):
    let_everything_through(monkeypatch)
    set_translation(site_project, "es", "pain-relief", "Call 911 in an emergency.",
                    "Llame al 911. <script>alert(1)</script>")
    locum(site_project, "publish")
    pages = sorted(str(p) for p in (site_project / "output").rglob("*.html"))
    assert len(pages) == 16
    result = vnu(pages)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_a_page_deleted_from_output_comes_back(site_project, locum):
    assert locum(site_project, "publish").code == 0
    (site_project / "output/pl-GB/pain-relief/index.html").unlink()
    assert "1 rendered, 9 unchanged" in locum(site_project, "build").out
    assert (site_project / "output/pl-GB/pain-relief/index.html").exists()


GOLDEN = Path(__file__).parent / "golden" / "render"
GOLDEN_FILES = ["es-US/pain-relief/index.html", "ar-GB/pain-relief/index.html", "en-US/pain-relief/index.html",
                "pl-GB/index.html", "index.html", "sitemap.xml"]


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden_html(site_project, locum, name):
    assert locum(site_project, "publish").code == 0
    actual = (site_project / "output" / name).read_text(encoding="utf-8")
    expected = GOLDEN / f"{name}.expect"      # not *.html: Weblate's discovery would take them for a component
    if os.environ.get("UPDATE_GOLDEN"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")

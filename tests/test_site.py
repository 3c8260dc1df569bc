"""The published site as readers and crawlers meet it, and the preview kept apart from it.

The sample site (the shipped ``source/`` and ``locales/``, published) is
judged on every page by three judges: the Nu HTML checker (no error and no
warning), axe-core in Chromium (no violation) and an ``hreflang`` oracle
written here (every alternate exists and links back, ``x-default`` included).
A preview (``--preview``) builds into ``.cache/preview/`` and leaves
``output/``, ``audit/`` and the build's manifest byte for byte as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import TOOLS, missing, vnu_command
from test_browser import browser, serve, tab  # noqa: F401  (the Chromium fixtures)
from test_shipped import copy_project

from workflow.config import load_config

PREVIEW = Path(".cache/preview")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
AXE = Path(os.environ.get("LOCUM_AXE_JS", TOOLS / "node_modules/axe-core/axe.min.js"))


def tree_digest(root: Path, *names: str) -> dict[str, str]:
    """SHA-256 of every file under each of ``names`` (folders or files of ``root``), by path."""
    found = {}
    for name in names:
        top = root / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in paths:
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    """The shipped project, published once for the module: its ``output/`` is the sample site."""
    from workflow.cli import main

    root = tmp_path_factory.mktemp("sample")
    copy_project(root)
    with open(os.devnull, "w") as quiet:
        from contextlib import redirect_stdout
        with redirect_stdout(quiet):
            assert main(["--project", str(root), "publish"]) == 0
    return root


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ---------------------------------------------------------------- preview


def test_preview_leaves_output_byte_identical_and_says_preview(site_project, locum):
    assert locum(site_project, "publish").code == 0
    kept = ("output", "audit", ".cache/build.json")
    before = tree_digest(site_project, *kept)
    for command in (("build", "--preview"), ("publish", "--preview")):
        result = locum(site_project, *command)
        assert result.code == 0, result.err
        assert "preview: 10 page(s) built for preview, not reviewed" in result.out, result.out
        assert "published" not in (result.out + result.err).replace(str(site_project), ""), result.out
        assert str(site_project / PREVIEW) in result.out
    assert tree_digest(site_project, *kept) == before
    pages = html_pages(site_project / PREVIEW)
    assert len(pages) == 16
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex">' in html, path
        assert '<p class="preview-banner">' in html, path
    assert "Vista previa: sin revisar" in (site_project / PREVIEW / "es-US/pain-relief/index.html").read_text()
    result = locum(site_project, "build")
    assert "build: 10 page(s) published" in result.out and "preview:" not in result.out
    for path in html_pages(site_project / "output"):
        html = path.read_text(encoding="utf-8")
        assert "noindex" not in html and "preview-banner" not in html, path


def test_a_preview_without_a_site_creates_no_output(site_project, locum):
    assert locum(site_project, "compile").code == 0
    assert locum(site_project, "build", "--preview").code == 0
    assert not (site_project / "output").exists() and not (site_project / "audit").exists()
    assert not (site_project / ".cache/build.json").exists()
    assert (site_project / PREVIEW / "index.html").is_file()
    assert "10 rendered, 0 unchanged" in locum(site_project, "build").out     # the real build starts afresh
    assert len(html_pages(site_project / "output")) == 16


def test_the_manifests_of_output_and_preview_never_mix(site_project, locum):
    assert locum(site_project, "compile").code == 0
    assert locum(site_project, "build", "--preview").code == 0
    assert "10 rendered, 0 unchanged" in locum(site_project, "build").out     # the preview's pages do not count
    assert "0 rendered, 10 unchanged" in locum(site_project, "build", "--preview").out
    assert "0 rendered, 10 unchanged" in locum(site_project, "build").out


# ---------------------------------------------------------------- the hreflang oracle


class _Links(HTMLParser):
    """A page's ``canonical`` and its ``hreflang`` alternates."""

    def __init__(self):
        super().__init__()
        self.canonical: str | None = None
        self.alternates: dict[str, str] = {}
        self.duplicates: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag != "link":
            return
        if found.get("rel") == "canonical":
            self.canonical = found.get("href")
        elif found.get("rel") == "alternate" and "hreflang" in found:
            if found["hreflang"] in self.alternates:
                self.duplicates.append(found["hreflang"])
            self.alternates[found["hreflang"]] = found.get("href", "")


def hreflang_findings(site: Path, base_url: str) -> list[str]:
    """Every broken ``hreflang`` promise of ``site`` (an ``output/``), as readable findings; [] when all hold.

    For each page: a canonical URL that is the page's own; alternates that
    name no language twice, include the page itself under its ``lang`` and
    an ``x-default``; each alternate a page that exists and lists the same
    alternates (so every link is reciprocal, ``x-default`` included). The
    sitemap lists every page with the same alternates as the page itself.
    """
    findings: list[str] = []
    pages: dict[str, _Links] = {}
    for path in html_pages(site):
        relpath = path.relative_to(site).as_posix()
        links = _Links()
        links.feed(path.read_text(encoding="utf-8"))
        url = f"{base_url}/{relpath.removesuffix('index.html')}"
        pages[url] = links
        if links.canonical != url:
            findings.append(f"{relpath}: canonical {links.canonical!r} is not the page's URL {url!r}")
        if links.duplicates:
            findings.append(f"{relpath}: hreflang listed twice: {links.duplicates}")
        if "x-default" not in links.alternates:
            findings.append(f"{relpath}: no x-default alternate")
        if url not in links.alternates.values():
            findings.append(f"{relpath}: its alternates do not include the page itself")
    for url, links in pages.items():
        for hreflang, target in links.alternates.items():
            other = pages.get(target)
            if other is None:
                findings.append(f"{url}: alternate {hreflang} -> {target} is no page of the site")
            elif other.alternates != links.alternates:
                findings.append(f"{url}: alternate {hreflang} -> {target} does not link back the same way "
                                f"({sorted(set(links.alternates.items()) ^ set(other.alternates.items()))})")
    sitemap = ElementTree.parse(site / "sitemap.xml")
    listed = set()
    for entry in sitemap.findall("s:url", SITEMAP_NS):
        loc = entry.find("s:loc", SITEMAP_NS).text
        listed.add(loc)
        alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", SITEMAP_NS)}
        if loc not in pages:
            findings.append(f"sitemap.xml: {loc} is no page of the site")
        elif alternates != pages[loc].alternates:
            findings.append(f"sitemap.xml: {loc} has other alternates than its page")
        if entry.find("s:lastmod", SITEMAP_NS) is None:
            findings.append(f"sitemap.xml: {loc} has no lastmod")
    findings += [f"sitemap.xml: {url} is not listed" for url in sorted(pages.keys() - listed)]
    return findings


def test_the_hreflang_oracle_finds_nothing_on_the_sample_site(sample_site):
    config = load_config(sample_site)
    assert hreflang_findings(sample_site / "output", config.base_url) == []


def test_the_hreflang_oracle_finds_a_one_way_link(sample_site, tmp_path):
    site = tmp_path / "output"
    shutil.copytree(sample_site / "output", site)
    page = site / "pl-GB/duloxetine-muscle-spasm/index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text("\n".join(line for line in html.splitlines() if 'hreflang="ar-GB"' not in line
                              and 'hreflang="x-default"' not in line), encoding="utf-8")
    findings = hreflang_findings(site, load_config(sample_site).base_url)
    assert "pl-GB/duloxetine-muscle-spasm/index.html: no x-default alternate" in findings
    assert any(f.startswith("https://health.example.org/ar-GB/duloxetine-muscle-spasm/: alternate pl-GB")
               for f in findings)


# ---------------------------------------------------------------- the pages themselves


def test_site_details_on_the_sample_site(sample_site):
    output = sample_site / "output"
    for path in html_pages(output):
        html = path.read_text(encoding="utf-8")
        title = html.split("<title>")[1].split("</title>")[0]
        parts = title.split(" · ")
        assert len(parts) == len(set(parts)), (path, title)           # never "Library · Library"
        is_article = path.relative_to(output).as_posix().count("/") == 2
        assert ('class="disclaimer"' in html) is not is_article, path    # each sample article has its own
        assert html.count("<section") == html.count('role="note" aria-label="'), path    # every region labelled
    spanish = (output / "es-US/index.html").read_text(encoding="utf-8")
    assert "<title>Artículos de salud · Locum Health Library</title>" in spanish
    article = (output / "en-GB/duloxetine-low-back-pain/index.html").read_text(encoding="utf-8")
    assert article.count("Medical disclaimer:") == 1
    assert 'aria-label="In the UK"' in article
    assert 'aria-label="في المملكة المتحدة"' in (output / "ar-GB/duloxetine-low-back-pain/index.html").read_text()
    front = (output / "index.html").read_text(encoding="utf-8")
    assert '<a href="ar-GB/" hreflang="ar-GB" lang="ar-GB" dir="rtl">' in front
    style = (output / "style.css").read_text(encoding="utf-8")
    assert 'a[href^="tel:"]' in style and "white-space: nowrap" in style
    assert "blockquote {" in style and "var(--warn)" in style


# ---------------------------------------------------------------- the judges: Nu and axe-core


@pytest.fixture(scope="module")
def nu_messages():
    """The Nu HTML checker's messages (errors, warnings and infos) for many files, as JSON."""
    command = vnu_command()

    def check(paths: list[Path]) -> list[dict]:
        result = subprocess.run([*command, "--format", "json", *map(str, paths)], capture_output=True, text=True)
        return json.loads(result.stderr or result.stdout)["messages"]

    return check


def site_folder(sample_site: Path, site: str) -> Path:
    """The sample site's ``output/``, or its preview (built on first use)."""
    if site != "output" and not (sample_site / site / "index.html").exists():
        from workflow.build import build
        build(load_config(sample_site), preview=True)
    return sample_site / site


@pytest.mark.parametrize("site", ["output", str(PREVIEW)])
def test_nu_finds_no_error_and_no_warning_on_the_sample_site(sample_site, nu_messages, site):
    pages = html_pages(site_folder(sample_site, site))
    assert len(pages) == 21        # 15 articles, 5 locale indexes, the front door
    messages = nu_messages(pages)
    serious = [m for m in messages if m["type"] == "error" or m.get("subType") == "warning"
               or m["type"] == "non-document-error"]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("site", ["output", str(PREVIEW)])
def test_axe_finds_no_violation_on_any_page_of_the_sample_site(sample_site, tab, serve, site):  # noqa: F811
    if not AXE.is_file():
        missing("axe-core (make tools: npm axe-core)")
    script = AXE.read_text(encoding="utf-8")
    output = site_folder(sample_site, site)
    base = serve(output)
    violations = {}
    for path in html_pages(output):
        relpath = path.relative_to(output).as_posix()
        tab.goto(f"{base}/{relpath.removesuffix('index.html')}")
        tab.add_script_tag(content=script)
        found = tab.evaluate("""async () => (await axe.run(document)).violations.map(
            v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))""")
        if found:
            violations[relpath] = found
    assert len(html_pages(output)) == 21
    assert violations == {}

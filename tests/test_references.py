"""Links between articles, images and their locale variants, code blocks: from the source to each locale's page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import snapshot, translate_and_approve
from fixture_translations import T
from test_build import page, set_translation

from workflow.errors import ErrorList, SourceError
from workflow.localize import localize_tokens
from workflow.markdown import render_html
from workflow.references import PageReferences, SiteReferences, check_references
from workflow.source import parse_article

LINKED = "Read [Sleep and pain](sleep-and-pain.md#tips) too."
PICTURE = "![A week of doses](images/week.svg)"
ADDED = {LINKED: {"es": "Lea también [El sueño y el dolor](sleep-and-pain.md#tips).",
                  "pl": "Przeczytaj też [Sen i ból](sleep-and-pain.md#tips).",
                  "ar": "اقرأ أيضًا [النوم والألم](sleep-and-pain.md#tips)."},
         "A week of doses": {"es": "Una semana de dosis", "pl": "Tydzień dawek", "ar": "أسبوع من الجرعات"}}


@pytest.fixture
def linked_project(project: Path, monkeypatch) -> Path:
    """The tiny project whose pain-relief article links to sleep-and-pain and shows an image with an Arabic
    variant; everything translated and approved."""
    source = project / "source" / "pain-relief.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Do not take more", f"{LINKED}\n\n{PICTURE}\n\nDo not take more"), encoding="utf-8")
    images = project / "source" / "images"
    images.mkdir()
    (images / "week.svg").write_text("<svg><text>M T W</text></svg>", encoding="utf-8")
    (images / "week.ar.svg").write_text("<svg><text>ن ث ر</text></svg>", encoding="utf-8")
    for msgid, translations in ADDED.items():
        monkeypatch.setitem(T, msgid, translations)
    translate_and_approve(project)
    return project


def anchors(html: str) -> list[str]:
    """The article's links to sleep-and-pain's tips (not the chrome's)."""
    return re.findall(r'<a href="[^"]*sleep-and-pain/#tips"[^>]*>', html)


def clean_build(root: Path, locum) -> dict[str, bytes]:
    """The site a first build of the same project makes (no manifest, no earlier output)."""
    fresh = root.parent / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("output", ".cache", "audit"))
    assert locum(fresh, "build").code == 0
    return snapshot(fresh / "output")


def test_a_link_leads_to_the_article_in_the_same_locale(linked_project, locum):
    assert locum(linked_project, "publish").code == 0
    for locale in ("en-GB", "en-US", "es-US", "pl-GB", "ar-GB"):
        assert anchors(page(linked_project, locale, "pain-relief"))[0] == '<a href="../sleep-and-pain/#tips">'
    assert 'href="sleep-and-pain.md' not in page(linked_project, "pl-GB", "pain-relief")


def test_a_link_to_an_article_the_locale_lacks_leads_to_the_source_page_marked(linked_project, locum):
    assert locum(linked_project, "publish").code == 0
    set_translation(linked_project, "pl", "sleep-and-pain", "Keep regular hours.", "")
    result = locum(linked_project, "publish")
    assert "skipped pl-GB/sleep-and-pain" in result.err
    pl = page(linked_project, "pl-GB", "pain-relief")     # its own inputs did not change: its target's state did
    assert '<a href="../../en-GB/sleep-and-pain/#tips" hreflang="en-GB">Sen i ból</a>' in pl
    assert anchors(page(linked_project, "ar-GB", "pain-relief"))[0] == '<a href="../sleep-and-pain/#tips">'
    assert snapshot(linked_project / "output") == clean_build(linked_project, locum)
    set_translation(linked_project, "pl", "sleep-and-pain", "Keep regular hours.", "Zachowaj stałe godziny.")
    assert locum(linked_project, "publish").code == 0
    assert anchors(page(linked_project, "pl-GB", "pain-relief"))[0] == '<a href="../sleep-and-pain/#tips">'
    assert snapshot(linked_project / "output") == clean_build(linked_project, locum)


def test_a_first_build_decides_links_from_this_builds_verdicts(linked_project, locum):
    set_translation(linked_project, "pl", "sleep-and-pain", "Keep regular hours.", "")
    assert locum(linked_project, "publish").code == 0      # no earlier build: relinked after the gate
    assert 'href="../../en-GB/sleep-and-pain/#tips" hreflang="en-GB"' in page(linked_project, "pl-GB", "pain-relief")
    (linked_project / ".cache/publish.json").unlink()
    assert "0 rendered, 9 unchanged" in locum(linked_project, "publish").out


def test_an_image_variant_shows_on_its_locales_pages_only(linked_project, locum):
    assert locum(linked_project, "publish").code == 0
    assert '<img src="../../images/week.ar.svg" alt="أسبوع من الجرعات" />' in page(linked_project, "ar-GB",
                                                                                     "pain-relief")
    for locale in ("en-GB", "en-US", "es-US", "pl-GB"):
        assert 'src="../../images/week.svg"' in page(linked_project, locale, "pain-relief"), locale
    assert (linked_project / "output/images/week.ar.svg").is_file()
    (linked_project / "source/images/week.ar.svg").unlink()
    result = locum(linked_project, "publish")
    assert "1 rendered" in result.out
    assert 'src="../../images/week.svg"' in page(linked_project, "ar-GB", "pain-relief")
    assert not (linked_project / "output/images/week.ar.svg").exists()


def test_a_link_to_a_deleted_article_is_an_error_of_the_build_too(linked_project, locum):
    assert locum(linked_project, "publish").code == 0
    (linked_project / "source/sleep-and-pain.md").unlink()
    before = snapshot(linked_project)
    result = locum(linked_project, "build")
    assert result.code == 2
    assert "source/pain-relief.md:14: error: link to an unknown article 'sleep-and-pain.md'" in result.err
    assert snapshot(linked_project) == before
    assert locum(linked_project, "extract").code == 2      # its template is unchanged, yet it is checked again


def test_every_bad_reference_of_an_article_is_reported_at_once():
    article = parse_article("---\ntitle: T\n---\n[a](a.md) [b](nope.md)\n\n![x](images/x.svg)\n\n"
                            "![y](../y.png) [c](guides/c.md)\n", "a", "source/a.md", set())
    with pytest.raises(ErrorList) as caught:
        check_references(article, SiteReferences(frozenset({"a"})))
    assert [str(e) for e in caught.value.errors] == [
        "source/a.md:4: error: link to an unknown article 'nope.md': there is no source/nope.md",
        "source/a.md:6: error: image 'images/x.svg' not found: there is no source/images/x.svg",
        "source/a.md:8: error: image '../y.png' not found: there is no source/../y.png "
        "(images are published from source/images/)",
        "source/a.md:8: error: link to an unknown article 'guides/c.md': there is no source/guides/c.md "
        "(link to another article as 'slug.md')"]


def test_links_elsewhere_are_left_alone_and_a_link_to_no_page_is_text():
    article = parse_article("---\ntitle: T\n---\nSee [NHS](https://www.nhs.uk/x.md), [top](#top), "
                            "[b](b.md) and [c](c.md).\n", "a", "source/a.md", set())
    site = SiteReferences(frozenset({"a", "b", "c"}), published={"en-GB": frozenset({"a", "b"}),
                                                                 "pl-GB": frozenset({"a"})}, source="en-GB")
    tokens, _ = localize_tokens(article.tokens, "gb", lambda text: text, references=PageReferences(site, "pl-GB"))
    assert render_html(tokens) == (
        '<p>See <a href="https://www.nhs.uk/x.md">NHS</a>, <a href="#top">top</a>, '
        '<a href="../../en-GB/b/" hreflang="en-GB">b</a> and c.</p>\n')


@pytest.mark.parametrize("block", ["```\n30 mg\n```\n", "~~~ text\n30 mg\n~~~\n", "    30 mg\n"])
def test_code_blocks_are_refused_at_their_line(block):
    with pytest.raises(SourceError) as caught:
        parse_article(f"---\ntitle: T\n---\nTake:\n\n{block}", "a", "source/a.md", set())
    assert caught.value.line == 6 and "code block is not allowed in articles" in caught.value.message


def test_inline_code_and_list_continuations_are_not_code_blocks():
    parse_article("---\ntitle: T\n---\n1. Step one\n\n   More of step one, with `30 mg`.\n", "a", "source/a.md",
                  set())


def test_pages_with_relinked_links_and_variants_pass_the_nu_html_checker(linked_project, locum, vnu):
    set_translation(linked_project, "pl", "sleep-and-pain", "Keep regular hours.", "")
    assert locum(linked_project, "publish").code == 0
    pages = [str(linked_project / "output" / locale / "pain-relief/index.html") for locale in ("pl-GB", "ar-GB")]
    assert "hreflang" in page(linked_project, "pl-GB", "pain-relief")
    result = vnu(pages)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr

"""Golden extraction: every block kind of tests/golden/segments/*.md → its *.md.expect.pot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workflow.errors import SourceError
from workflow.extract import render_template
from workflow.segments import Segment, extract_segments
from workflow.source import parse_article

GOLDEN = Path(__file__).parent / "golden" / "segments"
CASES = sorted(GOLDEN.glob("*.md"))
STAMP = "2026-01-01 00:00+0000"


def article(path: Path):
    return parse_article(path.read_text(encoding="utf-8"), path.stem, f"source/{path.name}", {"gb", "us"})


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_template(case: Path):
    expected = case.with_name(case.name + ".expect.pot")
    actual = render_template(article(case), STAMP)
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


def test_every_block_kind_is_covered():
    kinds = {seg.kind for case in CASES for seg in extract_segments(article(case))}
    assert kinds == {"title", "description", "heading", "paragraph", "list-item", "table-header",
                     "table-cell", "blockquote", "image-alt", "image-title"}


def test_segments_carry_line_kind_and_region():
    segs = extract_segments(article(GOLDEN / "regions.md"))
    assert Segment("Ask your GP.", "paragraph", 10, "gb") in segs
    assert Segment("Shown everywhere.", "paragraph", 5, None) in segs
    assert Segment("Getting it in the US", "heading", 14, "us") in segs


def test_inline_markdown_stays_verbatim():
    texts = [s.text for s in extract_segments(article(GOLDEN / "inline.md"))]
    assert ("Call [NHS 111](https://111.nhs.uk/) or read **the leaflet**, *carefully*, "
            "and check `30 mg`.") in texts


def test_code_blocks_are_refused_not_extracted():
    text = (GOLDEN / "paragraphs.md").read_text(encoding="utf-8")
    for block in ("```\nWeek 1: 30 mg\n```\n", "    Week 1: 30 mg\n"):
        with pytest.raises(SourceError, match="code block is not allowed in articles"):
            parse_article(f"{text}\n{block}", "paragraphs", "source/paragraphs.md", {"gb", "us"})


def test_extraction_is_deterministic():
    for case in CASES:
        assert render_template(article(case), STAMP) == render_template(article(case), STAMP)

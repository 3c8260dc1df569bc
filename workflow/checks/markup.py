"""Markup checks: Markdown links, images and emphasis kept; no raw HTML the source does not have."""

from __future__ import annotations

import copy
import re
from collections import Counter
from functools import lru_cache
from typing import Iterator

from markdown_it import MarkdownIt

from workflow.checks.registry import ERROR, Pair, check
from workflow.localize import inline_parser

_TAG = re.compile(r"</?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)
_COUNTED = {"em_open": "emphasis (*…*)", "strong_open": "strong emphasis (**…**)",
            "code_inline": "code span (`…`)"}


# Without these, inline Markdown has no link, image, emphasis or code span: a link or image
# needs "](" (parseInline has no reference definitions), an autolink "<", a span * _ or `.
_MARKUP = re.compile(r"[*_`<]|\]\(")
_EMPTY = (Counter(), Counter(), Counter())


def markdown_profile(text: str) -> tuple[Counter, Counter, Counter]:
    """Link targets, image sources and counts of emphasis, strong and code spans of inline Markdown.

    >>> links, images, spans = markdown_profile("See [NHS](https://www.nhs.uk/) **now** and `x`.")
    >>> sorted(links), dict(spans)
    (['https://www.nhs.uk/'], {'strong_open': 1, 'code_inline': 1})
    """
    return tuple(Counter(part) for part in _profile(text))


@lru_cache(maxsize=8192)        # the same source text is checked against every language
def _profile(text: str) -> tuple[Counter, Counter, Counter]:
    """:func:`markdown_profile`, shared: callers must not change the counters."""
    if not _MARKUP.search(text):      # plain text: nothing for the parser to find
        return _EMPTY
    return _parse_profile(text)


def _parse_profile(text: str) -> tuple[Counter, Counter, Counter]:
    """:func:`_profile` by the parser alone, for any text."""
    links: Counter = Counter()
    images: Counter = Counter()
    spans: Counter = Counter()
    for block in _parser().parseInline(text):
        for tok in block.children or ():
            if tok.type == "link_open":
                links[tok.attrs.get("href", "")] += 1
            elif tok.type == "image":
                images[tok.attrs.get("src", "")] += 1
            elif tok.type in _COUNTED:
                spans[tok.type] += 1
    return links, images, spans


@lru_cache(maxsize=None)
def _parser() -> MarkdownIt:
    """The translation parser, normalizing each link destination once: a source's links recur in every language."""
    parser = copy.copy(inline_parser())       # the shared parser stays as it is
    parser.normalizeLink = lru_cache(maxsize=8192)(parser.normalizeLink)
    return parser


@check("markdown", ERROR)
def markdown(pair: Pair) -> Iterator[str]:
    """Same link and image targets, same number of emphasis, strong and code spans."""
    source, target = _profile(pair.source), _profile(pair.target)
    if source == target:
        return
    src_links, src_images, src_spans = source
    tgt_links, tgt_images, tgt_spans = target
    for href in sorted((src_links - tgt_links).elements()):
        yield f"link to {href} is missing or changed"
    for href in sorted((tgt_links - src_links).elements()):
        yield f"link to {href} is not in the source"
    for src in sorted((src_images - tgt_images).elements()):
        yield f"image {src} is missing or changed"
    for src in sorted((tgt_images - src_images).elements()):
        yield f"image {src} is not in the source"
    for kind, label in _COUNTED.items():
        if src_spans[kind] != tgt_spans[kind]:
            yield f"{label}: {src_spans[kind]} in the source, {tgt_spans[kind]} in the translation"


@check("html", ERROR)
def raw_html(pair: Pair) -> Iterator[str]:
    """Raw HTML, event handlers or javascript: URLs in the translation that the source does not have."""
    found_in_target = _TAG.findall(pair.target)
    if not found_in_target:
        return
    source = Counter(m.group(0).lower() for m in _TAG.finditer(pair.source))
    for found in found_in_target:
        if source[found.lower()] > 0:
            source[found.lower()] -= 1
        else:
            yield f"raw HTML {found!r} is not allowed in a translation"

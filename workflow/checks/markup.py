"""Markup checks: Markdown links, images and emphasis kept; no markup the source does not have.

The ``html`` check reads a translation the way a browser would: its tags,
comments and doctypes come from html5lib's tokenizer (the WHATWG tokenizer,
so ``<iframe/srcdoc=…>`` is a tag, as it is to Chromium), and its link and
image destinations from markdown-it with link validation off, so every
destination the syntax makes is seen, however it is encoded. Text written as
entities (``&lt;script&gt;``) is text to both and is not reported: markdown-it
and the templates' escaping both show it as the characters ``<script>``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterator
from urllib.parse import unquote

from workflow.checks.registry import ERROR, Pair, check
from workflow.markdown import parse_inline_unvalidated

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
    for tok in parse_inline_unvalidated(text):
        if tok.type == "link_open":
            links[tok.attrs.get("href", "")] += 1
        elif tok.type == "image":
            images[tok.attrs.get("src", "")] += 1
        elif tok.type in _COUNTED:
            spans[tok.type] += 1
    return links, images, spans


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


# WHATWG HTML, tokenization, "tag open state": in text, "<" starts markup only when an ASCII letter (a
# tag), "/" (an end tag), "!" (a comment, doctype or CDATA) or "?" (a bogus comment) follows it.
# A text without such a pair has no tag for any browser, and is not tokenized.
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")
# A translation sits inside a page: a tag it leaves open at its end would swallow the page's own markup
# up to the next ">" and still be a tag. The tokenizer drops such a tag at the end of input, so the
# text is read with a ">" appended (it ends a tag name, an attribute or an unquoted value), or, when
# that leaves a quoted value open, with the quote and a ">".
_CLOSERS = {"eof-in-attribute-value-double-quote": '">', "eof-in-attribute-value-single-quote": "'>"}
_EVENT_HANDLER = re.compile(r"on[a-z]", re.IGNORECASE)
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
_DESTINATION = re.compile(r"\]\(<?")


def markup_tokens(text: str) -> tuple[str, ...]:
    """Every tag, comment and doctype a browser's tokenizer finds in ``text``, written out canonically.

    >>> markup_tokens("Vea <iframe/SRCDOC='x'> y <!-- z -->")
    ('<iframe srcdoc="x">', '<!-- z -->')
    >>> markup_tokens("5 < 10 and a &lt;b&gt; entity"), markup_tokens("<img src=x onerror=alert(1)")
    ((), ('<img src="x" onerror="alert(1)">',))
    """
    if not _MARKUP_START.search(text):
        return ()
    return _markup_tokens(text)


def _tokenizer():
    """html5lib's tokenizer and its token types, imported at first use: with ``urllib.request``, ``http.client``
    and ``ssl`` it brings, 40 ms of every command that checks, most of whose texts have no markup."""
    from html5lib._tokenizer import HTMLTokenizer
    from html5lib.constants import tokenTypes

    return HTMLTokenizer, tokenTypes


@lru_cache(maxsize=8192)        # the same source text is checked against every language
def _markup_tokens(text: str) -> tuple[str, ...]:
    tokenizer, types = _tokenizer()
    start, end, comment, doctype, error = (types[k] for k in
                                               ("StartTag", "EndTag", "Comment", "Doctype", "ParseError"))
    tokens = list(tokenizer(text + ">"))
    last = tokens[-1] if tokens else None
    if last is not None and last["type"] == error and last["data"] in _CLOSERS:
        tokens = list(tokenizer(text + _CLOSERS[last["data"]]))
    found = []
    for token in tokens:
        kind = token["type"]
        if kind == start:
            attrs = "".join(f' {name}="{value.replace("&", "&amp;").replace(chr(34), "&quot;")}"'
                            for name, value in token["data"].items())
            found.append(f"<{token['name']}{attrs}{' /' if token.get('selfClosing') else ''}>")
        elif kind == end:
            found.append(f"</{token['name']}>")
        elif kind == comment:
            found.append(f"<!--{token['data']}-->")
        elif kind == doctype:
            found.append(f"<!DOCTYPE {token['name'] or ''}>")
    return tuple(found)


def _attributes(text: str) -> list[tuple[str, str]]:
    """The (name, value) attributes of one of :func:`markup_tokens`' start tags."""
    tokenizer, types = _tokenizer()
    start = list(tokenizer(text))
    return list(start[0]["data"].items()) if start and start[0]["type"] == types["StartTag"] else []


def unsafe_url(url: str) -> str | None:
    """The scheme (``javascript:``, ``vbscript:``, ``data:``) that ``url`` would run or embed, if any.

    Conservative on purpose: entities and percent-escapes are decoded (repeatedly), compatibility
    forms folded (NFKC), and every whitespace, control and format character removed, wherever it is;
    a browser strips less, so whatever it would take for one of these schemes is caught.

    >>> [unsafe_url(u) for u in ("JaVaScRiPt&colon;alert(1)", "java%09script:x", " \\x01data:text/html,x",
    ...                          "https://www.nhs.uk/", "images/data:x.png")]
    ['javascript:', 'javascript:', 'data:', None, None]
    """
    text = url
    for _ in range(4):
        decoded = unquote(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))
    lowered = text.lower()
    return next((scheme for scheme in _UNSAFE_SCHEMES if lowered.startswith(scheme)), None)


def _shown(text: str, limit: int = 60) -> str:
    """``text`` for a one-line message: control characters escaped, at most ``limit`` characters."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@check("html", ERROR)
def raw_html(pair: Pair) -> Iterator[str]:
    """Tags, comments or doctypes the source does not have (as a browser's tokenizer reads them: an event
    handler or javascript: URL inside one is named), and any javascript:, vbscript: or data: link or
    image destination, however encoded."""
    target = pair.target
    if _MARKUP_START.search(target):
        source = Counter(markup_tokens(pair.source))
        for token in _markup_tokens(target):
            if source[token] > 0:
                source[token] -= 1
                continue
            attributes = _attributes(token)
            why = [f"event handler {name}" for name, _ in attributes if _EVENT_HANDLER.match(name)]
            why += [f"{scheme} URL in {name}" for name, value in attributes
                    for scheme in [unsafe_url(value)] if scheme]
            note = f" ({', '.join(why)})" if why else ""
            yield f"raw HTML {_shown(token)} is not allowed in a translation{note}"
    links, images, _ = _profile(target)
    reported = False
    for url in sorted(links):
        scheme = unsafe_url(url)
        if scheme:
            reported = True
            yield f"link to {_shown(unquote(url))}: {scheme} links are not allowed in a translation"
    for url in sorted(images):
        scheme = unsafe_url(url)
        if scheme:
            reported = True
            yield f"image {_shown(unquote(url))}: {scheme} images are not allowed in a translation"
    if not reported and "](" in target:
        # A destination CommonMark refuses (a control character in it) is text today; report it all the same.
        for match in _DESTINATION.finditer(target):
            scheme = unsafe_url(target[match.end():match.end() + 64])
            if scheme:
                yield (f"{_shown(target[match.start():match.end() + 40])}: a {scheme} link destination is not "
                       "allowed in a translation")
                break

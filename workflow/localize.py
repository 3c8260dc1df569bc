"""Source tokens + a translation lookup → the tokens of one locale's page (pure).

Keeps the untagged blocks and those of the locale's market, replaces every
segment with its translation (parsed as inline Markdown with raw HTML off, so
a translation can never inject markup), and reports the segments it could
not find. In preview mode a missing segment shows the source text wrapped in
``<span lang="en" class="untranslated">`` with a visible note.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from workflow.segments import normalize_inline, only_images
from workflow.source import REGION_INFO

Lookup = Callable[[str], "str | None"]


@lru_cache(maxsize=None)
def inline_parser() -> MarkdownIt:
    """Markdown for translated text: CommonMark inline syntax, raw HTML disabled."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Missing:
    text: str
    line: int


@dataclass
class Fallback:
    """How to show a missing segment in preview: source language and the note's text."""

    source_language: str
    note: str


def localize_tokens(tokens: tuple[Token, ...], market: str, lookup: Lookup,
                    fallback: Fallback | None = None, asset_prefix: str = "",
                    ) -> tuple[list[Token], list[Missing]]:
    """Filter ``tokens`` to ``market`` and translate their segments.

    ``asset_prefix`` is put before relative image paths (``images/x.svg``),
    which are relative to ``source/`` in the article and to the site root in
    the output. Returns the new token list (inputs are not modified) and the segments
    ``lookup`` did not know, in document order.
    """
    out: list[Token] = []
    missing: list[Missing] = []
    skipping = False
    row_line = 0
    for tok in tokens:
        if tok.type == "front_matter":
            continue
        if tok.type == "container_region_open":
            skipping = REGION_INFO.match(tok.info).group(1) != market
            if not skipping:
                out.append(tok)
            continue
        if tok.type == "container_region_close":
            if not skipping:
                out.append(tok)
            skipping = False
            continue
        if skipping:
            continue
        if tok.type == "tr_open" and tok.map:
            row_line = tok.map[0] + 1
        if tok.type != "inline":
            out.append(tok)
            continue
        line = tok.map[0] + 1 if tok.map else row_line
        if tok.children and any(c.type == "image" for c in tok.children) and only_images(tok.children):
            out.append(tok.copy(children=[_rebased(_localize_image(c, line, lookup, missing, fallback),
                                                   asset_prefix) for c in tok.children]))
            continue
        text = normalize_inline(tok.content)
        if not text:
            out.append(tok)
            continue
        translated = lookup(text)
        if translated is None:
            missing.append(Missing(text, line))
            children = _inline(text)
            if fallback is not None:
                children = _marked(children, fallback)
        else:
            children = _inline(translated)
        if asset_prefix:
            children = [_rebased(c, asset_prefix) for c in children]
        out.append(tok.copy(content=translated if translated is not None else text, children=children))
    return out, missing


def _rebased(token: Token, prefix: str) -> Token:
    """An image token whose relative ``src`` is moved under ``prefix``.

    >>> _rebased(Token("image", "img", 0, attrs={"src": "images/a.svg"}), "../../").attrs["src"]
    '../../images/a.svg'
    """
    src = str(token.attrs.get("src", "")) if token.type == "image" else ""
    if not prefix or not src or src.startswith(("/", "#")) or ":" in src.split("/")[0]:
        return token
    return token.copy(attrs={**token.attrs, "src": prefix + src})


def _inline(text: str) -> list[Token]:
    tokens = inline_parser().parseInline(text)
    return tokens[0].children if tokens else []


def _marked(children: list[Token], fallback: Fallback) -> list[Token]:
    lang = escape(fallback.source_language)
    opening = Token("html_inline", "", 0, content=f'<span lang="{lang}" class="untranslated">')
    note = Token("html_inline", "", 0,
                 content=f' <span class="untranslated-note">{escape(fallback.note)}</span></span>')
    return [opening, *children, note]


def _localize_image(image: Token, line: int, lookup: Lookup, missing: list[Missing],
                    fallback: Fallback | None) -> Token:
    if image.type != "image":
        return image
    alt = "".join(c.content for c in image.children or ()).strip()
    attrs = dict(image.attrs)
    children = image.children
    if alt:
        translated = lookup(alt)
        if translated is None:
            missing.append(Missing(alt, line))
            if fallback is not None:
                attrs["lang"] = fallback.source_language
        else:
            children = [Token("text", "", 0, content=translated)]
    title = (attrs.get("title") or "").strip()
    if title:
        translated = lookup(title)
        if translated is None:
            missing.append(Missing(title, line))
        else:
            attrs["title"] = translated
    return image.copy(attrs=attrs, children=children)

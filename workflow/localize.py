"""Source tokens + a translation lookup → the tokens of one locale's page (pure).

Keeps the untagged blocks and those of the locale's market, replaces every
segment with its translation (parsed as inline Markdown with raw HTML off, so
a translation can never inject markup), and reports the segments it could
not find. In preview mode a missing segment shows the source text wrapped in
``<span lang="en" class="untranslated">`` with a visible note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Callable

from markdown_it.token import Token

from workflow.markdown import parse_inline
from workflow.references import PageReferences, relinked
from workflow.segments import BodyToken, Segment, walk_body

Lookup = Callable[[str], "str | None"]


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
                    references: PageReferences | None = None) -> tuple[list[Token], list[Missing]]:
    """Filter ``tokens`` to ``market`` and translate their segments.

    The segments are those :func:`workflow.segments.walk_body` finds, as extraction's are.
    ``asset_prefix`` is put before relative image paths (``images/x.svg``),
    which are relative to ``source/`` in the article and to the site root in
    the output. With ``references``, links to other articles lead to their
    pages and relative images show the locale's variant, from the page's
    folder (``asset_prefix`` is then the references'). Returns the new token
    list (inputs are not modified) and the segments
    ``lookup`` did not know, in document order.
    """
    page = _Page(lookup, fallback, asset_prefix, references)
    out: list[Token] = []
    for body in walk_body(tokens):
        if body.region is not None and body.region != market:
            continue
        if body.images_only:
            out.append(page.localize_images(body))
        elif body.slots:
            out.append(page.localize_text(body.token, body.slots[0].segment))
        else:
            out.append(body.token)
    return out, page.missing


@dataclass
class _Page:
    """One locale's page being localized: how to translate its segments, and those not found so far."""

    lookup: Lookup
    fallback: Fallback | None
    asset_prefix: str
    references: PageReferences | None = None
    missing: list[Missing] = field(default_factory=list)

    def translate(self, segment: Segment) -> str | None:
        """The translation of ``segment``, or ``None`` (and it is recorded as missing)."""
        translated = self.lookup(segment.text)
        if translated is None:
            self.missing.append(Missing(segment.text, segment.line))
        return translated

    def localize_text(self, token: Token, segment: Segment) -> Token:
        """An inline token whose text is the translation of ``segment``, parsed with raw HTML off."""
        translated = self.translate(segment)
        if translated is None:
            children = parse_inline(segment.text)
            if self.fallback is not None:
                children = _marked(children, self.fallback)
        else:
            children = parse_inline(translated)
        children = self.rebased(children)
        return token.copy(content=translated if translated is not None else segment.text, children=children)

    def localize_images(self, body: BodyToken) -> Token:
        """A paragraph of images with their alt texts and titles translated and their paths rebased."""
        # Each image gets attrs of its own: the renderer writes the alt text into them.
        children = [c.copy(attrs=dict(c.attrs)) if c.type == "image" else c for c in body.token.children]
        for slot in body.slots:
            children[slot.image] = self.localize_image(children[slot.image], slot.segment)
        return body.token.copy(children=self.rebased(children))

    def rebased(self, children: list[Token]) -> list[Token]:
        """Inline tokens with relative images moved under the site root and article links led to their pages."""
        if self.references is not None:
            refs = self.references
            return [c.copy(attrs={**c.attrs, "src": refs.image(str(c.attrs.get("src", "")))})
                    if c.type == "image" else c for c in relinked(children, refs)]
        if self.asset_prefix:
            return [_rebased(c, self.asset_prefix) for c in children]
        return children

    def localize_image(self, image: Token, segment: Segment) -> Token:
        """``image`` with its alt text or title (whichever ``segment`` is) translated."""
        translated = self.translate(segment)
        if segment.kind == "image-alt":
            if translated is not None:
                return image.copy(children=[Token("text", "", 0, content=translated)])
            if self.fallback is not None:
                return image.copy(attrs={**image.attrs, "lang": self.fallback.source_language})
        elif translated is not None:
            return image.copy(attrs={**image.attrs, "title": translated})
        return image


def _rebased(token: Token, prefix: str) -> Token:
    """An image token whose relative ``src`` is moved under ``prefix``.

    >>> _rebased(Token("image", "img", 0, attrs={"src": "images/a.svg"}), "../../").attrs["src"]
    '../../images/a.svg'
    """
    src = str(token.attrs.get("src", "")) if token.type == "image" else ""
    if not prefix or not src or src.startswith(("/", "#")) or ":" in src.split("/")[0]:
        return token
    return token.copy(attrs={**token.attrs, "src": prefix + src})


def _marked(children: list[Token], fallback: Fallback) -> list[Token]:
    lang = escape(fallback.source_language)
    opening = Token("html_inline", "", 0, content=f'<span lang="{lang}" class="untranslated">')
    note = Token("html_inline", "", 0,
                 content=f' <span class="untranslated-note">{escape(fallback.note)}</span></span>')
    return [opening, *children, note]

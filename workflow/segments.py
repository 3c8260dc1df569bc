"""Article → translatable segments (pure): one per block of text, inline Markdown kept verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from markdown_it.token import Token

from workflow.source import REGION_INFO, TRANSLATABLE_FIELDS, Article

_LINE_BREAK = re.compile(r"(?P<hard> {2,}|\\)?[ \t]*\n[ \t]*")


@dataclass(frozen=True)
class Segment:
    """One translatable unit: its ``text`` (Markdown), block ``kind``, 1-based ``line`` and ``region``."""

    text: str
    kind: str
    line: int
    region: str | None


def normalize_inline(content: str) -> str:
    """One-line form of a block's inline Markdown: soft breaks become spaces, hard breaks ``\\`` + newline.

    >>> print(normalize_inline("one\\ntwo  \\nthree"))
    one two\\
    three
    """
    return _LINE_BREAK.sub(lambda m: "\\\n" if m.group("hard") else " ", content.strip())


def extract_segments(article: Article) -> list[Segment]:
    """Every translatable segment of ``article`` in document order."""
    segments = [Segment(article.meta[key].strip(), key, article.meta_lines[key], None)
                for key in TRANSLATABLE_FIELDS if isinstance(article.meta.get(key), str)
                and article.meta[key].strip()]
    segments.extend(slot.segment for body in walk_body(article.tokens) for slot in body.slots)
    return segments


@dataclass(frozen=True)
class Slot:
    """Where a segment sits in its inline token: the token's whole text (``image`` is ``None``), or the alt
    text or title (by ``segment.kind``) of the image ``token.children[image]``."""

    segment: Segment
    image: int | None = None


@dataclass(frozen=True)
class BodyToken:
    """One token of an article's body as :func:`walk_body` finds it.

    ``region`` is the market of the region block the token is in (the block's opening and closing tokens
    included), ``None`` outside region blocks. ``slots`` are the segments an inline token holds;
    ``images_only`` marks a paragraph of images only, whose segments are their alt texts and titles.
    """

    token: Token
    region: str | None
    slots: tuple[Slot, ...] = ()
    images_only: bool = False


def walk_body(tokens: Iterable[Token]) -> Iterator[BodyToken]:
    """Every token of an article's body (the front matter aside) in document order, with its region and segments.

    The one place that decides what a segment is, and its kind, line and region: :func:`extract_segments`
    takes the segments from here and ``localize.localize_tokens`` replaces them, so the segments a catalog
    holds and those a page looks up cannot disagree.

    >>> from workflow.markdown import parse_blocks
    >>> body = list(walk_body(parse_blocks("Hi.\\n\\n::: region gb\\n![Map](m.svg 'NHS')\\n:::\\n")))
    >>> [b.region for b in body]
    [None, None, None, 'gb', 'gb', 'gb', 'gb', 'gb']
    >>> [(s.segment.text, s.segment.kind, s.segment.line, s.image) for b in body for s in b.slots]
    [('Hi.', 'paragraph', 1, None), ('Map', 'image-alt', 4, 0), ('NHS', 'image-title', 4, 0)]
    """
    region: str | None = None
    stack: list[str] = []          # enclosing block kinds
    row_line = 0
    for tok in tokens:
        if tok.type == "front_matter":
            continue
        if tok.type == "container_region_open":
            region = REGION_INFO.match(tok.info).group(1)
            yield BodyToken(tok, region)
        elif tok.type == "container_region_close":
            yield BodyToken(tok, region)
            region = None
        elif tok.type == "inline":
            yield _inline_token(tok, _kind(stack), tok.map[0] + 1 if tok.map else row_line, region)
        else:
            if tok.nesting == 1:
                stack.append(tok.type)
                if tok.type == "tr_open" and tok.map:
                    row_line = tok.map[0] + 1
            elif tok.nesting == -1:
                stack.pop()
            yield BodyToken(tok, region)


def _inline_token(tok: Token, kind: str, line: int, region: str | None) -> BodyToken:
    """An inline token and its segments: its text, or the alt texts and titles of a paragraph of images."""
    children = tok.children or []
    if any(c.type == "image" for c in children) and only_images(children):
        slots = tuple(Slot(segment, index) for index, child in enumerate(children) if child.type == "image"
                      for segment in _image_segments(child, line, region))
        return BodyToken(tok, region, slots, images_only=True)
    text = normalize_inline(tok.content)
    return BodyToken(tok, region, (Slot(Segment(text, kind, line, region)),) if text else ())


def _kind(stack: list[str]) -> str:
    """Block kind from the innermost enclosing blocks.

    >>> _kind(["bullet_list_open", "list_item_open", "paragraph_open"])
    'list-item'
    >>> _kind(["table_open", "thead_open", "tr_open", "th_open"])
    'table-header'
    """
    inner = stack[-1] if stack else ""
    if inner == "heading_open":
        return "heading"
    if inner == "th_open":
        return "table-header"
    if inner == "td_open":
        return "table-cell"
    for opened in reversed(stack):
        if opened == "list_item_open":
            return "list-item"
        if opened == "blockquote_open":
            return "blockquote"
    return "paragraph"


def only_images(children) -> bool:
    """True when a paragraph holds nothing but images: its segments are their alt texts and titles."""
    return all(c.type == "image" or (c.type in ("text", "softbreak") and not c.content.strip())
               for c in children)


def _image_segments(image: Token, line: int, region: str | None) -> Iterator[Segment]:
    alt = "".join(c.content for c in image.children or ()).strip()
    if alt:
        yield Segment(alt, "image-alt", line, region)
    title = (image.attrs.get("title") or "").strip()
    if title:
        yield Segment(title, "image-title", line, region)

"""Article → translatable segments (pure): one per block of text, inline Markdown kept verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

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
    segments.extend(_body_segments(article.tokens))
    return segments


def _body_segments(tokens) -> Iterator[Segment]:
    region: str | None = None
    stack: list[str] = []          # enclosing block kinds
    row_line = 0
    for tok in tokens:
        if tok.type == "container_region_open":
            region = REGION_INFO.match(tok.info).group(1)
        elif tok.type == "container_region_close":
            region = None
        elif tok.nesting == 1:
            stack.append(tok.type)
            if tok.type == "tr_open" and tok.map:
                row_line = tok.map[0] + 1
        elif tok.nesting == -1:
            stack.pop()
        elif tok.type == "inline":
            line = tok.map[0] + 1 if tok.map else row_line
            kind = _kind(stack)
            images = [c for c in tok.children or () if c.type == "image"]
            if images and only_images(tok.children):
                for image in images:
                    yield from _image_segments(image, line, region)
                continue
            text = normalize_inline(tok.content)
            if text:
                yield Segment(text, kind, line, region)


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

"""Markdown articles on disk → :class:`Article` (front matter, tokens, region blocks), with path:line errors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it.token import Token

from workflow.errors import SourceError
from workflow.markdown import parse_blocks

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
REGION_INFO = re.compile(r"^\s*region\s+(\S+)\s*$")
FENCE_LIKE = re.compile(r"^ {0,3}:{3,}")
TRANSLATABLE_FIELDS = ("title", "description")
KNOWN_FIELDS = {"title", "description", "published", "reviewed", "reading_time", "author", "tags",
                "safety_change"}


@dataclass(frozen=True)
class Article:
    """A parsed source article.

    ``path`` is the path as shown to users (relative to the project);
    ``meta`` the front matter; ``meta_lines`` the 1-based line of each field;
    ``tokens`` markdown-it's block tokens of the whole file (maps are file lines).
    """

    slug: str
    path: str
    meta: dict = field(hash=False)
    meta_lines: dict = field(hash=False)
    tokens: tuple[Token, ...] = field(hash=False, repr=False)
    text: str = field(repr=False, default="")

    @property
    def title(self) -> str:
        return self.meta["title"]


def read_article(path: Path, markets: frozenset[str] | set[str], display: str | None = None) -> Article:
    """Read ``source/<slug>.md`` and parse it; errors name ``display`` (default: ``path``)."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", path=shown) from None
    return parse_article(text, path.stem, shown, markets)


def parse_article(text: str, slug: str, path: str, markets) -> Article:
    """Parse an article's text (pure). ``markets`` are the configured market codes."""
    if not SLUG.fullmatch(slug):
        raise SourceError(f"bad article slug {slug!r}: use only lower-case letters, digits and single hyphens "
                          "(rename the file)", path=path, line=1)
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    tokens = parse_blocks(text)
    meta, meta_lines = _front_matter(tokens, text, path)
    _check_blocks(tokens, text.split("\n"), path, markets)
    _refuse_code_blocks(tokens, path)
    return Article(slug=slug, path=path, meta=meta, meta_lines=meta_lines, tokens=tuple(tokens), text=text)


def _front_matter(tokens: list[Token], text: str, path: str) -> tuple[dict, dict]:
    if not tokens or tokens[0].type != "front_matter":
        raise SourceError("missing YAML front matter: the file must start with a '---' line, "
                          "then 'title: …', then '---'", path=path, line=1)
    raw = tokens[0].content
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(f"broken YAML front matter: {problem}", path=path, line=line) from None
    if not isinstance(meta, dict) or node is None:
        raise SourceError("front matter must be a YAML mapping of fields like 'title: …'", path=path, line=2)
    lines = {key.value: key.start_mark.line + 2 for key, _ in node.value}
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise SourceError("front matter has no 'title' (a non-empty text)", path=path,
                          line=lines.get("title", 2))
    for key in meta:
        if key not in KNOWN_FIELDS:
            raise SourceError(f"unknown front matter field {key!r} (known: {', '.join(sorted(KNOWN_FIELDS))})",
                              path=path, line=lines.get(key, 2))
    if "description" in meta and not isinstance(meta["description"], str):
        raise SourceError("'description' must be text", path=path, line=lines["description"])
    for key in ("published", "reviewed"):
        if key in meta and not isinstance(meta[key], dt.date):
            raise SourceError(f"'{key}' must be a date like 2026-11-22", path=path, line=lines[key])
    if "reading_time" in meta and (not isinstance(meta["reading_time"], int) or meta["reading_time"] < 1):
        raise SourceError("'reading_time' must be a whole number of minutes", path=path,
                          line=lines["reading_time"])
    if "safety_change" in meta:
        _check_safety_change(meta["safety_change"], path, lines["safety_change"])
    return meta, lines


def _check_safety_change(value, path: str, line: int) -> None:
    """``safety_change``: a mapping of ``date`` (the day of the change) and ``reason`` (for editors)."""
    if (not isinstance(value, dict) or set(value) != {"date", "reason"} or not isinstance(value["date"], dt.date)
            or isinstance(value["date"], dt.datetime) or not isinstance(value["reason"], str)
            or not value["reason"].strip()):
        raise SourceError("'safety_change' must be a mapping with 'date: 2026-12-01' and 'reason: <text>'",
                          path=path, line=line)


def safety_change(article: Article) -> dt.date | None:
    """The day of the article's last safety-relevant change (front matter ``safety_change``), if any."""
    value = article.meta.get("safety_change")
    return value["date"] if isinstance(value, dict) else None


def _check_blocks(tokens: list[Token], lines: list[str], path: str, markets) -> None:
    """Region blocks are well formed and closed; no raw HTML; no stray ``:::`` lines."""
    container_lines: set[int] = set()
    open_at: int | None = None
    open_tok: Token | None = None
    for tok in tokens:
        if tok.type == "container_region_open":
            line = tok.map[0] + 1
            match = REGION_INFO.match(tok.info)
            if not match:
                raise SourceError(f"malformed region opener {lines[tok.map[0]].strip()!r}: "
                                  "write '::: region gb'", path=path, line=line)
            if match.group(1) not in markets:
                raise SourceError(f"unknown market {match.group(1)!r} in region block "
                                  f"(configured markets: {', '.join(sorted(markets))})", path=path, line=line)
            if open_at is not None:
                raise SourceError(f"region block inside the region block opened on line {open_at}; "
                                  "region blocks cannot nest", path=path, line=line)
            if tok.level != 0:
                raise SourceError("region block must start at the top level, not inside a list or quote",
                                  path=path, line=line)
            open_at, open_tok = line, tok
            container_lines.add(tok.map[0])
        elif tok.type == "container_region_close":
            if not tok.markup:
                raise SourceError(f"region block opened on line {open_at} is never closed: "
                                  "add a ':::' line after its last paragraph", path=path, line=open_at)
            container_lines.add(open_tok.map[1])  # the plugin's map ends at the closing ':::'
            open_at = None
        elif tok.type in ("html_block", "html_inline") or (
                tok.type == "inline" and any(c.type == "html_inline" for c in tok.children or ())):
            raise SourceError("raw HTML is not allowed in articles; use Markdown", path=path,
                              line=tok.map[0] + 1 if tok.map else None)
    in_code: set[int] = set()
    for tok in tokens:
        if tok.type in ("fence", "code_block") and tok.map:
            in_code.update(range(tok.map[0], tok.map[1]))
    for number, text in enumerate(lines):
        if FENCE_LIKE.match(text) and number not in container_lines and number not in in_code:
            raise SourceError(f"{text.strip()!r} is not a region block: write '::: region gb' to open "
                              "and ':::' to close", path=path, line=number + 1)


_CODE_BLOCKS = {
    "fence": ("a fenced code block", ""),
    "code_block": ("an indented code block", " (text indented by 4 spaces or more: remove the indentation)"),
}


def _refuse_code_blocks(tokens: list[Token], path: str) -> None:
    """No fenced or indented code blocks: their text would reach readers untranslated and unchecked.

    A code block is not a segment, so a dose inside one would be shown in
    English and never seen by the checks. Inline code (`` `30 mg` ``) stays
    in its segment and is checked like the rest of it.
    """
    for tok in tokens:
        if tok.type in _CODE_BLOCKS:
            kind, hint = _CODE_BLOCKS[tok.type]
            raise SourceError(f"{kind} is not allowed in articles{hint}: its text would reach readers "
                              "untranslated and unchecked; write it as a paragraph or list (inline `code` is fine)",
                              path=path, line=tok.map[0] + 1 if tok.map else None)

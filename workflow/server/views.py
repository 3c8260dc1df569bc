"""What the review server shows, as frozen dataclasses: the dashboard's counts and an article's rows (pure of HTTP).

Every piece of HTML here is built from escaped text: a source or translation
is rendered by :func:`workflow.inline.render_inline` (raw HTML stays text),
diffs by :func:`workflow.server.diff.word_diff`; plain fields are ``str`` for
the templates to escape. Nothing here writes a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from workflow import languages
from workflow.approval import Record, text_digest, without_record
from workflow.catalogs import entry_key, plural_count, read_catalog
from workflow.config import Config
from workflow.entries import has_translation, translations
from workflow.errors import SourceError, UsageError
from workflow.findings import article_subject
from workflow.glossary import GLOSSARY_PATH, Glossary, glossary_of, load_glossary
from workflow.inline import kept, render_inline
from workflow.packet import source_spans, target_spans
from workflow.pages import keeps_snapshot
from workflow.project import SITE_DOMAIN, catalog_paths, display_path
from workflow.review import Item, judge_item, load_items, segment_id, trust_for
from workflow.server.diff import word_diff
from workflow.snapshots import read_snapshot, snapshot_relpath
from workflow.source import parse_article, read_article, safety_change
from workflow.stamps import digest, file_bytes

STATES = ("approved", "pending", "suggested", "fuzzy", "stale", "rejected", "untranslated", "unverified", "forged")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


@dataclass(frozen=True)
class Tally:
    """How many segments (or source words) of an article are in each review state; ``with_errors`` counts
    those with an error finding, whatever their state. The states add up to ``total``."""

    approved: int = 0
    pending: int = 0
    suggested: int = 0
    fuzzy: int = 0
    stale: int = 0
    rejected: int = 0
    untranslated: int = 0
    unverified: int = 0
    forged: int = 0
    with_errors: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, state) for state in STATES)


@dataclass(frozen=True)
class PageState:
    """A published page readers no longer see as it is now: ``outdated`` (its last approved version is
    served, the English changed since ``since``) or ``withdrawn`` (a safety change on ``since`` came after
    its last approval, ``approved``)."""

    locale: str
    state: str
    approved: str | None
    since: str | None


@dataclass(frozen=True)
class ArticleSummary:
    """One article of one catalog on the dashboard; ``title`` is the source's (empty for the site chrome)."""

    slug: str
    title: str
    segments: Tally
    words: Tally
    pages: tuple[PageState, ...]


@dataclass(frozen=True)
class CatalogSummary:
    catalog: str
    lang: str
    dir: str
    articles: tuple[ArticleSummary, ...]
    segments: Tally
    words: Tally


@dataclass(frozen=True)
class Approver:
    """Who signed the record of this very text: declared name (else the e-mail), UTC time, verdict state."""

    name: str
    email: str
    time: str
    state: str
    via: str = ""


@dataclass(frozen=True)
class Rejection:
    name: str
    email: str
    time: str
    reason: str


@dataclass(frozen=True)
class Row:
    """One segment of the article view (see :func:`article_view`)."""

    id: str
    state: str
    region: str
    kind: str
    where: str = field(compare=False)       # path:line; not shown, and no part of what the row says
    msgid: str                              # the source text as written
    source_html: Markup
    source_plural_html: Markup | None
    target_html: Markup                     # the translation (a plural's first form)
    forms: tuple[Markup, ...]               # every form, rendered (one for a singular entry)
    msgstrs: tuple[str, ...]                # every form as written (for the edit form)
    findings: tuple[tuple[str, str, str], ...]
    errors: bool
    provenance: str | None
    approver: Approver | None
    rejection: Rejection | None
    record_note: str                        # why a record does not approve this text (stale, forged…), or ""
    notes: tuple[str, ...]                  # the translator's own comments
    source_diff: Markup | None
    text_diff: Markup | None
    seen: str
    shadowed_by: tuple[str, ...]

    def __hash__(self) -> int:
        # Kept once made (the fields never change): the page's segments are looked up by row after every
        # batch of approvals, and hashing 20 fields of 200 rows three times was a quarter of that.
        kept = self.__dict__.get("_hash")
        if kept is None:
            kept = hash(tuple(getattr(self, name) for name in _COMPARED))
            object.__setattr__(self, "_hash", kept)
        return kept

    @property
    def plural(self) -> bool:
        return self.source_plural_html is not None

    @property
    def shadowed(self) -> bool:
        return bool(self.shadowed_by)


_COMPARED = tuple(f.name for f in fields(Row) if f.compare)


@dataclass(frozen=True)
class ArticleView:
    catalog: str
    slug: str
    title: str
    lang: str
    dir: str
    rows: tuple[Row, ...]
    segments: Tally
    made: Made | None = field(default=None, compare=False, repr=False)


def reviewer_catalogs(config: Config, email: str) -> tuple[str, ...]:
    """The catalogs the declared reviewer ``email`` may approve, in the configuration's order (none if undeclared)."""
    mine: set[str] = set()
    for reviewer in config.reviewers:
        if reviewer.email.lower() == email.lower():
            mine.update(reviewer.catalogs)
    return tuple(c for c in config.catalogs if c in mine)


def lang_dir(catalog: str) -> tuple[str, str]:
    """A catalog's BCP 47 ``lang`` and its ``dir``.

    >>> lang_dir("ar"), lang_dir("es_US")
    (('ar', 'rtl'), ('es-US', 'ltr'))
    """
    tag = catalog.replace("_", "-")
    return tag, "rtl" if languages.right_to_left(tag) else "ltr"


def tally(items, weight=lambda item: 1) -> Tally:
    """Count ``items`` (or rows) per state, each counting ``weight(item)``."""
    counts = dict.fromkeys((*STATES, "with_errors"), 0)
    for item in items:
        counts[item.state] += weight(item)
        if item.errors:
            counts["with_errors"] += weight(item)
    return Tally(**counts)


def source_words(item: Item) -> int:
    """Words of the source text (the singular).

    >>> from workflow.catalogs import POEntry
    >>> source_words(Item("x", "es", "x", Path("x.po"), "x", POEntry(msgid="Don't take **120 mg** a day.")))
    6
    """
    return len(_WORD.findall(item.entry.msgid))


def dashboard(config: Config, email: str, glossary: Glossary | None = None) -> list[CatalogSummary]:
    """Per catalog ``email`` may approve, per article: segments and source words in each state, and pages
    that are outdated or withdrawn (none for an undeclared e-mail)."""
    catalogs = reviewer_catalogs(config, email)
    if catalogs and glossary is None:
        glossary = load_glossary(config.root, config.catalogs, config.source_language)
    titles: dict[str, str] = {}
    out = []
    for catalog in catalogs:
        items, _ = load_items(config, catalog, None, glossary)
        slugs = list(dict.fromkeys(item.slug for item in items))
        articles = []
        for slug in slugs:
            mine = [item for item in items if item.slug == slug]
            if slug not in titles:
                titles[slug] = article_title(config, slug)
            articles.append(ArticleSummary(slug, titles[slug], tally(mine), tally(mine, source_words),
                                           page_states(config, catalog, slug)))
        out.append(CatalogSummary(catalog, *lang_dir(catalog), tuple(articles), tally(items),
                                  tally(items, source_words)))
    return out


def article_title(config: Config, slug: str) -> str:
    """The title in the article's front matter ("" for the site chrome's catalog, which has no article)."""
    if slug == SITE_DOMAIN:
        return ""
    path = config.source_dir / f"{slug}.md"
    return read_article(path, set(config.markets), display_path(config, path)).title


def page_states(config: Config, catalog: str, slug: str) -> tuple[PageState, ...]:
    """The pages showing ``catalog``'s text of ``slug`` that readers see in their last approved version
    (the English changed since) or withdrawn (a safety change since), from the snapshots in
    ``locales/published/``: what the next build serves, whether or not it ran yet."""
    if slug == SITE_DOMAIN:
        return ()
    current = None
    out = []
    for locale in config.locales:
        if catalog not in locale.chain or not keeps_snapshot(config, locale):
            continue
        snapshot = read_snapshot(config.root, locale.tag, slug)
        if snapshot is None:
            continue
        if current is None:
            path = config.source_dir / f"{slug}.md"
            current = read_article(path, set(config.markets), display_path(config, path))
        if snapshot.source == current.text:
            continue
        safety = safety_change(current)
        if safety is not None and (snapshot.approved or "") <= safety.isoformat():
            out.append(PageState(locale.tag, "withdrawn", snapshot.approved, safety.isoformat()))
        else:
            out.append(PageState(locale.tag, "outdated", snapshot.approved, snapshot.stale_since))
    return tuple(out)


@dataclass(frozen=True)
class Made:
    """What a view was made of, so that the next view of the article makes again only what changed:
    each row under the key of everything it depends on (:func:`_row_key`), and the source's digest."""

    rows: dict
    source: str


def article_view(config: Config, catalog: str, slug: str, glossary: Glossary | None = None,
                 previous: ArticleView | None = None, known: dict | None = None) -> ArticleView:
    """Every live entry of ``catalog`` for article ``slug``, in the article's order, as a reviewer sees it.

    ``previous`` (an earlier view of this article, made by this process
    under the same configuration, with no ``glossary`` given) lends the rows
    whose entry and surroundings are unchanged, and the title if the source is: after one
    approval, one row is checked, verified and rendered again, not all of
    them. The result is the same as without it (the tests compare them).
    ``known``: parsed catalogs to share (see :func:`workflow.catalogs.read_catalog`).

    Raises :class:`UsageError` for a catalog the project does not have or an
    unknown article (the app answers 404).
    """
    if catalog not in config.catalogs:
        raise UsageError(f"no catalog {catalog!r} (catalogs: {', '.join(config.catalogs)})")
    given = glossary is not None
    if given:
        previous = None         # the rows' keys name the glossary's bytes, not a glossary given
    glossary_bytes = file_bytes(config.root / GLOSSARY_PATH)
    glossary = glossary if glossary is not None else glossary_of(glossary_bytes, config.catalogs,
                                                                 config.source_language)
    paths = [path for _, path in catalog_paths(config, catalog, slug)]
    if not paths:
        raise UsageError(f"no catalog {catalog}/{slug}.po")
    path = paths[0]
    shown = display_path(config, path)
    po = read_catalog(path, shown, known)
    nplurals, trust = plural_count(po.metadata.get("Plural-Forms")), trust_for(config, catalog)
    approved = approved_translations(config, catalog, slug)
    shadows = shadowing(config, catalog, slug, known)
    names = {r.email.lower(): r.name for r in config.reviewers}
    lent = previous.made.rows if previous is not None and previous.made is not None else {}
    around = (catalog, digest(glossary_bytes), nplurals, article_subject(po),
              digest(*(f"{e.msgctxt}\0{e.msgid}\0{e.msgid_plural}" for e in po)))
    made: dict = {}
    placed = []
    for entry in po:
        if entry.obsolete:
            continue
        key = _row_key(around, entry, approved, shadows)
        row = lent.get(key)
        if row is None:
            item = judge_item(config, segment_id(slug, entry), catalog, path, entry, glossary, nplurals, trust, po)
            row = _row(config, item, glossary, names, approved, shadows, None if given else around[1])
        elif row.where != f"{shown}:{entry.linenum}":        # lines added above it (an approval record)
            row = _moved(row, f"{shown}:{entry.linenum}")
        made[key] = row
        placed.append((_first_line(tuple(entry.occurrences), slug), row))
    placed.sort(key=lambda pair: pair[0])
    rows = tuple(row for _, row in placed)
    text = file_bytes(config.source_dir / f"{slug}.md")
    source = digest(text)
    title = (previous.title if previous is not None and previous.made is not None and previous.made.source == source
             else _title_of(config, slug, text))
    return ArticleView(catalog, slug, title, *lang_dir(catalog), rows, tally(rows), Made(made, source))


def _title_of(config: Config, slug: str, data: bytes | None) -> str:
    """:func:`article_title` from the source's bytes as read (None: no file, as for the site chrome)."""
    if slug == SITE_DOMAIN or data is None:
        return ""
    path = config.source_dir / f"{slug}.md"
    shown = display_path(config, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", path=shown) from None
    return parse_article(text, slug, shown, set(config.markets)).title


def _row_key(around: tuple, entry, approved: dict[str, str], shadows: dict) -> tuple:
    """Everything a row depends on but its line: the entry as written, and what surrounds it (``around``:
    the catalog, the glossary's bytes, the plural count, the article's title source, every source text
    of the catalog), the page's last approved translation, the overrides that shadow it."""
    return (around, entry_key(entry), approved.get(entry.msgid),
            approved.get(entry.previous_msgid) if entry.previous_msgid else None,
            shadows.get((entry.msgctxt or "", entry.msgid), ()))


def view_files(config: Config, catalog: str, slug: str) -> tuple[Path, ...]:
    """Every file :func:`article_view` reads for ``catalog``/``slug`` (present or not): the catalog, the
    glossary, the article's source, the snapshots of the pages it shows in, the regional overrides' catalogs.

    Their bytes (with the configuration, fixed while a server runs) are all
    a view is made of, so a view made from the same bytes is the same view.
    """
    overriders = dict.fromkeys(name for locale in config.locales if catalog in locale.chain
                               for name in locale.chain[:locale.chain.index(catalog)])
    snapshots = [config.root / snapshot_relpath(locale.tag, slug) for locale in config.locales
                 if catalog in locale.chain and keeps_snapshot(config, locale)]
    return (config.po_path(catalog, slug), config.root / GLOSSARY_PATH, config.source_dir / f"{slug}.md",
            *snapshots, *(config.po_path(name, slug) for name in overriders))


def _moved(row: Row, where: str) -> Row:
    """``row`` at another line: a copy with only ``where`` changed. Every row after an approval record moves,
    and :func:`dataclasses.replace` (which builds the row anew from its 22 fields) cost 15 % of a view's
    making again."""
    moved = object.__new__(Row)
    moved.__dict__.update(row.__dict__)
    object.__setattr__(moved, "where", where)
    return moved


@lru_cache(maxsize=65536)
def _first_line(occurrences: tuple, slug: str) -> int:
    """Where an entry with these occurrences first occurs in the article (entries without a place go last,
    in catalog order). Kept: the source's lines do not move when a catalog does, and making a Path of each
    occurrence of each entry was a fifth of a view's making again.

    >>> _first_line((("source/a.md", "12"), ("source/b.md", "3"), ("source/a.md", "7")), "a")
    7
    """
    lines = [int(line) for path, line in occurrences if Path(path).name == f"{slug}.md" and str(line).isdigit()]
    return min(lines) if lines else 1 << 30


def approved_translations(config: Config, catalog: str, slug: str) -> dict[str, str]:
    """Source text → the translation ``catalog`` gave it in the page's last approved version (its snapshot)."""
    found: dict[str, str] = {}
    for locale in config.locales:
        if catalog not in locale.chain or not keeps_snapshot(config, locale):
            continue
        snapshot = read_snapshot(config.root, locale.tag, slug) if slug != SITE_DOMAIN else None
        for translation in snapshot.translations if snapshot else ():
            if translation.catalog == catalog:
                found.setdefault(translation.msgid, translation.msgstr)
    return found


def shadowing(config: Config, catalog: str, slug: str, known: dict | None = None) -> dict[tuple[str, str], tuple[str, ...]]:
    """(context, source) → the catalogs before ``catalog`` in some locale's chain (a regional override,
    ``es_US`` before ``es``) whose entry of it has a translation: readers there see that one instead."""
    overriders = list(dict.fromkeys(name for locale in config.locales if catalog in locale.chain
                                    for name in locale.chain[:locale.chain.index(catalog)]))
    found: dict[tuple[str, str], list[str]] = {}
    for name in overriders:
        path = config.po_path(name, slug)
        if not path.exists():
            continue
        for entry in read_catalog(path, display_path(config, path), known):
            if not entry.obsolete and has_translation(entry):
                found.setdefault((entry.msgctxt or "", entry.msgid), []).append(name)
    return {key: tuple(names) for key, names in found.items()}


def _row(config: Config, item: Item, glossary: Glossary, names: dict[str, str], approved: dict[str, str],
         shadows: dict, glossary_key: str | None = None) -> Row:
    """``glossary_key``: the digest of the bytes ``glossary`` was made of (None: unknown), under which a row
    made again after an approval finds its source and translation rendered (a third of a row's making)."""
    entry, language = item.entry, config.source_language
    key = None if glossary_key is None else (glossary_key, tuple(config.catalogs), language, item.catalog)
    def source(text: str) -> Markup:
        return kept(key and (*key, "source", text), lambda: render_inline(
            text, lambda node: source_spans(node, glossary, language)))
    def target(text: str) -> Markup:
        return kept(key and (*key, "target", text), lambda: render_inline(
            text, lambda node: target_spans(node, item.catalog, glossary, language)))
    texts = tuple(translations(entry))
    forms = tuple(target(text) for text in texts)
    approver, rejection, note = _record(item, names)
    last = approved.get(entry.msgid) or (approved.get(entry.previous_msgid) if entry.previous_msgid else None)
    shown = texts[0] if texts else ""
    return Row(
        id=item.id, state=item.state, region=item.region, kind=_kind(entry.comment), where=item.shown, msgid=entry.msgid,
        source_html=source(entry.msgid),
        source_plural_html=source(entry.msgid_plural) if entry.msgid_plural else None,
        target_html=forms[0] if forms else Markup(""), forms=forms, msgstrs=texts,
        findings=tuple(tuple(f) for f in item.findings), errors=bool(item.errors), provenance=item.origin,
        approver=approver, rejection=rejection, record_note=note,
        notes=tuple(line for line in without_record(entry.tcomment).split("\n")
                    if line and not line.startswith(("mt: ", "tm: ", "(locum) "))),
        source_diff=(word_diff(entry.previous_msgid, entry.msgid)
                     if entry.previous_msgid is not None and entry.previous_msgid != entry.msgid else None),
        text_diff=(word_diff(last, shown) if last is not None and not entry.msgid_plural and last != shown
                   and has_translation(entry) else None),
        seen=text_digest(entry), shadowed_by=shadows.get((entry.msgctxt or "", entry.msgid), ()))


def _kind(comment: str | None) -> str:
    """The segment's kind from its extracted comment.

    >>> _kind("kind: title, heading\\nregion: gb")
    'title, heading'
    """
    for line in (comment or "").split("\n"):
        if line.startswith("kind:"):
            return line[len("kind:"):].strip()
    return ""


def _record(item: Item, names: dict[str, str]) -> tuple[Approver | None, Rejection | None, str]:
    """The approver of this very text (a verified record of it; never on a fuzzy row), the rejection, and
    what is wrong with any other record."""
    verdict, record = item.verdict, item.verdict.record
    if not isinstance(record, Record):
        return None, None, f"{verdict.state}: {verdict.reason}" if verdict.state == "forged" else ""
    name = names.get(record.email.lower(), record.email)
    if verdict.state == "approved" and "fuzzy" not in item.entry.flags:
        return Approver(name, record.email, record.time, verdict.state, getattr(record, "via", "")), None, ""
    if verdict.state == "rejected":
        return None, Rejection(name, record.email, record.time, record.reason), ""
    return None, None, f"{verdict.state}: {verdict.reason}" if verdict.state != "approved" else ""


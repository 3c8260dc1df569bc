"""Gettext catalogs: polib IO in GNU msgcat's canonical form, templates from segments, headers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polib
from babel import Locale
from babel.messages.plurals import get_plural

from workflow import __version__
from workflow.errors import CatalogError
from workflow.fileio import write_atomic
from workflow.poformat import format_po, joined_lines  # noqa: F401  (re-exported)
from workflow.segments import Segment

POEntry = polib.POEntry
POFile = polib.POFile
DATE_FORMAT = "%Y-%m-%d %H:%M+0000"


def read_catalog(path: Path, display: str | None = None) -> polib.POFile:
    """Parse a PO or POT file; a broken file raises :class:`CatalogError` with its line."""
    shown = display or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path=shown) from None
    return parse_catalog(data, shown)


_PO_LINE = re.compile(r'#|(?:(?:msgid|msgid_plural|msgstr|msgstr\[\d+\]|msgctxt)\s+)?"(?:[^"\\]|\\.)*"\s*$')


def plural_count(plural_forms: str | None) -> int:
    """``nplurals`` of a Plural-Forms header (2 when absent or unreadable).

    >>> plural_count("nplurals=6; plural=(n==0 ? 0 : 5);"), plural_count("")
    (6, 2)
    """
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms or "")
    return int(match.group(1)) if match else 2


def parse_catalog(data: bytes | str, display: str = "<string>") -> polib.POFile:
    """Parse PO text (pure). Duplicate entries and syntax errors are errors with a line."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise CatalogError(f"not UTF-8 (byte 0x{data[exc.start]:02x}); Locum catalogs are UTF-8: "
                               "convert with 'msgconv -t UTF-8'", path=display, line=line) from None
    else:
        text = data
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not _PO_LINE.match(stripped):
            raise CatalogError(f"broken PO file: expected a keyword and a \"quoted string\", a \"string\" "
                               f"or a # comment, got {stripped[:40]!r}", path=display, line=number)
    try:       # polib's own duplicate check is quadratic; ours is not, and polib reports what it finds
        po = polib.pofile(text, wrapwidth=79)
        if not _may_have_duplicates(po):
            po.check_for_duplicates = True      # as if polib had checked: later appends are checked too
            return po
    except Exception:       # noqa: BLE001  (the checked parse below fails exactly as it always has)
        pass
    try:
        return polib.pofile(text, wrapwidth=79, check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        message = str(exc)
        match = re.search(r"\(line (\d+)\)|line (\d+)", message)
        line = int(next(g for g in match.groups() if g)) if match else _duplicate_line(text, message)
        message = re.sub(r"\s*\(line \d+\)", "", message)
        raise CatalogError(f"broken PO file: {message}", path=display, line=line) from None


def _may_have_duplicates(po: polib.POFile) -> bool:
    """Whether polib's duplicate check could fail on this file's entries (in file order).

    polib refuses an entry whose msgid and msgctxt match an earlier live
    entry's; the header (msgid "") has left the list by now, so any other
    entry with an empty msgid is a possible clash too.
    """
    live = set()
    for entry in po:
        key = (entry.msgid, entry.msgctxt)
        if key in live or not entry.msgid:
            return True
        if not entry.obsolete:
            live.add(key)
    return False


def _duplicate_line(text: str, message: str) -> int | None:
    match = re.search(r'Entry "(.*)" already exists', message, re.S)
    if not match:
        return None
    needle = polib.escape(match.group(1))
    hits = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("msgid ") and needle in line]
    return hits[1] if len(hits) > 1 else (hits[0] if hits else None)


def _entry_key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None, entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())), entry.tcomment or "", entry.comment or "",
            tuple(entry.occurrences), tuple(entry.flags), entry.previous_msgctxt,
            entry.previous_msgid, entry.previous_msgid_plural or None, bool(entry.obsolete))


def same_catalog(a: polib.POFile, b: polib.POFile) -> bool:
    """True when two catalogs hold the same header and entries (so rewriting one changes nothing)."""
    return (a.header == b.header and a.metadata == b.metadata and a.metadata_is_fuzzy == b.metadata_is_fuzzy
            and len(a) == len(b) and all(_entry_key(x) == _entry_key(y) for x, y in zip(a, b)))


def catalog_text(po: polib.POFile, wrap: bool = True) -> str:
    """The canonical (msgcat-identical) text of a catalog; ``wrap=False``: its :func:`joined_lines`."""
    return format_po(po, wrap)


def write_catalog(po: polib.POFile, path: Path) -> bool:
    """Write ``po`` atomically in canonical form; False when the file already had these bytes."""
    return write_atomic(Path(path), catalog_text(po))


def now_stamp(now: dt.datetime | None = None) -> str:
    """A gettext header date.

    >>> now_stamp(dt.datetime(2026, 11, 22, 3, 5, tzinfo=dt.timezone.utc))
    '2026-11-22 03:05+0000'
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(dt.timezone.utc).strftime(DATE_FORMAT)


def _template(domain: str, header: str, created: str) -> polib.POFile:
    pot = polib.POFile(wrapwidth=79)
    pot.header = header
    pot.metadata = {
        "Project-Id-Version": domain,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": created,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"Locum {__version__}",
    }
    return pot


def build_template(slug: str, title: str, source_path: str, segments: list[Segment],
                   created: str) -> polib.POFile:
    """The ``.pot`` for one article: one entry per distinct text, all its locations and kinds (pure)."""
    pot = _template(slug, f"Translation template for the article “{title}”.\n"
                          f"Generated by locum extract from {source_path}; do not edit by hand.", created)
    by_text: dict[str, list[Segment]] = {}
    for seg in segments:
        by_text.setdefault(seg.text, []).append(seg)
    for text, group in by_text.items():
        kinds = list(dict.fromkeys(s.kind for s in group))
        comment = [f"kind: {', '.join(kinds)}"]
        regions = sorted({s.region for s in group if s.region})
        if regions and all(s.region for s in group):
            comment.append(f"region: {', '.join(regions)}")
        pot.append(polib.POEntry(msgid=text, msgstr="", comment="\n".join(comment),
                                 occurrences=[(source_path, str(s.line)) for s in group]))
    return pot


def build_site_template(messages, created: str) -> polib.POFile:
    """The ``site.pot`` of the page chrome from (msgid, plural, file, line, flags) tuples (pure)."""
    pot = _template("site", "Translation template for the site's page chrome.\n"
                            "Generated by locum extract from workflow/templates; do not edit by hand.", created)
    entries: dict[tuple[str, str | None], polib.POEntry] = {}
    for msgid, plural, filename, line, flags in messages:
        entry = entries.get((msgid, plural))
        if entry is None:
            entry = entries[(msgid, plural)] = polib.POEntry(msgid=msgid, msgstr="", flags=list(flags))
            if plural:
                entry.msgid_plural = plural
                entry.msgstr_plural = {0: "", 1: ""}
            pot.append(entry)
        entry.occurrences.append((filename, str(line)))
    return pot


def entry_regions(entry: polib.POEntry) -> frozenset[str]:
    """The markets an entry is limited to (from its ``#. region:`` comment); empty = everywhere.

    >>> sorted(entry_regions(polib.POEntry(msgid="x", comment="kind: heading\\nregion: gb, us")))
    ['gb', 'us']
    """
    for line in (entry.comment or "").splitlines():
        if line.startswith("region:"):
            return frozenset(r.strip() for r in line[len("region:"):].split(",") if r.strip())
    return frozenset()


def new_catalog(template: polib.POFile, catalog: str, created: str) -> polib.POFile:
    """An empty catalog for language ``catalog`` (``es``, ``es_US``) with complete headers."""
    locale = Locale.parse(catalog)
    po = polib.POFile(wrapwidth=79)
    slug = template.metadata.get("Project-Id-Version", "")
    po.header = f"{locale.english_name} translation of the Locum article {slug}."
    po.metadata = {
        "Project-Id-Version": slug,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": template.metadata.get("POT-Creation-Date", created),
        "PO-Revision-Date": created,
        "Last-Translator": "Locum <locum@localhost>",
        "Language-Team": f"{locale.english_name} <{catalog}@localhost>",
        "Language": catalog,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": get_plural(locale).plural_forms,
        "X-Generator": f"Locum {__version__}",
    }
    return po

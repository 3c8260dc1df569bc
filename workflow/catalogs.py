"""Gettext catalogs: polib IO in GNU msgcat's canonical form, templates from segments, headers."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Callable

import polib
from babel import Locale
from babel.messages.plurals import get_plural

from workflow import __version__, parsecache, postrict
from workflow.errors import CatalogError
from workflow.fileio import content_digest, write_atomic
from workflow.poformat import forget_wrapped, format_po, joined_lines, po_pieces  # noqa: F401  (re-exported)
from workflow.segments import Segment

POEntry = polib.POEntry
POFile = polib.POFile
DATE_FORMAT = "%Y-%m-%d %H:%M+0000"


def read_catalog(path: Path, display: str | None = None, known: dict | None = None) -> polib.POFile:
    """Parse a PO or POT file; a broken file raises :class:`CatalogError` with its line.

    The catalog remembers the digest of the bytes it came from, so that
    :func:`write_catalog` replaces the file only if nobody changed it since.
    A symbolic link is refused: a catalog is a file of the project's own.

    ``known`` (kept by a long-running caller such as the review server)
    returns the catalog parsed earlier from the very same bytes instead of
    parsing them again, and learns new ones: what it returns is shared, so no
    caller may change it (see :func:`own_copy`).
    """
    shown = display or str(path)
    if os.path.islink(path):
        raise CatalogError("is a symbolic link; catalogs must be regular files inside the project", path=shown)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path=shown) from None
    except IsADirectoryError:
        raise CatalogError("is a directory, not a catalog", path=shown) from None
    name, digest = os.path.abspath(path), content_digest(data)
    parsed = known.get((name, digest)) if known is not None else None
    if parsed is not None:
        return parsed
    po = parse_catalog(data, shown)
    po.read_from = (name, digest)
    if known is not None:
        learn(known, po)
    return po


KEEP = 3        # versions of one catalog that ``known`` keeps


def learn(known: dict, po: polib.POFile) -> None:
    """Keep ``po`` in ``known`` under the file and the digest of the bytes it was read from (or written as).

    A few versions of each file are kept, not one: a reader that parsed the
    bytes from before a write may learn them after the writer taught the new
    ones, and must not make everyone parse those again.
    """
    name = po.read_from[0]
    same = [key for key in list(known) if key[0] == name and key != po.read_from]
    for key in same[:max(0, len(same) - KEEP + 1)]:
        known.pop(key, None)
    known[po.read_from] = po


def own_copy(po: polib.POFile, private: Callable[[polib.POEntry], bool]) -> polib.POFile:
    """A catalog with ``po``'s header and entries, where the entries ``private`` picks are copies.

    What a writer changes in those entries, readers sharing ``po`` do not
    see; the copy still remembers the bytes ``po`` was read from, for the
    compare-and-swap. (Built by hand: polib's own append would compare each
    entry with all the others.)
    """
    mine = polib.POFile.__new__(polib.POFile)
    mine.__dict__.update(po.__dict__)
    mine.metadata = dict(po.metadata)
    list.extend(mine, (copy.deepcopy(entry) if private(entry) else entry for entry in po))
    return mine


def plural_count(plural_forms: str | None) -> int:
    """``nplurals`` of a Plural-Forms header (2 when absent or unreadable).

    >>> plural_count("nplurals=6; plural=(n==0 ? 0 : 5);"), plural_count("")
    (6, 2)
    """
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms or "")
    return int(match.group(1)) if match else 2


def parse_catalog(data: bytes | str, display: str = "<string>") -> polib.POFile:
    """Parse PO text (pure). What GNU ``msgfmt --check`` rejects is an error with its line (:mod:`workflow.postrict`).

    One pass over the lines checks the syntax, the header (charset UTF-8, a
    sound Plural-Forms) and the plural indexes before polib builds the
    entries; one pass over the entries then checks duplicates, plural forms
    against the header and ``\\n`` at the ends, as msgfmt does.
    """
    digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) and parsecache.active() else None
    if digest is not None:
        kept = parsecache.load(digest)      # these very bytes passed every check below in this publish
        if kept is not None:
            return kept
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise CatalogError(f"not UTF-8 (byte 0x{data[exc.start]:02x}); Locum catalogs are UTF-8: "
                               "convert with 'msgconv -t UTF-8'", path=display, line=line) from None
    else:
        text = data
    scanned = postrict.scan(text, display)
    try:        # the scan lets through only what polib reads as gettext does
        po = polib.pofile(scanned.polib_text or text, wrapwidth=79, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise CatalogError(f"broken PO file: {exc}", path=display) from None
    postrict.check_entries(po, scanned, display)
    po.check_for_duplicates = True      # checked above; later appends are checked by polib
    if digest is not None:
        parsecache.keep(digest, po)
    return po


def entry_key(entry: polib.POEntry) -> tuple:
    """Everything an entry holds, except where it was read from (two entries with equal keys write alike)."""
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None, entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())), entry.tcomment or "", entry.comment or "",
            tuple(entry.occurrences), tuple(entry.flags), entry.previous_msgctxt,
            entry.previous_msgid, entry.previous_msgid_plural or None, bool(entry.obsolete))


def same_catalog(a: polib.POFile, b: polib.POFile) -> bool:
    """True when two catalogs hold the same header and entries (so rewriting one changes nothing)."""
    return (a.header == b.header and a.metadata == b.metadata and a.metadata_is_fuzzy == b.metadata_is_fuzzy
            and len(a) == len(b) and all(entry_key(x) == entry_key(y) for x, y in zip(a, b)))


def catalog_text(po: polib.POFile, wrap: bool = True) -> str:
    """The canonical (msgcat-identical) text of a catalog; ``wrap=False``: its :func:`joined_lines`."""
    return format_po(po, wrap)


def write_catalog(po: polib.POFile, path: Path, shown: str | None = None, known: dict | None = None) -> bool:
    """Write ``po`` atomically in canonical form; False when the file already had these bytes.

    A compare-and-swap: a catalog from :func:`read_catalog` replaces its file
    only if the file still holds the bytes it was read from; any other
    catalog (new, or read from another file) is written only where there is
    no file yet. Otherwise :class:`ConflictError`, and the file stays as it is.
    ``known`` (see :func:`read_catalog`) learns the catalog as written, so
    that the next reader of these bytes need not parse them.
    """
    pieces = po_pieces(po)
    data = "".join(piece for _, piece in pieces).encode("utf-8")      # encoded once, for both
    if known is not None:
        # Learnt before the file is replaced, not after: a reader seeing the new bytes in between parsed
        # them again (a fifth of a busy review server's view rebuilds). Kept under the digest of these
        # bytes, it is only ever found for a file holding them, so a write that fails leaves nothing wrong.
        written = as_written(po, pieces, data, os.path.abspath(path))
        if written is not None:
            learn(known, written)
    return write_atomic(Path(path), data, expect=read_digest(po, path), shown=shown)


def as_written(po: polib.POFile, pieces: list, data: bytes, name: str) -> polib.POFile | None:
    """``po`` as :func:`read_catalog` would read it back from ``name`` holding ``data``, the UTF-8 of its
    :func:`~workflow.poformat.po_pieces` joined, without parsing: the same entries, each with the
    ``linenum`` where its lines begin (an entry whose line moved is a shallow copy; ``po``'s may be shared).
    None when the text leaves an entry out (an obsolete one with no translation).

    Each piece after the first begins with the blank line between entries;
    the tests check the lines against polib's own for every catalog they have.
    """
    written = polib.POFile.__new__(polib.POFile)
    written.__dict__.update(po.__dict__)
    line = 1
    for index, (entry, piece) in enumerate(pieces):
        if not piece:
            return None
        if entry is not None:
            start = line + (index > 0)      # after the blank line
            if entry.linenum != start:
                entry = _moved(entry, start)
            list.append(written, entry)
        line += piece.count("\n")
    written.read_from = (name, content_digest(data))
    return written


def _moved(entry: polib.POEntry, line: int) -> polib.POEntry:
    """A shallow copy of ``entry`` (what :func:`copy.copy` makes of it, at a tenth of the cost: every entry
    below an approval record moves, and copying them was a fifth of the review server's write) at ``line``."""
    moved = object.__new__(type(entry))
    moved.__dict__.update(entry.__dict__)
    moved.linenum = line
    return moved


def read_digest(po: polib.POFile, path: Path) -> str | None:
    """The digest of the bytes ``po`` was read from if it was read from ``path``, else None (no file)."""
    origin = getattr(po, "read_from", None)
    return origin[1] if origin and origin[0] == os.path.abspath(path) else None


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

"""Template + old catalog → new catalog with GNU ``msgmerge --previous`` semantics (pure).

Kept translations stay; changed source text receives the closest old
translation as fuzzy with ``#| msgid``; entries that left the template become
obsolete ``#~``; translator comments travel with their translation. No
translation is ever dropped: an old translation ends up attached, fuzzy, or
obsolete.

Fuzzy matching uses RapidFuzz's normalized Indel similarity (the same
measure as GNU's ``fstrcmp``, which msgmerge thresholds at 0.6) through
``process.extractOne``, which runs in C and stays fast on large catalogs;
difflib's ``SequenceMatcher`` gives a different, slower, order-dependent
ratio.
"""

from __future__ import annotations

from typing import Callable

from workflow.approval import Record, canonical, parse_record, source_digest, without_record
from workflow.catalogs import POEntry, POFile, plural_count
from workflow.entries import has_translation

FUZZY_CUTOFF = 60.0


def merge_catalog(template: POFile, old: POFile, *, include: Callable[[POEntry], bool] = lambda e: True,
                  sparse: bool = False, needed: Callable[[POEntry], bool] | None = None) -> POFile:
    """Merge ``template`` into ``old``; returns a new catalog and leaves both inputs untouched.

    ``include`` selects the template entries this catalog holds (its markets);
    ``sparse`` (regional override catalogs) keeps only entries ``old`` already
    has and adds only the ``needed`` ones (a regional rendering the glossary
    requires: :func:`workflow.regional.needs_override`), merged as any new
    entry is: the closest old translation, fuzzy, or untranslated.
    """
    new = POFile(wrapwidth=79)
    new.header = old.header
    new.metadata = dict(old.metadata)
    if "POT-Creation-Date" in template.metadata:
        new.metadata["POT-Creation-Date"] = template.metadata["POT-Creation-Date"]
    new.metadata_is_fuzzy = old.metadata_is_fuzzy

    nplurals = plural_count(new.metadata.get("Plural-Forms", ""))
    by_key = {(e.msgctxt, e.msgid): e for e in old}
    used: set[int] = set()
    candidates: dict[str | None, list[POEntry]] = {}
    for entry in old:
        if not entry.obsolete and has_translation(entry):
            candidates.setdefault(entry.msgctxt, []).append(entry)

    for tmpl in template:
        if not include(tmpl):
            continue
        match = by_key.get((tmpl.msgctxt, tmpl.msgid))
        if match is not None:
            used.add(id(match))
            new.append(_carry(tmpl, match, exact=True, nplurals=nplurals))
        elif sparse and not (needed is not None and needed(tmpl)):
            continue
        else:
            near = _closest(tmpl, candidates.get(tmpl.msgctxt, []))
            if near is not None:
                used.add(id(near))
                new.append(_carry(tmpl, near, exact=False, nplurals=nplurals))
            else:
                new.append(_fresh(tmpl, nplurals))

    for entry in old:
        if id(entry) not in used and has_translation(entry):
            new.append(_obsolete(entry))
    drop_copied_records(new)
    return new


def drop_copied_records(po: POFile) -> None:
    """Remove approval records that a fuzzy match copied from another live entry with the translation.

    A fuzzy match (ours, msgmerge's, a PO editor's) carries the comments of
    the entry it copies; when that entry is still in the catalog, the record
    approved its text, not this one's. An edited segment's record stays (its
    old source left the catalog): that is a stale approval, worth seeing.
    """
    live = {source_digest(entry) for entry in po if not entry.obsolete}
    for entry in po:
        if entry.obsolete or "fuzzy" not in entry.flags or not entry.tcomment:
            continue
        record = parse_record(entry.tcomment)
        if isinstance(record, Record) and record.source != source_digest(entry) and record.source in live:
            entry.tcomment = without_record(entry.tcomment)


def _closest(tmpl: POEntry, pool: list[POEntry]) -> POEntry | None:
    if not pool:
        return None
    from rapidfuzz import fuzz, process  # 15 ms to import: only a merge with new text needs it

    best = process.extractOne(tmpl.msgid, [e.msgid for e in pool], scorer=fuzz.ratio,
                              score_cutoff=FUZZY_CUTOFF)
    return pool[best[2]] if best else None


def _fresh(tmpl: POEntry, nplurals: int) -> POEntry:
    entry = POEntry(msgid=tmpl.msgid, msgctxt=tmpl.msgctxt, comment=tmpl.comment,
                    occurrences=list(tmpl.occurrences), flags=[f for f in tmpl.flags if f != "fuzzy"])
    if tmpl.msgid_plural:
        entry.msgid_plural = tmpl.msgid_plural
        entry.msgstr_plural = {i: "" for i in range(nplurals)}
    return entry


def _carry(tmpl: POEntry, old: POEntry, exact: bool, nplurals: int) -> POEntry:
    """The template's entry carrying ``old``'s translation, comments and state."""
    entry = _fresh(tmpl, nplurals)
    entry.tcomment = canonical(old.tcomment) or old.tcomment       # a record as Locum writes it, in whole lines
    plural_changed = (tmpl.msgid_plural or "") != (old.msgid_plural or "")
    fuzzy = "fuzzy" in old.flags or not exact or plural_changed
    if tmpl.msgid_plural:
        entry.msgstr_plural = (dict(old.msgstr_plural) if old.msgid_plural
                               else {**entry.msgstr_plural, 0: old.msgstr})
    else:
        entry.msgstr = old.msgstr if not old.msgid_plural else old.msgstr_plural.get(0, "")
    if fuzzy:
        entry.flags.insert(0, "fuzzy")
        if exact and not plural_changed:
            entry.previous_msgctxt = old.previous_msgctxt
            entry.previous_msgid = old.previous_msgid
            entry.previous_msgid_plural = old.previous_msgid_plural or None
        else:
            entry.previous_msgctxt = old.msgctxt
            entry.previous_msgid = old.msgid
            entry.previous_msgid_plural = old.msgid_plural or None
    return entry


def _obsolete(old: POEntry) -> POEntry:
    entry = POEntry(msgid=old.msgid, msgctxt=old.msgctxt, msgstr=old.msgstr, tcomment=old.tcomment,
                    flags=list(old.flags), obsolete=True,
                    previous_msgctxt=old.previous_msgctxt, previous_msgid=old.previous_msgid,
                    previous_msgid_plural=old.previous_msgid_plural)
    if old.msgid_plural:
        entry.msgid_plural = old.msgid_plural
        entry.msgstr_plural = dict(old.msgstr_plural)
    return entry

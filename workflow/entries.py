"""What a catalog entry says about itself: its translations, whether it is translated, its markets (pure).

Every stage asks these questions of a :class:`polib.POEntry` and answers
them here, the way Babel's ``Message`` carries its own ``fuzzy`` and
``pluralizable``. Only attributes are read, so a test may pass any object
with ``msgid``, ``msgid_plural``, ``msgstr``, ``msgstr_plural``, ``flags``,
``obsolete`` and ``comment``. The approval state lives with the approval
records (:func:`workflow.approval.claimed_state`, :func:`workflow.approval.judge`).
"""

from __future__ import annotations

import copy

from workflow.errors import UsageError


def translations(entry) -> list[str]:
    """The translation of each form in index order: ``[msgstr]``, or ``msgstr[0], msgstr[1], …`` of a plural.

    >>> from workflow.catalogs import POEntry
    >>> translations(POEntry(msgid="day", msgid_plural="days", msgstr_plural={1: "días", 0: "día"}))
    ['día', 'días']
    """
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def shown_translation(entry) -> str:
    """The translation on one line for people: a plural's forms joined with `` | ``."""
    return " | ".join(translations(entry))


def has_translation(entry) -> bool:
    """True when some form holds text (a half-translated plural counts; fuzzy and obsolete do too)."""
    return any(translations(entry))


def plural_gap(entry, nplurals: int | None) -> list[int]:
    """The plural forms a translated plural entry lacks for a catalog with ``nplurals`` forms.

    A form that is absent (not just empty) is what a change of the language's
    plural rules leaves behind (Babel 2.19 gives Spanish a third form): gettext
    then shows English for the numbers that pick it.

    >>> from workflow.catalogs import POEntry
    >>> entry = POEntry(msgid="%d day", msgid_plural="%d days", msgstr_plural={0: "%d día", 1: "%d días"})
    >>> plural_gap(entry, 3), plural_gap(entry, 2)
    ([2], [])
    """
    if nplurals is None or not entry.msgid_plural or not any(entry.msgstr_plural.values()):
        return []
    return [index for index in range(nplurals) if index not in entry.msgstr_plural]


def is_translated(entry, nplurals: int | None = None) -> bool:
    """Live, not fuzzy, and every form translated (all ``nplurals`` of a plural): what a reader could be shown.

    >>> from workflow.catalogs import POEntry
    >>> is_translated(POEntry(msgid="a", msgstr="b")), is_translated(POEntry(msgid="a", msgstr="b", flags=["fuzzy"]))
    (True, False)
    >>> half = POEntry(msgid="day", msgid_plural="days", msgstr_plural={0: "día", 1: ""})
    >>> is_translated(half), has_translation(half)
    (False, True)
    """
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values()) and not plural_gap(entry, nplurals)
    return bool(entry.msgstr)


def source_pairs(entry) -> list[tuple[str, str]]:
    """(source, target) of each translated form; form 0 compares with ``msgid``, the others with ``msgid_plural``."""
    if entry.msgid_plural:
        return [(entry.msgid if index == 0 else entry.msgid_plural, text)
                for index, text in sorted(entry.msgstr_plural.items()) if text]
    return [(entry.msgid, entry.msgstr)] if entry.msgstr else []


def regions(entry) -> frozenset[str]:
    """The markets an entry is limited to (from its ``#. region:`` comment); empty = everywhere.

    >>> from workflow.catalogs import POEntry
    >>> sorted(regions(POEntry(msgid="x", comment="kind: heading\\nregion: gb, us")))
    ['gb', 'us']
    """
    for line in (entry.comment or "").splitlines():
        if line.startswith("region:"):
            return frozenset(r.strip() for r in line[len("region:"):].split(",") if r.strip())
    return frozenset()


def in_market(entry, markets: frozenset[str] | set[str]) -> bool:
    """True when the entry is shown in at least one of ``markets`` (or everywhere)."""
    limited = regions(entry)
    return not limited or bool(limited & markets)


MUTABLE = ("msgstr", "msgstr_plural", "flags", "tcomment", "previous_msgid", "previous_msgid_plural",
           "previous_msgctxt")


def mutable_state(entry) -> dict:
    """What a review action may change in an entry, copied, to put back if the action fails half-way."""
    return {name: copy.copy(getattr(entry, name)) for name in MUTABLE}


def restore_state(entry, state: dict) -> None:
    """Put back what :func:`mutable_state` copied."""
    for name, value in state.items():
        setattr(entry, name, value)


def set_translation(entry, segment: str, shown: str, msgstrs: list[str], nplurals: int) -> None:
    """Put a reviewer's edit (``msgstrs``, one per form) into ``entry``, the segment ``segment`` of ``shown``."""
    if any(not text.strip() for text in msgstrs) or not msgstrs:
        raise UsageError(f"an edit of {segment} cannot leave a translation empty", path=shown)
    if entry.msgid_plural:
        if len(msgstrs) != nplurals:
            raise UsageError(f"{segment} has {nplurals} plural forms; the edit gave {len(msgstrs)}", path=shown)
        entry.msgstr_plural = dict(enumerate(msgstrs))
    elif len(msgstrs) != 1:
        raise UsageError(f"{segment} has no plural forms; the edit gave {len(msgstrs)} texts", path=shown)
    else:
        entry.msgstr = msgstrs[0]

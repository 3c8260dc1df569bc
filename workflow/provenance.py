"""Where a translation came from and who signed it off.

``translate`` writes a provenance line in the translator comments of each
suggestion it makes (:func:`suggestion_note`: ``mt: …`` or ``tm: …`` and a
short digest of the suggested text), so that a later human edit can be told
(:func:`origin`). At compile time the gate records, for the audit trail, who
approved each published entry, when, with which key, and where its text came
from (:func:`approval_info`). The approval record itself is
:mod:`workflow.approval`'s alone.
"""

from __future__ import annotations

import re

from workflow import sshsig
from workflow.approval import Record, Verdict, digest_of, parse_record
from workflow.entries import translations

_SUGGESTED = re.compile(r"^(?P<note>(?:mt|tm): .*?) \(text (?P<digest>[A-Za-z0-9_-]{8})\)$")


def suggestion_note(entry, note: str) -> str:
    """The provenance line ``translate`` writes: ``note`` and a short digest of the suggested translation,
    so a later human edit can be told (:func:`origin`).

    >>> from polib import POEntry
    >>> suggestion_note(POEntry(msgid="Pain", msgstr="Dolor"), "mt: libre 2026-11-22")[:29]
    'mt: libre 2026-11-22 (text MM'
    """
    return f"{note} (text {_translation_digest(entry)})"


def _translation_digest(entry) -> str:
    return digest_of(translations(entry))[:8]


def provenance(comment: str | None) -> str | None:
    """The machine-translation provenance line (``mt: …`` or ``tm: …``), if any, as written."""
    for line in (comment or "").split("\n"):
        if line.startswith(("mt: ", "tm: ")):
            return line
    return None


def origin(entry) -> tuple[str, bool] | None:
    """(where the translation came from, whether it is still exactly what came) for a machine or memory
    suggestion; None for a human translation. A suggestion a person edited is ``post-edited from …``.

    >>> from polib import POEntry
    >>> entry = POEntry(msgid="Pain", msgstr="Dolor")
    >>> entry.tcomment = suggestion_note(entry, "mt: libre 2026-11-22")
    >>> origin(entry)
    ('mt: libre 2026-11-22', True)
    >>> entry.msgstr = "El dolor"
    >>> origin(entry)
    ('post-edited from mt: libre 2026-11-22', False)
    """
    line = provenance(entry.tcomment)
    if line is None:
        return None
    match = _SUGGESTED.match(line)
    if match is None:               # a note of an earlier Locum, without the digest: as it says
        return line, True
    if match.group("digest") == _translation_digest(entry):
        return match.group("note"), True
    return f"post-edited from {match.group('note')}", False


def approval_info(entry, verdict: Verdict | None = None, reviewers: dict | None = None) -> dict:
    """What the audit trail records of an entry: reviewer, time, key fingerprint, meaning and provenance."""
    record = verdict.record if verdict is not None else parse_record(entry.tcomment)
    if not isinstance(record, Record):
        record = None
    came = origin(entry)
    name = (reviewers or {}).get(record.email.lower()) if record else None
    via = {"via": record.via} if record and record.via else {}     # (only then: earlier audits keep their bytes)
    return {**via, "approver": (f"{name} <{record.email}>" if name else record.email) if record else None,
            "date": record.time[:10] if record else None, "time": record.time if record else None,
            "fingerprint": _fingerprint(record, verdict),
            "meaning": record.meaning if record else None,
            "origin": record.origin if record and record.origin else None,
            "provenance": came[0] if came else None}


def _fingerprint(record: Record | None, verdict: Verdict | None) -> str | None:
    """The signing key's fingerprint: the verified one, or the one the record names (for a verified record)."""
    if verdict is not None and verdict.key:
        return sshsig.fingerprint(verdict.key)
    if record is None:
        return None
    try:
        return sshsig.fingerprint(sshsig.parse_blob(record.signature).key)
    except sshsig.SignatureError:
        return None

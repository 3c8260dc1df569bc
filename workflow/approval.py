"""The approval record: one translator-comment line bound by a hash to the text it approves.

``approved-by: Dr Ana López <ana@example.org> 2026-11-22 sha256:<hex>``

The hash covers msgctxt, msgid, msgid_plural and every msgstr, NFC-normalised,
so an approval survives any tool that rewraps or reorders the file (Poedit,
msgcat, msgmerge) and goes stale as soon as either side of the text changes.
This module is the only place that knows the format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

PREFIX = "approved-by: "
REJECT_PREFIX = "rejected-by: "
_RECORD = re.compile(r"^approved-by: (?P<name>.+?) <(?P<email>[^<>\s]+)> "
                     r"(?P<date>\d{4}-\d{2}-\d{2}) sha256:(?P<hash>[0-9a-f]{64})$")


@dataclass(frozen=True)
class Approval:
    name: str
    email: str
    date: dt.date
    digest: str

    def line(self) -> str:
        return f"{PREFIX}{self.name} <{self.email}> {self.date.isoformat()} sha256:{self.digest}"


def text_digest(msgctxt: str | None, msgid: str, msgid_plural: str | None, msgstrs: list[str]) -> str:
    """SHA-256 over the NFC-normalised context, source and translation(s).

    >>> text_digest(None, "Pain", None, ["Dolor"]) == text_digest(None, "Pain", None, ["Dolor"])
    True
    >>> text_digest(None, "Pain", None, ["Dolor"]) == text_digest(None, "Pain", None, ["Dolor."])
    False
    >>> text_digest(None, "Café", None, ["x"]) == text_digest(None, "Cafe\\u0301", None, ["x"])
    True
    """
    parts = [msgctxt if msgctxt is not None else "\x00none", msgid, msgid_plural or "", *msgstrs]
    joined = "\x1f".join(unicodedata.normalize("NFC", part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def entry_digest(entry) -> str:
    msgstrs = ([entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)] if entry.msgid_plural
               else [entry.msgstr])
    return text_digest(entry.msgctxt, entry.msgid, entry.msgid_plural or None, msgstrs)


def parse_approval(comment: str | None) -> Approval | None:
    """The approval record in a translator comment, if any (the last one wins).

    >>> a = parse_approval("checked\\napproved-by: Dr A <a@x.org> 2026-11-22 sha256:" + "0" * 64)
    >>> (a.name, a.email, a.date.isoformat())
    ('Dr A', 'a@x.org', '2026-11-22')
    """
    found = None
    for line in (comment or "").split("\n"):
        match = _RECORD.match(line.strip())
        if match:
            try:
                date = dt.date.fromisoformat(match.group("date"))
            except ValueError:
                continue
            found = Approval(match.group("name"), match.group("email"), date, match.group("hash"))
    return found


def approval_state(entry) -> str:
    """``approved`` (record matches the text), ``stale`` (text changed since), or ``none``."""
    record = parse_approval(entry.tcomment)
    if record is None:
        return "none"
    return "approved" if record.digest == entry_digest(entry) else "stale"


def with_approval(comment: str | None, approval: Approval) -> str:
    """``comment`` with any earlier approval or rejection replaced by ``approval``."""
    kept = [line for line in (comment or "").split("\n")
            if line and not line.startswith((PREFIX, REJECT_PREFIX))]
    return "\n".join(kept + [approval.line()])


def with_rejection(comment: str | None, name: str, email: str, date: dt.date, reason: str) -> str:
    """``comment`` with the approval removed and the reviewer's reason recorded."""
    kept = [line for line in (comment or "").split("\n")
            if line and not line.startswith((PREFIX, REJECT_PREFIX))]
    reason = " ".join(reason.split())
    return "\n".join(kept + [f"{REJECT_PREFIX}{name} <{email}> {date.isoformat()}: {reason}"])


def provenance(comment: str | None) -> str | None:
    """The machine-translation provenance line (``mt: …`` or ``tm: …``), if any."""
    for line in (comment or "").split("\n"):
        if line.startswith(("mt: ", "tm: ")):
            return line
    return None

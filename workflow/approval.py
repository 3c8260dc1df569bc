"""The approval record: a reviewer's signed decision on one entry, kept in its translator comments.

A record is a few short comment lines (none longer than 72 characters, so
no PO tool rewraps them: polib wraps at 78, Babel at 76), in this order::

    # approval: approved 2026-11-22T10:15:03Z
    # approval-by: ana.lopez@example.org
    # approval-source: <SHA-256 of context and source, base64url>
    # approval-text: <SHA-256 of context, source and translation, base64url>
    # approval-origin: mt: libre 2026-11-20        (an accepted suggestion only)
    # approval-via: review-server                   (made in the review server only)
    # approval-reason: …                            (a rejection only; one or more)
    # approval-sig: <SSHSIG blob, base64, 56 characters a line>

The signature (OpenSSH's SSHSIG format, namespace ``locum-approval``) covers
:meth:`Record.message`: the meaning, the reviewer's e-mail, the UTC time, the
catalog (known from the file's place, so a record moved to another catalog
no longer verifies), both digests, the origin, ``via`` and the reason.

A record made in the browser (:mod:`workflow.server`) is signed by the review
server's key (``[review_server]`` in ``locum.toml``) in the name of the
signed-in reviewer and says ``via: review-server``, as a code host signs a
commit made in its web editor. A record is:

- ``approved``: it verifies, by a key declared for a reviewer allowed for the
  catalog (or by the server's key, naming such a reviewer), and the text is
  the one it names;
- ``stale``: it verifies, but the text changed since;
- ``unverified``: it verifies, but its key (the reviewer's or the server's)
  is retired or its reviewer no longer declared for the catalog;
- ``forged``: anything else (hand-written, altered, copied from another
  entry, signed with a key nobody declares, dated in the future, damaged,
  an unsigned record of an earlier Locum; signed by the server without
  ``via``, or in the name of nobody declared; ``via`` without the server's key).

This module is the only place that knows the format.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from workflow import sshsig
from workflow.entries import translations

NAMESPACE = "locum-approval"
KEY = "approval"
VIA_SERVER = "review-server"            # Record.via of a record made in the review server
SERVER_PRINCIPAL = "locum-review-server"    # the server's key's comment, and its principal in allowed-signers
SIG_WIDTH, REASON_WIDTH = 56, 48
SKEW = dt.timedelta(minutes=10)         # clocks of reviewers' machines may run ahead this much
_FIELD = re.compile(r"^approval(?:-(by|source|text|origin|via|reason\+?|sig))?: ?(.*)$")
_JOINED = re.compile(r"\S approval(?:-(?:by|source|text|origin|via|reason\+?|sig))?: ")
_LEGACY = re.compile(r"^(?:approved-by|rejected-by): |^sha256:[0-9a-f]{0,64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_DIGEST = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def digest_of(parts: list[str | None]) -> str:
    """The SHA-256 (base64url) of ``parts`` in NFC, joined by U+001F (None told from an empty string)."""
    joined = "\x1f".join("\x00none" if part is None else unicodedata.normalize("NFC", part) for part in parts)
    return _b64(hashlib.sha256(joined.encode("utf-8")).digest())


def source_digest(entry) -> str:
    """What identifies the entry: its context and source text (NFC).

    >>> from polib import POEntry
    >>> source_digest(POEntry(msgid="Pain", msgstr="Dolor")) == source_digest(POEntry(msgid="Pain"))
    True
    """
    return digest_of([entry.msgctxt, entry.msgid, entry.msgid_plural or ""])


def text_digest(entry) -> str:
    """What the reviewer judged: context, source and every translation (NFC).

    >>> from polib import POEntry
    >>> text_digest(POEntry(msgid="Café", msgstr="x")) == text_digest(POEntry(msgid="Cafe\\u0301", msgstr="x"))
    True
    >>> text_digest(POEntry(msgid="Pain", msgstr="Dolor")) == text_digest(POEntry(msgid="Pain", msgstr="Dolor."))
    False
    """
    return digest_of([entry.msgctxt, entry.msgid, entry.msgid_plural or "", *translations(entry)])


def utc_stamp(when: dt.datetime) -> str:
    """``2026-11-22T10:15:03Z``.

    >>> utc_stamp(dt.datetime(2026, 11, 22, 11, 15, 3, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '2026-11-22T10:15:03Z'
    """
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Record:
    """One signed decision. ``meaning`` is ``approved`` or ``rejected``; ``time`` a :func:`utc_stamp`."""

    meaning: str
    time: str
    email: str
    source: str
    text: str
    signature: bytes = b""
    reason: str = ""
    origin: str = ""
    via: str = ""           # VIA_SERVER for a record the review server signed

    def message(self, catalog: str) -> bytes:
        """The bytes the reviewer's key signs (``ssh-keygen -Y verify`` checks them as they are)."""
        lines = ["Locum approval record, version 1", f"meaning: {self.meaning}", f"reviewer: {self.email}",
                 f"time: {self.time}", f"catalog: {catalog}", f"source: {self.source}", f"text: {self.text}"]
        if self.origin:
            lines.append(f"origin: {self.origin}")
        if self.via:
            lines.append(f"via: {self.via}")
        if self.reason:
            lines.append(f"reason: {self.reason}")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def lines(self) -> list[str]:
        """The record's comment lines, in canonical form."""
        out = [f"{KEY}: {self.meaning} {self.time}", f"{KEY}-by: {self.email}", f"{KEY}-source: {self.source}",
               f"{KEY}-text: {self.text}"]
        if self.origin:
            out.append(f"{KEY}-origin: {self.origin}")
        if self.via:
            out.append(f"{KEY}-via: {self.via}")
        out += _reason_lines(self.reason)
        text = base64.b64encode(self.signature).decode()
        out += [f"{KEY}-sig: {text[i:i + SIG_WIDTH]}" for i in range(0, len(text), SIG_WIDTH)]
        return out


def _reason_lines(reason: str) -> list[str]:
    """A reason in lines no tool rewraps: ``approval-reason:`` goes on after a space, ``approval-reason+:``
    without one (the rest of a word too long for a line).

    >>> _reason_lines("Use " + "x" * 50 + " here")
    ['approval-reason: Use', 'approval-reason: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'approval-reason+: xx here']
    """
    out: list[list] = []            # [joins the previous line without a space, text]
    for word in reason.split():
        pieces = [word[i:i + REASON_WIDTH] for i in range(0, len(word), REASON_WIDTH)]
        if out and len(out[-1][1]) + 1 + len(pieces[0]) <= REASON_WIDTH:
            out[-1][1] += " " + pieces[0]
        else:
            out.append([False, pieces[0]])
        out += [[True, piece] for piece in pieces[1:]]
    return [f"{KEY}-reason{'+' if glued else ''}: {text}" for glued, text in out]


@dataclass(frozen=True)
class Damaged:
    """Record lines that do not make a record (cut, reordered beyond repair, or an old unsigned record)."""

    reason: str


def is_record_line(line: str) -> bool:
    return bool(_FIELD.match(line) or _LEGACY.match(line))


@lru_cache(maxsize=4096)
def parse_record(comment: str | None) -> Record | Damaged | None:
    """The record in a translator comment: a :class:`Record`, :class:`Damaged`, or None when there is none.

    Cached by the comment's text (both answers are frozen): update, check,
    the gate and the review tools each ask about the same entries, and a
    cold publish parsed every record four times. A comment that ends in a
    record exactly as Locum writes it is read in one match
    (:func:`_canonical_record`); any other goes line by line.
    """
    return _canonical_record(comment) or _parse_lines(comment)


_CANONICAL = re.compile(
    rf"{KEY}: (approved|rejected) (\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}Z)\n"
    rf"{KEY}-by: ([^\n]+)\n{KEY}-source: ([A-Za-z0-9_-]{{43}})\n{KEY}-text: ([A-Za-z0-9_-]{{43}})\n"
    rf"(?:{KEY}-origin: ([^\n]+)\n)?(?:{KEY}-via: ([^\n]+)\n)?"
    rf"((?:{KEY}-sig: [A-Za-z0-9+/=]{{{SIG_WIDTH}}}\n)*{KEY}-sig: [A-Za-z0-9+/=]{{1,{SIG_WIDTH}}})")


def _canonical_record(comment: str | None) -> Record | None:
    """The record that ends ``comment`` if it is exactly as :meth:`Record.lines` writes it (no reason) and
    no other line before it could be part of a record; else None, for :func:`_parse_lines` to judge.

    The same answer as :func:`_parse_lines` in half the time (a cold publish parses every record): the
    lines before the record hold none of the prefixes that parser looks at; the record's lines come in
    the canonical order, one each, with no space to strip around a value; and none is longer than 80
    characters (a longer one could be several fields a tool joined, which that parser takes apart).
    ``tests/test_approval_parse.py`` holds the two to the same answers.
    """
    if not comment:
        return None
    at = comment.find(f"{KEY}: ")
    if at < 0 or (at and comment[at - 1] != "\n"):
        return None
    before = comment[:at]
    if "approv" in before or "rejected-by" in before or "sha256:" in before:
        return None
    match = _CANONICAL.fullmatch(comment, at)
    if match is None:
        return None
    meaning, stamp, email, source, text, origin, via, sig = match.groups()
    for name, value in (("by", email), ("origin", origin), ("via", via)):
        if value is not None and (value != value.strip() or len(KEY) + len(name) + 3 + len(value) > 80):
            return None
    try:
        signature = base64.b64decode(sig.replace(f"\n{KEY}-sig: ", "").removeprefix(f"{KEY}-sig: "), validate=True)
    except ValueError:
        return None
    return Record(meaning, stamp, email, source, text, signature, "", origin or "", via or "")   # never unsigned:
    # the pattern wants a character of signature, and base64 that decodes decodes to a byte at least


def _parse_lines(comment: str | None) -> Record | Damaged | None:
    """:func:`parse_record` line by line: any order, any spacing, damage told apart."""
    fields: dict[str, list[str]] = {}
    legacy = False
    joined: list[str] = []
    for raw in (comment or "").split("\n"):
        line = raw.strip()
        if not line.startswith(("approv", "rejected-by", "sha256:")):      # the translator's own lines
            continue
        match = _FIELD.match(line)
        if match and len(line) > 80 and _JOINED.search(line):      # Locum writes none longer than 72
            joined.append(line)     # a tool put the record's lines on one (an XLIFF note without xml:space)
        elif match:
            fields.setdefault(match.group(1) or "", []).append(match.group(2).strip())
        elif _LEGACY.match(line):
            legacy = True
    if not fields:
        return Damaged("an unsigned approval record of an earlier Locum: approve the entry again, with a "
                       "signing key") if legacy else None
    single = {}
    for name in ("", "by", "source", "text", "origin", "via"):
        values = fields.get(name, [])
        if len(values) > 1:
            return Damaged(f"the record has {len(values)} '{KEY}{'-' + name if name else ''}:' lines")
        single[name] = values[0] if values else ""
    head = single[""].split()
    if len(head) != 2 or head[0] not in ("approved", "rejected") or not _TIME.match(head[1]):
        return Damaged(f"the '{KEY}:' line must say 'approved' or 'rejected' and a UTC time")
    if not single["by"] or not _DIGEST.match(single["source"]) or not _DIGEST.match(single["text"]):
        return Damaged("the record lacks its reviewer or digests")
    try:
        signature = base64.b64decode("".join(fields.get("sig", [])), validate=True)
    except ValueError:
        return Damaged("the signature is not base64")
    if not signature:
        return Damaged("the record is not signed")
    reason = _join_reason(comment) if "reason" in fields or "reason+" in fields else ""
    record = Record(head[0], head[1], single["by"], single["source"], single["text"], signature, reason,
                    single["origin"], single["via"])
    if any(" ".join(line.split()) != " ".join(record.lines()) for line in joined):
        return Damaged("a comment line holds several record fields that are not this record's")
    return record


def _join_reason(comment: str) -> str:
    text = ""
    for raw in comment.split("\n"):
        match = _FIELD.match(raw.strip())
        if match and match.group(1) in ("reason", "reason+"):
            piece = match.group(2).strip()
            text += piece if match.group(1) == "reason+" or not text else f" {piece}"
    return text


def without_record(comment: str | None) -> str:
    """``comment`` with every record line removed (also old unsigned records and their orphan pieces)."""
    return "\n".join(line for line in (comment or "").split("\n") if line and not is_record_line(line.strip()))


def with_record(comment: str | None, record: Record) -> str:
    """``comment`` with its record, if any, replaced by ``record`` (the translator's own lines kept, first)."""
    kept = without_record(comment)
    return "\n".join(([kept] if kept else []) + record.lines())


def canonical(comment: str | None) -> str | None:
    """``comment`` with a readable record rewritten in canonical form; None when nothing changes.

    ``update`` uses it: a tool that reordered or re-chunked the lines gets them back
    as Locum writes them, and no orphan line of an earlier record stays behind.
    """
    record = parse_record(comment)
    if not isinstance(record, Record):
        return None
    text = with_record(comment, record)
    return None if text == (comment or "") else text


def sign_record(entry, catalog: str, meaning: str, email: str, signer: sshsig.Signer,
                when: dt.datetime | None = None, reason: str = "", origin: str = "", via: str = "") -> Record:
    """A new record of ``meaning`` on ``entry`` by ``email``, signed with ``signer`` (the reviewer's key, or the
    server's with ``via`` :data:`VIA_SERVER`)."""
    when = when or dt.datetime.now(dt.timezone.utc)
    unsigned = Record(meaning, utc_stamp(when), email, source_digest(entry), text_digest(entry),
                      reason=" ".join(reason.split()), origin=origin, via=via)
    return replace(unsigned, signature=signer.sign(unsigned.message(catalog), NAMESPACE))


@dataclass(frozen=True)
class Trust:
    """Who may sign for one catalog: raw key → (reviewer e-mail, lower-case; may approve this catalog now).

    Keys of reviewers declared for the catalog are usable; their retired keys,
    and keys of reviewers not (or no longer) declared for it, verify but do not
    open the gate. A key in neither is nobody's. ``server``: the review
    server's keys → usable (False for a retired one); ``reviewers``: every
    declared e-mail (lower-case) → may approve this catalog, for the records
    the server signs in a reviewer's name.
    """

    catalog: str
    keys: dict = field(default_factory=dict, hash=False)
    server: dict = field(default_factory=dict, hash=False)
    reviewers: dict = field(default_factory=dict, hash=False)


def trust_for(reviewers, catalog: str, server_keys=(), server_retired_keys=()) -> Trust:
    """The :class:`Trust` of ``catalog`` from the declared reviewers (``config.reviewers``) and the review
    server's keys (``config.server_keys``, ``config.server_retired_keys``)."""
    keys: dict[bytes, tuple[str, bool]] = {}
    allowed: dict[str, bool] = {}
    for reviewer in reviewers:
        email = reviewer.email.lower()
        allowed[email] = allowed.get(email, False) or catalog in reviewer.catalogs
        for line in reviewer.retired_keys:
            keys[sshsig.parse_public_key(line)] = (email, False)
        for line in reviewer.keys:
            keys[sshsig.parse_public_key(line)] = (email, catalog in reviewer.catalogs)
    server = {sshsig.parse_public_key(line): False for line in server_retired_keys}
    server.update({sshsig.parse_public_key(line): True for line in server_keys})
    return Trust(catalog, keys, server, allowed)


@dataclass(frozen=True)
class Verdict:
    state: str
    record: Record | None = None
    reason: str = ""
    key: bytes | None = None


def judge(entry, trust: Trust, siblings=None, now: dt.datetime | None = None) -> Verdict:
    """The state of ``entry``'s record in ``trust.catalog`` (see the module's docstring).

    ``siblings`` (the catalog's entries) lets a record copied from another
    entry be told from one whose text merely changed.
    """
    record = parse_record(entry.tcomment)
    if record is None:
        return Verdict("none")
    if isinstance(record, Damaged):
        return Verdict("forged", reason=record.reason)
    key = sshsig.verify(record.signature, record.message(trust.catalog), NAMESPACE)
    if key is None:
        return Verdict("forged", record, "the signature does not hold for this record in this catalog "
                                         "(written or altered by hand, or copied from another catalog)")
    owner = _owner(record, key, trust)
    if isinstance(owner, str):
        return Verdict("forged", record, owner, key)
    usable = owner
    if record.time > (_horizon() if now is None else utc_stamp(now + SKEW)):      # ISO times sort as text
        return Verdict("forged", record, f"dated in the future ({record.time})", key)
    if not usable:
        whose = "the review server's key" if key in trust.server else "its key"
        return Verdict("unverified", record, f"{whose} ({sshsig.fingerprint(key)}) is retired, or {record.email} is "
                                             f"no longer declared for {trust.catalog}", key)
    if record.meaning == "rejected":
        return Verdict("rejected", record, record.reason, key)
    if record.text == text_digest(entry):
        return Verdict("approved", record, "", key)
    if (record.source != source_digest(entry) and "fuzzy" not in entry.flags and siblings is not None
            and record.source in _sources(siblings)):       # (a fuzzy match copies comments: update drops those)
        return Verdict("forged", record, "copied from another entry of this catalog", key)
    return Verdict("stale", record, "the text changed after it was approved", key)


_HORIZONS: dict[int, str] = {}


def _horizon() -> str:
    """The latest :func:`utc_stamp` a record may bear now (the clock plus :data:`SKEW`), made once a second:
    a cold publish judges a quarter of a million records, and making it each time was 3 µs of 100."""
    second = int(time.time())
    found = _HORIZONS.get(second)
    if found is None:
        _HORIZONS.clear()
        found = _HORIZONS[second] = utc_stamp(dt.datetime.fromtimestamp(second, dt.timezone.utc) + SKEW)
    return found


def _owner(record: Record, key: bytes, trust: Trust) -> bool | str:
    """Whether the verified ``key`` may sign ``record`` for the catalog now (True), only once did (False), or
    why it never could (a message: the record is forged)."""
    if key in trust.server:
        if record.via != VIA_SERVER:
            return (f"signed with the review server's key ({sshsig.fingerprint(key)}) but not made through "
                    f"it (no 'via: {VIA_SERVER}')")
        if record.email.lower() not in trust.reviewers:
            return f"signed by the review server in the name of {record.email}, who is not a declared reviewer"
        return trust.server[key] and trust.reviewers[record.email.lower()]
    if record.via:
        return f"says it was made via {record.via} but is not signed with the review server's key"
    owner = trust.keys.get(key)
    if owner is None:
        return f"signed with a key no reviewer declares ({sshsig.fingerprint(key)})"
    email, usable = owner
    if email != record.email.lower():
        return f"signed with {email}'s key in the name of {record.email}"
    return usable


def _sources(po) -> set[str]:
    cached = getattr(po, "source_digests", None)
    if cached is None:
        cached = {source_digest(entry) for entry in po if not entry.obsolete}
        try:
            po.source_digests = cached
        except AttributeError:
            pass
    return cached


def claimed_state(entry) -> str:
    """``approved``, ``stale`` or ``none`` from the record's text digest alone, WITHOUT verifying it.

    For ranking translation-memory matches and choosing what to prefill,
    never for the gate: use :func:`judge`.
    """
    record = parse_record(entry.tcomment)
    if not isinstance(record, Record) or record.meaning != "approved":
        return "none"
    return "approved" if record.text == text_digest(entry) else "stale"


def allowed_signers(reviewers, server_keys) -> str:
    """An OpenSSH allowed-signers file of every declared key (retired keys are left out): each reviewer's under
    their e-mail, the review server's under the principal ``locum-review-server`` (verify a record that says
    ``via: review-server`` with ``-I locum-review-server``; its ``reviewer:`` line names who approved)."""
    lines = ["# Locum reviewers' keys, from locales/locum.toml: ssh-keygen -Y verify -f THIS_FILE "
             f"-I EMAIL -n {NAMESPACE} -s MESSAGE.sig < MESSAGE",
             f"# a record made in the review server (via: {VIA_SERVER}): -I {SERVER_PRINCIPAL}"]
    for reviewer in reviewers:
        for line in reviewer.keys:
            lines.append(f'{reviewer.email} namespaces="{NAMESPACE}" {sshsig.public_line(sshsig.parse_public_key(line))}')
    for line in server_keys:
        lines.append(f'{SERVER_PRINCIPAL} namespaces="{NAMESPACE}" {sshsig.public_line(sshsig.parse_public_key(line))}')
    return "\n".join(lines) + "\n"

"""The publish gate: catalogs → ``.mo`` files holding only the entries readers may see."""

from __future__ import annotations

import array
import hashlib
import json
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from workflow.approval import Trust, claimed_state, judge, trust_for
from workflow.catalogs import POEntry, POFile, parse_catalog, plural_count
from workflow.checks import ERROR
from workflow.config import CONFIG_PATH, Config
from workflow.entries import is_translated
from workflow.errors import CatalogError, ErrorList, LocumError
from workflow.fileio import write_atomic
from workflow.findings import APPROVAL, cached_findings, check_entry, check_inputs
from workflow.glossary import GLOSSARY_PATH, Glossary, load_glossary
from workflow.languages import SOURCE_LANGUAGE
from workflow.parallel import map_ordered
from workflow.project import Progress, display_path, select_catalogs
from workflow.provenance import approval_info
from workflow.stamps import Stamps, digest, file_bytes
from workflow.translations import MO_KEY


def passes_gate(entry: POEntry, catalog: str, glossary: Glossary | None, trust: Trust,
                known_errors: set[str] | None = None, nplurals: int | None = None, siblings=None,
                source_language: str = SOURCE_LANGUAGE) -> bool:
    """The one place that decides whether a translation may reach readers.

    Translated (every plural form), not fuzzy, not obsolete, approved for
    exactly this text by a signature that verifies against a key declared for
    a reviewer allowed for ``catalog`` (``trust``; :func:`workflow.approval.judge`),
    and no check reports a blocking error. ``known_errors`` (msgids with an
    error or an unverified record, from a check of these very bytes) spares
    running the checks and verifying the signatures again: that check judged
    every record, so one it did not flag verifies, and comparing its text
    digest tells approved from stale. ``nplurals`` (the catalog's Plural-Forms) is the number of forms a
    plural entry must have; ``siblings`` the catalog's entries.
    """
    if not is_translated(entry, nplurals):
        return False
    if known_errors is not None:        # a check of these very bytes judged every record: one it did not flag verifies
        return claimed_state(entry) == "approved" and entry.msgid not in known_errors
    if judge(entry, trust, siblings).state != "approved":
        return False
    return not any(severity == ERROR for _, severity, _ in check_entry(entry, catalog, glossary, nplurals,
                                                                     siblings=siblings,
                                                                     source_language=source_language))


def gated_entries(po: POFile, catalog: str, glossary: Glossary | None, trust: Trust,
                  known_errors: set[str] | None = None, source_language: str = SOURCE_LANGUAGE) -> list[POEntry]:
    nplurals = plural_count(po.metadata.get("Plural-Forms"))
    return [entry for entry in po if passes_gate(entry, catalog, glossary, trust, known_errors, nplurals, po,
                                                      source_language)]


def mo_messages(po: POFile, admitted: list[POEntry]) -> dict[bytes, bytes]:
    """The key → value pairs of a ``.mo``: the catalog's header plus the ``admitted`` entries."""
    header = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    messages = {b"": header.encode("utf-8")}
    for entry in admitted:
        key = entry.msgid
        if entry.msgid_plural:
            key += "\0" + entry.msgid_plural
            value = "\0".join(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            value = entry.msgstr
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        messages[key.encode("utf-8")] = value.encode("utf-8")
    return messages


def mo_bytes(messages: dict[bytes, bytes]) -> bytes:
    """A GNU ``.mo`` file (little-endian, no hash table), built in linear time.

    polib's and Babel's writers grow quadratically with catalog size; this one
    does one sort and one pass, like CPython's ``Tools/i18n/msgfmt.py``.

    >>> import gettext, io
    >>> data = mo_bytes({b"": b"Content-Type: text/plain; charset=UTF-8\\n", b"Hello": "Hola".encode()})
    >>> gettext.GNUTranslations(io.BytesIO(data)).gettext("Hello")
    'Hola'
    """
    keys = sorted(messages)
    count = len(keys)
    keystart = 7 * 4 + 16 * count
    ids_size = sum(len(k) + 1 for k in keys)
    koffsets, voffsets = array.array("I"), array.array("I")
    kpos, vpos = keystart, keystart + ids_size
    for key in keys:
        value = messages[key]
        koffsets.extend((len(key), kpos))
        voffsets.extend((len(value), vpos))
        kpos += len(key) + 1
        vpos += len(value) + 1
    header = array.array("I", [0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0])
    if header.itemsize != 4 or sys.byteorder != "little":  # pragma: no cover
        raise RuntimeError("the .mo writer assumes 32-bit little-endian integers")
    return b"".join([header.tobytes(), koffsets.tobytes(), voffsets.tobytes(),
                     b"".join(k + b"\0" for k in keys), b"".join(messages[k] + b"\0" for k in keys)])


@dataclass(frozen=True)
class CompileResult:
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    admitted: int
    held_back: int


def mo_path(po_path: Path) -> Path:
    return po_path.with_suffix(".mo")


def audit_path(po_path: Path) -> Path:
    """Beside each ``.mo``: who approved each admitted entry, for the build's audit trail."""
    return po_path.with_suffix(".audit.json")


@dataclass(frozen=True)
class _Job:
    """One catalog to compile; everything a worker process needs, picklable."""

    name: str
    path: Path
    shown: str
    shared: str                             # digest of the config and glossary
    content: str                            # SHA-256 of the catalog's bytes as compile_catalogs read them
    trust: Trust
    names: tuple[tuple[str, str], ...]      # (e-mail, lower-case; display name) of the declared reviewers
    known_errors: frozenset[str] | None
    glossary: Glossary | None
    source_language: str


def _compile_one(job: _Job) -> tuple[bytes, bytes, int, int, str]:
    """(``.mo`` bytes, audit bytes, both zlib-compressed; admitted, held back, SHA-256 of the bytes compiled)
    of one catalog.

    Compressed because the caller holds every catalog's result until all are
    known good (nothing is written when one fails): on the 1,000-article
    bench, compile's peak RSS went from 275 MB to 99 MB this way.

    ``known_errors`` speak of the bytes ``compile_catalogs`` read; a catalog
    saved anew since is gated from scratch (every record verified again).
    """
    try:
        data = job.path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path=job.shown) from None
    content = hashlib.sha256(data).hexdigest()
    known = job.known_errors if content == job.content else None
    po = parse_catalog(data, job.shown)
    entries = gated_entries(po, job.name, job.glossary, job.trust, None if known is None else set(known),
                            job.source_language)
    held = sum(1 for e in po if not e.obsolete) - len(entries)
    names = dict(job.names)
    audit = {e.msgid: approval_info(e, None, names) for e in entries}      # the gate verified each one
    audit[INPUTS_KEY] = digest(job.shared, job.name, data)
    audit[HELD_KEY] = held
    mo = mo_bytes(mo_messages(po, entries))
    audit[MO_KEY] = hashlib.sha256(mo).hexdigest()       # the build opens no .mo but this one
    return (zlib.compress(mo, 1), zlib.compress(json.dumps(audit, ensure_ascii=False, sort_keys=True).encode(), 1),
            len(entries), held, content)


def compile_catalogs(config: Config, locale: str | None = None, progress: Progress | None = None,
                     ) -> CompileResult:
    """Write ``<slug>.mo`` beside every ``<slug>.po`` of the selected catalogs (gather, then write).

    Catalogs whose inputs are unchanged since the last compile are skipped, known by the
    ``stat`` signatures of the catalog and its outputs (no file is read), or else by the
    inputs digest kept in the audit sidecar; the others are compiled on every core (same
    bytes as a serial run).

    compile owns the ``.mo`` files: the audit sidecar records the SHA-256 of
    the ``.mo`` written with it, and a catalog counts as unchanged only while
    its ``.mo`` still holds those bytes. One written or altered by anything
    else (a hand-run ``msgfmt``, an editor) is compiled again, and the build
    refuses a ``.mo`` its sidecar does not vouch for
    (:func:`workflow.translations.load_chain`).
    """
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    shared = digest((config.root / CONFIG_PATH).read_bytes(), file_bytes(config.root / GLOSSARY_PATH))
    stamps, checked = Stamps(config.root), check_inputs(config)
    paths = [(name, p) for name in select_catalogs(config, locale) for p in config.po_files(name)]
    unchanged: list[Path] = []
    jobs: list[_Job] = []
    trusts: dict[str, Trust] = {}
    names = tuple((r.email.lower(), r.name) for r in config.reviewers)
    admitted = held = 0
    for name, path in paths:
        unit = f"compile:{name}/{path.stem}"
        if stamps.fresh(unit, _outcome(stamps, shared, name, path)):     # nothing read: stat signatures
            unchanged.append(mo_path(path))
            count, kept_back = stamps.payload(unit)
            admitted, held = admitted + count, held + kept_back
            continue
        data = path.read_bytes()
        inputs = digest(shared, name, data)
        previous = _previous_audit(path)
        if (previous.get(INPUTS_KEY) == inputs     # same catalog, glossary, config and code: nothing to do,
                and previous.get(MO_KEY) == stamps.file(mo_path(path))):   # if the .mo is the one compile wrote
            count = sum(1 for key in previous if not key.startswith("\x00"))
            unchanged.append(mo_path(path))
            admitted += count
            held += previous.get(HELD_KEY, 0)
            stamps.record(unit, _outcome(stamps, shared, name, path), [count, previous.get(HELD_KEY, 0)])
            continue
        findings = cached_findings(stamps, checked, name, path, data)     # 'locum check' just ran?
        known = None if findings is None else frozenset(f.msgid for f in findings      # errors, and records
                                                        if f.severity == ERROR or f.check == APPROVAL)  # not verified
        if name not in trusts:
            trusts[name] = trust_for(config.reviewers, name, config.server_keys, config.server_retired_keys)
        jobs.append(_Job(name, path, display_path(config, path), shared, hashlib.sha256(data).hexdigest(),
                         trusts[name], names, known, glossary, config.source_language))
    results = map_ordered(_compile_one, jobs, progress=progress)
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    written = []
    for job, (packed_mo, packed_audit, count, kept_back, content) in zip(jobs, results):
        mo, audit = zlib.decompress(packed_mo), zlib.decompress(packed_audit)
        admitted, held = admitted + count, held + kept_back
        if write_atomic(mo_path(job.path), mo, durable=False):     # made again if lost (see write_atomic)
            written.append(mo_path(job.path))
        else:
            unchanged.append(mo_path(job.path))
        write_atomic(audit_path(job.path), audit, durable=False)
        stamps.record(f"compile:{job.name}/{job.path.stem}",        # the bytes compiled, even if saved anew since
                      _outcome(stamps, shared, job.name, job.path, content),
                      [count, kept_back])
    stamps.save()
    return CompileResult(tuple(written), tuple(unchanged), admitted, held)


def _outcome(stamps: Stamps, shared: str, name: str, path: Path, content: str | None = None) -> str:
    """Digest of a catalog's compile, inputs and outputs, from ``stat``-cached file digests
    (``content``: the catalog's digest as compiled, instead of as it is now)."""
    stem = os.fspath(path)[:-len(".po")]
    return digest(shared, name, "traced .mo", content or stamps.file(path), stamps.file(f"{stem}.mo"),
                  stamps.file(f"{stem}.audit.json"))


INPUTS_KEY, HELD_KEY = "\x00inputs", "\x00held"   # cannot clash with a msgid: PO strings have no NUL


def _previous_audit(po_path: Path) -> dict:
    """What the compile that wrote this catalog's ``.mo`` recorded, with its input digest ({} if unknown)."""
    if not mo_path(po_path).exists():
        return {}
    try:
        audit = json.loads(audit_path(po_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return audit if isinstance(audit, dict) else {}

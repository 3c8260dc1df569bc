"""Findings: what the checks say of a catalog entry, and the record of an earlier check of the same bytes.

The check stage reports them, compile's gate and review consult them; none of
those stages imports another for it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from workflow.approval import Trust, Verdict, judge
from workflow.catalogs import POEntry, POFile, plural_count
from workflow.checks import ERROR, WARNING, Pair, run_checks
from workflow.config import CONFIG_PATH, Config
from workflow.entries import plural_gap, source_pairs
from workflow.glossary import GLOSSARY_PATH, Glossary
from workflow.languages import SOURCE_LANGUAGE
from workflow.stamps import Stamps, digest, file_bytes

ANNOTATION = "(locum) "
APPROVAL = "approval"        # the check id of findings about approval records

# Check results kept by what they were run on (see keep_check_results); off unless a long-running process asks.
_CHECKED: dict = {}
_KEEP = [0]


def keep_check_results(limit: int) -> None:
    """Keep up to ``limit`` check results in this process (0: none, the default), forgotten all at once past it.

    The review server checks a segment when a reviewer approves it and again
    when the view is made after the write, on the same source, translation
    and glossary (an approval changes only the record, which the checks do
    not read): the checks were a sixth of its CPU. A command that checks each
    entry once would only pay memory for it.
    """
    _KEEP[0] = limit
    _CHECKED.clear()


def _run_checks(pair: Pair) -> tuple:
    """:func:`run_checks` of ``pair``, kept if :func:`keep_check_results` asked.

    Kept under the glossary object itself, not its value (a glossary is not
    hashable, and hashing every term per pair would cost what the checks do):
    the glossary is held with the result, so its id names no other object
    while the result is kept, and it is compared by identity on the way out.
    The server gets the same object for the same bytes (:func:`workflow.glossary.glossary_of`).
    """
    if not _KEEP[0]:
        return tuple(run_checks(pair))
    key = (id(pair.glossary), pair.source, pair.target, pair.catalog, pair.language, pair.flags,
           pair.msgid_plural, pair.source_language, pair.subject)
    kept = _CHECKED.get(key)
    if kept is not None and kept[0] is pair.glossary:
        return kept[1]
    found = tuple(run_checks(pair))
    if len(_CHECKED) >= _KEEP[0]:
        _CHECKED.clear()
    _CHECKED[key] = (pair.glossary, found)
    return found


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    severity: str
    check: str
    message: str
    locale: str
    msgid: str

    def as_text(self) -> str:
        return f"{self.path}:{self.line}: {self.severity} [{self.check}] {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def check_entry(entry: POEntry, catalog: str, glossary: Glossary | None, nplurals: int | None = None,
                trust: Trust | None = None, siblings=None, source_language: str = SOURCE_LANGUAGE,
                verdict: Verdict | None = None) -> list[tuple[str, str, str]]:
    """(check id, severity, message) for one entry (pure).

    ``nplurals`` is its catalog's (see :func:`workflow.entries.plural_gap`);
    ``source_language`` the project's, whose data (:mod:`workflow.languages`)
    the checks read the source text with.

    With ``trust`` (who may sign for the catalog) and ``siblings`` (its entries),
    the approval record is judged too: a forged one is an error, one whose key
    or reviewer is no longer declared a warning. ``verdict``: the caller's
    :func:`~workflow.approval.judge` of it with that ``trust`` and those ``siblings``, if it has one.
    """
    language = catalog.split("_")[0]
    found = []
    if trust is not None and entry.tcomment:
        verdict = verdict if verdict is not None else judge(entry, trust, siblings)
        if verdict.state == "forged":
            found.append((APPROVAL, ERROR, f"forged approval record: {verdict.reason}; it does not open the "
                                           "gate (a reviewer who checked the text approves it again)"))
        elif verdict.state == "unverified":
            found.append((APPROVAL, WARNING, f"unverified approval: {verdict.reason}"))
    missing = plural_gap(entry, nplurals)
    if missing:
        found.append(("plural-forms", ERROR, f"no msgstr[{'], msgstr['.join(map(str, missing))}]: this catalog's "
                      f"Plural-Forms header has nplurals={nplurals}, and each form needs its translation"))
    flags, subject = tuple(entry.flags), article_subject(siblings)
    for source, target in source_pairs(entry):
        for check, message in _run_checks(Pair(source, target, catalog, language, glossary, flags,
                                               entry.msgid_plural or None, source_language, subject)):
            found.append((check.id, check.severity, message))
    return list(dict.fromkeys(found))


def article_subject(entries) -> str:
    """The source of an article's title (the entry whose ``#. kind:`` says ``title``), or ""."""
    for entry in entries or ():
        for line in (entry.comment or "").splitlines():
            if line.startswith("kind:") and "title" in line[len("kind:"):].replace(",", " ").split():
                return entry.msgid
    return ""


def check_catalog(po: POFile, path: str, catalog: str, glossary: Glossary | None,
                  trust: Trust | None = None, source_language: str = SOURCE_LANGUAGE) -> list[Finding]:
    """Findings for every live, translated entry of a catalog (pure)."""
    findings = []
    nplurals = plural_count(po.metadata.get("Plural-Forms"))
    for entry in po:
        if entry.obsolete:
            continue
        for check_id, severity, message in check_entry(entry, catalog, glossary, nplurals, trust, po,
                                                             source_language):
            findings.append(Finding(path, entry.linenum, severity, check_id, message, catalog, entry.msgid))
    return findings


def check_inputs(config: Config) -> str:
    """Digest of what every catalog's findings depend on besides the catalog: glossary and config."""
    return digest(file_bytes(config.root / GLOSSARY_PATH), (config.root / CONFIG_PATH).read_bytes())


def check_unit(shared: str, catalog: str, path: Path, content: str) -> tuple[str, str]:
    """The stamp unit and input digest of one catalog's check; ``content`` is the SHA-256 (hex) of its bytes."""
    return f"check:{catalog}/{path.stem}", digest(shared, content)


def cached_findings(stamps: Stamps, shared: str, catalog: str, path: Path,
                    data: bytes | None = None) -> list[Finding] | None:
    """The findings recorded for exactly these inputs by an earlier check, or None.

    ``data`` is the catalog's bytes when the caller has read them; without it
    the catalog is not read unless its ``stat`` signature moved (``stamps.file``).
    """
    content = stamps.file(path) if data is None else hashlib.sha256(data).hexdigest()
    unit, inputs = check_unit(shared, catalog, path, content)
    if not stamps.fresh(unit, inputs):
        return None
    return [Finding(**f) for f in stamps.payload(unit) or []]

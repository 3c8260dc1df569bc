"""The check stage: every registered check over every catalog → findings with ``path:line``; annotations."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from workflow.catalogs import POEntry, POFile, parse_catalog, plural_count, read_catalog, write_catalog
from workflow.approval import Trust, judge, trust_for
from workflow.checks import ERROR, WARNING, Pair, run_checks
from workflow.errors import CatalogError, ErrorList, LocumError, UsageError
from workflow.project import SITE_DOMAIN, catalog_paths, display_path, select_catalogs, source_paths
from workflow.config import CONFIG_PATH, Config
from workflow.glossary import GLOSSARY_PATH, Glossary, load_glossary
from workflow.parallel import map_ordered
from workflow.stamps import Stamps, digest, file_bytes

ANNOTATION = "(locum) "
APPROVAL = "approval"        # the check id of findings about approval records


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


def entry_pairs(entry: POEntry) -> list[tuple[str, str]]:
    """(source, target) pairs of a translated entry; plural forms compare with msgid / msgid_plural."""
    if entry.msgid_plural:
        return [(entry.msgid if index == 0 else entry.msgid_plural, text)
                for index, text in sorted(entry.msgstr_plural.items()) if text]
    return [(entry.msgid, entry.msgstr)] if entry.msgstr else []


def check_entry(entry: POEntry, catalog: str, glossary: Glossary | None,
                nplurals: int | None = None, trust: Trust | None = None, siblings=None) -> list[tuple[str, str, str]]:
    """(check id, severity, message) for one entry (pure); ``nplurals`` is its catalog's (see :func:`plural_gap`).

    With ``trust`` (who may sign for the catalog) and ``siblings`` (its entries),
    the approval record is judged too: a forged one is an error, one whose key
    or reviewer is no longer declared a warning.
    """
    language = catalog.split("_")[0]
    found = []
    if trust is not None and entry.tcomment:
        verdict = judge(entry, trust, siblings)
        if verdict.state == "forged":
            found.append((APPROVAL, ERROR, f"forged approval record: {verdict.reason}; it does not open the "
                                           "gate (a reviewer who checked the text approves it again)"))
        elif verdict.state == "unverified":
            found.append((APPROVAL, WARNING, f"unverified approval: {verdict.reason}"))
    missing = plural_gap(entry, nplurals)
    if missing:
        found.append(("plural-forms", ERROR, f"no msgstr[{'], msgstr['.join(map(str, missing))}]: this catalog's "
                      f"Plural-Forms header has nplurals={nplurals}, and each form needs its translation"))
    flags = tuple(entry.flags)
    for source, target in entry_pairs(entry):
        for check, message in run_checks(Pair(source, target, catalog, language, glossary, flags,
                                              entry.msgid_plural or None)):
            found.append((check.id, check.severity, message))
    return list(dict.fromkeys(found))


def plural_gap(entry: POEntry, nplurals: int | None) -> list[int]:
    """The plural forms a translated plural entry lacks for a catalog with ``nplurals`` forms.

    A form that is absent (not just empty) is what a change of the language's
    plural rules leaves behind (Babel 2.19 gives Spanish a third form): gettext
    then shows English for the numbers that pick it.

    >>> entry = POEntry(msgid="%d day", msgid_plural="%d days", msgstr_plural={0: "%d día", 1: "%d días"})
    >>> plural_gap(entry, 3), plural_gap(entry, 2)
    ([2], [])
    """
    if nplurals is None or not entry.msgid_plural or not any(entry.msgstr_plural.values()):
        return []
    return [index for index in range(nplurals) if index not in entry.msgstr_plural]


def check_catalog(po: POFile, path: str, catalog: str, glossary: Glossary | None,
                  trust: Trust | None = None) -> list[Finding]:
    """Findings for every live, translated entry of a catalog (pure)."""
    findings = []
    nplurals = plural_count(po.metadata.get("Plural-Forms"))
    for entry in po:
        if entry.obsolete:
            continue
        for check_id, severity, message in check_entry(entry, catalog, glossary, nplurals, trust, po):
            findings.append(Finding(path, entry.linenum, severity, check_id, message, catalog, entry.msgid))
    return findings


_Job = tuple[str, Path, str, Glossary | None, Trust]      # catalog, path, path as shown, glossary, signers


def run_check(config: Config, locale: str | None = None, article: str | None = None,
              annotate: bool = False, progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """Check the selected catalogs; with ``annotate``, write findings into them as translator comments.

    A catalog whose digest (by ``stat``, see :class:`Stamps`) and shared inputs
    are unchanged is not read: its recorded findings are reused.
    """
    glossary = load_glossary(config.root, config.catalogs)
    stamps = Stamps(config.root)
    shared = check_inputs(config)
    findings: list[Finding] = []
    jobs: list[_Job] = []
    trusts = {catalog: trust_for(config.reviewers, catalog) for catalog in config.catalogs}
    for catalog, path in catalog_paths(config, locale, article):
        cached = None if annotate else cached_findings(stamps, shared, catalog, path)
        if cached is not None:                 # same catalog, glossary and config as last time
            findings.extend(cached)
        else:
            jobs.append((catalog, path, display_path(config, path), glossary, trusts[catalog]))
    results = _check_by_article(jobs, progress)
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    for (catalog, path, shown, _, _), (found, content) in zip(jobs, results):
        findings.extend(found)
        if annotate:
            po = read_catalog(path, shown)
            if annotate_catalog(po, found) and write_catalog(po, path):
                content = stamps.file(path)    # the comments changed the file, not its findings
        unit, inputs = check_unit(shared, catalog, path, content)
        stamps.record(unit, inputs, [f.as_dict() for f in found])
    stamps.save()
    return sorted(findings, key=lambda f: (f.path, f.line))


def _check_by_article(jobs: list[_Job], progress: Callable[[int, int], None] | None = None,
                      ) -> list[tuple[list[Finding], str] | LocumError]:
    """``_check_one`` of every job, in order; the catalogs of one article go to one process one after
    the other, so the checks' caches read each source text once for all its languages."""
    articles: dict[str, list[int]] = {}
    for index, (_, path, _, _, _) in enumerate(jobs):
        articles.setdefault(path.stem, []).append(index)
    groups = list(articles.values())
    results: list = [None] * len(jobs)
    for group, done in zip(groups, map_ordered(_check_article, [[jobs[i] for i in g] for g in groups],
                                                    progress=progress)):
        for index, result in zip(group, done):
            results[index] = result
    return results


def _check_article(jobs: list[_Job]) -> list[tuple[list[Finding], str] | LocumError]:
    found = []
    for job in jobs:
        try:
            found.append(_check_one(job))
        except LocumError as exc:           # a user's bad file: reported with the others (as map_ordered does)
            found.append(exc)
    return found


def _check_one(job: _Job) -> tuple[list[Finding], str]:
    """The findings of one catalog and the SHA-256 of the bytes they were read from."""
    catalog, path, shown, glossary, trust = job
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path=shown) from None
    return (check_catalog(parse_catalog(data, shown), shown, catalog, glossary, trust),
            hashlib.sha256(data).hexdigest())


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


def annotate_catalog(po: POFile, findings: list[Finding]) -> bool:
    """Replace every entry's ``# (locum)`` comments with its current findings; True if anything changed."""
    by_entry: dict[int, list[Finding]] = {}
    for finding in findings:
        by_entry.setdefault(finding.line, []).append(finding)
    changed = False
    for entry in po:
        kept = [line for line in (entry.tcomment or "").split("\n") if line and not line.startswith(ANNOTATION)]
        notes = [f"{ANNOTATION}{f.check}: {f.message}" for f in by_entry.get(entry.linenum, [])]
        comment = "\n".join(kept + notes)
        if comment != (entry.tcomment or ""):
            entry.tcomment = comment
            changed = True
    return changed

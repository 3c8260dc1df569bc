"""The check stage: every registered check over every catalog → findings with ``path:line``; annotations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow.approval import Trust, trust_for
from workflow.catalogs import POFile, parse_catalog, read_catalog, write_catalog
from workflow.config import Config
from workflow.errors import CatalogError, ErrorList, LocumError
from workflow.findings import ANNOTATION, Finding, cached_findings, check_catalog, check_inputs, check_unit
from workflow.glossary import Glossary, load_glossary
from workflow.parallel import map_ordered
from workflow.project import SITE_DOMAIN, catalog_paths, display_path, source_paths
from workflow.regional import source_findings
from workflow.stamps import Stamps, digest


@dataclass(frozen=True)
class _Job:
    """One catalog to check, in a form a worker process can take."""

    catalog: str
    path: Path
    shown: str                  # the path as users see it
    glossary: Glossary | None
    trust: Trust                # who may sign for the catalog
    source_language: str


def run_check(config: Config, locale: str | None = None, article: str | None = None,
              annotate: bool = False, progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """Check the selected catalogs; with ``annotate``, write findings into them as translator comments.

    A catalog whose digest (by ``stat``, see :class:`Stamps`) and shared inputs
    are unchanged is not read: its recorded findings are reused.
    """
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    stamps = Stamps(config.root)
    shared = check_inputs(config)
    findings: list[Finding] = []
    jobs: list[_Job] = []
    trusts = {catalog: trust_for(config.reviewers, catalog, config.server_keys, config.server_retired_keys) for catalog in config.catalogs}
    for catalog, path in catalog_paths(config, locale, article):
        cached = None if annotate else cached_findings(stamps, shared, catalog, path)
        if cached is not None:                 # same catalog, glossary and config as last time
            findings.extend(cached)
        else:
            jobs.append(_Job(catalog, path, display_path(config, path), glossary, trusts[catalog],
                             config.source_language))
    results = _check_by_article(jobs, progress)
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    for job, (found, content) in zip(jobs, results):
        catalog, path, shown = job.catalog, job.path, job.shown
        findings.extend(found)
        if annotate:
            po = read_catalog(path, shown)
            if annotate_catalog(po, found) and write_catalog(po, path):
                content = stamps.file(path)    # the comments changed the file, not its findings
        unit, inputs = check_unit(shared, catalog, path, content)
        stamps.record(unit, inputs, [f.as_dict() for f in found])
    findings.extend(_source_findings(config, stamps, shared, locale, article))
    stamps.save()
    return sorted(findings, key=lambda f: (f.path, f.line))


def _source_findings(config: Config, stamps: Stamps, shared: str, locale: str | None,
                     article: str | None) -> list[Finding]:
    """Each article's source checks and its pages as its locales compose them (:mod:`workflow.regional`);
    an article whose template and catalogs are unchanged since the last check is not read."""
    findings = []
    for slug in [p.stem for p in source_paths(config)] if article is None else [article]:
        if slug == SITE_DOMAIN:
            continue
        unit = f"check-source:{locale or '*'}/{slug}"
        inputs = digest(shared, stamps.file(config.pot_path(slug)),
                        *(stamps.file(config.po_path(catalog, slug)) for catalog in config.catalogs))
        cached = stamps.payload(unit) if stamps.fresh(unit, inputs) else None
        found = [Finding(**f) for f in cached] if cached is not None else source_findings(config, locale, slug)
        stamps.record(unit, inputs, [f.as_dict() for f in found])
        findings.extend(found)
    return findings


def _check_by_article(jobs: list[_Job], progress: Callable[[int, int], None] | None = None,
                      ) -> list[tuple[list[Finding], str] | LocumError]:
    """``_check_one`` of every job, in order; the catalogs of one article go to one process one after
    the other, so the checks' caches read each source text once for all its languages."""
    articles: dict[str, list[int]] = {}
    for index, job in enumerate(jobs):
        articles.setdefault(job.path.stem, []).append(index)
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
    try:
        data = job.path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path=job.shown) from None
    return (check_catalog(parse_catalog(data, job.shown), job.shown, job.catalog, job.glossary, job.trust,
                          job.source_language),
            hashlib.sha256(data).hexdigest())


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

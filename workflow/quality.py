"""The check stage: every registered check over every catalog → findings with ``path:line``; annotations."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow.approval import Trust, trust_for
from workflow.catalogs import POFile, learn, parse_catalog, read_catalog, write_catalog
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


@dataclass(frozen=True)
class _Source:
    """One article whose source and composed-page findings are stale, for a worker process."""

    config: Config
    locale: str | None
    slug: str


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
    slugs = [p.stem for p in source_paths(config)] if article is None else [article]
    sources = {slug: _source_unit(config, stamps, shared, locale, slug) for slug in slugs if slug != SITE_DOMAIN}
    stale = [_Source(config, locale, slug) for slug, (unit, inputs) in sources.items()
             if not stamps.fresh(unit, inputs)]
    results, composed = _check_by_article(jobs, stale, progress)
    errors = [r for r in results if isinstance(r, LocumError)]
    errors += [] if errors else [r for r in composed.values() if isinstance(r, LocumError)]
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
    for slug, (unit, inputs) in sources.items():    # the inputs as they were before the findings were made
        found = composed[slug] if slug in composed else [Finding(**f) for f in stamps.payload(unit) or []]
        stamps.record(unit, inputs, [f.as_dict() for f in found])
        findings.extend(found)
    stamps.save()
    return sorted(findings, key=lambda f: (f.path, f.line))


def _source_unit(config: Config, stamps: Stamps, shared: str, locale: str | None, slug: str) -> tuple[str, str]:
    """The stamp unit and input digest of one article's source and composed-page findings
    (:func:`workflow.regional.source_findings`): its template and every catalog of it."""
    return (f"check-source:{locale or '*'}/{slug}",
            digest(shared, stamps.file(config.pot_path(slug)),
                   *(stamps.file(config.po_path(catalog, slug)) for catalog in config.catalogs)))


def _check_by_article(jobs: list[_Job], sources: list[_Source], progress: Callable[[int, int], None] | None = None,
                      ) -> tuple[list[tuple[list[Finding], str] | LocumError], dict[str, list[Finding] | LocumError]]:
    """``_check_one`` of every job, in order, and the source findings of every ``sources`` article, by slug.

    The catalogs of one article and its source findings go to one process,
    one after the other: the checks' caches read each source text once for all
    its languages, and the page findings reuse the catalogs the checks parsed.
    """
    articles: dict[str, tuple[list[int], list[_Source]]] = {}
    for index, job in enumerate(jobs):
        articles.setdefault(job.path.stem, ([], []))[0].append(index)
    for source in sources:
        articles.setdefault(source.slug, ([], []))[1].append(source)
    groups = list(articles.values())
    results: list = [None] * len(jobs)
    composed: dict[str, list[Finding] | LocumError] = {}
    work = [([jobs[i] for i in indexes], source) for indexes, source in groups]
    for (indexes, source), (done, found) in zip(groups, map_ordered(_check_article, work, progress=progress)):
        for index, result in zip(indexes, done):
            results[index] = result
        if source:
            composed[source[0].slug] = found
    return results, composed


def _check_article(work: tuple[list[_Job], list[_Source]],
                   ) -> tuple[list[tuple[list[Finding], str] | LocumError], list[Finding] | LocumError | None]:
    jobs, sources = work
    known: dict = {}            # the article's files as parsed here: read once for both kinds of findings
    found = []
    for job in jobs:
        try:
            found.append(_check_one(job, known))
        except LocumError as exc:           # a user's bad file: reported with the others (as map_ordered does)
            found.append(exc)
    composed = None
    for source in sources:
        try:
            composed = source_findings(source.config, source.locale, source.slug, known=known)
        except LocumError as exc:
            composed = exc
    return found, composed


def _check_one(job: _Job, known: dict | None = None) -> tuple[list[Finding], str]:
    """The findings of one catalog and the SHA-256 of the bytes they were read from (the parsed catalog is
    left in ``known``, :func:`workflow.catalogs.read_catalog`'s cache, for the article's page findings)."""
    try:
        data = job.path.read_bytes()
    except FileNotFoundError:
        raise CatalogError("catalog not found", path=job.shown) from None
    po = parse_catalog(data, job.shown)
    content = hashlib.sha256(data).hexdigest()
    if known is not None:
        po.read_from = (os.path.abspath(job.path), content)
        learn(known, po)
    return check_catalog(po, job.shown, job.catalog, job.glossary, job.trust, job.source_language), content


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

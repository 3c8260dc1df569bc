"""The update stage: ``locales/<slug>.pot`` → ``locales/<lang>/LC_MESSAGES/<slug>.po`` for every language."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from workflow.catalog_templates import write_catalog_templates
from workflow.catalogs import catalog_text, new_catalog, now_stamp, read_catalog, read_digest, same_catalog
from workflow.config import CONFIG_PATH, Config
from workflow.entries import in_market
from workflow.errors import ConflictError, ErrorList, LocumError, UsageError
from workflow.fileio import content_digest, signature, write_atomic, wrote
from workflow.glossary import GLOSSARY_PATH, Glossary, load_glossary
from workflow.hints import add_hints
from workflow.merge import merge_catalog
from workflow.parallel import map_ordered
from workflow.project import SITE_DOMAIN, Progress, StageResult, display_path, select_catalogs, source_paths
from workflow.regional import needs_override
from workflow.stamps import Stamps, digest, file_bytes


@dataclass(frozen=True)
class _Job:
    """One template to merge into the catalogs whose stamps are stale, for a worker process."""

    config: Config
    slug: str
    catalogs: tuple[str, ...]
    stamp: str
    glossary: Glossary


def _update_one(job: _Job) -> list[tuple[bytes, str | None] | None | LocumError]:
    """Per catalog of the job: (the merged text to write, UTF-8 and zlib-compressed, the digest of the file it
    replaces), None to leave the file alone, or its error.

    Compressed because :func:`update` holds every catalog's text until all are
    merged (nothing is written when one fails): a first update of the
    1,000-article bench peaked at 209 MB holding them as they are, 86 MB so.
    """
    pot_path = job.config.pot_path(job.slug)
    template, out = None, []
    for catalog in job.catalogs:
        try:
            if template is None:
                template = read_catalog(pot_path, display_path(job.config, pot_path))
            out.append(_updated_text(job.config, template, catalog, job.slug, job.stamp, job.glossary))
        except LocumError as exc:
            out.append(exc)
    return out


def update(config: Config, locale: str | None = None, progress: Progress | None = None,
           existing_templates_only: bool = False) -> StageResult:
    """Merge every article's template into each selected catalog; gather all, then write.

    A catalog whose template, own text and settings are unchanged since the
    last update (stamps in ``.cache/``, checked without reading the files) is
    skipped; the others are merged on every core, one template per work item
    (same bytes as serial). ``existing_templates_only``: articles without a
    template yet are passed over instead of being an error. An override
    catalog (``es_US``) gets the entries whose regional rendering the glossary
    requires (:func:`workflow.regional.needs_override`), created if need be.
    """
    catalogs = select_catalogs(config, locale)
    slugs = [path.stem for path in source_paths(config)] + [SITE_DOMAIN]
    stamps = Stamps(config.root)
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    settings = digest(stamps.file(config.root / CONFIG_PATH), file_bytes(config.root / GLOSSARY_PATH))
    stamp = now_stamp()
    # (catalog path, stamp unit, template digest or None if fresh, catalog, slug)
    units: list[tuple[str, str, str | None, str, str]] = []
    jobs: list[_Job] = []
    folders = {catalog: f"{config.locales_dir}{os.sep}{catalog}{os.sep}LC_MESSAGES{os.sep}" for catalog in catalogs}
    for slug in slugs:
        pot_path = config.pot_path(slug)
        pot = stamps.file(pot_path)
        if pot == "missing":
            if existing_templates_only:     # a new article: its template comes with this publish's extract
                continue
            raise UsageError(f"no template {display_path(config, pot_path)}: run 'locum extract' first")
        stale = []
        for catalog in catalogs:
            path, unit = f"{folders[catalog]}{slug}.po", f"update:{catalog}/{slug}"
            fresh = stamps.fresh(unit, digest(pot, stamps.file(path), settings))
            units.append((path, unit, None if fresh else pot, catalog, slug))
            if not fresh:
                stale.append(catalog)
        if stale:
            jobs.append(_Job(config, slug, tuple(stale), stamp, glossary))
    outcomes = iter([outcome for job, result in zip(jobs, map_ordered(_update_one, jobs, progress=progress))
                     for outcome in (result if isinstance(result, list) else [result] * len(job.catalogs))])
    planned: list[tuple[Path, tuple[bytes, str | None]]] = []
    kept: list[Path] = []
    errors: list[LocumError] = []
    for path, unit, pot, catalog, slug in units:
        text = None if pot is None else next(outcomes, None)
        if isinstance(text, LocumError):
            errors.append(text)
        elif text is not None:
            planned.append((config.po_path(catalog, slug), text))
        elif signature(path) is not None:
            kept.append(config.po_path(catalog, slug))      # made once for every stage (Config.po_path)
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    written, conflicts, contents = [], [], {}
    for path, (packed, read) in planned:      # compare-and-swap: a file saved meanwhile is left as it is
        data = zlib.decompress(packed)
        try:
            if write_atomic(path, data, expect=read, shown=display_path(config, path)):
                written.append(path)
            contents[str(path)] = content_digest(data)     # what was written, whatever is there by now
            stamps.files.learn(path, wrote(path), contents[str(path)])
        except ConflictError as exc:
            conflicts.append(exc)
    refused = {exc.path for exc in conflicts}
    for path, unit, pot, catalog, slug in units:
        if pot is not None and display_path(config, config.po_path(catalog, slug)) not in refused:
            content = contents.get(path) or stamps.file(path)
            stamps.record(unit, digest(pot, content, settings))
    templates = write_catalog_templates(config, slugs, stamps)     # each catalog's own (catalog_templates)
    stamps.save()
    if conflicts:
        raise conflicts[0] if len(conflicts) == 1 else ErrorList(conflicts)
    fresh = set(written)
    written += templates
    return StageResult(tuple(written), tuple(kept) + tuple(p for p, _ in planned if p not in fresh))


def _updated_text(config: Config, template, catalog: str, slug: str, stamp: str,
                  glossary: Glossary) -> tuple[bytes, str | None] | None:
    path = config.po_path(catalog, slug)
    sparse = config.is_override(catalog)
    existing = path.exists()
    markets = config.markets_of(catalog)
    needed = needs_override(config, glossary, catalog) if sparse and slug != SITE_DOMAIN else None
    if existing:
        old = read_catalog(path, display_path(config, path))
    elif sparse and (needed is None or not any(needed(e) and in_market(e, markets) for e in template)):
        return None          # override catalogs exist only where a region's wording differs
    else:
        old = new_catalog(template, catalog, stamp)
    merged = merge_catalog(template, old, sparse=sparse, needed=needed,
                           include=lambda e: in_market(e, markets))
    add_hints(merged, glossary, catalog, config.source_language)       # the glossary's word for each term
    if existing and same_catalog(merged, old):
        return None          # nothing to merge: leave the translator's file exactly as it is
    return zlib.compress(catalog_text(merged).encode("utf-8"), 1), read_digest(old, path)

"""The update stage: ``locales/<slug>.pot`` → ``locales/<lang>/LC_MESSAGES/<slug>.po`` for every language."""

from __future__ import annotations

from pathlib import Path

from workflow.catalogs import catalog_text, entry_regions, new_catalog, now_stamp, read_catalog, same_catalog
from workflow.config import Config
from workflow.errors import ErrorList, LocumError, UsageError
from workflow.config import CONFIG_PATH
from workflow.extract import SITE_DOMAIN, Progress, StageResult, display_path, source_paths
from workflow.stamps import Stamps, digest, file_bytes
from workflow.fileio import write_atomic
from workflow.merge import merge_catalog


def select_catalogs(config: Config, locale: str | None) -> list[str]:
    """Catalog languages to work on: all, or those named by a catalog (``es``) or output locale (``es-US``)."""
    if locale is None:
        return list(config.catalogs)
    if locale in config.catalogs:
        return [locale]
    for loc in config.locales:
        if loc.tag.lower() == locale.lower():
            return list(loc.chain)
    raise UsageError(f"unknown locale {locale!r}: use a catalog ({', '.join(config.catalogs)}) "
                     f"or an output locale ({', '.join(l.tag for l in config.locales)})")


def update(config: Config, locale: str | None = None, progress: Progress | None = None) -> StageResult:
    """Merge every article's template into each selected catalog; gather all, then write."""
    catalogs = select_catalogs(config, locale)
    slugs = [path.stem for path in source_paths(config)] + [SITE_DOMAIN]
    stamps = Stamps(config.root)
    settings = (config.root / CONFIG_PATH).read_bytes()
    worked: list[tuple[Path, str, bytes]] = []      # (catalog, stamp unit, template bytes) merged this run
    stamp = now_stamp()
    planned: list[tuple[Path, str]] = []
    kept: list[Path] = []
    errors: list[LocumError] = []
    total, done = len(slugs) * len(catalogs), 0
    for slug in slugs:
        pot_path = config.pot_path(slug)
        if not pot_path.exists():
            raise UsageError(f"no template {display_path(config, pot_path)}: run 'locum extract' first")
        pot_bytes = pot_path.read_bytes()
        template = None
        for catalog in catalogs:
            done += 1
            path, unit = config.po_path(catalog, slug), f"update:{catalog}/{slug}"
            if stamps.fresh(unit, digest(pot_bytes, file_bytes(path), settings)):
                if path.exists():
                    kept.append(path)
                if progress:
                    progress(done, total)
                continue
            worked.append((path, unit, pot_bytes))
            try:
                if template is None:
                    template = read_catalog(pot_path, display_path(config, pot_path))
                text = _updated_text(config, template, catalog, slug, stamp)
            except LocumError as exc:
                errors.append(exc)
                continue
            if text is not None:
                planned.append((path, text))
            elif path.exists():
                kept.append(path)
            if progress:
                progress(done, total)
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    written = [path for path, text in planned if write_atomic(path, text)]
    for path, unit, pot_bytes in worked:
        stamps.record(unit, digest(pot_bytes, file_bytes(path), settings))
    stamps.save()
    fresh = set(written)
    return StageResult(tuple(written), tuple(kept) + tuple(p for p, _ in planned if p not in fresh))


def _updated_text(config: Config, template, catalog: str, slug: str, stamp: str) -> str | None:
    path = config.po_path(catalog, slug)
    sparse = config.is_override(catalog)
    existing = path.exists()
    if existing:
        old = read_catalog(path, display_path(config, path))
    elif sparse:
        return None          # override catalogs exist only where a region's wording differs
    else:
        old = new_catalog(template, catalog, stamp)
    markets = config.markets_of(catalog)
    merged = merge_catalog(template, old, sparse=sparse,
                           include=lambda e: not entry_regions(e) or bool(entry_regions(e) & markets))
    if existing and same_catalog(merged, old):
        return None          # nothing to merge: leave the translator's file exactly as it is
    return catalog_text(merged)

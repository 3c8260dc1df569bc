"""Every input of ``publish`` read and validated before any stage writes: bad input changes nothing.

``publish`` runs its stages so that each reads before anything is written:
``extract`` parses the changed articles and holds its templates back
(:func:`workflow.extract.plan_extract`); :func:`validate_inputs` reads the
glossary and the catalogs no stage of the update will read; ``update`` then
merges the templates on disk into every catalog it must read (all of them or
none are written), and only then are the new templates written and merged.
Each catalog is thus parsed once, as before, whichever stage reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from workflow.catalogs import read_catalog
from workflow.config import Config
from workflow.errors import ErrorList, LocumError
from workflow.glossary import load_glossary
from workflow.parallel import map_ordered
from workflow.project import SITE_DOMAIN, display_path, source_paths
from workflow.stamps import Stamps

CHUNK = 64          # catalogs per work item: parsing one takes about a millisecond


def _read_all(paths: tuple[tuple[Path, str], ...]) -> list[LocumError]:
    """The errors of reading each (path, path as shown) as a catalog."""
    problems = []
    for path, shown in paths:
        try:
            read_catalog(path, shown)
        except LocumError as exc:
            problems.append(exc)
    return problems


def validate_inputs(config: Config, progress: Callable[[int, int], None] | None = None) -> None:
    """Read the glossary and every catalog ``update`` does not read (of no article); raise every error at once.

    A catalog read without error once is not read again while its content
    (by ``stat``, :class:`workflow.stamps.Stamps`) is unchanged.
    """
    errors: list[LocumError] = []
    try:
        load_glossary(config.root, config.catalogs, config.source_language)
    except ErrorList as exc:
        errors.extend(exc.errors)
    except LocumError as exc:
        errors.append(exc)
    merged = {path.stem for path in source_paths(config)} | {SITE_DOMAIN}
    stamps = Stamps(config.root)
    todo: list[tuple[Path, str, str, str]] = []     # path, shown, unit, content digest
    for catalog in config.catalogs:
        for path in config.po_files(catalog):
            if path.stem in merged:
                continue                # update reads it, or it is unchanged since update last read it
            unit, content = f"valid:{catalog}/{path.name}", stamps.file(path)
            if not stamps.fresh(unit, content):
                todo.append((path, display_path(config, path), unit, content))
    chunks = [tuple((path, shown) for path, shown, _, _ in todo[i:i + CHUNK]) for i in range(0, len(todo), CHUNK)]
    for found in map_ordered(_read_all, chunks, progress=progress):
        errors.extend(found if isinstance(found, list) else [found])
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    for _, _, unit, content in todo:
        stamps.record(unit, content)
    stamps.save()

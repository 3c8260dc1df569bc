"""Every input of ``publish`` read and validated before any stage writes: bad input changes nothing.

Each stage already gathers before it writes, but ``publish`` runs five of
them: without this, ``extract`` could rewrite a template before ``update``
found a broken catalog. A catalog validated once is not read again while its
content digest (by ``stat``, see :class:`workflow.stamps.Stamps`) is unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from workflow.catalogs import read_catalog
from workflow.config import Config
from workflow.errors import ErrorList, LocumError
from workflow.extract import display_path
from workflow.glossary import load_glossary
from workflow.parallel import map_ordered
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
    """Read the glossary and every catalog a stage will read; raise every error found at once.

    The articles need no pass of their own: ``extract`` runs first and parses
    them all before it writes.
    """
    errors: list[LocumError] = []
    try:
        load_glossary(config.root, config.catalogs)
    except ErrorList as exc:
        errors.extend(exc.errors)
    except LocumError as exc:
        errors.append(exc)
    stamps = Stamps(config.root)
    todo: list[tuple[Path, str, str, str]] = []     # path, shown, unit, content digest
    for catalog in config.catalogs:
        for path in config.po_files(catalog):
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

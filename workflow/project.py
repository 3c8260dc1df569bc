"""The project's layout as every stage sees it: what ``source/`` holds, which catalogs a command selects,
and how a path is shown to users.

Stages import this module (and ``config``, ``catalogs`` and the pure modules), never one another.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable

from workflow.config import Config
from workflow.errors import ErrorList, LocumError, SourceError, UsageError

SITE_DOMAIN = "site"   # the page chrome's catalog; no article may use this slug

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StageResult:
    """What a stage did: the files it wrote and the ones it left unchanged."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


@dataclass(frozen=True)
class SourceTree:
    """What ``source/`` holds, every entry judged: nothing in it may lead outside the project.

    ``files`` are the :class:`os.DirEntry` of every regular file under
    ``source/`` (its path ``root``; their ``stat`` is what ``publish``
    remembers), ``articles`` the ``source/*.md`` files and ``images`` the
    files under ``source/images/``, both sorted.
    """

    files: tuple[os.DirEntry, ...]
    root: str

    @cached_property        # made on first need: a publish with nothing to do needs only the files
    def articles(self) -> tuple[Path, ...]:
        return tuple(sorted(Path(e.path) for e in self.files
                            if e.name.endswith(".md") and os.path.dirname(e.path) == self.root))

    @cached_property
    def images(self) -> tuple[Path, ...]:
        images = f"{self.root}{os.sep}images{os.sep}"
        return tuple(sorted(Path(e.path) for e in self.files if e.path.startswith(images)))


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


_WALKED: dict[Path, SourceTree] | None = None      # within one_walk(): each source/ folder's tree, once walked


@contextmanager
def one_walk():
    """Within this block, :func:`source_tree` walks each ``source/`` folder once and answers from that walk.

    A publish asks six times (its snapshot, extract, the input check, update,
    check, build) of a folder no stage writes. A file an author changes
    meanwhile looks as it did at the first walk, the one the publish's
    snapshot records: as if the change came just after, which the next
    publish sees (its walk is fresh). Errors are not kept: a bad entry is
    raised by every walk that meets it.
    """
    global _WALKED
    previous, _WALKED = _WALKED, {}
    try:
        yield
    finally:
        _WALKED = previous


def source_tree(config: Config) -> SourceTree:
    """Walk ``source/`` once, refusing whatever is not a plain file or folder of the project itself.

    The one walk of ``source/`` that extract, update, build and publish's
    snapshot share, so they all agree on what is there. Refused, each with
    its path (all of them at once, as a :class:`SourceError` or
    :class:`ErrorList`): a symbolic link anywhere (``source/`` and
    ``source/images/`` included: its target may be any file on the machine,
    such as ``/etc/hostname``, or none), a named pipe, socket or device, and
    a folder named like an article (``source/x.md/``). Nothing is followed
    or opened. Hidden entries (an editor's ``.#x.md`` lock link or swap
    file) are passed over: never read, never published. A missing
    ``source/`` is an error too.
    """
    root = config.source_dir
    if _WALKED is not None and root in _WALKED:
        return _WALKED[root]
    try:
        info = os.lstat(root)
    except FileNotFoundError:
        raise SourceError("no source/ folder with articles", path=config.source_dir) from None
    if stat.S_ISLNK(info.st_mode):
        raise SourceError(_link_message(root), path=display_path(config, root))
    if not stat.S_ISDIR(info.st_mode):
        raise SourceError("no source/ folder with articles (this is a file)", path=display_path(config, root))
    files: list[os.DirEntry] = []
    errors: list[LocumError] = []
    _walk_source(config, str(root), True, files, errors)
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    tree = SourceTree(tuple(files), str(root))
    if _WALKED is not None:
        _WALKED[root] = tree
    return tree


def _walk_source(config: Config, folder: str, top: bool, files: list, errors: list) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        errors.append(SourceError(f"cannot read this folder: {exc.strerror}", path=display_path(config, folder)))
        return
    for entry in entries:
        if entry.name.startswith("."):     # editors' lock and swap files (.#x.md, .x.md.swp): never read nor published
            continue
        try:
            if entry.is_symlink():
                errors.append(SourceError(_link_message(Path(entry.path)), path=display_path(config, entry.path)))
            elif entry.is_dir(follow_symlinks=False):
                if top and entry.name.endswith(".md"):
                    errors.append(SourceError("a folder where an article file is expected: an article is one "
                                              "Markdown file (rename or remove this folder)",
                                              path=display_path(config, entry.path)))
                else:
                    _walk_source(config, entry.path, False, files, errors)
            elif entry.is_file(follow_symlinks=False):
                files.append(entry)
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
                kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
                errors.append(SourceError(f"{kind}, not a file: source/ may hold only files and folders "
                                          "(remove it)", path=display_path(config, entry.path)))
        except FileNotFoundError:       # removed while we looked: as if it never was
            continue


def _link_message(path: Path) -> str:
    try:
        target = f" to {os.readlink(path)}"
    except OSError:
        target = ""
    return (f"a symbolic link{target}: Locum publishes only files inside the project and follows no link "
            "(put the file or folder itself here)")


def source_paths(config: Config) -> list[Path]:
    """Every article file, sorted by name (see :func:`source_tree`); a missing ``source/`` is an error."""
    return list(source_tree(config).articles)


def display_path(config: Config, path: Path) -> str:
    """``path`` relative to the project root when it is inside it (what users see in messages)."""
    return _relative(config.root, path)


@lru_cache(maxsize=4096)
def _relative(root: Path, path: Path | str) -> str:
    """Kept: the review server names the same few catalogs for every segment it judges, and making the Path
    and its relative Path again each time was 9 % of a batch of approvals (cProfile, 200-segment catalog)."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


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


def catalog_paths(config: Config, locale: str | None, article: str | None) -> list[tuple[str, Path]]:
    """(catalog, path) of every ``.po`` selected by ``--locale`` and ``--article``."""
    if article is not None and article != SITE_DOMAIN and not (config.source_dir / f"{article}.md").exists():
        known = ", ".join(p.stem for p in source_paths(config))
        raise UsageError(f"no article {article!r} (articles: {known})")
    selected = []
    for catalog in select_catalogs(config, locale):
        for path in config.po_files(catalog):
            if article is None or path.stem == article:
                selected.append((catalog, path))
    return selected

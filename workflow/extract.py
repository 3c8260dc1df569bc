"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot`` (deterministic, writes only changes)."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow.catalogs import (POFile, build_site_template, build_template, catalog_text, joined_lines,
                               now_stamp, read_catalog)
from workflow.config import Config
from workflow.errors import ErrorList, LocumError, SourceError
from workflow.fileio import write_atomic
from workflow.parallel import map_ordered
from workflow.segments import extract_segments
from workflow.source import Article, read_article
from workflow.stamps import Stamps, digest

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
    ``source/`` (their ``stat`` is what ``publish`` remembers), ``articles``
    the ``source/*.md`` files and ``images`` the files under
    ``source/images/``, both sorted.
    """

    files: tuple[os.DirEntry, ...]
    articles: tuple[Path, ...]
    images: tuple[Path, ...]


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


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
    images = f"{root}{os.sep}images{os.sep}"
    articles = sorted(Path(e.path) for e in files if e.name.endswith(".md") and os.path.dirname(e.path) == str(root))
    pictures = sorted(Path(e.path) for e in files if e.path.startswith(images))
    return SourceTree(tuple(files), tuple(articles), tuple(pictures))


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
        shown = display_path(config, entry.path)
        try:
            if entry.is_symlink():
                errors.append(SourceError(_link_message(Path(entry.path)), path=shown))
            elif entry.is_dir(follow_symlinks=False):
                if top and entry.name.endswith(".md"):
                    errors.append(SourceError("a folder where an article file is expected: an article is one "
                                              "Markdown file (rename or remove this folder)", path=shown))
                else:
                    _walk_source(config, entry.path, False, files, errors)
            elif entry.is_file(follow_symlinks=False):
                files.append(entry)
            else:
                mode = entry.stat(follow_symlinks=False).st_mode
                kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
                errors.append(SourceError(f"{kind}, not a file: source/ may hold only files and folders "
                                          "(remove it)", path=shown))
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
    try:
        return Path(path).relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def load_articles(config: Config) -> list[Article]:
    """Parse every article, reporting all broken ones at once."""
    articles, errors = [], []
    for path in source_paths(config):
        try:
            articles.append(_checked(read_article(path, set(config.markets), display_path(config, path))))
        except LocumError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return articles


def _checked(article: Article) -> Article:
    """The article, unless its slug is the one reserved for the page chrome."""
    if article.slug == SITE_DOMAIN:
        raise SourceError(f"the slug {SITE_DOMAIN!r} is reserved for the page chrome's catalog; "
                          "rename the article", path=article.path, line=1)
    return article


def render_template(article: Article, created: str) -> str:
    """The canonical text of an article's ``.pot`` stamped with ``created``."""
    return catalog_text(article_template(article, created))


def article_template(article: Article, created: str) -> POFile:
    """An article's template catalog stamped with ``created``."""
    return build_template(article.slug, article.title, article.path, extract_segments(article), created)


def site_template(created: str) -> POFile:
    """``site.pot``, the page chrome's messages, stamped with ``created``."""
    from workflow.render import site_messages
    return build_site_template(site_messages(), created)


_CREATED = re.compile(r'(?:"|\\n)POT-Creation-Date: ([^"\\]*)\\n')


def stable_text(path: Path, shown: str, build: Callable[[str], POFile], now: str) -> str | None:
    """The template text to write at ``path``, or None when the file already holds it.

    POT-Creation-Date keeps the file's date unless something else changed, in
    which case it becomes ``now``. Most templates are unchanged, and line
    breaking costs far more than the rest of formatting: a file whose text
    matches the template up to where long strings wrap is taken as it is,
    without breaking a line (every file extract writes is in canonical form).
    """
    try:
        old = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return catalog_text(build(now))
    except UnicodeDecodeError:
        old = None                                  # read_catalog below reports it
    template = build(now)

    def dated(created: str) -> POFile:
        template.metadata["POT-Creation-Date"] = created
        return template

    joined = joined_lines(old) if old else ""
    created = (match.group(1).strip() if (match := _CREATED.search(joined)) else "")
    if created and catalog_text(dated(created), wrap=False) == joined:
        return None
    created = read_catalog(path, shown).metadata.get("POT-Creation-Date")
    if created and catalog_text(dated(created)) == old.replace("\r\n", "\n").replace("\r", "\n"):
        return None                                 # (compared as read_text would read it)
    return catalog_text(dated(now))


@dataclass(frozen=True)
class _Job:
    """One article to extract, in a form a worker process can take."""

    source: Path
    pot: Path
    shown: str          # the source as users see it
    shown_pot: str
    markets: frozenset[str]
    now: str


def _extract_one(job: _Job) -> str | None:
    """The text to write to an article's template, or None when it already holds it."""
    article = _checked(read_article(job.source, set(job.markets), job.shown))
    return stable_text(job.pot, job.shown_pot, lambda created: article_template(article, created), job.now)


def extract(config: Config, progress: Progress | None = None) -> StageResult:
    """Write ``locales/<slug>.pot`` for every article and ``locales/site.pot`` for the page chrome.

    POT-Creation-Date moves only when a template's content does. An article
    whose source and template are unchanged since the last extract (content
    stamps in ``.cache/``, checked without reading either file) is not parsed
    again; the others are parsed on every core (same bytes as serial). Every
    broken article is reported before anything is written.
    """
    return write_extract(config, plan_extract(config, progress))


@dataclass(frozen=True)
class ExtractPlan:
    """What :func:`plan_extract` found to write: (template, text or None, stamp unit, source digest), and
    the templates left as they are."""

    planned: tuple[tuple[Path, str | None, str, str], ...]
    kept: tuple[Path, ...]


def plan_extract(config: Config, progress: Progress | None = None) -> ExtractPlan:
    """:func:`extract` up to the writing: every stale article parsed (all errors raised), nothing written."""
    from workflow.render import templates_digest

    stamps = Stamps(config.root)
    now = now_stamp()
    jobs: list[_Job] = []
    units: list[tuple[str, str]] = []           # (stamp unit, source digest) of each job
    kept: list[Path] = []
    for path in source_paths(config):
        pot, unit, source = config.pot_path(path.stem), f"extract:{path.stem}", stamps.file(path)
        if stamps.fresh(unit, digest(source, stamps.file(pot))):
            kept.append(pot)
        else:
            jobs.append(_Job(path, pot, display_path(config, path), display_path(config, pot),
                             frozenset(config.markets), now))
            units.append((unit, source))
    results = map_ordered(_extract_one, jobs, progress=progress)
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    planned = [(job.pot, text, unit, source) for job, text, (unit, source) in zip(jobs, results, units)]
    site, chrome = config.pot_path(SITE_DOMAIN), digest(templates_digest())
    if stamps.fresh("extract:site", digest(chrome, stamps.file(site))):
        kept.append(site)
    else:
        planned.append((site, stable_text(site, display_path(config, site), site_template, now),
                        "extract:site", chrome))
    return ExtractPlan(tuple(planned), tuple(kept))


def write_extract(config: Config, plan: ExtractPlan) -> StageResult:
    """Write what :func:`plan_extract` planned and record its stamps."""
    stamps = Stamps(config.root)
    planned, kept = plan.planned, plan.kept
    written = []
    for path, text, _, _ in planned:
        if text is not None and write_atomic(path, text):
            written.append(path)
    for path, _, unit, source in planned:
        stamps.record(unit, digest(source, stamps.file(path)))
    stamps.save()
    fresh = set(written)
    return StageResult(tuple(written), tuple(kept) + tuple(p for p, _, _, _ in planned if p not in fresh))

"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot`` (deterministic, writes only changes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow.catalogs import (
    POFile,
    build_site_template,
    build_template,
    catalog_text,
    joined_lines,
    now_stamp,
    read_catalog,
)
from workflow.chrome import site_messages, templates_digest
from workflow.config import Config
from workflow.errors import ErrorList, LocumError, SourceError
from workflow.fileio import write_atomic
from workflow.parallel import map_ordered
from workflow.project import SITE_DOMAIN, Progress, StageResult, display_path, source_paths, source_tree
from workflow.references import SiteReferences, check_references
from workflow.segments import extract_segments
from workflow.source import Article, read_article
from workflow.stamps import Stamps, digest


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
    site: SiteReferences        # the articles and images links and images may name


def _extract_one(job: _Job) -> str | None:
    """The text to write to an article's template, or None when it already holds it."""
    article = check_references(_checked(read_article(job.source, set(job.markets), job.shown)), job.site)
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

    stamps = Stamps(config.root)
    now = now_stamp()
    jobs: list[_Job] = []
    units: list[tuple[str, str]] = []           # (stamp unit, source digest) of each job
    kept: list[Path] = []
    tree = source_tree(config)
    site = SiteReferences.of(config.source_dir, tree.articles, tree.images)
    listing = digest(*sorted(site.slugs), "", *sorted(site.images))     # what links and images may name
    for path in tree.articles:
        pot, unit = config.pot_path(path.stem), f"extract:{path.stem}"
        source = digest(stamps.file(path), listing)
        if stamps.fresh(unit, digest(source, stamps.file(pot))):
            kept.append(pot)
        else:
            jobs.append(_Job(path, pot, display_path(config, path), display_path(config, pot),
                             frozenset(config.markets), now, site))
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

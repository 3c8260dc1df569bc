"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot`` (deterministic, writes only changes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow.catalogs import build_site_template, build_template, catalog_text, now_stamp, read_catalog
from workflow.config import Config
from workflow.errors import ErrorList, LocumError, SourceError
from workflow.fileio import write_atomic
from workflow.segments import extract_segments
from workflow.source import Article, read_article
from workflow.stamps import Stamps, digest, file_bytes

SITE_DOMAIN = "site"   # the page chrome's catalog; no article may use this slug

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StageResult:
    """What a stage did: the files it wrote and the ones it left unchanged."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]


def source_paths(config: Config) -> list[Path]:
    """Every article file, sorted by name; a missing ``source/`` is an error."""
    if not config.source_dir.is_dir():
        raise SourceError("no source/ folder with articles", path=config.source_dir)
    return sorted(config.source_dir.glob("*.md"))


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
    pot = build_template(article.slug, article.title, article.path, extract_segments(article), created)
    return catalog_text(pot)


def render_site_template(created: str) -> str:
    """The canonical text of ``site.pot``, the page chrome's messages."""
    from workflow.render import site_messages
    return catalog_text(build_site_template(site_messages(), created))


def _stable(config: Config, path: Path, render: Callable[[str], str]) -> str:
    """Render a template, keeping the old POT-Creation-Date when nothing else would change."""
    if path.exists():
        old = read_catalog(path, display_path(config, path)).metadata.get("POT-Creation-Date")
        if old:
            text = render(old)
            if text == path.read_text(encoding="utf-8"):
                return text
    return render(now_stamp())


def extract(config: Config, progress: Progress | None = None) -> StageResult:
    """Write ``locales/<slug>.pot`` for every article and ``locales/site.pot`` for the page chrome.

    POT-Creation-Date moves only when a template's content does. Articles are
    parsed one at a time; an article whose source and template are unchanged
    since the last extract (content stamps in ``.cache/``) is not parsed again.
    Every broken article is reported before anything is written.
    """
    from workflow.render import templates_digest

    stamps = Stamps(config.root)
    paths = source_paths(config)
    planned: list[tuple[Path, str, str, bytes]] = []
    kept: list[Path] = []
    errors: list[LocumError] = []
    for done, path in enumerate(paths, 1):
        pot, unit, source = config.pot_path(path.stem), f"extract:{path.stem}", path.read_bytes()
        if stamps.fresh(unit, digest(source, file_bytes(pot))):
            kept.append(pot)
        else:
            try:
                article = _checked(read_article(path, set(config.markets), display_path(config, path)))
                planned.append((pot, _stable(config, pot, lambda stamp: render_template(article, stamp)),
                                unit, source))
            except LocumError as exc:
                errors.append(exc)
        if progress:
            progress(done, len(paths))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    site = config.pot_path(SITE_DOMAIN)
    if stamps.fresh("extract:site", digest(templates_digest(), file_bytes(site))):
        kept.append(site)
    else:
        planned.append((site, _stable(config, site, render_site_template), "extract:site", templates_digest()))
    written = [path for path, text, _, _ in planned if write_atomic(path, text)]
    for path, text, unit, source in planned:
        stamps.record(unit, digest(source, text.encode("utf-8")))
    stamps.save()
    fresh = set(written)
    return StageResult(tuple(written), tuple(kept) + tuple(p for p, _, _, _ in planned if p not in fresh))

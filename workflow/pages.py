"""One article's pages: localized through each locale's catalog chain, judged by the gate, rendered and written.

A worker process builds one article in every locale (:class:`ArticleJob`)
and hands back only its small manifest records (:class:`ArticleOut`); the
pages and their audits go into the staging folder. A page whose inputs did
not change is neither localized nor rendered again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from workflow.audit import audit_relpath, page_audit_text
from workflow.config import Config, OutputLocale
from workflow.contexts import article_context, url
from workflow.errors import SourceError
from workflow.localize import Fallback, localize_tokens
from workflow.manifest import input_key, page_record, standing
from workflow.project import SITE_DOMAIN, display_path
from workflow.references import PageReferences, SiteReferences, article_references, check_references
from workflow.render import environment, render_tokens, split_heading
from workflow.source import Article, parse_article
from workflow.staging import Writer
from workflow.translations import Chain, load_chain


@dataclass(frozen=True)
class Page:
    """One article in one locale, localized and judged by the gate."""

    locale: OutputLocale
    article: Article
    title: str
    description: str
    heading: Markup
    body: Markup
    missing: list[dict]             # segments not translated and approved: ``text``, ``source`` (``path:line``)
    key: str                        # the key of the page's inputs
    shown: list[dict] = field(default_factory=list)     # every segment shown from a catalog, with its origin
    published: bool = False
    links: tuple[str, ...] = ()     # the articles it links to, and the images it shows (see workflow.references)
    images: tuple[str, ...] = ()

    @property
    def relpath(self) -> str:
        return f"{self.locale.tag}/{self.article.slug}/index.html"

    def record(self) -> dict:
        """What the manifest keeps of this page (see :func:`workflow.manifest.page_record`)."""
        record = page_record(self.key, self.published, self.missing, self.title, self.description, len(self.shown))
        refs = {"links": list(self.links), "images": list(self.images)}
        return {**record, **{name: value for name, value in refs.items() if value}}


@dataclass(frozen=True)
class PageChrome:
    """A locale's page chrome as its pages see it: input key, chrome messages it lacks, preview policy."""

    key: str
    misses: tuple[dict, ...]
    preview: bool


@dataclass(frozen=True)
class ChromeEnvironment:
    """A locale's Jinja2 environment, and its preview note for text shown untranslated."""

    env: Environment
    note: str


_ENVIRONMENTS: dict[tuple, ChromeEnvironment] = {}


def chrome_environment(config: Config, locale: OutputLocale, key: str) -> ChromeEnvironment:
    """The environment of a locale's chrome, made once per process and chrome key."""
    cache_key = (str(config.root), locale.tag, key)
    if cache_key not in _ENVIRONMENTS:
        if len(_ENVIRONMENTS) > 64:
            _ENVIRONMENTS.clear()
        site = load_chain(config, locale, SITE_DOMAIN)
        _ENVIRONMENTS[cache_key] = ChromeEnvironment(environment(site.translations),
                                                     site.translations.gettext("not yet translated"))
    return _ENVIRONMENTS[cache_key]


def localize_page(config: Config, locale: OutputLocale, article: Article, chain: Chain,
                  note: str, preview: bool, key: str, references: PageReferences | None = None) -> Page:
    """``article`` in ``locale`` through ``chain``; in preview, missing text shows in the source language, marked."""
    fallback = Fallback(config.source_language, note) if preview else None
    found: list[str] = []

    def lookup(text: str) -> str | None:
        result = chain.lookup(text)
        if result is not None:
            found.append(text)
        return result

    tokens, missing = localize_tokens(article.tokens, locale.market, lookup, fallback, "../../", references)
    misses = [{"text": m.text, "source": f"{article.path}:{m.line}"} for m in missing]

    def meta(key: str) -> str:
        value = article.meta.get(key)
        if not isinstance(value, str) or not value.strip():
            return ""
        translated = lookup(value.strip())
        if translated is None:
            misses.append({"text": value.strip(), "source": f"{article.path}:{article.meta_lines[key]}"})
            return value.strip()
        return translated

    title, description = meta("title"), meta("description")
    heading, body = split_heading(tokens)
    shown = [{"text": text, **chain.origin(text)} for text in dict.fromkeys(found)] if locale.chain else []
    links, images = article_references(article)
    return Page(locale, article, title, description, render_tokens(heading), render_tokens(body),
                misses, key, shown, links=links, images=images)


def read_article(config: Config, path: Path) -> Article:
    """Parse one source article (bad UTF-8 and the slug of the chrome's catalog are errors)."""
    slug = path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})",
                          path=display_path(config, path)) from None
    article = parse_article(text, slug, display_path(config, path), set(config.markets))
    if slug == SITE_DOMAIN:
        raise SourceError(f"the slug {SITE_DOMAIN!r} is reserved for the page chrome's catalog; "
                          "rename the article", path=article.path, line=1)
    return article


@dataclass(frozen=True)
class ArticleTask:
    """One article to build: its source, its pages' input keys, and what the previous build left of them."""

    path: Path
    inputs: dict[str, str]          # locale tag -> the key of that page's inputs
    records: dict[str, dict]        # locale/slug -> the previous build's record, where it can stand
    kept: dict[str, str]            # the previous build's keys of its pages and audits still on disk

    @property
    def slug(self) -> str:
        return self.path.stem

    def unchanged(self) -> bool:
        """Whether every page's inputs are as last time and each published page's files are still there."""
        slug = self.slug
        if any(self.records.get(f"{tag}/{slug}", {}).get("inputs") != key for tag, key in self.inputs.items()):
            return False
        return all(f"{tag}/{slug}/index.html" in self.kept and audit_relpath(tag, slug) in self.kept
                   for tag in self.inputs if self.records[f"{tag}/{slug}"]["published"])


def previous_records(config: Config, slug: str, records: dict[str, dict]) -> dict[str, dict]:
    """The previous build's records of an article's pages that can stand (:func:`workflow.manifest.standing`)."""
    return {name: records[name] for name in (f"{loc.tag}/{slug}" for loc in config.locales)
            if name in records and standing(records[name])}


@dataclass(frozen=True)
class ArticleOut:
    """What building one article hands back: its pages' records, the keys of the files it made or kept, counts."""

    slug: str
    records: dict[str, dict]
    pages: dict[str, str]
    published: tuple[str, ...] = ()     # the locales it is published in
    rendered: int = 0
    reused: int = 0


@dataclass(frozen=True)
class ArticleJob:
    """Everything an article's build needs; picklable, so workers can run it (see :func:`build_article`)."""

    config: Config
    staging: Path
    chrome: dict[str, PageChrome]
    references: SiteReferences = SiteReferences()   # where links and images lead (workflow.references)

    def __call__(self, task: ArticleTask) -> ArticleOut:
        return build_article(self, task)


def build_article(job: ArticleJob, task: ArticleTask) -> ArticleOut:
    """Gate, render and write one article in every locale (pure apart from the staging folder).

    The article is parsed only if a page must be localized: one whose record
    does not stand or whose inputs changed, or a published one whose files
    must be written again (the set of locales it is published in changed).
    """
    config, slug = job.config, task.slug
    parsed = cache(lambda: check_references(read_article(config, task.path), job.references))
    pages: dict[str, Page] = {}
    records: dict[str, dict] = {}
    for locale in config.locales:
        name = f"{locale.tag}/{slug}"
        record = task.records.get(name)
        if record is None or record.get("inputs") != task.inputs[locale.tag]:
            page = gated_page(job, locale, parsed(), task.inputs[locale.tag])
            pages[locale.tag], record = page, page.record()
        records[name] = record
    siblings = [loc for loc in config.locales if records[f"{loc.tag}/{slug}"]["published"]]
    files: dict[str, str] = {}
    writer = Writer(job.staging, task.kept, files)
    rendered = reused = 0
    for locale in siblings:
        inputs = records[f"{locale.tag}/{slug}"]["inputs"]
        key = input_key(inputs, *(loc.tag for loc in siblings),
                        *job.references.key_parts(records[f"{locale.tag}/{slug}"], locale.tag))
        page = pages.get(locale.tag)
        if page is None and writer.reuse((f"{locale.tag}/{slug}/index.html", audit_relpath(locale.tag, slug)), key):
            reused += 1
            continue
        if page is None:      # same text, but the set of languages it is published in changed
            page = gated_page(job, locale, parsed(), inputs)
        write_page(job, writer, page, siblings, key)
        rendered += 1
    return ArticleOut(slug, records, files, tuple(loc.tag for loc in siblings), rendered, reused)


def gated_page(job: ArticleJob, locale: OutputLocale, article: Article, inputs: str) -> Page:
    """``article`` localized in ``locale``, its chrome's misses added, and published unless something is missing."""
    config, chrome = job.config, job.chrome[locale.tag]
    chain = load_chain(config, locale, article.slug)
    note = chrome_environment(config, locale, chrome.key).note
    page = localize_page(config, locale, article, chain, note, chrome.preview, inputs,
                         PageReferences(job.references, locale.tag))
    missing = [*page.missing, *chrome.misses]
    return dataclasses.replace(page, missing=missing, published=chrome.preview or not missing)


def write_page(job: ArticleJob, writer: Writer, page: Page, siblings: list[OutputLocale], key: str) -> None:
    """Render a published page, and write it with its audit."""
    config, locale, slug = job.config, page.locale, page.article.slug
    env = chrome_environment(config, locale, job.chrome[locale.tag].key).env
    html = env.get_template("article.html").render(
        site_name=config.site_name, page=article_context(config, page, siblings), preview=job.chrome[locale.tag].preview)
    writer.write(page.relpath, html, key)
    writer.write(audit_relpath(locale.tag, slug), page_audit_text(locale, slug, url(config, page.relpath), page.shown),
                 key)

"""One article's pages: localized through each locale's catalog chain, judged by the gate, rendered and written.

A worker process builds one article in every locale (:class:`ArticleJob`)
and hands back only its small manifest records (:class:`ArticleOut`); the
pages and their audits go into the staging folder. A page whose inputs did
not change is neither localized nor rendered again. A page the gate holds
back is served from its last approved version when it has one
(:func:`judged_page`, :mod:`workflow.snapshots`): outdated with a notice, or
withdrawn after a safety-relevant change; the snapshot texts it must write
go back to the build, which alone writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from workflow.audit import audit_relpath, page_audit_text
from workflow.config import Config, OutputLocale
from workflow.contexts import article_context, date, source_locale, url
from workflow.errors import SourceError
from workflow.localize import Fallback, localize_tokens
from workflow.manifest import input_key, page_record, standing
from workflow.project import SITE_DOMAIN, display_path
from workflow.references import PageReferences, SiteReferences, article_references, check_references
from workflow.render import environment, render_tokens, split_heading
from workflow.segments import walk_body
from workflow.snapshots import Snapshot, Translation, approval_day, read_snapshot, snapshot_relpath
from workflow.source import Article, parse_article, safety_change
from workflow.staging import Writer
from workflow.translations import Chain, load_chain

OUTDATED = "outdated"   # in a page's record: served from its last approved version (see Notice.record)
NOTICE_TEMPLATE = "workflow/templates/notice.html"      # the notices' messages: needed only by such a page


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
    texts: dict[str, str] = field(default_factory=dict)  # msgid -> the translation shown
    notice: Notice | None = None    # served from the last approved version (workflow.snapshots)

    @property
    def relpath(self) -> str:
        return f"{self.locale.tag}/{self.article.slug}/index.html"

    def record(self) -> dict:
        """What the manifest keeps of this page (see :func:`workflow.manifest.page_record`)."""
        record = page_record(self.key, self.published, self.missing, self.title, self.description, len(self.shown))
        refs = {"links": list(self.links), "images": list(self.images)}
        record = {**record, **{name: value for name, value in refs.items() if value}}
        if self.notice is not None:
            record[OUTDATED] = self.notice.record()
        return record


@dataclass(frozen=True)
class Notice:
    """Why a page shows its last approved version: outdated (English changed) or withdrawn (a safety change)."""

    withdrawn: bool
    changed: str            # ISO day: the safety change's, or the day a build first found the page outdated
    reviewed: str | None    # ISO day: the latest approval of the version shown
    missing: tuple[dict, ...]   # what the current English lacks in this locale

    def record(self) -> dict:
        return {"withdrawn": self.withdrawn, "since": self.changed, "reviewed": self.reviewed,
                "missing": list(self.missing)}


@dataclass(frozen=True)
class PageChrome:
    """A locale's page chrome as its pages see it: input key, chrome messages it lacks, preview policy.

    ``notices`` are the messages of ``notice.html`` it lacks: needed only by a
    page served from its last approved version, which is held back without them.
    """

    key: str
    misses: tuple[dict, ...]
    preview: bool
    notices: tuple[dict, ...] = ()


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
    found: dict[str, str] = {}

    def lookup(text: str) -> str | None:
        result = chain.lookup(text)
        if result is not None:
            found[text] = result
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
    shown = [{"text": text, **chain.origin(text)} for text in found] if locale.chain else []
    links, images = article_references(article)
    return Page(locale, article, title, description, render_tokens(heading), render_tokens(body),
                misses, key, shown, links=links, images=images, texts=found if locale.chain else {})


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
    inputs: dict[str, str]          # locale tag -> the key of that page's inputs (its snapshot's digest included)
    records: dict[str, dict]        # locale/slug -> the previous build's record, where it can stand
    kept: dict[str, str]            # the previous build's keys of its pages and audits still on disk
    bases: dict[str, str] = field(default_factory=dict)      # locale tag -> the key without the snapshot
    snapshots: dict[str, str] = field(default_factory=dict)  # locale tag -> its snapshot's digest, or "missing"

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
    snapshots: tuple[str, ...] = ()     # snapshot_relpaths staged under SNAPSHOTS in the staging folder


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
    snapshots: list[str] = []
    for locale in config.locales:
        name = f"{locale.tag}/{slug}"
        record = task.records.get(name)
        if record is None or record.get("inputs") != task.inputs[locale.tag]:
            page, text = judged_page(job, locale, parsed(), task.inputs[locale.tag])
            if text is not None:
                snapshots.append(stage_snapshot(job.staging, snapshot_relpath(locale.tag, slug), text))
            if locale.tag in task.bases:    # the key the next build will compute: the snapshot as now written
                digest = task.snapshots[locale.tag] if text is None else text_digest_bytes(text)
                page = dataclasses.replace(page, key=input_key(task.bases[locale.tag], digest))
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
            page = judged_page(job, locale, parsed(), inputs)[0]
        write_page(job, writer, page, siblings, key)
        rendered += 1
    return ArticleOut(slug, records, files, tuple(loc.tag for loc in siblings), rendered, reused, tuple(snapshots))


SNAPSHOTS = ".snapshots"     # in the staging folder: the last approved versions, until the build commits them


def stage_snapshot(staging: Path, relpath: str, text: str) -> str:
    """Write ``text`` under ``staging``/SNAPSHOTS/``relpath``; returns ``relpath``.

    The build writes the snapshots into ``locales/published/`` when it
    commits; staged as files they wait there instead of in the build's
    memory (140 MB of them on the 1,000-article bench, cold).
    """
    path = staging / SNAPSHOTS / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return relpath


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
    context = article_context(config, page, siblings)
    context["notice"] = notice_context(config, page)
    if page.notice is not None and page.notice.withdrawn:
        context.update(published=None, reviewed=None, reading_time=None, reviewed_by=None)
    html = env.get_template("article.html").render(site_name=config.site_name, page=context,
                                                    preview=job.chrome[locale.tag].preview)
    writer.write(page.relpath, html, key)
    writer.write(audit_relpath(locale.tag, slug), page_audit_text(locale, slug, url(config, page.relpath), page.shown),
                 key)


def judged_page(job: ArticleJob, locale: OutputLocale, article: Article, inputs: str) -> tuple[Page, str | None]:
    """The page the gate lets readers see, and the text its snapshot must now have (None: leave it).

    Fully approved (in a locale whose pages can be held back, not in
    preview): published, and its snapshot is this version. Held back: its
    last approved version (:func:`last_approved_page`) when there is one and
    the locale's chrome has every message that page needs, else held back as
    before (404 for readers), the notice's missing messages listed too.
    """
    page = gated_page(job, locale, article, inputs)
    chrome = job.chrome[locale.tag]
    if chrome.preview or not keeps_snapshot(job.config, locale):
        return page, None
    if page.published:
        rows = tuple(Translation(s["text"], page.texts[s["text"]], s.get("catalog") or "", approval_day(s))
                     for s in page.shown)
        return page, Snapshot(locale.tag, article.slug, article.text, rows).text()
    snapshot = read_snapshot(job.config.root, locale.tag, article.slug)
    if snapshot is None or not english_changed(page, snapshot):
        return page, None
    snapshot = snapshot.stale(dt.datetime.now(dt.timezone.utc).date())
    if chrome.misses or chrome.notices:
        return dataclasses.replace(page, missing=[*page.missing, *chrome.notices]), snapshot.text()
    return last_approved_page(job, locale, article, snapshot, page) or page, snapshot.text()


def english_changed(held: Page, snapshot: Snapshot) -> bool:
    """Whether ``held`` waits only for English text the snapshot never had: new or changed segments.

    A segment the snapshot has that is no longer approved (its translation
    edited, rejected or its record forged) is a reviewer's matter, not an
    English edit: that page stays held back, never shown as it was.
    """
    known = {translation.msgid for translation in snapshot.translations}
    return snapshot.source != held.article.text and not any(miss["text"] in known for miss in held.missing)


def keeps_snapshot(config: Config, locale: OutputLocale) -> bool:
    """Whether ``locale``'s pages can be held back for missing text (a chain not ending in the source language)."""
    return bool(locale.chain) and not config.is_override(locale.chain[-1])


def last_approved_page(job: ArticleJob, locale: OutputLocale, current: Article, snapshot: Snapshot,
                       held: Page) -> Page | None:
    """``snapshot`` rendered as the page readers see while ``held`` waits: outdated, or withdrawn.

    Localized and rendered from the snapshot's Markdown and translations like
    any page (so its text can never be markup). Withdrawn when the current
    article declares a ``safety_change`` later than the snapshot's last
    approval: the page then shows only its approved title, the notice and the
    market's emergency advice (:func:`emergency_advice`). None when the
    snapshot does not cover its own text (then the page stays held back).
    """
    config = job.config
    article = parse_article(snapshot.source, snapshot.slug, snapshot_relpath(locale.tag, snapshot.slug),
                            set(config.markets))
    note = chrome_environment(config, locale, job.chrome[locale.tag].key).note
    page = localize_page(config, locale, article, snapshot, note, False, held.key)
    if page.missing:
        return None
    safety = safety_change(current)
    withdrawn = safety is not None and (snapshot.approved or "") <= safety.isoformat()
    if not withdrawn and snapshot.approved is None:
        return None         # no approval day to name: the notice could not say when it was reviewed
    if withdrawn:
        page = dataclasses.replace(page, heading=Markup("<h1>{}</h1>\n").format(page.title),
                                   body=emergency_advice(config, locale, current),
                                   shown=[s for s in page.shown if s["text"] == article.title.strip()])
    changed = safety.isoformat() if withdrawn else snapshot.stale_since
    return dataclasses.replace(page, published=True,
                               notice=Notice(withdrawn, changed, snapshot.approved, tuple(held.missing)))


def emergency_advice(config: Config, locale: OutputLocale, article: Article) -> Markup:
    """The region blocks of ``locale``'s market that give emergency advice, as a withdrawn page repeats them.

    A block is shown translated when every one of its segments passes the
    gate now, else in the source language, marked with ``lang``: a reader
    always gets the article's own emergency advice, never an unreviewed
    translation of it.
    """
    blocks: list[list] = []
    for body in walk_body(article.tokens):
        if body.region != locale.market:
            continue
        if body.token.type == "container_region_open":
            blocks.append([])
        blocks[-1].append(body.token)
    tokens = tuple(t for block in blocks if any("emergency" in t.content.lower() for t in block) for t in block)
    if not tokens:
        return Markup("")
    chain = load_chain(config, locale, article.slug)
    localized, missing = localize_tokens(tokens, locale.market, chain.lookup, asset_prefix="../../")
    if not missing:
        return render_tokens(localized)
    english, _ = localize_tokens(tokens, locale.market, lambda text: text, asset_prefix="../../")
    return Markup('<div lang="{}">\n{}</div>\n').format(config.source_language, render_tokens(english))


def notice_context(config: Config, page: Page) -> dict | None:
    """``page.notice`` of ``article.html``: the notice's kind, its dates and the source-language page."""
    if page.notice is None:
        return None
    source = next((loc for loc in config.locales if loc.market == page.locale.market
                   and not keeps_snapshot(config, loc)), source_locale(config))
    return {"withdrawn": page.notice.withdrawn,
            "changed": date(dt.date.fromisoformat(page.notice.changed), page.locale),
            "reviewed": date(dt.date.fromisoformat(page.notice.reviewed), page.locale)
            if page.notice.reviewed else None,
            "source": f"../../{source.tag}/{page.article.slug}/", "source_lang": source.tag}


def text_digest_bytes(text: str) -> str:
    """The digest :class:`workflow.stamps.FileDigests` gives a file holding ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

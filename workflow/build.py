"""The build stage: compiled catalogs + source → ``output/``; gather all, then write through one writer.

Pages are rendered into a staging folder that reaches ``output/`` only when
everything succeeded, so a failed build leaves the last good site in place.
A page whose inputs did not change since the last build is neither rendered
nor moved: only changed files go from the staging folder into ``output/``.

``output/`` holds only what readers are served. What the build records for
editors and auditors goes to ``audit/`` (never served, git-ignored by the
``.gitignore`` the build writes in it): each published page's full audit
(every segment shown, its catalog, reviewer name and e-mail, time, key
fingerprint, provenance: whatever :func:`workflow.review.approval_info`
recorded at compile time), their index, and the build report. The manifest
that makes builds incremental is Locum's own bookkeeping: ``.cache/build.json``.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from markupsafe import Markup

from workflow import __version__
from workflow.config import CONFIG_PATH, Config, OutputLocale
from workflow.errors import ErrorList, LocumError, SourceError
from workflow.project import SITE_DOMAIN, Progress, display_path, source_tree
from workflow.fileio import long_lived, write_atomic
from workflow.leftovers import RETIRED, STAGING, recover
from workflow.localize import Fallback, localize_tokens
from workflow.parallel import map_ordered
from workflow.chrome import site_messages, templates_digest
from workflow.render import environment, render_tokens, split_heading
from workflow.source import Article, parse_article
from workflow.stamps import FileDigests
from workflow.translations import Chain, chain_files, load_chain

MANIFEST = Path(".cache") / "build.json"     # relative to the project root; never in output/
MANIFEST_FORMAT = 4
AUDIT_DIR = "audit"                     # relative to the project root: the build's records, never served
REPORT = "build-report.json"            # in AUDIT_DIR
REPORT_PATH = Path(AUDIT_DIR) / REPORT  # as the console names it
AUDIT_INDEX = "index.audit.json"        # in AUDIT_DIR
AUDIT_SUFFIX = ".audit.json"            # AUDIT_DIR/<locale>/<slug>.audit.json
GITIGNORE = ".gitignore"
# The build writes both trees through one staging folder: paths under this prefix go to AUDIT_DIR, not output/
# (a dot folder, which no locale tag, slug or image folder of output/ can be).
AUDITED = ".audit/"
REVIEWED_BY = "Reviewed by %(names)s, %(date)s"     # chrome message needed only with [publish] show_reviewers


def audit_relpath(tag: str, slug: str) -> str:
    """Where a page's audit goes in the staging folder and the manifest (see :data:`AUDITED`)."""
    return f"{AUDITED}{tag}/{slug}{AUDIT_SUFFIX}"


@dataclass
class Page:
    """One article in one locale, localized and judged by the gate."""

    locale: OutputLocale
    article: Article
    title: str
    description: str
    heading: Markup
    body: Markup
    missing: list[dict]
    key: str
    shown: list[dict] = field(default_factory=list)
    published: bool = False

    @property
    def relpath(self) -> str:
        return f"{self.locale.tag}/{self.article.slug}/index.html"

    def record(self) -> dict:
        """What the manifest keeps of this page, so an unchanged page needs no work next time.

        The missing segments themselves are not in it: the report holds them
        (see :func:`_old_missing`).
        """
        return {"inputs": self.key, "published": self.published, "missed": len(self.missing),
                "title": self.title, "description": self.description, "segments": len(self.shown)}


@dataclass(frozen=True)
class Skipped:
    """A page held back by the gate: ``count`` segments not translated and approved."""

    locale: str
    slug: str
    count: int
    missing_json: str

    @property
    def missing(self) -> list[dict]:
        """The missing segments: ``text`` and ``source`` (``path:line``)."""
        return json.loads(self.missing_json)


@dataclass
class BuildResult:
    published: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    output: Path | None = None
    changed: set[str] | None = field(default_factory=set)    # files replaced or removed; None: all of output/


@lru_cache(maxsize=None)
def locale_name(tag: str) -> str:
    """A locale's name in its own language.

    >>> locale_name("es-US"), locale_name("pl-GB")
    ('español (Estados Unidos)', 'polski (Wielka Brytania)')
    """
    try:
        return Locale.parse(tag, sep="-").get_display_name()
    except UnknownLocaleError:
        language, _, territory = tag.partition("-")
        own = Locale.parse(language)
        return f"{own.get_display_name()} ({own.territories.get(territory, territory)})"


@lru_cache(maxsize=None)
def text_direction(locale: OutputLocale) -> str:
    return "rtl" if locale.babel_locale.character_order == "right-to-left" else "ltr"


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def localize_page(config: Config, locale: OutputLocale, article: Article, chain: Chain,
                  note: str, preview: bool, key: str) -> Page:
    fallback = Fallback(config.source_language, note) if preview else None
    found: list[str] = []

    def lookup(text: str) -> str | None:
        result = chain.lookup(text)
        if result is not None:
            found.append(text)
        return result

    tokens, missing = localize_tokens(article.tokens, locale.market, lookup, fallback, asset_prefix="../../")
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
    return Page(locale, article, title, description, render_tokens(heading), render_tokens(body),
                misses, key, shown)


def build(config: Config, preview: bool = False, progress: Progress | None = None,
          existing: set[str] | None = None) -> BuildResult:
    """Build the whole site; pages failing the gate are skipped (or shown with fallbacks in preview).

    Work goes article by article, on every core (:mod:`workflow.parallel`):
    a worker localizes, renders and writes one article's pages into the
    staging folder and hands back only their small manifest records. A page
    whose inputs (source text, compiled catalogs and audit sidecars of its
    chain, chrome, templates, config) did not change since the last build is
    neither localized nor rendered again: its gate result comes from the
    manifest and its files stay as they are in ``output/``. The site's other
    files (indexes, sitemap, report) are keyed the same way, by what they
    show. Which pages those are is decided here from content digests cached
    by ``stat`` signature, so an unchanged article costs a few system calls
    and an unchanged site writes nothing. ``existing`` (the files now in
    ``output/``, relative to it) spares a walk when the caller just made one.

    Each page's audit (``audit/<locale>/<slug>.audit.json``) is written and
    kept with the page, under the same key; the audit index and the build
    report go to ``audit/`` too, and the manifest to ``.cache/build.json``.
    """
    tree = source_tree(config)          # refuses links and special files before anything is written
    paths = list(tree.articles)
    output, audit_dir = config.output_dir, config.root / AUDIT_DIR
    if recover(config.root, output):
        existing = None                 # the caller's listing predates the restored output/
    old = _read_manifest(config.root / MANIFEST) if output.is_dir() else {}     # none: output/ is gone
    digests = FileDigests(config.root)
    base = _digest(templates_digest(), (config.root / CONFIG_PATH).read_bytes(), __version__)
    chrome: dict[str, _Chrome] = {}
    envs: dict[str, tuple] = {}
    for locale in config.locales:
        site = load_chain(config, locale, SITE_DOMAIN)
        misses = [{"text": m[0], "source": "workflow/templates"} for m in site_messages()
                  if (m[0] != REVIEWED_BY or config.show_reviewers) and site.lookup(m[0]) is None]
        chrome[locale.tag] = _Chrome(_digest(base, *_chain_digests(digests, site.files)), tuple(misses),
                                     preview or locale.policy == "preview")
        envs[locale.tag] = _environment(config, locale, chrome[locale.tag].key)

    old_records, old_pages = old.get("records", {}), old.get("pages", {})
    audit_files = _files_in(audit_dir)      # what audit/ holds now: kept, replaced or removed at the end
    site_files = (_files_in(output) if existing is None else existing) if old_pages else set()
    existing = site_files | {AUDITED + relpath for relpath in audit_files} if old_pages else set()
    old_missing = _old_missing(audit_dir, old.get("report")) if AUDITED + REPORT in existing else None
    report_intact, old_missing = old_missing is not None, old_missing or {}
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=config.root))
    try:
        in_place = bool(old_pages)          # output/ is an earlier build of ours: commit file by file
        job = _Job(config, staging, chrome)
        fresh: dict[int, tuple] = {}
        pages_of: dict[str, dict[str, str]] = {}       # slug -> the previous build's page keys
        for relpath, key in old_pages.items():
            parts = relpath.split("/")
            if len(parts) == 3:
                slug = parts[2].removesuffix(AUDIT_SUFFIX) if relpath.startswith(AUDITED) else parts[1]
                pages_of.setdefault(slug, {})[relpath] = key
        compiled, known = _compiled(config), {}
        stale: list[tuple[int, tuple]] = []
        for index, path in enumerate(paths):
            slug = path.stem
            source = digests.of(path)
            inputs = {}
            for locale in config.locales:
                page_chrome = chrome[locale.tag]
                inputs[locale.tag] = _digest(source, *_chain_keys(config, locale, slug, compiled, digests, known),
                                             page_chrome.key, locale.tag, str(page_chrome.preview))
            mine = {name: old_records[name] for name in (f"{loc.tag}/{slug}" for loc in config.locales)
                    if name in old_records and (old_records[name]["published"] or name in old_missing)}
            kept = {r: k for r, k in pages_of.get(slug, {}).items() if r in existing}    # still in output/
            item = (path, inputs, mine, kept)
            if (all(mine.get(f"{tag}/{slug}", {}).get("inputs") == key for tag, key in inputs.items())
                    and all(f"{tag}/{slug}/index.html" in kept and audit_relpath(tag, slug) in kept
                            for tag in inputs if mine[f"{tag}/{slug}"]["published"])):
                fresh[index] = item         # nothing to render: not worth a process
            else:
                stale.append((index, item))
        digests.save()
        done = {index: _build_article(job, item) for index, item in fresh.items()}
        if progress:
            progress(len(done), len(paths))
        worked = map_ordered(job, [item for _, item in stale],
                             progress=(lambda n, _: progress(len(done) + n, len(paths))) if progress else None)
        done.update(zip((index for index, _ in stale), worked))
        errors = [out for out in done.values() if isinstance(out, LocumError)]
        if errors:
            errors.sort(key=lambda e: (e.path or "", e.line or 0))
            raise errors[0] if len(errors) == 1 else ErrorList(errors)
        result, manifest, records = BuildResult(output=output), {}, {}
        published_in: dict[str, list[str]] = {}
        listing: dict[str, list[dict]] = {loc.tag: [] for loc in config.locales}
        listed: dict[str, list[str]] = {loc.tag: [] for loc in config.locales}    # what each index shows
        audit: list[dict] = []
        shown: list[str] = []               # what the report shows
        for index in range(len(paths)):
            article = done[index]
            records.update(article.records)
            manifest.update(article.pages)
            result.rendered += article.rendered
            result.reused += article.reused
            if article.published:
                published_in[article.slug] = list(article.published)
            for locale in config.locales:
                record = article.records[f"{locale.tag}/{article.slug}"]
                if not record["published"]:
                    name = f"{locale.tag}/{article.slug}"
                    missing_json = article.missing.get(name) or old_missing[name]
                    result.skipped.append(Skipped(locale.tag, article.slug, record["missed"], missing_json))
                    shown.append(f"{locale.tag}/{article.slug}:{record['inputs']}")
                    continue
                result.published.append((locale.tag, article.slug))
                listing[locale.tag].append({"href": f"{article.slug}/", "title": record["title"],
                                            "description": record["description"]})
                listed[locale.tag].append(record["inputs"])
                audit.append({"locale": locale.tag, "slug": article.slug,
                              "source": "source text" if not locale.chain else "catalogs",
                              "segments": record["segments"],
                              "file": audit_relpath(locale.tag, article.slug).removeprefix(AUDITED)})
                shown.append(f"{locale.tag}/{article.slug}")
        writer = _Writer(staging, old_pages, manifest, existing)
        for locale in config.locales:
            relpath = f"{locale.tag}/index.html"
            key = _digest(chrome[locale.tag].key, *listed[locale.tag])
            if not writer.reuse((relpath,), key):
                env = envs[locale.tag][0]
                writer.write(relpath, env.get_template("locale_index.html").render(
                    site_name=config.site_name, page=_index_context(config, locale, listing[locale.tag])), key)
        source_locale = _source_locale(config)
        env = envs[source_locale.tag][0]
        key = chrome[source_locale.tag].key
        if not writer.reuse(("index.html",), key):
            writer.write("index.html", env.get_template("site_index.html").render(
                site_name=config.site_name, page=_root_context(config, source_locale)), key)
        key = _digest(base, json.dumps(published_in))
        if not writer.reuse(("sitemap.xml",), key):
            by_tag = {loc.tag: loc for loc in config.locales}
            sitemap = _sitemap(config, {slug: [by_tag[t] for t in tags] for slug, tags in published_in.items()})
            writer.write("sitemap.xml", env.get_template("sitemap.xml").render(urls=sitemap), key)
        key = base
        if not writer.reuse(("style.css",), key):
            writer.copy_file(Path(__file__).parent / "templates" / "style.css", "style.css", key)
        images = config.source_dir / "images"
        for image in tree.images:           # regular files only, none through a link (see source_tree)
            relpath, key = f"images/{image.relative_to(images).as_posix()}", digests.of(image)
            if not writer.reuse((relpath,), key):
                writer.copy_file(image, relpath, key)
        key, report_digest = _digest(base, str(preview), *shown), old.get("report")
        if not (report_intact and writer.reuse((AUDITED + REPORT,), key)):
            report = {"generator": f"Locum {__version__}", "preview": preview,
                      "published": [{"locale": t, "slug": s} for t, s in result.published],
                      "skipped": [_Raw(f'{{"locale": {json.dumps(s.locale)}, "slug": {json.dumps(s.slug)}, '
                                       f'"missing": {s.missing_json}}}') for s in result.skipped]}
            text = _json_lines(report)
            writer.write(AUDITED + REPORT, text, key)
            report_digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        key = _digest(base, *(f"{a['file']}:{a['segments']}" for a in audit))
        if not writer.reuse((AUDITED + AUDIT_INDEX,), key):
            writer.write(AUDITED + AUDIT_INDEX, _json_lines(audit), key)
        key = _digest(GITIGNORE_TEXT)
        if not writer.reuse((AUDITED + GITIGNORE,), key):
            writer.write(AUDITED + GITIGNORE, GITIGNORE_TEXT, key)
        digests.save()
        if (in_place and not (writer.wrote or result.rendered) and manifest == old_pages and records == old_records
                and report_digest == old.get("report")):
            shutil.rmtree(staging, ignore_errors=True)      # nothing the site is made of has changed
            return result
        manifest_path = config.root / MANIFEST
        manifest_path.unlink(missing_ok=True)   # until the new one is written, the next build trusts no file
        _commit_audit(staging / AUDITED, audit_dir, {r.removeprefix(AUDITED) for r in manifest
                                                     if r.startswith(AUDITED)}, audit_files)
        if in_place:
            result.changed = _commit(staging, output, {r for r in manifest if not r.startswith(AUDITED)},
                                     site_files)
        else:
            _swap(staging, output)
            result.changed = None
        write_atomic(manifest_path, json.dumps({"format": MANIFEST_FORMAT, "pages": manifest, "records": records,
                                                "report": report_digest}) + "\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


GITIGNORE_TEXT = ("# Written by Locum: the audit names reviewers and their e-mail addresses, and every build\n"
                  "# writes it anew from the catalogs, whose git history is the lasting record.\n*\n")


class _Raw(str):
    """JSON text already encoded (a report line, from a page's missing segments kept as JSON)."""


def _json_lines(value) -> str:
    """JSON with one list item per line: readable and diffable, yet written by the C encoder."""
    def dump(part) -> str:
        return part if isinstance(part, _Raw) else json.dumps(part, ensure_ascii=False)
    if isinstance(value, dict):
        body = ",\n".join(f"{dump(k)}: {_json_lines(v).rstrip()}" if isinstance(v, list) else f"{dump(k)}: {dump(v)}"
                           for k, v in value.items())
        return "{\n" + body + "\n}\n"
    if isinstance(value, list):
        return ("[\n" + ",\n".join(dump(item) for item in value) + "\n]\n") if value else "[]\n"
    return dump(value) + "\n"


def _compiled(config: Config) -> dict[str, frozenset[str]]:
    """The file names in each catalog's ``LC_MESSAGES`` folder: one listing instead of a ``stat`` per page."""
    found = {}
    for catalog in config.catalogs:
        try:
            found[catalog] = frozenset(os.listdir(config.locales_dir / catalog / "LC_MESSAGES"))
        except FileNotFoundError:
            found[catalog] = frozenset()
    return found


def _chain_keys(config: Config, locale: OutputLocale, slug: str, compiled: dict[str, frozenset[str]],
                digests: FileDigests, known: dict[tuple[str, str], str]) -> list[str]:
    """The digests of the compiled catalogs in ``locale``'s chain for ``slug`` (see :func:`_chain_digests`).

    Found through the listings of :func:`_compiled` and ``known`` (a memo of
    this build: ``es`` serves ``es-US`` and ``es-ES`` alike).
    """
    name = f"{slug}.mo"
    keys = []
    for catalog in locale.chain:
        if name in compiled.get(catalog, ()):
            key = known.get((catalog, slug))
            if key is None:
                stem = f"{config.locales_dir}{os.sep}{catalog}{os.sep}LC_MESSAGES{os.sep}{slug}"
                key = known[(catalog, slug)] = digests.of(f"{stem}.mo") + digests.of(f"{stem}.audit.json")
            keys.append(key)
        elif not config.is_override(catalog):
            chain_files(config, locale, slug)       # raises the error that names the missing file
    return keys


def _chain_digests(digests: FileDigests, files) -> list[str]:
    """Digests of a chain's ``.mo`` files and their audit sidecars (who approved what: the pages' audit)."""
    return [digests.of(path) + digests.of(path.with_suffix(".audit.json")) for path in files]


@dataclass(frozen=True)
class _Chrome:
    """Per-locale page chrome: input digest, missing messages, preview policy."""

    key: str
    misses: tuple[dict, ...]
    preview: bool


_ENVIRONMENTS: dict[tuple, tuple] = {}


def _environment(config: Config, locale: OutputLocale, key: str) -> tuple:
    """(Jinja2 environment, preview note) of a locale's chrome, made once per process and chrome digest."""
    cache_key = (str(config.root), locale.tag, key)
    if cache_key not in _ENVIRONMENTS:
        if len(_ENVIRONMENTS) > 64:
            _ENVIRONMENTS.clear()
        site = load_chain(config, locale, SITE_DOMAIN)
        _ENVIRONMENTS[cache_key] = (environment(site.translations),
                                    site.translations.gettext("not yet translated"))
    return _ENVIRONMENTS[cache_key]


@dataclass
class _ArticleOut:
    """What building one article hands back: manifest records and page keys, counts."""

    slug: str
    records: dict[str, dict]
    pages: dict[str, str]
    missing: dict[str, str] = field(default_factory=dict)   # page -> its missing segments as JSON, if localized
    published: tuple[str, ...] = ()
    rendered: int = 0
    reused: int = 0


@dataclass(frozen=True)
class _Job:
    """Everything an article's build needs; picklable, so workers can run it.

    Calling it with ``(path, inputs per locale, old records, keys of the old
    pages still in output/)`` builds that article (see :func:`_build_article`).
    """

    config: Config
    staging: Path
    chrome: dict[str, _Chrome]

    def __call__(self, item: tuple) -> _ArticleOut:
        return _build_article(self, item)


def _build_article(job: _Job, item: tuple) -> _ArticleOut:
    """Gate, render and write one article in every locale (pure apart from the staging folder)."""
    path, inputs, old_records, old_pages = item
    config = job.config
    slug = path.stem
    article: Article | None = None

    def parsed() -> Article:
        nonlocal article
        if article is None:
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

    pages: dict[str, Page] = {}
    out = _ArticleOut(slug, {}, {})
    for locale in config.locales:
        name = f"{locale.tag}/{slug}"
        record = old_records.get(name)
        if record is None or record.get("inputs") != inputs[locale.tag]:
            page = _localized(job, locale, parsed(), inputs[locale.tag])
            record = page.record()
            pages[locale.tag] = page
            if not page.published:
                out.missing[name] = json.dumps(page.missing, ensure_ascii=False)
        out.records[name] = record
    siblings = [loc for loc in config.locales if out.records[f"{loc.tag}/{slug}"]["published"]]
    out.published = tuple(loc.tag for loc in siblings)
    writer = _Writer(job.staging, old_pages, out.pages)
    for locale in siblings:
        record = out.records[f"{locale.tag}/{slug}"]
        folder = f"{locale.tag}/{slug}/"
        key = _digest(record["inputs"], *(loc.tag for loc in siblings))
        page = pages.get(locale.tag)
        if page is None and writer.reuse((folder + "index.html", audit_relpath(locale.tag, slug)), key):
            out.reused += 1
            continue
        if page is None:      # same text, but the set of languages it is published in changed
            page = _localized(job, locale, parsed(), record["inputs"])
        env = _environment(config, locale, job.chrome[locale.tag].key)[0]
        html = env.get_template("article.html").render(
            site_name=config.site_name, page=_article_context(config, page, siblings))
        writer.write(folder + "index.html", html, key)
        audit = {"locale": locale.tag, "slug": slug, "page": _url(config, page.relpath),
                 "source": "source text" if not locale.chain else "catalogs", "segments": page.shown}
        writer.write(audit_relpath(locale.tag, slug), json.dumps(audit, ensure_ascii=False, indent=1) + "\n", key)
        out.rendered += 1
    return out


def _localized(job: _Job, locale: OutputLocale, article: Article, inputs: str) -> Page:
    config, page_chrome = job.config, job.chrome[locale.tag]
    chain = load_chain(config, locale, article.slug)
    note = _environment(config, locale, page_chrome.key)[1]
    page = localize_page(config, locale, article, chain, note, page_chrome.preview, inputs)
    page.missing += page_chrome.misses
    page.published = page_chrome.preview or not page.missing
    return page


class _Writer:
    """The one place that puts files into the staging folder.

    The staging folder receives what changed; unchanged files stay where they
    are in the previous build (see :func:`_commit`). ``old`` holds the keys
    of the previous build's files, ``existing`` (when given) the files still
    in ``output/``; with no previous build, nothing is unchanged and the
    staging folder becomes the whole site.
    """

    def __init__(self, staging: Path, old: dict, new: dict, existing: set[str] | None = None):
        self.staging, self.old, self.new, self.existing = staging, old, new, existing
        self.wrote = False

    def _target(self, relpath: str) -> Path:
        path = self.staging / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wrote = True
        return path

    def write(self, relpath: str, text: str, key: str | None = None) -> None:
        self._target(relpath).write_text(text, encoding="utf-8")
        if key:
            self.new[relpath] = key

    def reuse(self, relpaths: tuple[str, ...], key: str) -> bool:
        """Keep the previous build's files when their inputs are unchanged (all of them, or none)."""
        if any(self.old.get(r) != key or (self.existing is not None and r not in self.existing) for r in relpaths):
            return False
        for relpath in relpaths:
            self.new[relpath] = key
        return True

    def copy_file(self, source: Path, relpath: str, key: str | None = None) -> None:
        shutil.copyfile(source, self._target(relpath))
        if key:
            self.new[relpath] = key


def _old_missing(folder: Path, expected: str | None) -> dict[str, str] | None:
    """The missing segments of each page the previous report lists as skipped, as JSON text, by ``locale/slug``.

    Taken from the report only when it holds exactly the bytes the previous
    build wrote (``expected``: their SHA-256); its lines are then known to be
    ``{"locale": …, "slug": …, "missing": […]}``. None when it does not (a
    page not found here is localized again, and the report written anew).
    """
    try:
        data = (folder / REPORT).read_bytes()
    except OSError:
        return None
    if expected is None or hashlib.sha256(data).hexdigest() != expected:
        return None
    found = {}
    for line in data.decode("utf-8").splitlines():
        head, separator, tail = line.partition(', "missing": ')
        if separator:
            page = json.loads(head + "}")
            found[f"{page['locale']}/{page['slug']}"] = tail.removesuffix(",")[:-1]
    return found


def _read_manifest(path: Path) -> dict:
    """The previous build's manifest; {} (build everything) when missing, broken or of another format."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return long_lived(manifest) if isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT else {}


def _files_in(folder: Path) -> set[str]:
    """Every file under ``folder``, as a path relative to it with ``/`` separators."""
    found = set()
    prefix = len(str(folder)) + 1
    for directory, _, files in os.walk(folder):
        for name in files:
            found.add(os.path.join(directory, name)[prefix:].replace(os.sep, "/"))
    return found


def _commit(staging: Path, output: Path, kept: set[str], existing: set[str]) -> set[str]:
    """Move what this build wrote from ``staging`` into ``output`` and delete what it no longer has.

    Used when ``output`` is an earlier build (``existing``: its files): only
    changed files move (each replaced atomically, the manifest last);
    unchanged pages are not touched. Files of ``output`` that are neither new
    nor in ``kept`` (pages of deleted articles, skipped pages, removed
    images) are deleted, and folders they leave empty. Returns the files
    replaced or deleted. (The manifest is written after, outside ``output``.)
    """
    written = sorted(_files_in(staging))
    for relpath in written:
        target = output / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relpath, target)
    removed = existing - kept.union(written)
    _delete(output, removed)
    shutil.rmtree(staging, ignore_errors=True)
    return removed.union(written)


def _delete(root: Path, relpaths: set[str]) -> None:
    """Delete these files under ``root``, and the folders they leave empty (``root`` stays)."""
    for relpath in sorted(relpaths):
        target = root / relpath
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _commit_audit(staging: Path, audit: Path, kept: set[str], existing: set[str]) -> None:
    """Move the audit files this build wrote (``staging``: the staging folder's ``.audit``) into ``audit``.

    Like :func:`_commit`: files neither new nor in ``kept`` (audits of pages
    no longer published) are deleted, with the folders they leave empty. The
    emptied staging folders are removed one by one (the rest of the staging
    folder may yet become ``output/``). With no ``audit`` yet, the folder moves in whole.
    """
    if not os.path.lexists(audit):
        if os.path.isdir(staging):
            os.rename(staging, audit)
        return
    written = _files_in(staging)
    for relpath in sorted(written):
        target = audit / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relpath, target)
    _delete(audit, existing - kept.union(written))
    for folder in sorted((directory for directory, _, _ in os.walk(staging)), reverse=True):
        os.rmdir(folder)




def _swap(staging: Path, output: Path) -> None:
    """Put the finished staging folder in place of ``output`` (the old one goes only after).

    On Linux both trade places in one ``renameat2(RENAME_EXCHANGE)``: at
    every moment ``output/`` is the old site or the new one, and a crash
    leaves at most the old site under its staging name (removed by the next
    build, :func:`recover`). Where the system cannot, the old site is first
    moved aside into ``.output-old-*/output``: a crash between the two
    renames leaves no ``output/``, and the next build puts that one back.
    """
    os.chmod(staging, 0o755)
    if not os.path.lexists(output):
        os.rename(staging, output)
    elif _exchange(staging, output):
        shutil.rmtree(staging, ignore_errors=True)      # now the old site
    else:
        retired = Path(tempfile.mkdtemp(prefix=RETIRED, dir=output.parent))
        os.rename(output, retired / "output")
        try:
            os.rename(staging, output)
        except BaseException:
            os.rename(retired / "output", output)
            os.rmdir(retired)
            raise
        shutil.rmtree(retired, ignore_errors=True)


_RENAMEAT2: list = []       # the C function, once looked up (None where there is none)
AT_FDCWD, RENAME_EXCHANGE = -100, 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False, touching nothing, where the system cannot."""
    if not _RENAMEAT2:
        function = None
        if sys.platform.startswith("linux"):
            try:
                function = ctypes.CDLL(None, use_errno=True).renameat2
                function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                function.restype = ctypes.c_int
            except (OSError, AttributeError):       # a libc before glibc 2.28, or not glibc
                function = None
        _RENAMEAT2.append(function)
    function = _RENAMEAT2[0]
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):    # kernel or file system lacks it
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))




def _source_locale(config: Config) -> OutputLocale:
    for locale in config.locales:
        if not locale.chain:
            return locale
    return config.locales[0]


def _url(config: Config, relpath: str) -> str:
    return f"{config.base_url}/{relpath.removesuffix('index.html')}"


def _date(value, locale: OutputLocale) -> Markup | None:
    if not isinstance(value, dt.date):
        return None
    text = format_date(value, format="long", locale=locale.babel_locale)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text)


def _alternates(config: Config, slug: str, siblings: list[OutputLocale]) -> list[dict]:
    alternates = [{"hreflang": l.tag, "url": _url(config, f"{l.tag}/{slug}/")} for l in siblings]
    source = _source_locale(config)
    default = (_url(config, f"{source.tag}/{slug}/") if source in siblings else f"{config.base_url}/")
    return alternates + [{"hreflang": "x-default", "url": default}]


def _link(locale: OutputLocale, href: str) -> dict:
    return {"tag": locale.tag, "name": locale_name(locale.tag), "dir": text_direction(locale), "href": href}


def _common(config: Config, locale: OutputLocale, root: str, canonical: str) -> dict:
    return {"lang": locale.tag, "dir": text_direction(locale), "root": root,
            "home": f"{root}{locale.tag}/", "canonical": canonical, "description": "",
            "alternates": [], "switcher": []}


def _article_context(config: Config, page: Page, siblings: list[OutputLocale]) -> dict:
    slug = page.article.slug
    context = _common(config, page.locale, "../../", _url(config, page.relpath))
    context.update(
        title=page.title, description=page.description, heading=page.heading, body=page.body,
        published=_date(page.article.meta.get("published"), page.locale),
        reviewed=_date(page.article.meta.get("reviewed"), page.locale),
        reviewed_by=_reviewed_by(config, page) if config.show_reviewers else None,
        reading_time=page.article.meta.get("reading_time"),
        alternates=_alternates(config, slug, siblings),
        switcher=[_link(l, f"../../{l.tag}/{slug}/") for l in siblings if l != page.locale])
    return context


def _reviewed_by(config: Config, page: Page) -> dict | None:
    """"Reviewed by <names>, <date>": the page's reviewers by their display names, and its latest approval.

    Every segment the page shows counts: its approval day is ``date`` (an ISO
    date) or else the day of ``time`` (an ISO date and time), as
    :func:`workflow.review.approval_info` recorded them; its reviewer is the
    one declared in ``locum.toml`` with the record's ``email`` (or the
    address in ``approver``, "Name <email>"), shown by the name declared
    there, or else by the record's ``name``: never by an address. Names are
    listed in the order the page first shows their work, joined the locale's
    way ("A y B"). None when no segment has an approval (source text).
    """
    declared = {reviewer.email.lower(): reviewer.name for reviewer in config.reviewers}
    names: dict[str, None] = {}
    latest: dt.date | None = None
    for segment in page.shown:
        day = _approval_day(segment)
        name = _reviewer_name(segment, declared)
        if day is None or name is None:
            continue
        names.setdefault(name)
        latest = day if latest is None else max(latest, day)
    if latest is None:
        return None
    return {"names": format_list(list(names), locale=page.locale.babel_locale), "date": _date(latest, page.locale)}


def _approval_day(segment: dict) -> dt.date | None:
    for value in (segment.get("date"), segment.get("time")):
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _reviewer_name(segment: dict, declared: dict[str, str]) -> str | None:
    email = segment.get("email")
    approver = segment.get("approver")
    if not isinstance(email, str) and isinstance(approver, str) and approver.endswith(">") and "<" in approver:
        email = approver[approver.rindex("<") + 1:-1]
    if isinstance(email, str) and email.strip().lower() in declared:
        return declared[email.strip().lower()]
    name = segment.get("name")
    if isinstance(name, str) and name.strip() and "@" not in name:
        return name.strip()
    return None


def _index_context(config: Config, locale: OutputLocale, listed: list[dict]) -> dict:
    context = _common(config, locale, "../", _url(config, f"{locale.tag}/"))
    context.update(
        title=config.site_name,
        articles=listed,
        alternates=[{"hreflang": l.tag, "url": _url(config, f"{l.tag}/")} for l in config.locales]
        + [{"hreflang": "x-default", "url": f"{config.base_url}/"}],
        switcher=[_link(l, f"../{l.tag}/") for l in config.locales if l != locale])
    return context


def _root_context(config: Config, source: OutputLocale) -> dict:
    context = _common(config, source, "", f"{config.base_url}/")
    context["lang"] = config.source_language
    context.update(title=config.site_name,
                   switcher_all=[_link(l, f"{l.tag}/") for l in config.locales])
    return context


def _sitemap(config: Config, published_in: dict[str, list[OutputLocale]]) -> list[dict]:
    urls = []
    for slug, siblings in published_in.items():
        alternates = _alternates(config, slug, siblings)
        for locale in siblings:
            urls.append({"loc": _url(config, f"{locale.tag}/{slug}/"), "alternates": alternates})
    return urls

"""The build stage: compiled catalogs + source → ``output/``; gather all, then write through one writer.

Pages are rendered into a staging folder that replaces ``output/`` only when
everything succeeded, so a failed build leaves the last good site in place.
A page whose inputs did not change since the last build is hard-linked from
it instead of being rendered again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup

from workflow import __version__
from workflow.config import CONFIG_PATH, Config, OutputLocale
from workflow.errors import ErrorList, LocumError, SourceError
from workflow.extract import SITE_DOMAIN, Progress, display_path, source_paths
from workflow.localize import Fallback, localize_tokens
from workflow.render import environment, render_tokens, site_messages, split_heading, templates_digest
from workflow.source import Article, parse_article
from workflow.translations import Chain, chain_files, load_chain

MANIFEST = ".locum-build.json"
REPORT = "build-report.json"
AUDIT = "audit.json"


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
        """What the manifest keeps of this page, so an unchanged page needs no work next time."""
        return {"inputs": self.key, "published": self.published, "missing": self.missing,
                "title": self.title, "description": self.description, "shown": self.shown}


@dataclass
class BuildResult:
    published: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    output: Path | None = None


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


def text_direction(locale: OutputLocale) -> str:
    return "rtl" if locale.babel_locale.character_order == "right-to-left" else "ltr"


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _file_digest(paths) -> str:
    return _digest(*(p.read_bytes() for p in paths))


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
    shown = [{"text": text, **chain.origin(text)} for text in dict.fromkeys(found)] if chain.files else []
    return Page(locale, article, title, description, render_tokens(heading), render_tokens(body),
                misses, key, shown)


def build(config: Config, preview: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the whole site; pages failing the gate are skipped (or shown with fallbacks in preview).

    Work goes article by article, so memory holds one article's pages at a
    time. A page whose inputs (source text, compiled catalogs of its chain,
    chrome, templates, config) did not change since the last build is neither
    localized nor rendered again: its gate result comes from the manifest and
    its file is linked from the previous ``output/``.
    """
    paths = source_paths(config)
    output = config.output_dir
    old = _read_manifest(output)
    base = _digest(templates_digest(), (config.root / CONFIG_PATH).read_bytes(), __version__)
    everything = _everything(config, paths, base, preview)
    if (old.get("inputs") == everything and (output / REPORT).is_file()
            and all((output / page).is_file() for page in old.get("pages", {}))):
        return _previous_result(output)          # nothing that the site is made of has changed
    chrome = {}
    for locale in config.locales:
        site = load_chain(config, locale, SITE_DOMAIN)
        misses = [{"text": m[0], "source": "workflow/templates"} for m in site_messages()
                  if site.lookup(m[0]) is None]
        chrome[locale.tag] = _Chrome(environment(site.translations), site.translations.gettext("not yet translated"),
                                     _digest(base, _file_digest(site.files)), misses,
                                     preview or locale.policy == "preview")

    result = BuildResult(output=output)
    records: dict[str, dict] = {}
    published_in: dict[str, list[OutputLocale]] = {}
    listing: dict[str, list[dict]] = {loc.tag: [] for loc in config.locales}
    audit: list[dict] = []
    errors: list[LocumError] = []
    manifest: dict[str, str] = {}
    staging = Path(tempfile.mkdtemp(prefix=".output-staging-", dir=config.root))
    try:
        writer = _Writer(staging, output, old.get("pages", {}), manifest)
        for done, path in enumerate(paths, 1):
            try:
                _build_article(config, path, chrome, old.get("records", {}), records, writer, result,
                               published_in, listing, audit)
            except SourceError as exc:
                errors.append(exc)
            if progress:
                progress(done, len(paths))
        if errors:
            raise errors[0] if len(errors) == 1 else ErrorList(errors)
        for locale in config.locales:
            env = chrome[locale.tag].env
            writer.write(f"{locale.tag}/index.html", env.get_template("locale_index.html").render(
                site_name=config.site_name, page=_index_context(config, locale, listing[locale.tag])))
        source_locale = _source_locale(config)
        env = chrome[source_locale.tag].env
        writer.write("index.html", env.get_template("site_index.html").render(
            site_name=config.site_name, page=_root_context(config, source_locale)))
        writer.write("sitemap.xml", env.get_template("sitemap.xml").render(urls=_sitemap(config, published_in)))
        writer.copy_file(Path(__file__).parent / "templates" / "style.css", "style.css")
        images = config.source_dir / "images"
        if images.is_dir():
            for image in sorted(images.rglob("*")):
                if image.is_file():
                    writer.copy_file(image, f"images/{image.relative_to(images).as_posix()}")
        report = {"generator": f"Locum {__version__}", "preview": preview,
                  "published": [{"locale": t, "slug": s} for t, s in result.published],
                  "skipped": result.skipped}
        writer.write(REPORT, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        writer.write(AUDIT, json.dumps(audit, ensure_ascii=False, indent=1) + "\n")
        writer.write(MANIFEST, json.dumps({"inputs": everything, "pages": manifest, "records": records},
                                          ensure_ascii=False, sort_keys=True) + "\n")
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _everything(config: Config, paths: list[Path], base: str, preview: bool) -> str:
    """One digest of every file the site is built from: sources, images, compiled catalogs and audits."""
    h = hashlib.sha256(f"{base}\0{preview}".encode())
    images = config.source_dir / "images"
    compiled = sorted(config.locales_dir.glob("*/LC_MESSAGES/*.mo")) + \
        sorted(config.locales_dir.glob("*/LC_MESSAGES/*.audit.json"))
    extra = sorted(p for p in images.rglob("*") if p.is_file()) if images.is_dir() else []
    for path in [*paths, *compiled, *extra]:
        h.update(str(path.relative_to(config.root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _previous_result(output: Path) -> BuildResult:
    report = json.loads((output / REPORT).read_text(encoding="utf-8"))
    published = [(p["locale"], p["slug"]) for p in report.get("published", [])]
    return BuildResult(published=published, skipped=report.get("skipped", []), reused=len(published),
                       output=output)


@dataclass
class _Chrome:
    """Per-locale page chrome: Jinja2 environment, preview note, input digest, missing messages."""

    env: object
    note: str
    key: str
    misses: list[dict]
    preview: bool


def _build_article(config: Config, path: Path, chrome: dict, old_records: dict, records: dict,
                   writer: "_Writer", result: BuildResult, published_in: dict, listing: dict,
                   audit: list) -> None:
    """Gate, render and write one article in every locale (pure apart from ``writer``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})",
                          path=display_path(config, path)) from None
    slug = path.stem
    article: Article | None = None

    def parsed() -> Article:
        nonlocal article
        if article is None:
            article = parse_article(text, slug, display_path(config, path), set(config.markets))
            if slug == SITE_DOMAIN:
                raise SourceError(f"the slug {SITE_DOMAIN!r} is reserved for the page chrome's catalog; "
                                  "rename the article", path=article.path, line=1)
        return article

    pages: dict[str, Page | None] = {}
    for locale in config.locales:
        page_chrome = chrome[locale.tag]
        files = chain_files(config, locale, slug)
        inputs = _digest(text, _file_digest(files), page_chrome.key, locale.tag, str(page_chrome.preview))
        name = f"{locale.tag}/{slug}"
        record = old_records.get(name)
        if record is not None and record.get("inputs") == inputs:
            pages[locale.tag] = None
        else:
            page = _localized(config, locale, parsed(), page_chrome, inputs)
            record = page.record()
            pages[locale.tag] = page
        records[name] = record
    siblings = [loc for loc in config.locales if records[f"{loc.tag}/{slug}"]["published"]]
    if siblings:
        published_in[slug] = siblings
    for locale in config.locales:
        record = records[f"{locale.tag}/{slug}"]
        if not record["published"]:
            result.skipped.append({"locale": locale.tag, "slug": slug, "missing": record["missing"]})
            continue
        result.published.append((locale.tag, slug))
        listing[locale.tag].append({"href": f"{slug}/", "title": record["title"],
                                    "description": record["description"]})
        audit.append({"locale": locale.tag, "slug": slug,
                      "source": "source text" if not locale.chain else "catalogs", "segments": record["shown"]})
        relpath = f"{locale.tag}/{slug}/index.html"
        key = _digest(record["inputs"], *(loc.tag for loc in siblings))
        page = pages[locale.tag]
        if page is None and writer.reuse(relpath, key):
            result.reused += 1
            continue
        if page is None:      # same text, but the set of languages it is published in changed
            page = _localized(config, locale, parsed(), chrome[locale.tag], record["inputs"])
        html = chrome[locale.tag].env.get_template("article.html").render(
            site_name=config.site_name, page=_article_context(config, page, siblings))
        writer.write(relpath, html, key)
        result.rendered += 1


def _localized(config: Config, locale: OutputLocale, article: Article, page_chrome: _Chrome, inputs: str) -> Page:
    chain = load_chain(config, locale, article.slug)
    page = localize_page(config, locale, article, chain, page_chrome.note, page_chrome.preview, inputs)
    page.missing += page_chrome.misses
    page.published = page_chrome.preview or not page.missing
    return page


class _Writer:
    """The one place that puts files into the staging folder."""

    def __init__(self, staging: Path, previous: Path, old: dict, new: dict):
        self.staging, self.previous, self.old, self.new = staging, previous, old, new

    def _target(self, relpath: str) -> Path:
        path = self.staging / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write(self, relpath: str, text: str, key: str | None = None) -> None:
        self._target(relpath).write_text(text, encoding="utf-8")
        if key:
            self.new[relpath] = key

    def reuse(self, relpath: str, key: str) -> bool:
        """Link the previous build's file when its inputs are unchanged."""
        old = self.previous / relpath
        if self.old.get(relpath) != key or not old.is_file():
            return False
        target = self._target(relpath)
        try:
            os.link(old, target)
        except OSError:
            shutil.copy2(old, target)
        self.new[relpath] = key
        return True

    def copy_file(self, source: Path, relpath: str) -> None:
        shutil.copyfile(source, self._target(relpath))


def _read_manifest(output: Path) -> dict:
    try:
        manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _swap(staging: Path, output: Path) -> None:
    """Put the finished staging folder in place of ``output`` (the old one goes only after)."""
    os.chmod(staging, 0o755)
    if output.exists():
        retired = Path(tempfile.mkdtemp(prefix=".output-old-", dir=output.parent))
        os.rename(output, retired / "output")
        os.rename(staging, output)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, output)


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
        reading_time=page.article.meta.get("reading_time"),
        alternates=_alternates(config, slug, siblings),
        switcher=[_link(l, f"../../{l.tag}/{slug}/") for l in siblings if l != page.locale])
    return context


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

"""What each page template is given: URLs, alternates, the language switcher, dates, the "Reviewed by" line.

Pure functions of the configuration and a page; no file is read or written here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from markupsafe import Markup

from workflow.checks.contacts import find_phones
from workflow.config import Config, OutputLocale

if TYPE_CHECKING:
    from workflow.pages import Page

REVIEWED_BY = "Reviewed by %(names)s, %(date)s"     # chrome message needed only with [publish] show_reviewers
PREVIEW_BANNER = "Preview: not reviewed. Do not rely on this page for medical decisions."     # only in a preview


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


def source_locale(config: Config) -> OutputLocale:
    """The output locale that shows the source text (the first one, if none does)."""
    for locale in config.locales:
        if not locale.chain:
            return locale
    return config.locales[0]


def url(config: Config, relpath: str) -> str:
    """The public URL of a file of ``output/``; a folder's ``index.html`` is the folder.

    >>> from types import SimpleNamespace
    >>> url(SimpleNamespace(base_url="https://health.example.org"), "es-US/pain-relief/index.html")
    'https://health.example.org/es-US/pain-relief/'
    """
    return f"{config.base_url}/{relpath.removesuffix('index.html')}"


def date(value, locale: OutputLocale) -> Markup | None:
    if not isinstance(value, dt.date):
        return None
    text = format_date(value, format="long", locale=locale.babel_locale)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text)


def alternates(config: Config, slug: str, siblings: list[OutputLocale]) -> list[dict]:
    """An article's ``hreflang`` alternates: every locale it is published in, and ``x-default``."""
    found = [{"hreflang": loc.tag, "url": url(config, f"{loc.tag}/{slug}/")} for loc in siblings]
    source = source_locale(config)
    default = (url(config, f"{source.tag}/{slug}/") if source in siblings else f"{config.base_url}/")
    return found + [{"hreflang": "x-default", "url": default}]


def _link(locale: OutputLocale, href: str) -> dict:
    return {"tag": locale.tag, "name": locale_name(locale.tag), "dir": text_direction(locale), "href": href}


def _common(config: Config, locale: OutputLocale, root: str, canonical: str) -> dict:
    return {"lang": locale.tag, "dir": text_direction(locale), "root": root,
            "home": f"{root}{locale.tag}/", "canonical": canonical, "description": "",
            "alternates": [], "switcher": [], "own_disclaimer": False}


_REGION = re.compile(r'<section data-region="([^"<>]*)">\n(.*?)</section>\n', re.S)
OWN_DISCLAIMER = re.compile(r"^> \*\*Medical disclaimer:\*\*", re.M)     # an article's own, in its source


_TAG = re.compile(r"(<[^>]*>)")


def keep_phones_whole(html: str) -> Markup:
    """``html`` (rendered, escaped) with each phone number of several parts in a ``<span class="tel">``.

    The stylesheet keeps such a span on one line. Only text between tags is
    read, never an attribute; a number of one part cannot break anyway.

    >>> keep_phones_whole('<p>Call <a href="tel:0300">0300 123 4567</a> or 999.</p>')
    Markup('<p>Call <a href="tel:0300"><span class="tel">0300 123 4567</span></a> or 999.</p>')
    """
    pieces = _TAG.split(html)
    for index in range(0, len(pieces), 2):      # text, tag, text, tag, …
        text = pieces[index]
        for found in reversed(find_phones(text) if any(c.isdigit() for c in text) else []):
            if any(c in found.text for c in " -\u00a0"):
                text = f'{text[:found.start]}<span class="tel">{found.text}</span>{text[found.end:]}'
        pieces[index] = text
    return Markup("".join(pieces))


def body_parts(config: Config, body: Markup) -> list[dict]:
    r"""``body`` cut at its region blocks, so that the template labels each for the reader ("In the UK").

    The renderer writes a region block as exactly ``<section data-region="gb">``
    and ``</section>`` on lines of their own, never nested, and a
    translation is escaped text, so it can hold neither.

    >>> from types import SimpleNamespace
    >>> [p["region"] for p in body_parts(SimpleNamespace(markets={}),
    ...     Markup('<p>a</p>\n<section data-region="gb">\n<p>b</p>\n</section>\n<p>c</p>\n'))]
    [None, 'gb', None]
    """
    parts, at = [], 0
    for match in _REGION.finditer(body):
        parts.append({"region": None, "html": Markup(body[at:match.start()])})
        market = match.group(1)
        parts.append({"region": market, "name": config.markets.get(market, market),
                      "html": keep_phones_whole(match.group(2))})
        at = match.end()
    parts.append({"region": None, "html": Markup(body[at:])})
    return [dict(part, html=keep_phones_whole(part["html"])) if not part["region"] else part
            for part in parts if part["region"] or part["html"]]


def article_context(config: Config, page: Page, siblings: list[OutputLocale]) -> dict:
    """``page`` of ``article.html``: one article in one locale, ``siblings`` the locales it is published in."""
    slug = page.article.slug
    context = _common(config, page.locale, "../../", url(config, page.relpath))
    context.update(
        title=page.title, description=page.description, heading=page.heading, body=page.body,
        body_parts=body_parts(config, page.body), own_disclaimer=bool(OWN_DISCLAIMER.search(page.article.text)),
        published=date(page.article.meta.get("published"), page.locale),
        reviewed=date(page.article.meta.get("reviewed"), page.locale),
        reviewed_by=reviewed_by(config, page) if config.show_reviewers else None,
        reading_time=page.article.meta.get("reading_time"),
        alternates=alternates(config, slug, siblings),
        switcher=[_link(loc, f"../../{loc.tag}/{slug}/") for loc in siblings if loc != page.locale])
    return context


def reviewed_by(config: Config, page: Page) -> dict | None:
    """"Reviewed by <names>, <date>": the page's reviewers by their display names, and its latest approval.

    Every segment the page shows counts: its approval day is ``date`` (an ISO
    date) or else the day of ``time`` (an ISO date and time), as
    :func:`workflow.provenance.approval_info` recorded them; its reviewer is the
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
    return {"names": format_list(list(names), locale=page.locale.babel_locale), "date": date(latest, page.locale)}


def _approval_day(segment: dict) -> dt.date | None:
    """The day of a segment's approval.

    >>> _approval_day({"time": "2026-11-22T09:00:00Z"}), _approval_day({"date": "soon"})
    (datetime.date(2026, 11, 22), None)
    """
    for value in (segment.get("date"), segment.get("time")):
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _reviewer_name(segment: dict, declared: dict[str, str]) -> str | None:
    """Who approved a segment, by name: the declared one for its address, else the record's (never an address).

    >>> declared = {"ana@example.org": "Dr Ana López"}
    >>> _reviewer_name({"approver": "Ana <ANA@example.org>"}, declared), _reviewer_name({"name": "a@b.c"}, declared)
    ('Dr Ana López', None)
    """
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


def index_context(config: Config, locale: OutputLocale, listed: list[dict]) -> dict:
    """``page`` of ``locale_index.html``: the articles published in ``locale``."""
    context = _common(config, locale, "../", url(config, f"{locale.tag}/"))
    context.update(
        title=config.site_name,
        articles=listed,
        alternates=index_alternates(config),
        switcher=[_link(loc, f"../{loc.tag}/") for loc in config.locales if loc != locale])
    return context


def root_context(config: Config, source: OutputLocale) -> dict:
    """``page`` of ``site_index.html``: the site's front door, linking every locale."""
    context = _common(config, source, "", f"{config.base_url}/")
    context["lang"] = config.source_language
    context.update(title=config.site_name, alternates=index_alternates(config),
                   switcher_all=[_link(loc, f"{loc.tag}/") for loc in config.locales])
    return context


def index_alternates(config: Config) -> list[dict]:
    """The alternates of the locale indexes and the front door: every locale's index, ``x-default`` the front door."""
    return ([{"hreflang": loc.tag, "url": url(config, f"{loc.tag}/")} for loc in config.locales]
            + [{"hreflang": "x-default", "url": f"{config.base_url}/"}])


def sitemap_urls(config: Config, published_in: dict[str, list[OutputLocale]],
                 lastmod: dict[str, str] | None = None) -> list[dict]:
    """``urls`` of ``sitemap.xml``: the front door, every locale's index and every published page, with alternates.

    ``lastmod`` (by slug, an ISO date) dates each article's pages; an index
    is as recent as the newest article it lists, the front door as the newest of all.
    """
    lastmod = lastmod or {}
    urls = []
    newest: dict[str, str] = {}
    for slug, siblings in published_in.items():
        found = alternates(config, slug, siblings)
        for locale in siblings:
            urls.append({"loc": url(config, f"{locale.tag}/{slug}/"), "alternates": found,
                         "lastmod": lastmod.get(slug)})
            if lastmod.get(slug):
                newest[locale.tag] = max(newest.get(locale.tag, ""), lastmod[slug])
    indexes = index_alternates(config)
    front = [{"loc": f"{config.base_url}/", "alternates": indexes, "lastmod": max(newest.values(), default=None)}]
    front += [{"loc": url(config, f"{loc.tag}/"), "alternates": indexes, "lastmod": newest.get(loc.tag)}
              for loc in config.locales]
    return front + urls

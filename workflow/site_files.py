"""The site's files beside the articles: each locale's index, the front door, the sitemap, the stylesheet, images.

Each is keyed by what it shows, like the pages, and written through the
staging :class:`~workflow.staging.Writer` only when that changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from workflow.chrome import TEMPLATES
from workflow.config import Config
from workflow.contexts import index_context, root_context, sitemap_urls, source_locale
from workflow.manifest import input_key
from workflow.pages import PageChrome, chrome_environment
from workflow.project import SourceTree
from workflow.staging import Writer
from workflow.stamps import FileDigests


@dataclass(frozen=True)
class SiteListing:
    """What the indexes and the sitemap show, in site order."""

    listing: dict[str, list[dict]]      # locale tag -> its published articles: href, title, description
    listed: dict[str, list[str]]        # locale tag -> the input keys of those pages (the index's key)
    published_in: dict[str, list[str]]  # slug -> the locale tags it is published in


_DATE = re.compile(r"^(reviewed|published):[ \t]*[\"']?(\d{4}-\d{2}-\d{2})", re.M)


def last_modified(text: str) -> str | None:
    r"""An article's date for the sitemap's ``lastmod``: its front matter's ``reviewed``, else ``published``.

    >>> last_modified("---\ntitle: A\npublished: 2026-10-01\nreviewed: '2026-11-15'\n---\n"), last_modified("# A")
    ('2026-11-15', None)
    """
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    found = dict(m.groups() for m in _DATE.finditer(text[:end if end > 0 else len(text)]))
    return found.get("reviewed") or found.get("published")


def write_site_files(writer: Writer, config: Config, chrome: dict[str, PageChrome], base: str,
                     site: SiteListing, tree: SourceTree | None = None, digests: FileDigests | None = None) -> None:
    """Write (or keep) each locale's index, the site's front door and the sitemap.

    ``base`` is the key of what every file depends on (templates, config,
    version). The sitemap dates each article by its source's front matter
    (read only when a source changed: its key holds their digests).
    """
    for locale in config.locales:
        relpath = f"{locale.tag}/index.html"
        key = input_key(chrome[locale.tag].key, *site.listed[locale.tag])
        if not writer.reuse((relpath,), key):
            env = chrome_environment(config, locale, chrome[locale.tag].key).env
            writer.write(relpath, env.get_template("locale_index.html").render(
                site_name=config.site_name, page=index_context(config, locale, site.listing[locale.tag]),
                preview=chrome[locale.tag].preview), key)
    source = source_locale(config)
    env = chrome_environment(config, source, chrome[source.tag].key).env
    key = chrome[source.tag].key
    if not writer.reuse(("index.html",), key):
        writer.write("index.html", env.get_template("site_index.html").render(
            site_name=config.site_name, page=root_context(config, source), preview=chrome[source.tag].preview), key)
    sources = {path.stem: path for path in tree.articles} if tree else {}
    key = input_key(base, json.dumps(site.published_in),
                    *(digests.of(sources[slug]) for slug in site.published_in if digests and slug in sources))
    if not writer.reuse(("sitemap.xml",), key):
        by_tag = {loc.tag: loc for loc in config.locales}
        lastmod = {slug: last_modified(sources[slug].read_text(encoding="utf-8"))
                   for slug in site.published_in if slug in sources}
        urls = sitemap_urls(config, {slug: [by_tag[t] for t in tags] for slug, tags in site.published_in.items()},
                            lastmod)
        writer.write("sitemap.xml", env.get_template("sitemap.xml").render(urls=urls), key)


def copy_assets(writer: Writer, config: Config, base: str, tree: SourceTree, digests: FileDigests) -> None:
    """Copy (or keep) the stylesheet and every image of ``source/images``, each keyed by its bytes."""
    if not writer.reuse(("style.css",), base):
        writer.copy_file(TEMPLATES / "style.css", "style.css", base)
    images = config.source_dir / "images"
    for image in tree.images:           # regular files only, none through a link (see source_tree)
        relpath, key = f"images/{image.relative_to(images).as_posix()}", digests.of(image)
        if not writer.reuse((relpath,), key):
            writer.copy_file(image, relpath, key)

"""Links between articles and images of ``source/images/``: which exist, and where each points on a locale's page.

An article links to another as ``[text](other-slug.md)`` or ``[text](other-slug.md#part)``; on a page that
link leads to ``other-slug``'s page in the same locale where that page is published, else to the page in the
source language (marked with ``hreflang``). An image ``images/week.svg`` shows ``images/week.ar-GB.svg`` or
``images/week.ar.svg`` on the pages of ``ar-GB`` when such a file exists (the locale's tag first, then its
language), else the file itself. What a page's links and images become is part of the key of its file
(:meth:`SiteReferences.key_parts`), so a page is rendered again when a target's publication or an image
variant changes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import quote, unquote

from markdown_it.token import Token

from workflow.errors import ErrorList, SourceError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
IMAGES = "images/"          # images are published from source/images/ (relative to source/ in an article)
_URL_SAFE = "/;:@&=+$,-_.!~*'()"     # what a path keeps as it is in a URL (markdown-it's normalizeLink)
NO_FILE = "!missing"        # what an image whose file is missing shows, as far as a page's key is concerned


def is_relative(target: str) -> bool:
    """Whether a link or image target is a path relative to the article (no scheme, not absolute, not ``#``).

    >>> [is_relative(t) for t in ("a.md", "images/x.svg", "https://x.org/a.md", "/a.svg", "#top", "mailto:a@b")]
    [True, True, False, False, False, False]
    """
    return bool(target) and not target.startswith(("/", "#", "?")) and not _SCHEME.match(target)


def article_link(href: str) -> tuple[str, str] | None:
    """``(path, fragment)`` of a relative link to a Markdown file (``x.md``, ``x.md#part``), else ``None``.

    >>> article_link("other-slug.md#side-effects"), article_link("./x.md"), article_link("x.svg")
    (('other-slug.md', '#side-effects'), ('x.md', ''), None)
    """
    if not is_relative(href):
        return None
    path, hash_, fragment = href.partition("#")
    path = unquote(path.split("?", 1)[0]).removeprefix("./")
    return (path, hash_ + fragment) if path.endswith(".md") else None


def image_path(src: str) -> str | None:
    """The path under ``source/`` of a relative image, normalized; ``None`` for any other image.

    >>> image_path("./images/a%20b.svg"), image_path("https://x.org/a.svg")
    ('images/a b.svg', None)
    """
    return posixpath.normpath(unquote(src)) if is_relative(src) else None


@dataclass(frozen=True)
class Reference:
    """A link to an article or a relative image in an article: ``kind`` ``link`` or ``image``, its target, line."""

    kind: str
    target: str
    line: int


def references(tokens) -> Iterator[Reference]:
    """Every link to a Markdown file and every relative image of an article's tokens, in document order."""
    for tok in tokens:
        if tok.type != "inline":
            continue
        line = tok.map[0] + 1 if tok.map else 0
        for child in tok.children or ():
            if child.type == "link_open" and (link := article_link(str(child.attrs.get("href", "")))):
                yield Reference("link", link[0], line)
            elif child.type == "image" and (path := image_path(str(child.attrs.get("src", "")))):
                yield Reference("image", path, line)


def check_references(article, site: SiteReferences):
    """``article``, unless it links to an article that does not exist or shows an image ``source/images/`` lacks.

    ``site`` knows the articles of ``source/`` and the files under
    ``source/images/``. Every problem of the article is raised at once, each
    at its ``path:line``.

    >>> from workflow.source import parse_article
    >>> a = parse_article("---\\ntitle: T\\n---\\n[x](nope.md) ![y](images/no.svg)\\n", "a", "source/a.md", set())
    >>> check_references(a, SiteReferences(frozenset({"a"})))
    Traceback (most recent call last):
    ...
    workflow.errors.ErrorList: source/a.md:4: error: link to an unknown article 'nope.md': there is no source/nope.md
    source/a.md:4: error: image 'images/no.svg' not found: there is no source/images/no.svg
    """
    errors = []
    for ref in references(article.tokens):
        if ref.kind == "link" and ref.target.removesuffix(".md") not in site.slugs:
            hint = "" if "/" not in ref.target else " (link to another article as 'slug.md')"
            errors.append(SourceError(f"link to an unknown article {ref.target!r}: there is no "
                                      f"source/{ref.target}{hint}", path=article.path, line=ref.line))
        elif ref.kind == "image" and ref.target not in site.images:
            hint = "" if ref.target.startswith(IMAGES) else " (images are published from source/images/)"
            errors.append(SourceError(f"image {ref.target!r} not found: there is no source/{ref.target}{hint}",
                                      path=article.path, line=ref.line))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return article


def article_references(article) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The slugs an article links to and the images it shows, each sorted once (what its pages' keys need)."""
    found = list(references(article.tokens))
    return (tuple(sorted({r.target.removesuffix(".md") for r in found if r.kind == "link"})),
            tuple(sorted({r.target for r in found if r.kind == "image"})))


@dataclass(frozen=True)
class SiteReferences:
    """What a page's links and images may point to: the articles, the images, each locale's published pages.

    ``published`` maps a locale tag to the slugs published in it (as known when the page is rendered: the
    previous build's verdicts at first, this build's after :func:`workflow.relink.relink`); ``source`` is the
    tag of the locale that shows the source text.
    """

    slugs: frozenset[str] = frozenset()
    images: frozenset[str] = frozenset()
    published: dict[str, frozenset[str]] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def of(cls, source_dir, articles, images) -> SiteReferences:
        """The articles and images of a source tree (``source_dir``, its article and image paths)."""
        return cls(frozenset(p.stem for p in articles),
                   frozenset(p.relative_to(source_dir).as_posix() for p in images))

    def link_state(self, tag: str, slug: str) -> str:
        """``local`` (published in ``tag``), ``source`` (only in the source language), ``none`` or ``unknown``."""
        if slug not in self.slugs:
            return "unknown"
        if slug in self.published.get(tag, ()):
            return "local"
        return "source" if slug in self.published.get(self.source, ()) else "none"

    def image_for(self, tag: str, path: str) -> str:
        """The file ``tag``'s pages show for image ``path``: its variant for the tag, then the language, or itself.

        >>> refs = SiteReferences(images=frozenset({"images/w.svg", "images/w.ar.svg"}))
        >>> refs.image_for("ar-GB", "images/w.svg"), refs.image_for("es-US", "images/w.svg")
        ('images/w.ar.svg', 'images/w.svg')
        """
        stem, ext = posixpath.splitext(path)
        for variant in (tag, tag.split("-")[0]):
            candidate = f"{stem}.{variant}{ext}"
            if candidate in self.images:
                return candidate
        return path if path in self.images else NO_FILE

    def key_parts(self, record: dict, tag: str) -> list[str]:
        """What a page's file depends on beyond its inputs: each link target's state and each image shown."""
        return ([f"{slug}:{self.link_state(tag, slug)}" for slug in record.get("links", ())]
                + [f"{path}:{self.image_for(tag, path)}" for path in record.get("images", ())])


@dataclass(frozen=True)
class PageReferences:
    """One locale's view of :class:`SiteReferences`: what its pages' links and relative images become."""

    site: SiteReferences
    tag: str
    asset_prefix: str = "../../"       # from output/<locale>/<slug>/ to the site root

    def link(self, token: Token) -> Token | None:
        """A ``link_open`` token led to the target article's page; ``None`` when that page is published nowhere."""
        link = article_link(str(token.attrs.get("href", "")))
        if link is None:
            return token
        slug = link[0].removesuffix(".md")
        state = self.site.link_state(self.tag, slug)
        if state == "local":
            return token.copy(attrs={**token.attrs, "href": f"../{slug}/{link[1]}"})
        if state == "source":
            return token.copy(attrs={**token.attrs, "href": f"{self.asset_prefix}{self.site.source}/{slug}/{link[1]}",
                                     "hreflang": self.site.source})
        return None

    def image(self, src: str) -> str:
        """The ``src`` of a relative image on this locale's pages (its variant, if any), from the page.

        >>> refs = PageReferences(SiteReferences(images=frozenset({"images/a b.svg", "images/a b.pl.svg"})), "pl-GB")
        >>> refs.image("images/a%20b.svg"), refs.image("https://x.org/a.svg")
        ('../../images/a%20b.pl.svg', 'https://x.org/a.svg')
        """
        path = image_path(src)
        if path is None:
            return src
        shown = self.site.image_for(self.tag, path)
        return self.asset_prefix + quote(path if shown == NO_FILE else shown, safe=_URL_SAFE)


def relinked(children: list[Token], refs: PageReferences) -> list[Token]:
    """Inline tokens with their article links led to the right page; a link to no published page becomes text.

    Links do not nest (CommonMark), so the ``link_close`` after a dropped ``link_open`` is its own.
    """
    out: list[Token] = []
    dropped = False
    for child in children:
        if child.type == "link_open":
            led = refs.link(child)
            dropped = led is None
            if led is not None:
                out.append(led)
        elif child.type == "link_close" and dropped:
            dropped = False
        else:
            out.append(child)
    return out

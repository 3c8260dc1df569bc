"""Every markdown-it parser and renderer of Locum, each built once, complete, and never changed afterwards.

Other modules parse and render only through the functions here, so none can
add a rule to a shared parser: what a text parses or renders to never depends
on what ran before in the process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import escape
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin


def parse_blocks(text: str) -> list[Token]:
    """markdown-it's block tokens of an article: CommonMark, tables, YAML front matter, ``::: region`` blocks.

    >>> [t.type for t in parse_blocks("---\\ntitle: T\\n---\\n::: region gb\\nHi\\n:::\\n")][:3]
    ['front_matter', 'container_region_open', 'paragraph_open']
    """
    return _article_parser().parse(text)


def parse_inline(text: str) -> list[Token]:
    """The inline tokens of a translation: CommonMark inline syntax with raw HTML off, so no markup gets in.

    >>> [t.type for t in parse_inline("*a* <b>")]
    ['em_open', 'text', 'em_close', 'text']
    """
    return _children(_inline_parser().parseInline(text))


def parse_inline_unvalidated(text: str) -> list[Token]:
    """:func:`parse_inline`, but keeping every link and image, even one whose destination the renderer refuses.

    The checks must see a ``javascript:`` link to report it; :func:`parse_inline` makes it text.

    >>> [t.type for t in parse_inline("[x](javascript:y)")], parse_inline_unvalidated("[x](javascript:y)")[0].type
    (['text'], 'link_open')
    """
    return _children(_unvalidated_parser().parseInline(text))


def render_html(tokens: list[Token]) -> str:
    """HTML of block tokens (an article's, localized); a region block becomes ``<section data-region="gb">``.

    >>> print(render_html(parse_blocks("::: region gb\\n![a](x.svg)\\n:::\\n")), end="")
    <section data-region="gb">
    <p><img src="x.svg" alt="a" /></p>
    </section>
    """
    md = _html_renderer()
    return md.renderer.render(tokens, md.options, {})


def render_inline(tokens: list[Token], text_html: Callable[[str], str]) -> str:
    """HTML of inline tokens (:func:`parse_inline`'s), each text token's content turned into HTML by ``text_html``
    (which must escape it), everything else as the translation renderer writes it.

    >>> from markupsafe import escape
    >>> render_inline(parse_inline("*a<b* [c](https://x.org)"), lambda text: str(escape(text)).upper())
    '<em>A&LT;B</em> <a href="https://x.org">C</a>'
    """
    md = _inline_parser()
    out = []
    for token in tokens:
        if token.type == "text":
            out.append(text_html(token.content))
        else:
            out.append(md.renderer.renderInline([token], md.options, {}))
    return "".join(out)


def _children(tokens: list[Token]) -> list[Token]:
    return (tokens[0].children or []) if tokens else []


@lru_cache(maxsize=None)
def _article_parser() -> MarkdownIt:
    """The one Markdown dialect of Locum's articles: CommonMark + tables + front matter + ``::: region`` blocks."""
    return (MarkdownIt("commonmark")
            .enable("table")
            .use(front_matter_plugin)
            .use(container_plugin, name="region"))


def _translation_parser(renderer_cls=RendererHTML) -> MarkdownIt:
    """A new parser of translated text: CommonMark (with tables), raw HTML disabled."""
    return MarkdownIt("commonmark", {"html": False}, renderer_cls=renderer_cls).enable("table")


@lru_cache(maxsize=None)
def _inline_parser() -> MarkdownIt:
    """Markdown for translated text: CommonMark inline syntax, raw HTML disabled."""
    return _translation_parser()


@lru_cache(maxsize=None)
def _unvalidated_parser() -> MarkdownIt:
    """The translation parser as the checks read text: link validation off, each destination normalized once.

    A source's links recur in every language, hence the cache. Unlike the
    renderer it keeps links whose destination markdown-it would refuse
    (``javascript:``…): the renderer shows those as text, the checks must
    still see and report them.
    """
    parser = _translation_parser()
    parser.normalizeLink = lru_cache(maxsize=8192)(parser.normalizeLink)
    parser.validateLink = lambda url: True
    return parser


class _RegionRenderer(RendererHTML):
    """markdown-it's HTML renderer plus the region blocks' rules (collected by ``RendererHTML`` on construction)."""

    def container_region_open(self, tokens: list[Token], idx: int, options, env) -> str:
        market = tokens[idx].info.split()[-1]
        return f'<section data-region="{escape(market)}">\n'

    def container_region_close(self, tokens: list[Token], idx: int, options, env) -> str:
        return "</section>\n"


@lru_cache(maxsize=None)
def _html_renderer() -> MarkdownIt:
    """The renderer of localized tokens: the translation parser's options, region blocks as ``<section>``."""
    return _translation_parser(_RegionRenderer)

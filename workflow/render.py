"""Jinja2 environment, Markdown rendering, and the page chrome's messages (the ``site`` domain)."""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from babel.messages.extract import extract_from_dir
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from markdown_it.token import Token

from workflow.extract import SITE_DOMAIN  # noqa: F401  (re-exported for build)
from workflow.localize import inline_parser

TEMPLATES = Path(__file__).parent / "templates"


def environment(translations: gettext.NullTranslations) -> Environment:
    """A Jinja2 environment for one locale: autoescape on, StrictUndefined, gettext installed."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      keep_trailing_newline=True)
    env.install_gettext_translations(translations, newstyle=True)
    return env


def _renderer():
    md = inline_parser()
    if "container_region_open" not in md.renderer.rules:
        def region_open(self, tokens, idx, options, env):
            market = tokens[idx].info.split()[-1]
            return f'<section data-region="{Markup.escape(market)}">\n'

        def region_close(self, tokens, idx, options, env):
            return "</section>\n"

        md.add_render_rule("container_region_open", region_open)
        md.add_render_rule("container_region_close", region_close)
    return md


def render_tokens(tokens: list[Token]) -> Markup:
    """HTML for localized block tokens; text is escaped by markdown-it, links are validated."""
    md = _renderer()
    return Markup(md.renderer.render(tokens, md.options, {}))


def split_heading(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Separate a leading ``#`` heading from the body, so page meta can sit under it."""
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        return tokens[:3], tokens[3:]
    return [], tokens


# Chrome text produced in Python rather than in a template (the preview marker of localize.py).
PYTHON_MESSAGES = (("not yet translated", None, "workflow/build.py", 1, ()),)


@lru_cache(maxsize=1)
def site_messages() -> tuple[tuple[str, str | None, str, int, tuple[str, ...]], ...]:
    """The chrome's messages from the templates: (msgid, msgid_plural, file, line, flags)."""
    found = []
    for filename, lineno, message, comments, _ctx in extract_from_dir(
            TEMPLATES, method_map=[("**.html", "jinja2.ext:babel_extract")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}):
        msgid, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        flags = ("python-format",) if "%(" in msgid else ()
        found.append((msgid, plural, f"workflow/templates/{filename}", lineno, flags))
    return tuple(found) + PYTHON_MESSAGES


def templates_digest() -> bytes:
    """All template bytes, for the build's change detection."""
    return b"".join(p.name.encode() + p.read_bytes() for p in sorted(TEMPLATES.iterdir()) if p.is_file())

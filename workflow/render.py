"""Jinja2 environment and Markdown rendering of localized tokens."""

from __future__ import annotations

import gettext

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it.token import Token
from markupsafe import Markup

from workflow.checks.formats import format_problems
from workflow.chrome import TEMPLATES
from workflow.markdown import render_html


def environment(translations: gettext.NullTranslations) -> Environment:
    """A Jinja2 environment for one locale: autoescape on, StrictUndefined, gettext installed.

    Jinja marks what gettext returns as safe markup; :func:`escaping_gettext`
    escapes it first, so a chrome translation is text, like an article's.
    """
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml"]),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      keep_trailing_newline=True)
    gettext_, ngettext_, pgettext_, npgettext_ = escaping_gettext(translations)
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True, pgettext=pgettext_, npgettext=npgettext_)
    return env


def escaping_gettext(translations: gettext.NullTranslations) -> tuple:
    """``gettext``, ``ngettext``, ``pgettext`` and ``npgettext`` of ``translations`` returning escaped text.

    One escaping rule for every translated string: whatever a catalog says,
    the page shows it as text. The templates' own msgids contain no character
    that escaping changes (tests/test_check_formats.py), so the source language
    renders byte for byte as before. A translation whose ``%`` directives
    would not format with the template's variables (which the
    ``python-format`` check reports, and the gate holds back) gives way to the
    source text: Jinja's ``rv % variables`` can then never fail on a translation.

    >>> gettext_, ngettext_, *_ = escaping_gettext(gettext.NullTranslations())
    >>> gettext_("Fish & <chips>"), ngettext_("%(num)d min", "%(num)d mins", 2)
    (Markup('Fish &amp; &lt;chips&gt;'), Markup('%(num)d mins'))
    """

    def escaped(text: str, source: str, reference: str, plural: bool) -> Markup:
        safe = Markup.escape(text)
        if text != source and format_problems(reference, str(safe), plural):
            safe = Markup.escape(source)
        return safe

    known: dict[str, Markup] = {}

    def gettext_(message: str) -> Markup:
        # Kept: a page of the review server asks for the same twenty labels for each of its 200 segments.
        # Bounded, in case a template ever asks for text it did not write.
        safe = known.get(message)
        if safe is None:
            safe = escaped(translations.gettext(message), message, message, False)
            if len(known) >= 4096:
                known.clear()
            known[message] = safe
        return safe

    def ngettext_(singular: str, plural: str, n: int) -> Markup:
        source = singular if n == 1 else plural
        return escaped(translations.ngettext(singular, plural, n), source, plural, True)

    def pgettext_(context: str, message: str) -> Markup:
        return escaped(translations.pgettext(context, message), message, message, False)

    def npgettext_(context: str, singular: str, plural: str, n: int) -> Markup:
        source = singular if n == 1 else plural
        return escaped(translations.npgettext(context, singular, plural, n), source, plural, True)

    return gettext_, ngettext_, pgettext_, npgettext_


def render_tokens(tokens: list[Token]) -> Markup:
    """HTML for localized block tokens; text is escaped by markdown-it, links are validated."""
    return Markup(render_html(tokens))


def split_heading(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Separate a leading ``#`` heading from the body, so page meta can sit under it."""
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        return tokens[:3], tokens[3:]
    return [], tokens

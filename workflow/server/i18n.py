"""The review interface's own gettext domain, ``locum-review``: English source, Spanish in ``locale/es.po``.

The ``.po`` is compiled in memory at start-up (Babel reads it, writes a
``.mo`` into a buffer, stdlib ``gettext`` reads that), so there is no
compiled file to keep in step. The interface language is chosen per request:
``?lang=`` (remembered in a cookie), else the browser's Accept-Language, else
English.

Adding a message: mark it (``_()`` in a template, ``N_()`` in Python), run
``python -m workflow.server.i18n`` to rewrite ``locale/locum-review.pot``,
then ``msgmerge --update locale/es.po locale/locum-review.pot`` and
translate; tests/test_server_app.py fails while a message has no Spanish.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "locum-review"
HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
TEMPLATES = HERE / "templates"
LANGUAGES = ("en", "es")            # the first is the source language and the default
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def N_(message: str) -> str:
    """Mark a message shown later (flash, error texts) for extraction; translated when rendered."""
    return message


def compile_po(path: Path) -> gettext.GNUTranslations:
    """The translations of one ``.po`` file, compiled in memory (fuzzy entries left out, as msgfmt does)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=1)
def translations() -> dict[str, gettext.NullTranslations]:
    """Every interface language's translations; English is the source text itself."""
    loaded: dict[str, gettext.NullTranslations] = {LANGUAGES[0]: gettext.NullTranslations()}
    for language in LANGUAGES[1:]:
        loaded[language] = compile_po(LOCALE_DIR / f"{language}.po")
    return loaded


def negotiate(asked: str | None, remembered: str | None, accept_language: str | None) -> str:
    """The interface language: ``?lang=``, else the cookie, else the best of Accept-Language, else English.

    >>> negotiate(None, None, "fr-CH, es-MX;q=0.8, en;q=0.5")
    'es'
    >>> negotiate("en", "es", "es"), negotiate("xx", None, None), negotiate(None, None, "es;q=0, en")
    ('en', 'en', 'en')
    """
    for choice in (asked, remembered):
        if choice in LANGUAGES:
            return choice
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else LANGUAGES[0]


def interface_messages() -> list[tuple[str, str, int]]:
    """Every message of the interface: (msgid, file, line), from the templates and the Python modules."""
    found = []
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
            TEMPLATES, method_map=[("**.html", "jinja2.ext:babel_extract")], options_map={"**.html": options}):
        found.append((message if isinstance(message, str) else message[0], f"templates/{filename}", lineno))
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
            HERE, method_map=[("*.py", "python")]):          # N_() marks them (and _() would)
        if isinstance(message, str) and message:
            found.append((message, filename, lineno))
    return found


def write_template(path: Path = LOCALE_DIR / f"{DOMAIN}.pot") -> bool:
    """Write the interface's message template (``python -m workflow.server.i18n``), sorted; a template whose
    messages did not change is left alone (its creation date too). Returns whether it was written."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project="Locum review", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for msgid, filename, line in interface_messages():
        catalog.add(msgid, locations=[(f"workflow/server/{filename}", line)])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=79, sort_output=True, include_lineno=True)

    def dateless(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines() if not line.startswith(b'"POT-Creation-Date:')]

    if path.exists() and dateless(path.read_bytes()) == dateless(buffer.getvalue()):
        return False
    path.write_bytes(buffer.getvalue())
    return True


if __name__ == "__main__":
    write_template()

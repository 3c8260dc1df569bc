"""The page chrome: the templates folder, the messages its templates and Python code show (the ``site``
domain), and the digest that tells a build the chrome changed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


# Chrome text produced in Python rather than in a template (the preview marker of localize.py).
PYTHON_MESSAGES = (("not yet translated", None, "workflow/build.py", 1, ()),)


@lru_cache(maxsize=1)
def site_messages() -> tuple[tuple[str, str | None, str, int, tuple[str, ...]], ...]:
    """The chrome's messages from the templates: (msgid, msgid_plural, file, line, flags)."""
    # imported here: publish imports this module (TEMPLATES) on every run, and only extract needs this
    from babel.messages.extract import extract_from_dir

    found = []
    for filename, lineno, message, comments, _ctx in extract_from_dir(
            TEMPLATES, method_map=[("**.html", "jinja2.ext:babel_extract")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}):
        msgid, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        flags = ("python-format",) if "%(" in msgid else ()
        found.append((msgid, plural, f"workflow/templates/{filename}", lineno, flags))
    return tuple(found) + PYTHON_MESSAGES


# How the chrome is rendered, beside the templates: a change here must rebuild every page once (pages
# built before chrome translations were escaped are not kept as "unchanged").
RENDERING = b"rendering 2: every translated string escaped (escaping_gettext)\n"


def templates_digest() -> bytes:
    """All template bytes and the rendering rules, for the build's change detection."""
    return RENDERING + b"".join(p.name.encode() + p.read_bytes() for p in sorted(TEMPLATES.iterdir()) if p.is_file())

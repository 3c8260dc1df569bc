"""The python-format check: a chrome translation's ``%`` directives must be its source's.

Jinja's newstyle gettext formats every translated string of the templates
with ``rv % variables``: a stray ``%``, an unknown ``%(name)s`` or a changed
conversion in a chrome translation would break (or garble) every page. The
check judges the way ``msgfmt --check-format`` does for ``python-format``
entries (tests/test_check_formats.py compares the two):

* a string that does not parse (``100%``, ``%(name)``, ``%a``, names mixed
  with ``%s`` or ``*``) is an error in the translation; a source that does
  not parse is not checked, as msgfmt does;
* the translation may not use a name the source does not have, nor a named
  directive where the source has positional ones (or the reverse);
* a name used by both must convert the same way (``d``/``i``/``x``… are
  integers, ``e``/``f``/``g``… floats, ``s``/``r`` strings, ``c`` a character);
* a singular entry must use every name of its source, and as many positional
  directives of the same kinds in the same order; a plural entry's forms are
  compared with ``msgid_plural`` and may leave a name out (a form for "one"
  need not print the number).

It applies to entries flagged ``python-format`` and to every message of the
templates (Jinja formats them all, flagged or not); ``%%`` is a literal ``%``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from workflow.checks.registry import ERROR, Pair, check

INTEGER, FLOAT, STRING, CHARACTER = "integer", "float", "string", "character"
_CONVERSIONS = {**dict.fromkeys("diuoxX", INTEGER), **dict.fromkeys("eEfFgG", FLOAT),
                "s": STRING, "r": STRING, "c": CHARACTER}


class FormatError(ValueError):
    """Why a string is not a valid Python format string."""


@dataclass(frozen=True)
class Directives:
    """The arguments a Python ``%`` format string takes: by name (name → kind) or by position (kinds)."""

    named: tuple[tuple[str, str], ...]
    positional: tuple[str, ...]

    @property
    def names(self) -> dict[str, str]:
        return dict(self.named)


@lru_cache(maxsize=4096)
def parse_format(text: str) -> Directives:
    """The directives of ``text``, or :class:`FormatError` saying why it does not parse.

    >>> parse_format("Published %(date)s, 100%% sure").names
    {'date': 'string'}
    >>> parse_format("%d of %5.1f").positional
    ('integer', 'float')
    >>> parse_format("Salta 100%")
    Traceback (most recent call last):
    ...
    workflow.checks.formats.FormatError: the string ends in the middle of a directive
    """
    named: dict[str, str] = {}
    positional: list[str] = []
    end = len(text)
    i = text.find("%")
    number = 0
    while i != -1:
        number += 1
        j = i + 1
        name = None
        if j < end and text[j] == "(":
            depth, j = 0, j + 1
            start = j
            while j < end and not (text[j] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            if j >= end:
                raise FormatError("the string ends in the middle of a directive")
            name = text[start:j]
            j += 1
        while j < end and text[j] in " +-#0":
            j += 1
        j, starred = _count(text, j, end)          # the width
        if j < end and text[j] == ".":
            j, star = _count(text, j + 1, end)     # the precision
            starred += star
        if j < end and text[j] in "hlL":
            j += 1
        if j >= end:
            raise FormatError("the string ends in the middle of a directive")
        conversion = text[j]
        if conversion == "%":
            if j != i + 1:      # "%5%", "%(a)%": Python refuses or needs an argument
                raise FormatError(f"in directive {number}, '%' must directly follow '%' (write '%%')")
        elif conversion not in _CONVERSIONS:
            raise FormatError(f"in directive {number}, the character {conversion!r} is not a valid "
                              "conversion specifier")
        else:
            kind = _CONVERSIONS[conversion]
            if name is None:
                positional.extend([INTEGER] * starred + [kind])
            else:
                if starred:
                    raise FormatError("the string refers to arguments both by name and by position ('*')")
                if named.get(name, kind) != kind:
                    raise FormatError(f"the string refers to the argument named {name!r} in incompatible ways")
                named[name] = kind
        if named and positional:
            raise FormatError("the string refers to arguments both by name and by position")
        i = text.find("%", j + 1)
    return Directives(tuple(named.items()), tuple(positional))


def format_problems(source: str, target: str, plural: bool = False) -> list[str]:
    """What is wrong with ``target``'s directives as a translation of ``source`` (msgfmt's judgement).

    ``plural``: ``target`` is a plural form and ``source`` the ``msgid_plural``; a name may be left out.

    >>> format_problems("Published %(date)s", "Publicado el %(fecha)s")
    ['%(fecha)s is not in the source', '%(date)s is missing']
    >>> format_problems("%(num)d min read", "una minuto", plural=True)
    []
    """
    try:
        want = parse_format(source)
    except FormatError:
        return []               # the source's own problem; msgfmt does not judge such a translation
    try:
        got = parse_format(target)
    except FormatError as exc:
        return [f"not a valid Python format string: {exc}"]
    if want == got:
        return []
    if (want.named and got.positional) or (want.positional and got.named):
        return [f"the source's directives take {'names' if want.named else 'positions'}, "
                f"the translation's {'names' if got.named else 'positions'}"]
    problems = []
    want_names, got_names = want.names, got.names
    for name, kind in got.named:
        if name not in want_names:
            problems.append(f"%({name})s is not in the source")
        elif want_names[name] != kind:
            problems.append(f"%({name}) converts as {kind} here, as {want_names[name]} in the source")
    if not plural:
        problems += [f"%({name})s is missing" for name in want_names if name not in got_names]
    if len(want.positional) != len(got.positional):
        problems.append(f"{len(got.positional)} positional directive(s), the source has {len(want.positional)}")
    else:
        problems += [f"directive {index + 1} converts as {b}, as {a} in the source"
                     for index, (a, b) in enumerate(zip(want.positional, got.positional)) if a != b]
    return problems


@lru_cache(maxsize=1)
def template_messages() -> frozenset[str]:
    """Every msgid and msgid_plural of the templates: Jinja formats each with ``%``."""
    from workflow.chrome import PYTHON_MESSAGES, site_messages  # the templates' extraction; only when needed

    python = {message[0] for message in PYTHON_MESSAGES}
    return frozenset(text for msgid, plural, *_ in site_messages() if msgid not in python
                     for text in (msgid, plural) if text)


def is_formatted(pair: Pair) -> bool:
    """Whether ``pair``'s translation goes through ``%``: flagged ``python-format``, or a template's message."""
    return "python-format" in pair.flags or pair.source in template_messages()


@check("python-format", ERROR)
def python_format(pair: Pair) -> Iterator[str]:
    """Python ``%`` directives of the page chrome (and of python-format entries) as in the source, as msgfmt
    --check-format judges them: no bare ``%``, no unknown or missing ``%(name)s``, same conversions."""
    source = pair.msgid_plural or pair.source
    if "%" not in pair.target and "%" not in source:
        return                  # no directive on either side (the common case)
    if not is_formatted(pair):
        return
    for problem in format_problems(source, pair.target, plural=pair.msgid_plural is not None):
        yield f"{problem} (python-format)"


def _count(text: str, j: int, end: int) -> tuple[int, int]:
    """Past a width or precision at ``j`` (``*`` or digits): the next index, and 1 if it was ``*``.

    >>> _count("*d", 0, 2), _count("10d", 0, 3)
    ((1, 1), (2, 0))
    """
    starred = 0
    if j < end and text[j] == "*":
        starred, j = 1, j + 1
    while j < end and text[j].isdigit():
        j += 1
    return j, starred

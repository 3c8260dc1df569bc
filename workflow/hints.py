"""Glossary hints in translators' catalogs: ``# glossary: duloxetine → duloxetina (locked)`` on each entry with a term.

The hints are translator comments (``#``), not extracted comments (``#.``):
``msgmerge`` replaces a catalog's extracted comments with its template's, so a
per-language hint there would be dropped by every standard update (and a
catalog would never be "current" for ``msgmerge --previous``); a template is
shared by every catalog of a market, so it cannot say the one rendering a
catalog must use. Translator comments are the catalog's own: ``msgmerge``,
``pybabel update``, Poedit and Weblate keep them. ``locum update`` rewrites
them from the glossary on each run, in the same place and the same bytes
(lines starting ``glossary:`` and ``glossary+:`` are Locum's), and removes them
when the term goes. No line is longer than 72 characters, so no PO tool
rewraps one (polib wraps at 78, Babel at 76).

The same module spells a glossary cell for people (:func:`spell`): a
``/regex/`` becomes its base form and the forms it accepts (also for TBX).
"""

from __future__ import annotations

import itertools
import re
import weakref
from dataclasses import dataclass

from workflow.glossary import Glossary, Term

KEY, MORE = "glossary: ", "glossary+: "
WIDTH = 72
MAX_FORMS = 16
_TOKEN = re.compile(r"\((?:\?:)?(?P<group>[^()\\]*)\)(?P<optional>\?)?|(?P<wild>\\w[*+])|\\(?P<escaped>[^\w])"
                    r"|(?P<literal>[^\\()|?*+\[\]{}^$.])")


@dataclass(frozen=True)
class Spelled:
    """A glossary cell for people: ``forms`` it accepts (the first is the base form), or when too many or open
    (``\\w*``), ``pattern``: the base with its alternatives written ``(a/b)`` and ``…`` for any ending."""

    forms: tuple[str, ...]
    pattern: str | None = None
    inflected: bool = False

    @property
    def base(self) -> str:
        return self.forms[0]


def spell(cell: str) -> Spelled:
    """Spell a cell: ``a|b`` alternatives, or a ``/regex/`` of literal text, ``(a|b)`` groups (``?``: optional)
    and ``\\w*`` (any ending). Anything else: the regex's letters, never the raw expression.

    >>> spell("constipación|constipado").forms
    ('constipación', 'constipado')
    >>> spell("/paracetamol(u|em)?/").forms
    ('paracetamol', 'paracetamolu', 'paracetamolem')
    >>> spell(r"/inhibitor\\w* MAO/")
    Spelled(forms=('inhibitor MAO',), pattern='inhibitor… MAO', inflected=True)
    >>> spell("/zesp(ół|ołu|ołem|ole) serotoninow(y|ego|ym)/").forms[:2]
    ('zespół serotoninowy', 'zespół serotoninowego')
    """
    cell = cell.strip()
    if not (len(cell) > 1 and cell.startswith("/") and cell.endswith("/")):
        return Spelled(tuple(form.strip() for form in cell.split("|") if form.strip()))
    body, pieces, at = cell[1:-1], [], 0
    while at < len(body):
        match = _TOKEN.match(body, at)
        if match is None:       # a construct beyond these: its letters only
            return Spelled((re.sub(r"\\\w[*+?]?|[^\w\s]", "", body),), None, True)
        at = match.end()
        if match["group"] is not None:
            options = match["group"].split("|")
            pieces.append(([""] if match["optional"] else []) + options)
        elif match["wild"]:
            pieces.append(None)
        else:
            pieces.append([match["escaped"] or match["literal"]])
    base = "".join(piece[0] if piece else "" for piece in pieces)
    count = 1
    for piece in pieces:
        count *= len(piece) if piece else MAX_FORMS + 1
    if count <= MAX_FORMS:
        forms = tuple(dict.fromkeys("".join(parts) for parts in itertools.product(*pieces)))
        return Spelled(forms, None, True)
    shown = "".join("…" if piece is None else piece[0] if len(piece) == 1 else f"({'/'.join(piece)})"
                    for piece in pieces)
    return Spelled((base,), shown, True)


def hint(term: Term, catalog: str, source_language: str) -> str | None:
    """What a translator of ``catalog`` must know of ``term`` (one line's text), or None: nothing to say."""
    forms = term.forms_for(catalog, source_language)
    language = catalog.split("_")[0]
    own = catalog in term.renderings or language in term.renderings
    if term.status == "dnt":
        return None if language == source_language else f"{term.term} → {term.term} (do not translate)"
    if forms is None or (language == source_language and not own):
        return None
    spelled = spell(forms.shown)
    if term.status == "forbidden":
        return f"{term.term}: never {', '.join(spelled.forms)} (forbidden)"
    shown = f"{spelled.base} (inflected)" if spelled.inflected else " | ".join(spelled.forms)
    return f"{term.term} → {shown} (locked)"


def wrapped(text: str) -> list[str]:
    """``glossary:`` and as many ``glossary+:`` lines as ``text`` needs, none longer than 72 characters.

    >>> wrapped("duloxetine → duloxetina (locked)")
    ['glossary: duloxetine → duloxetina (locked)']
    >>> [len(line) <= WIDTH for line in wrapped("x " * 60)]
    [True, True]
    """
    lines, current = [], KEY
    for word in text.split():
        while len(word) > WIDTH - len(MORE):        # a word longer than a line: cut
            if current.strip() not in (KEY.strip(), MORE.strip()):
                lines.append(current.rstrip())
            cut = WIDTH - len(MORE)
            lines.append(MORE + word[:cut])
            word, current = word[cut:], MORE
        if len(current) + len(word) > WIDTH and current.strip() not in (KEY.strip(), MORE.strip()):
            lines.append(current.rstrip())
            current = MORE
        current += word + " "
    if current.strip() not in (KEY.strip(), MORE.strip()):
        lines.append(current.rstrip())
    return lines


# The terms each source text names, per glossary: one article's catalogs (pl, ar, es, es_US…) share their
# sources, so update looks each one up once, not once per catalog.
_FOUND: dict[int, tuple[weakref.ref, dict]] = {}     # id(glossary) → (that glossary, its lookups)


def _terms_in(msgids: tuple[str, ...], glossary: Glossary) -> tuple[Term, ...]:
    held = _FOUND.get(id(glossary))
    if held is None or held[0]() is not glossary or len(held[1]) > 20_000:     # (an id may be reused once a
        _FOUND.clear()                                      # glossary is gone; one article needs far fewer)
        held = _FOUND[id(glossary)] = (weakref.ref(glossary), {})
    found = held[1]
    terms = found.get(msgids)
    if terms is None:
        terms = found[msgids] = tuple(term for term in glossary.terms
                                      if any(term.occurs_in(text) for text in msgids if text))
    return terms


def hint_lines(msgids: list[str], glossary: Glossary, catalog: str, source_language: str) -> list[str]:
    """The hint lines for an entry whose source texts are ``msgids``, in glossary order."""
    lines = []
    for term in _terms_in(tuple(msgids), glossary):
        said = hint(term, catalog, source_language)
        if said:
            lines += wrapped(said)
    return lines


def with_hints(comment: str | None, lines: list[str]) -> str:
    """``comment`` with its hint lines replaced by ``lines`` (first: before the translator's own and the record).

    >>> with_hints("glossary: old (locked)\\nmy note", ["glossary: new (locked)"])
    'glossary: new (locked)\\nmy note'
    """
    kept = [line for line in (comment or "").split("\n") if line and not line.startswith((KEY, MORE))]
    return "\n".join(lines + kept)


def add_hints(po, glossary: Glossary, catalog: str, source_language: str) -> None:
    """Give every live entry of ``po`` (a catalog of ``catalog``) the hints of the terms in its source."""
    for entry in po:
        if entry.obsolete:
            continue
        lines = hint_lines([entry.msgid, entry.msgid_plural], glossary, catalog, source_language)
        comment = with_hints(entry.tcomment, lines)
        if comment != (entry.tcomment or ""):
            entry.tcomment = comment

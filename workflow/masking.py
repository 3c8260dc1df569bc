"""Placeholders for what a translation engine must not touch (links, code, numbers, glossary terms), and their restoration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from workflow import languages
from workflow.checks.contacts import find_emails, find_phones, find_urls
from workflow.checks.numbers import extract_quantities
from workflow.checks.units import SYMBOLS
from workflow.errors import LocumError
from workflow.glossary import Glossary
from workflow.languages import SOURCE_LANGUAGE

# Placeholders look like ``{{1}}``: ASCII braces and digits are in every engine's vocabulary (a
# rarer symbol such as ``⟦1⟧`` can come back from a SentencePiece model as ``⁇``), and ``{{name}}``
# is the template syntax of countless web strings in the engines' training data, which they learnt
# to copy through untranslated. On the way back, spaces inside (``{{ 1 }}``) and digits of another
# script (``{{١}}``) are accepted: they do not change which placeholder it is.
_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_LITERAL = re.compile(r"\{\{.*?\}\}|%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%[sd](?!\w)")
_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_LINK_TARGET = re.compile(r"""\]\(\s*(?P<dest><[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+)
                              (?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)""", re.X)
_HARD_BREAK = re.compile(r"\\\n")
_NUMERIC = re.compile(r"[\d½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞][\d.,/½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]*|[.]\d+")
# Unit symbols written in lower-case letters; any other all-letter unit ("milligrams", "per cent")
# is a word the engine must translate, so only its number is masked.
_SYMBOLS = {symbol for symbols in SYMBOLS.values() for symbol in symbols if re.fullmatch("[a-z]+", symbol)}
# What may stand between a sentence's end and the first letter of the next: spaces, emphasis, quotes, ¿, brackets.
_SENTENCE_END = re.compile(rf"(?:^|[.!?…]\s+)[\s*_{re.escape(languages.sentence_openers())}(\[]*$")


class MaskError(LocumError):
    """An engine's answer whose placeholders cannot be restored exactly."""


@dataclass(frozen=True)
class Slot:
    """One masked span: its ``kind``, the ``source`` text it replaced and the ``rendering`` put back."""

    kind: str
    source: str
    rendering: str


@dataclass(frozen=True)
class Masked:
    """``text`` as sent to an engine; ``slots[i]`` is what placeholder ``{{i+1}}`` stands for."""

    text: str
    source: str
    catalog: str
    slots: tuple[Slot, ...]

    @property
    def has_words(self) -> bool:
        """Whether anything is left to translate once the placeholders are taken out."""
        return any(c.isalpha() for c in _PLACEHOLDER.sub("", self.text))


def placeholder(number: int) -> str:
    return "{{%d}}" % number


def mask(text: str, catalog: str, glossary: Glossary | None, source_language: str = SOURCE_LANGUAGE) -> Masked:
    """Replace links, code, numbers, contacts, ``dnt`` terms and literally rendered ``locked`` terms by ``{{n}}``.

    ``text`` is written in ``source_language``: its numbers are read in that
    language's notation and rewritten where readers of ``catalog`` would misread them.

    >>> from workflow.glossary import parse_glossary
    >>> g = parse_glossary("term,status,note,es,pl\\nparacetamol,locked,,paracetamol,/paracetamol(u|em)?/\\n"
    ...                    "NHS 111,dnt,,,\\n", ("es", "pl"))
    >>> m = mask("Take 1,000 mg of paracetamol or call [NHS 111](https://111.nhs.uk/).", "es", g)
    >>> m.text
    'Take {{1}} of {{2}} or call [{{3}}]({{4}}).'
    >>> [(s.kind, s.rendering) for s in m.slots]
    [('number', '1.000 mg'), ('locked', 'paracetamol'), ('dnt', 'NHS 111'), ('url', 'https://111.nhs.uk/')]
    >>> mask("Paracetamol helps.", "pl", g).text    # a /regex/ rendering: the engine must inflect it
    'Paracetamol helps.'
    """
    spans: list[tuple[int, int, Slot]] = []

    def add(start: int, end: int, kind: str, rendering: str | None = None) -> None:
        source = text[start:end]
        spans.append((start, end, Slot(kind, source, source if rendering is None else rendering)))

    for m in _LITERAL.finditer(text):
        add(m.start(), m.end(), "literal")
    for m in _CODE.finditer(text):
        add(m.start(), m.end(), "code")
    for m in _LINK_TARGET.finditer(text):
        add(m.start("dest"), m.end("dest"), "url")
    for m in _HARD_BREAK.finditer(text):
        add(m.start(), m.end(), "break")
    for found, kind in [*((f, "url") for f in find_urls(text)), *((f, "contact") for f in find_emails(text))]:
        start, end = found.start, found.end
        if text[start - 1:start] == "<" and text[end:end + 1] == ">":   # an autolink keeps its brackets
            start, end = start - 1, end + 1
        add(start, end, kind)
    prose = _blank(text, spans)            # terms in link targets and code do not count
    for term in (glossary.terms if glossary else ()):
        rendering = _literal_rendering(term, catalog, source_language)
        if term.status == "dnt" or rendering is not None:
            for m in _exact_term(term.term).finditer(prose):
                add(m.start(), m.end(), term.status, rendering)
    for found in find_phones(text):
        add(found.start, found.end, "contact")
    blanked = _blank(text, [s for s in spans if s[2].kind != "dnt" and s[2].kind != "locked"])
    cursor = 0
    for quantity in extract_quantities(blanked, source_language, source_language):
        start = blanked.find(quantity.text, cursor)
        if start < 0:
            continue
        cursor = start + len(quantity.text)
        for a, b in _number_spans(quantity.text):
            add(start + a, start + b, "number", localize_number(quantity.text[a:b], catalog, source_language))
    return _assemble(text, catalog, spans)


def unmask(translated: str, masked: Masked) -> str:
    """The engine's ``translated`` text with every placeholder restored; :class:`MaskError` if any was damaged.

    >>> m = Masked("Call {{1}} at {{2}}.", "Call NHS 111 at 8am.", "es",
    ...            (Slot("dnt", "NHS 111", "NHS 111"), Slot("number", "8", "8")))
    >>> unmask("Llame al {{1}} a las {{ 2 }}.", m)
    'Llame al NHS 111 a las 8.'
    >>> unmask("Llame al {{1}} a las {{2}.", m)
    Traceback (most recent call last):
    ...
    workflow.masking.MaskError: error: placeholder {{2}} (8) is missing in the engine's answer
    >>> unmask("{{1}} es seguro.", Masked("{{1}} is safe.", "x", "es", (Slot("locked", "Paracetamol", "paracetamol"),)))
    'Paracetamol es seguro.'
    """
    found = [(m, int(m.group(1))) for m in _PLACEHOLDER.finditer(translated)]
    numbers = [n for _, n in found]
    for number, slot in enumerate(masked.slots, 1):
        count = numbers.count(number)
        if count != 1:
            problem = "is missing in" if count == 0 else f"appears {count} times in"
            raise MaskError(f"placeholder {placeholder(number)} ({slot.source}) {problem} the engine's answer")
    extra = sorted({n for n in numbers if not 1 <= n <= len(masked.slots)})
    if extra:
        raise MaskError(f"the engine's answer has placeholder(s) {', '.join(map(placeholder, extra))} "
                        "that the source does not")
    if _braces(_PLACEHOLDER.sub("", translated)) > _braces(_PLACEHOLDER.sub("", masked.text)):
        raise MaskError("the engine's answer has a damaged placeholder (stray braces)")
    out, last, after_break = [], 0, False
    for match, number in found:
        slot = masked.slots[number - 1]
        before = translated[last:match.start()]
        before = before[1:] if after_break and before.startswith(" ") else before
        out.append(before[:-1] if slot.kind == "break" and before.endswith(" ") else before)
        rendering = slot.rendering
        if slot.kind == "locked" and _SENTENCE_END.search("".join(out)):
            rendering = rendering[:1].upper() + rendering[1:]
        out.append(rendering)
        last, after_break = match.end(), slot.kind == "break"
    tail = translated[last:]
    out.append(tail[1:] if after_break and tail.startswith(" ") else tail)
    return "".join(out)


def localize_number(text: str, catalog: str, source_language: str = SOURCE_LANGUAGE) -> str:
    """A source number as written, unless readers of ``catalog`` would read another value (then in their notation).

    >>> localize_number("1,000 mg", "es"), localize_number("1,000 mg", "es_US"), localize_number("0.5 mg", "es")
    ('1.000 mg', '1,000 mg', '0.5 mg')
    >>> localize_number("2,500 mg", "pl")
    '2\\xa0500 mg'
    """
    wanted = [q.key() for q in extract_quantities(text, source_language, source_language)]
    if [q.key() for q in extract_quantities(text, catalog, source_language)] == wanted:
        return text
    group, decimal = languages.group_mark(source_language), languages.decimal_mark(source_language)

    def local(match: re.Match) -> str:
        whole, _, fraction = match.group().replace(group, "").partition(decimal)
        value = Decimal(f"{whole}.{fraction}" if fraction else whole)
        return languages.format_number(value, len(fraction), catalog)

    localized = _grouped_or_decimal(group, decimal).sub(local, text)
    return localized if [q.key() for q in extract_quantities(localized, catalog, source_language)] == wanted else text


@lru_cache(maxsize=None)
def _grouped_or_decimal(group: str, decimal: str) -> re.Pattern:
    """A number with thousands grouped by ``group`` or with a ``decimal`` mark (``1,000.5``, ``0.5`` in English).

    >>> _grouped_or_decimal(",", ".").findall("1,000 mg, 2,500.5 ml, 0.5 g, 30 mg")
    ['1,000', '2,500.5', '0.5']
    """
    group, decimal = re.escape(group), re.escape(decimal)
    return re.compile(rf"\d{{1,3}}(?:{group}\d{{3}})+(?:{decimal}\d+)?|\d+{decimal}\d+")


def _number_spans(quantity: str) -> list[tuple[int, int]]:
    """The parts of a quantity's text to mask: the whole, or each number when words join them.

    >>> q = "50 to 100 mg"; [q[a:b] for a, b in _number_spans(q)]
    ['50', '100 mg']
    >>> [("5 per cent"[a:b]) for a, b in _number_spans("5 per cent")], _number_spans("50–100 mg")
    (['5'], [(0, 9)])
    """
    runs = list(_NUMERIC.finditer(quantity))
    if not runs:
        return []
    head_end = runs[-1].end()
    tail = quantity[head_end:].strip()
    spelled = bool(re.fullmatch(r"[a-z]+(?: [a-z]+)*", tail)) and tail not in _SYMBOLS
    end = head_end if spelled else len(quantity)
    if not any(c.isalpha() for c in quantity[:head_end]):
        return [(0, end)]
    spans = [(m.start(), m.end()) for m in runs]
    spans[-1] = (spans[-1][0], end)
    return spans


def _literal_rendering(term, catalog: str, source_language: str) -> str | None:
    """The form a ``locked`` term takes in ``catalog`` when it is literal (first of ``a|b``); None for a ``/regex/``."""
    if term.status != "locked":
        return None
    forms = term.forms_for(catalog, source_language)
    if forms is None:
        return None
    shown = forms.shown.strip()
    if len(shown) > 1 and shown.startswith("/") and shown.endswith("/"):
        return None
    first = shown.split("|")[0].strip()
    return first or None


def _exact_term(term: str) -> re.Pattern:
    """The term itself, whole-word, without the plural or possessive endings the glossary check accepts.

    >>> bool(_exact_term("NSAID").search("NSAIDs")), bool(_exact_term("nhs 111").search("NHS  111"))
    (False, True)
    """
    words = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", 0 if term.isupper() else re.IGNORECASE)


def _blank(text: str, spans) -> str:
    chars = list(text)
    for start, end, _ in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)


def _assemble(text: str, catalog: str, spans) -> Masked:
    """The masked text: longest span first where spans overlap, placeholders numbered in reading order."""
    chosen, taken = [], [False] * len(text)
    for start, end, slot in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if end > start and not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            chosen.append((start, end, slot))
    out, last, slots = [], 0, []
    for start, end, slot in sorted(chosen, key=lambda s: s[0]):
        slots.append(slot)
        gap = " " if slot.kind == "break" else ""      # so that the words either side stay words
        out += [text[last:start], gap + placeholder(len(slots)) + gap]
        last = end
    out.append(text[last:])
    return Masked("".join(out), text, catalog, tuple(slots))


def _braces(text: str) -> int:
    return text.count("{") + text.count("}")

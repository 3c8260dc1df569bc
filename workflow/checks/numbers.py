"""The numbers check: every number, range, unit and code of the source reaches the translation with the same value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterator

from workflow import languages
from workflow.checks import units
from workflow.checks.contacts import ascii_digits, contact_spans, differences, unmatched
from workflow.checks.registry import ERROR, Pair, check
from workflow.languages import SOURCE_LANGUAGE
from workflow.visible import visible


@dataclass(frozen=True)
class Quantity:
    """A number as the reader meets it: a value (or range ``low``–``high``), its unit, and the text it was read from.

    ``unit`` is a canonical measurement unit (``mg``, ``ml``, ``mcg``, ``%`` …)
    or None; counted words (tablets, days, times) are language, not units.
    """

    low: Decimal
    high: Decimal | None
    unit: str | None
    text: str

    def key(self) -> tuple[Decimal, Decimal | None, str | None]:
        """What must be equal in source and translation (``0.5`` equals ``0.50``; the text may differ)."""
        return self.low, self.high, self.unit


_SPACE = r"(?:[ \u00a0\u202f\u2009]|&nbsp;|&#160;|&#x[aA]0;|&#8239;|&#x202[fF];|&thinsp;|&#8201;)"
_BIDI = "[\u200e\u200f\u061c\u2066-\u2069]*"  # direction marks Arabic editors put around numbers
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
           "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8)}
_FRACTIONS = "".join(_VULGAR)
_UNIT = re.compile(rf"{_BIDI}(?:{_SPACE}{_BIDI})?(?P<unit>{units.alternatives()})(?![^\W\d_])")
_PERCENT_BEFORE = re.compile(rf"[%٪]{_BIDI}{_SPACE}?{_BIDI}$")  # Arabic may write ٪٥٠ for 50%


def _number_pattern(space_groups: bool) -> re.Pattern:
    group = r"|[ \u00a0\u202f\u2009]\d{3}(?!\d)" if space_groups else ""
    return re.compile(rf"""
        (?<![^\W\u0600-\u06FF])           # not inside a Latin word; an Arabic clitic (و، بـ) may touch a number
        (?<![\w\x00][.,٫٬])               # nor the tail of v1.2 or of a blanked-out code
        (?:
            (?<![\d/])(?P<num>\d{{1,2}})/(?P<den>\d{{1,2}})(?![\d/]|[.,٫]\d)   # 1/2 tablet, not 1/2/2026
          | (?<![^\s(*_\[])[.٫](?P<lead>\d+)(?![.,٫٬]\d)                    # .5 mg is still a half
          | (?P<run>\d+(?:[.,٫٬]\d+{group})*)(?P<vulgar>[{_FRACTIONS}])?
          | (?P<alone>[{_FRACTIONS}])
        )""", re.VERBOSE)


_NUMBER = {True: _number_pattern(True), False: _number_pattern(False)}

# A dash joins two numbers into a range in every language; words do too (see _range_words).
_DASH = rf"{_BIDI}{_SPACE}?[-–—‒]{_SPACE}?{_BIDI}"

_TOKEN = re.compile(r"\w+(?:[-‑]\w+)*")
_DIGIT = re.compile(r"\d")
_NUMERAL = re.compile(rf"[\d{_FRACTIONS}]")
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_CLITIC = re.compile(r"[\u0621-\u064a\u0640]{1,3}(?=\d)")  # و٣٠، بـ٩٩٩: "and 30", "at 999"
_ANY_SPACE = re.compile(rf"{_SPACE}+")


def _head_ok(digits: str) -> bool:
    """Whether ``digits`` can start a grouped number (``1`` of ``1.000``, not the ``0`` of ``0.500``)."""
    return 1 <= len(digits) <= 3 and not digits.startswith("0")


def _one_value(digits: list[str], seps: list[str], decimal: str) -> Decimal | None:
    """The value of digit groups joined by ``seps`` read as one number, or None if they cannot be one.

    >>> _one_value(["1", "000"], [","], "."), _one_value(["1", "000"], ["."], ","), _one_value(["1", "000"], [","], ",")
    (Decimal('1000'), Decimal('1000'), Decimal('1.000'))
    >>> _one_value(["0", "500"], ["."], ","), _one_value(["1", "2", "3"], [".", "."], ".")
    (Decimal('0.500'), None)
    """
    kinds = ["decimal" if s == "٫" else "group" if s not in ".," else s for s in seps]
    plain = [k for k in kinds if k in ".,"]
    if "decimal" in kinds:
        kinds = ["group" if k in ".," else k for k in kinds]
    elif len(set(plain)) == 2:
        last = kinds[max(i for i, k in enumerate(kinds) if k in ".,")]
        if plain.count(last) != 1:
            return None
        kinds = ["decimal" if k == last else "group" if k in ".," else k for k in kinds]
    elif len(plain) == 1:
        i = kinds.index(plain[0])
        # "1.000" in es and "1,000" in en group thousands; "0,5", "1.5", "0.500" and es "1,000" are decimals
        grouping = (plain[0] != decimal and len(digits[i + 1]) == 3 and _head_ok(digits[0])
                    and all(k == "group" for k in kinds[:i]))
        kinds[i] = "group" if grouping else "decimal"
    elif plain:
        kinds = ["group" for _ in kinds]
    if kinds.count("decimal") > 1 or ("decimal" in kinds and kinds[-1] != "decimal"):
        return None
    if "group" in kinds and not (_head_ok(digits[0]) and all(
            len(d) == 3 for d, k in zip(digits[1:], kinds) if k == "group")):
        return None
    whole = digits[0] + "".join(d for d, k in zip(digits[1:], kinds) if k == "group")
    fraction = digits[-1] if kinds and kinds[-1] == "decimal" else ""
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _read_run(run: str, decimal: str) -> list[tuple[int, int, Decimal]]:
    """``(start, end, value)`` of each number in a run of digits and separators (usually one).

    >>> [str(v) for _, _, v in _read_run("1 000,5", ",")], [str(v) for _, _, v in _read_run("1,2,3", ".")]
    (['1000.5'], ['1', '2', '3'])
    """
    parts = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\d+|\D+", run)]
    digits, seps = [p[2] for p in parts[::2]], [p[2] for p in parts[1::2]]
    value = _one_value(digits, seps, decimal)
    if value is not None:
        return [(0, len(run), value)]
    spaces = [(s, e) for s, e, text in parts[1::2] if text not in ".,٫٬"]
    if spaces:
        # a space groups only when the whole reads as one number: "0,5 100" is two numbers
        bounds = [0, *(x for span in spaces for x in span), len(run)]
        return [(a + x, a + y, v) for a, b in zip(bounds[::2], bounds[1::2])
                for x, y, v in _read_run(run[a:b], decimal)]
    # "1.2.3" is a list or a section number, not one value
    return [(s, e, Decimal(text)) for s, e, text in parts[::2]]


@lru_cache(maxsize=8192)   # codes and quantities (in every language) read the same text
def _codes(prepared: str) -> tuple[tuple[int, int], ...]:
    """Spans of alphanumeric codes (``NG59``, ``B12``, ``COVID-19``, ``5HT3``): compared verbatim, never as numbers."""
    spans: list[tuple[int, int]] = []
    if not _DIGIT.search(prepared):
        return ()
    for m in _TOKEN.finditer(prepared):
        token = m.group()
        if not (_DIGIT.search(token) and _LETTER.search(token)) or prepared.endswith(units.DIGIT_UNITS, 0, m.end()):
            continue
        clitic = _ARABIC_CLITIC.match(token)
        if clitic:
            token = token[clitic.end():]
        if token[0].isdecimal():
            head = re.match(r"\d+([^\W\d_]*)", token).group(1)
            if not head or head in units.SUFFIXES:
                continue
        elif clitic:
            continue
        spans.append(m.span())
    return tuple(spans)


@lru_cache(maxsize=8192)   # codes and quantities (in every language) read the same text
def _prepare(text: str) -> str:
    """``text`` as the parsers see it, same length: ASCII digits; URLs, addresses and phone numbers blanked out."""
    spans = contact_spans(text)
    if not spans:
        return ascii_digits(text)
    chars = list(ascii_digits(text))
    for start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)


def extract_codes(text: str) -> list[str]:
    """The alphanumeric codes of ``text`` (guideline and drug codes, vitamins, disease names), outside URLs.

    >>> extract_codes("See [NICE NG59](https://www.nice.org.uk/guidance/ng59) on vitamin B12 and COVID-19, not 30mg.")
    ['NG59', 'B12', 'COVID-19']
    """
    if not _DIGIT.search(text):         # a code has a digit; blanking out contacts adds none
        return []
    return [text[a:b] for a, b in _codes(_prepare(text))]


def extract_quantities(text: str, language: str, source_language: str = SOURCE_LANGUAGE) -> list[Quantity]:
    """Every number of ``text`` as a :class:`Quantity` (see ``_quantities``)."""
    return list(_quantities(text, language, source_language))


@lru_cache(maxsize=8192)   # several checks read the numbers of the same texts
def _quantities(text: str, language: str, source_language: str = SOURCE_LANGUAGE) -> tuple[Quantity, ...]:
    """Every number of ``text`` (a ``language`` or catalog name: ``es``, ``es_US``) in order, with units and ranges.

    Numbers in URLs, email addresses, phone numbers and codes (``NG59``) are not
    read; numbers written as words (``two``) are text. The range words of
    ``language`` join numbers, and those of ``source_language``, which a
    translation may keep.

    >>> for q in extract_quantities("Take 50–100 mg, up to 4 times a day.", "en"):
    ...     print(q)
    Quantity(low=Decimal('50'), high=Decimal('100'), unit='mg', text='50–100 mg')
    Quantity(low=Decimal('4'), high=None, unit=None, text='4')
    >>> [(str(q.low), q.unit) for q in extract_quantities("٠٫٥ ملغ و1.000 ml", "ar")]
    [('0.5', 'mg'), ('1.000', 'ml')]
    """
    if not _NUMERAL.search(text):        # every number has a digit or a vulgar fraction (½)
        return ()
    return _read_quantities(text, language, source_language)


def _read_quantities(text: str, language: str, source_language: str = SOURCE_LANGUAGE) -> tuple[Quantity, ...]:
    """:func:`_quantities` by the number reader alone, for any text."""
    prepared = _prepare(text)
    blanked = list(prepared)
    for start, end in _codes(prepared):
        blanked[start:end] = "\x00" * (end - start)
    prepared = "".join(blanked)
    decimal = languages.decimal_mark(language)

    # (start, end, value, unit) of each number; end includes the unit
    singles: list[tuple[int, int, Decimal, str | None]] = []
    # Where the decimal mark is a comma, a space may group thousands (1 000); elsewhere,
    # as in English "2 500mg tablets", two numbers can stand side by side.
    for m in _NUMBER[decimal == ","].finditer(prepared):
        if m.group("num"):
            if not 0 < int(m.group("num")) < int(m.group("den")):
                # 24/7 or 7/1 are two numbers, not a fraction
                numbers = [(m.start("num"), m.end("num"), Decimal(m.group("num"))),
                           (m.start("den"), m.end("den"), Decimal(m.group("den")))]
            else:
                numbers = [(m.start(), m.end(), _fraction(int(m.group("num")), int(m.group("den"))))]
        elif m.group("lead"):
            numbers = [(m.start(), m.end(), Decimal("0." + m.group("lead")))]
        elif m.group("alone"):
            numbers = [(m.start(), m.end(), _fraction(*_VULGAR[m.group("alone")]))]
        else:
            numbers = [(m.start() + a, m.start() + b, v) for a, b, v in _read_run(m.group("run"), decimal)]
            if m.group("vulgar"):
                a, _, v = numbers[-1]
                numbers[-1] = (a, m.end(), v + _fraction(*_VULGAR[m.group("vulgar")]))
        for start, end, value in numbers:
            unit_match = _UNIT.match(prepared, end)
            unit = units.CANONICAL[unit_match.group("unit")] if unit_match else None
            before = _PERCENT_BEFORE.search(prepared, 0, start) if unit is None else None
            if before:
                start, unit = before.start(), "%"
            singles.append((start, unit_match.end() if unit_match else end, value, unit))
    return tuple(Quantity(low, high, unit, text[start:end]) for start, end, low, high, unit
            in _ranges(singles, prepared, _range_words(languages.base_code(language), source_language)))


def _fraction(numerator: int, denominator: int) -> Decimal:
    """The value of a fraction, computed one way for ``½``, ``1/2`` and ``0.5`` alike so that they compare equal.

    >>> _fraction(1, 2), _fraction(1, 3) == _fraction(*_VULGAR["⅓"])
    (Decimal('0.5'), True)
    """
    return Decimal(numerator) / Decimal(denominator)


def _ranges(singles, prepared: str, words: tuple[re.Pattern, list[tuple[re.Pattern, re.Pattern]]]):
    """Join ``50``, ``100 mg`` into the range 50–100 mg where the text between them says "to" (:func:`_range_words`)."""
    connector, pairs = words
    i = 0
    while i < len(singles):
        start, end, low, unit = singles[i]
        if i + 1 < len(singles):
            start2, end2, high, unit2 = singles[i + 1]
            gap = prepared[end:start2]
            joined = connector.fullmatch(gap) or any(
                and_.fullmatch(gap) and between.search(prepared[:start]) for between, and_ in pairs)
            if joined and unit in (None, unit2):
                yield start, end2, low, high, unit2
                i += 2
                continue
        yield start, end, low, None, unit
        i += 1


@lru_cache(maxsize=None)
def _range_words(lang: str, source_language: str) -> tuple[re.Pattern, list[tuple[re.Pattern, re.Pattern]]]:
    """What joins two numbers of ``lang`` into a range: a dash or "to"; "and" after a "between" before them.

    The words of ``source_language`` join them too (a translation may keep them);
    ``lang`` without a "between" of its own uses the source's.
    """
    source, target = languages.language(source_language), languages.language(lang)
    to = "|".join(w for w in (source.range_to, target.range_to) if w) or "(?!)"
    connector = re.compile(rf"{_DASH}|\s+(?:{to})\s+")
    pairs = [p for p in (source.range_between, target.range_between or source.range_between) if p]
    return connector, [(re.compile(rf"(?:^|\s)(?:{between})\s+$", re.IGNORECASE), re.compile(rf"\s+(?:{and_})\s*"))
                       for between, and_ in pairs]


def _shown(q: Quantity) -> str:
    """A quantity's text for a message: spaces of every kind as plain spaces, no invisible direction marks."""
    return re.sub(_BIDI, "", _ANY_SPACE.sub(" ", q.text))


def _value(q: Quantity) -> str:
    """A quantity's value in plain notation (``.`` decimal point, no grouping), for messages about a changed reading.

    >>> _value(Quantity(Decimal("1.000"), None, "mg", "1,000 mg"))
    '1 mg'
    """
    number = "–".join(f"{v.normalize():f}" for v in (q.low, q.high) if v is not None)
    return f"{number} {q.unit}" if q.unit else number


def _quantity_messages(lost: list[Quantity], extra: list[Quantity], language: str,
                       source_language: str = SOURCE_LANGUAGE) -> Iterator[str]:
    """Messages for the source's quantities the translation lacks (``lost``) and those it adds (``extra``).

    Pairs a lost quantity first with an extra of the same value (the unit changed),
    then with one of the same unit, then with any, to show what the translation has instead.
    """
    lost, extra = list(lost), list(extra)
    for q in list(lost):
        same = next((t for t in extra if (t.low, t.high) == (q.low, q.high)), None)
        if same is not None:
            lost.remove(q)
            extra.remove(same)
            yield f"unit changed: {_shown(q)} became {_shown(same)}{'' if same.unit else ' (no unit)'}"
    for q in lost:
        found = next((t for t in extra if t.unit == q.unit), extra[0] if extra else None)
        if found is None:
            yield f"number {_shown(q)} in the source is missing in the translation"
            continue
        extra.remove(found)
        # Where the digits look right or a source reader's eye misreads them, say how the translation's
        # readers read them: es "1,000" is one, es_US "1.000" is one, es "1.250" is 1250
        misread = [e.key() for e in extract_quantities(found.text, source_language, source_language)] != [found.key()]
        reading = f", which reads as {_value(found)} in {language}" \
            if misread or _digits(found.text) == _digits(q.text) else ""
        yield f"number {_shown(q)} in the source is missing in the translation (found {_shown(found)}{reading})"
    for t in extra:
        yield f"number {_shown(t)} added in the translation"


def _digits(text: str) -> str:
    return "".join(c for c in ascii_digits(text) if c.isdecimal())


def _digit_runs(code: str) -> list[str]:
    return [str(int(d)) for d in re.findall(r"\d+", ascii_digits(code))]


def _same_code(source: str, target: str) -> bool:
    """Whether ``target`` writes code ``source``: in other letter case or hyphen, or in another script (كوفيد-19).

    >>> _same_code("COVID-19", "كوفيد-19"), _same_code("Omega-3", "omega‑3"), _same_code("NG59", "NH59")
    (True, True, False)
    """
    def letters(code: str) -> str:
        return re.sub(r"[\d\W_]", "", code).casefold()

    same_letters = letters(source) == letters(target) or not letters(target).isascii()
    return _digit_runs(source) == _digit_runs(target) and same_letters


@check("numbers", ERROR)
def numbers(pair: Pair) -> Iterator[str]:
    """Every number, range and code of the source is in the translation with the same value and unit, and no other.

    Both texts are read without invisible characters (``3\\u200b0 mg`` is 30 mg, as readers
    see it); the ``invisible`` check reports the characters themselves. A language that writes
    Latin letters in its own script may write vitamin B12 as ب12, where the letter joins the word
    like a clitic and only the number stays.
    """
    # es_US reads 1,000 as a thousand and es as one: the catalog's locale decides, when Babel knows it
    language = pair.catalog if languages.known_locale(pair.catalog) else pair.language
    source_language = pair.source_language
    source_text, target_text = visible(pair.source), visible(pair.target)
    source = extract_quantities(source_text, source_language, source_language)
    target = extract_quantities(target_text, language, source_language)
    lost, extra = unmatched(source, target, Quantity.key), unmatched(target, source, Quantity.key)
    source_codes, target_codes = extract_codes(source_text), extract_codes(target_text)
    lost_codes, extra_codes = unmatched(source_codes, target_codes), unmatched(target_codes, source_codes)
    for code in list(lost_codes):
        spelled = next((t for t in extra_codes if _same_code(code, t)), None)
        runs = _digit_runs(code)
        number = next((q for q in extra if q.key() == (Decimal(runs[0]), None, None)), None) \
            if languages.language(pair.language).own_script and len(runs) == 1 else None
        if spelled is not None:
            lost_codes.remove(code)
            extra_codes.remove(spelled)
        elif number is not None:
            lost_codes.remove(code)
            extra.remove(number)
    yield from _quantity_messages(lost, extra, language, source_language)
    yield from differences("code", lost_codes, extra_codes)

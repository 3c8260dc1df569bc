"""The invisible check: no bidi control or invisible character changes what readers see behind the checks' back.

The characters looked at are Unicode's *default ignorable* code points (they
render as nothing): bidi embeddings, overrides and isolates, direction marks,
zero-width space, joiners, soft hyphen, word joiner, invisible operators, BOM,
Hangul fillers, variation selectors and tag characters. Every one in a
translation is an error, except where a language needs it:

- ``LRM`` (U+200E) anywhere; ``RLM`` (U+200F) and ``ALM`` (U+061C) in a
  right-to-left language (by Babel, as the page's ``dir``). A mark must not sit
  inside a number token: between digits, separators, a range's numbers, a sign
  or ``%`` and its digits, a number and its unit, or Latin letters glued to
  digits (``B12``). Before or after the whole token it only sets the direction
  of what is around it. The token follows the Unicode bidi algorithm: digits
  (bidi class EN/AN) joined by one separator (CS/ES, rule W4) with their
  terminators (ET: ``%``, ``°``, ``£``, rule W5) stay one run in reading order
  until a strong character such as a mark splits it.
- ``ZWNJ``/``ZWJ`` (U+200C/U+200D) between two letters of a script that needs
  them, in the languages that write it: Arabic script in Persian, Urdu, Pashto,
  Sorani, Sindhi, Uyghur, Kashmiri (not Arabic, whose spelling has no use for
  them), Indic scripts and Sinhala; ``ZWJ`` also in emoji sequences (health worker:
  U+1F469 U+1F3FD ZWJ U+2695 U+FE0F).
- Variation selectors after a symbol (U+2764 U+FE0F), in a keycap (1 U+FE0F U+20E3), after a
  CJK ideograph (ideographic selectors too), Mongolian ones after Mongolian.
- Tag characters only as the flags of England, Scotland and Wales.

Bidi controls (U+202A–U+202E, U+2066–U+2069), ZWSP, soft hyphen, word joiner,
BOM and the rest are never allowed. A character the source has is allowed in
the translation as often as the source has it (the reader then sees what the
source's reader sees), except a direction mark inside a number. Characters
written as HTML references (``&#x202E;``, ``&shy;``, ``&rlm;``) count too:
Markdown turns them into the characters.

:func:`visible` is the text the glossary and numbers checks match: every such
character (and reference) removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterator

from workflow import languages
from workflow.checks import units
from workflow.checks.registry import ERROR, Pair, check
from workflow.visible import ANY_INVISIBLE as _ANY
from workflow.visible import DROP_INVISIBLE as _DROP
from workflow.visible import INVISIBLE, has_invisible
from workflow.visible import REFERENCE as _REFERENCE
from workflow.visible import reference_char as _reference_char

BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
LRM, RLM, ALM, ZWNJ, ZWJ = 0x200E, 0x200F, 0x061C, 0x200C, 0x200D
MARKS = frozenset([LRM, RLM, ALM])
_TAGS = range(0xE0020, 0xE0080)
_CANCEL_TAG = 0xE007F
_FLAGS = {"gbeng", "gbsct", "gbwls"}    # the RGI emoji tag sequences: 🏴 + tags + CANCEL TAG
_BLACK_FLAG = "\U0001F3F4"
_KEYCAP = "\u20e3"


def _decode(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with its character references decoded, and where each decoded character was written."""
    if "&" not in text:
        return text, [(i, i + 1) for i in range(len(text))]
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    for m in _REFERENCE.finditer(text):
        value = _reference_char(m)
        if value is None:
            continue
        out.append(text[last:m.start()])
        spans.extend((i, i + 1) for i in range(last, m.start()))
        out.append(value)
        spans.extend([m.span()] * len(value))
        last = m.end()
    out.append(text[last:])
    spans.extend((i, i + 1) for i in range(last, len(text)))
    return "".join(out), spans


# ---------------------------------------------------------------------------------------------------------------
# Number tokens: what a direction mark must not split.

# Letters of right-to-left scripts (bidi class R or AL): they do not glue to digits (Arabic و٣٠ is "and 30").
_RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_LTR_LETTER = rf"(?:(?![{_RTL_LETTERS}])[^\W\d_])"
_GAP = "[ \u00a0\u202f\u2009]"


def _bidi_class(bidi: str, limit: int = 0x10000) -> str:
    """A regex class body of the characters below ``limit`` whose bidi class is ``bidi``."""
    return "".join(re.escape(chr(cp)) for cp in range(limit) if unicodedata.bidirectional(chr(cp)) == bidi)


@lru_cache(maxsize=None)     # built when a text first has a direction mark
def _number_token() -> re.Pattern:
    """A number as the bidi algorithm keeps it in order, with its range, unit and glued Latin letters.

    Digits (EN, AN) joined by one separator (CS, ES, the Arabic separators ٫ ٬) or by a
    space before more digits (``1 000``), ranges (``30–60``, ``30 - 60``), terminators (ET:
    ``%``, ``°``, ``£``) around them and a sign before them, a unit (``checks.units``)
    after a space, and Latin letters or hyphenated words glued to the digits (``30mg``,
    ``B12``, ``COVID-19``). Letters of right-to-left scripts do not glue: a mark between
    Arabic ``و`` ("and") and ``30`` is at the number's edge.
    """
    et, separators = _bidi_class("ET"), _bidi_class("CS") + _bidi_class("ES") + "\u066b\u066c"
    alnum = rf"(?>(?:{_LTR_LETTER}+[-‑])*{_LTR_LETTER}*\d(?:\d|{_LTR_LETTER})*(?:[-‑](?:\d|{_LTR_LETTER})+)*)"
    join = rf"(?:[{separators}]|{_GAP}?[-–—‒~]{_GAP}?|{_GAP}(?=\d))"
    # before the digits only terminators and signs: a colon or comma there is not part of the number (W4, W6)
    return re.compile(rf"[{et}+\-−±]*{alnum}(?:[{et}]*{join}[{et}]*{alnum})*[{et}]*"
                      rf"(?:{_GAP}?(?:{units.alternatives()})(?![^\W\d_]))?")


def number_tokens(text: str) -> list[tuple[int, int]]:
    """Spans of the number tokens of ``text`` (without invisible characters).

    >>> t = "Tome 30 mg, 1 000 ml o 30–60 %, B12 y COVID-19; ٣٠ ملغ"
    >>> [t[a:b] for a, b in number_tokens(t)]
    ['30 mg', '1 000 ml', '30–60 %', 'B12', 'COVID-19', '٣٠ ملغ']
    """
    return [m.span() for m in _number_token().finditer(text)]


# ---------------------------------------------------------------------------------------------------------------
# The check


def _name(c: str) -> str:
    return unicodedata.name(c, "unassigned" if unicodedata.category(c) == "Cn" else "no name")


def _script(c: str) -> str:
    return _name(c).split(" ")[0]


def _emoji(c: str) -> bool:
    """An emoji or what continues one before a ZWJ (a skin tone, VS16, a keycap)."""
    return unicodedata.category(c) == "So" or 0x1F3FB <= ord(c) <= 0x1F3FF or c in "\ufe0f\u20e3"


def _variation_ok(decoded: str, i: int) -> bool:
    cp, before = ord(decoded[i]), decoded[i - 1] if i else ""
    after = decoded[i + 1] if i + 1 < len(decoded) else ""
    if not before:
        return False
    if 0x180B <= cp <= 0x180F:                          # Mongolian free variation selectors
        return cp != 0x180E and _script(before) == "MONGOLIAN"
    if 0xE0100 <= cp <= 0xE01EF or cp <= 0xFE0D:        # ideographic and standardized variation sequences
        return _name(before).startswith("CJK ") or (cp <= 0xFE0D and unicodedata.category(before)[0] == "S")
    # VS15 / VS16: text or emoji presentation of a symbol; VS16 in a keycap (digit, U+FE0F, U+20E3)
    return unicodedata.category(before)[0] == "S" or (before in "0123456789#*" and after == _KEYCAP)


def _joiner_ok(decoded: str, i: int, language: str) -> bool:
    before = decoded[i - 1] if i else ""
    after = decoded[i + 1] if i + 1 < len(decoded) else ""
    if not (before and after):
        return False
    if ord(decoded[i]) == ZWJ and _emoji(before) and unicodedata.category(after) == "So":
        return True
    scripts = languages.language(language).joining_scripts
    return (unicodedata.category(before)[0] in "LM" and unicodedata.category(after)[0] in "LM"
            and _script(before) in scripts and _script(after) in scripts)


_BIDI_WHY = "a bidi control: it changes the order readers see"
_RTL_MARK_WHY = "a right-to-left mark in a left-to-right language"
_JOINER_WHY = "a joiner outside an emoji or a word of a script that needs it"
_VARIATION_WHY = "a variation selector not after a symbol, keycap or ideograph"
_INVISIBLE_WHY = "an invisible character: readers don't see it, and it can hide a word or a number"


def _findings(decoded: str, pair: Pair) -> list[tuple[int, str, str | None]]:
    """``(index in decoded, why, number token or None)`` of each character that is not allowed where it is."""
    found: list[tuple[int, str, str | None]] = []
    hits = [m.start() for m in _ANY.finditer(decoded)]
    marks: list[int] = []
    tag_runs_done = -1
    for i in hits:
        cp = ord(decoded[i])
        if cp in BIDI_CONTROLS:
            found.append((i, _BIDI_WHY, None))
        elif cp in MARKS:
            if cp != LRM and not languages.right_to_left(pair.catalog, pair.language):
                found.append((i, _RTL_MARK_WHY, None))
            else:
                marks.append(i)
        elif cp in (ZWNJ, ZWJ):
            if not _joiner_ok(decoded, i, pair.language):
                found.append((i, _JOINER_WHY, None))
        elif 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or (0x180B <= cp <= 0x180F and cp != 0x180E):
            if not _variation_ok(decoded, i):
                found.append((i, _VARIATION_WHY, None))
        elif cp in _TAGS:
            if i <= tag_runs_done:
                continue
            end = i
            while end < len(decoded) and ord(decoded[end]) in _TAGS:
                end += 1
            tag_runs_done = end - 1
            spelled = "".join(chr(ord(c) - 0xE0000) for c in decoded[i:end])
            flag = (decoded[i - 1:i] == _BLACK_FLAG and ord(decoded[end - 1]) == _CANCEL_TAG
                    and spelled[:-1] in _FLAGS)
            if not flag:
                shown = "".join(c if c.isprintable() else "?" for c in spelled.rstrip(chr(0x7F)))
                shown = shown if len(shown) <= 40 else shown[:40] + "…"
                found.extend((j, f"tag characters: invisible text “{shown}”", None) for j in range(i, end))
        else:
            found.append((i, _INVISIBLE_WHY, None))
    if marks:
        # each mark's position in the text without invisible characters
        stripped, position, removed = decoded.translate(_DROP), {}, 0
        for i in hits:
            position[i] = i - removed
            removed += 1
        tokens = number_tokens(stripped)
        for i in marks:
            p = position[i]
            inside = next((stripped[a:b] for a, b in tokens if a < p < b), None)
            if inside is not None:
                found.append((i, f"a direction mark inside the number “{inside}”: it can change the order of its "
                                 "digits, range or unit (a mark may stand before or after the whole number)", inside))
    return sorted(found, key=lambda f: f[0])


def _context(text: str, start: int, end: int, width: int = 12) -> str:
    """``text`` around ``text[start:end]``, every invisible character shown as ``⟨U+XXXX⟩``."""
    a, b = max(0, start - width), min(len(text), end + width)
    shown = "".join(f"⟨U+{ord(c):04X}⟩" if ord(c) in INVISIBLE or c in "\u2028\u2029" else c
                    for c in text[a:b]).replace("\n", "⏎")
    return f"{'…' if a else ''}{shown}{'…' if b < len(text) else ''}"


def _counts(text: str) -> Counter:
    if not has_invisible(text):
        return Counter()
    decoded, _ = _decode(text)
    return Counter(ord(decoded[m.start()]) for m in _ANY.finditer(decoded))


@check("invisible", ERROR)
def invisible(pair: Pair) -> Iterator[str]:
    """No bidi control or invisible character, except the marks and joiners the language needs; none inside a number."""
    target = pair.target
    if not has_invisible(target):
        return
    decoded, spans = _decode(target)
    found = _findings(decoded, pair)
    if not found:
        return
    in_source = _counts(pair.source)
    in_target = Counter(ord(decoded[m.start()]) for m in _ANY.finditer(decoded))
    groups: dict[tuple[int, str, bool], list[int]] = {}
    for i, why, token in found:
        cp = ord(decoded[i])
        key = _CANCEL_TAG if cp in _TAGS else cp        # a run of tags is one finding
        if token is None and _tally(in_target, key) <= _tally(in_source, key):
            continue                    # as often as the source has it: the reader sees what source readers see
        groups.setdefault((key, why, token is not None), []).append(i)
    for (key, why, in_number), indexes in groups.items():
        start, end = spans[indexes[0]]
        plural = "s" if len(indexes) > 1 else ""
        where = ", ".join(str(spans[i][0] + 1) for i in indexes[:5]) + (", …" if len(indexes) > 5 else "")
        written = f" (written {target[start:end]})" if end - start > 1 else ""
        what = (f"{len(indexes)} TAG character{plural} (U+E0020–U+E007F)" if key == _CANCEL_TAG
                else f"U+{key:04X} {_name(chr(key))}")
        source = _tally(in_source, key)
        more = f"; the source has {source}" if source and not in_number else ""
        yield f"{what} at character{plural} {where}{written} in “{_context(target, start, end)}”: {why}{more}"


def _tally(counts: Counter, key: int) -> int:
    return sum(n for cp, n in counts.items() if cp in _TAGS) if key == _CANCEL_TAG else counts[key]

"""What a reader sees of a text: the invisible characters of Unicode, and the HTML references to them.

The glossary matches terms and the checks compare numbers in what this
module leaves (:func:`visible`); the invisible check reports what it removes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.entities import html5

# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, stable since 5.x),
# plus the Egyptian hieroglyph format controls (Cf, invisible, written by no catalog here).
_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
           (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
           (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB), (0x13430, 0x1343F),
           (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
# U+FFF9–U+FFFB (interlinear annotation) are Cf but not default ignorable: added above with FFF0–FFF8.
INVISIBLE = frozenset(cp for low, high in _RANGES for cp in range(low, high + 1))
_CLASS = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" if high > low else re.escape(chr(low))
                 for low, high in _RANGES)
ANY_INVISIBLE = re.compile(f"[{_CLASS}]")
# The fast first look: the BMP characters above as one bitmap, and any astral character (emoji; rare),
# which ANY_INVISIBLE then judges. A class with astral ranges is tested range by range, several times slower.
_FIRST = re.compile("[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" if high > low else re.escape(chr(low))
                                  for low, high in _RANGES if high < 0x10000) + "\U00010000-\U0010ffff]")
DROP_INVISIBLE = dict.fromkeys(INVISIBLE)        # str.translate table: delete

# A character reference (CommonMark: named with ";", decimal, hexadecimal) that Markdown decodes.
REFERENCE = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));")
_INVISIBLE_NAMES = sorted(name[:-1] for name, value in html5.items()
                          if name.endswith(";") and len(value) == 1 and ord(value) in INVISIBLE)
# What an invisible reference looks like; _referenced() says whether one really is.
_INVISIBLE_REFERENCE = re.compile(r"&(?:#[xX]0*[0-9a-fA-F]{2,5}|#0*[0-9]{3,6}|(?:"
                                  + "|".join(_INVISIBLE_NAMES) + "));")


def reference_char(m: re.Match) -> str | None:
    """The text a character reference stands for, or None if it is not one (``&foo;``)."""
    hexadecimal, decimal, name = m.groups()
    if name is not None:
        return html5.get(name + ";")
    cp = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    return chr(cp) if 0 < cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else "\ufffd"


def _referenced(m: re.Match) -> str:
    value = reference_char(m)
    return "" if value is not None and len(value) == 1 and ord(value) in INVISIBLE else m.group()


def visible(text: str) -> str:
    """``text`` without the invisible characters (and the references to them) that this check looks for.

    The glossary and numbers checks match this. An ASCII text without ``&`` costs
    nothing; another costs one regex scan, once for all the checks (cached).

    >>> visible("consti\\u00adpación, 3\\u200b0 mg, consti&shy;pado, A&amp;E")
    'constipación, 30 mg, constipado, A&amp;E'
    """
    if text.isascii() and "&" not in text:
        return text
    return _visible(text)


@lru_cache(maxsize=8192)        # the invisible, numbers and glossary checks look at the same translation
def _visible(text: str) -> str:
    if "&" in text and _INVISIBLE_REFERENCE.search(text):
        text = REFERENCE.sub(_referenced, text)
    if text.isascii():
        return text
    m = _FIRST.search(text)
    if m is None or (m.group() >= "\U00010000" and ANY_INVISIBLE.search(text, m.start()) is None):
        return text
    return text.translate(DROP_INVISIBLE)


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds an invisible character, written or as a reference."""
    shown = visible(text)
    return shown is not text and shown != text

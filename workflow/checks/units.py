"""The unit vocabulary of the numbers and invisible checks: canonical units, their symbols, every language's words.

Symbols are written alike in every language; the words come from
:mod:`workflow.languages`. All of them are read in every text: a translation may
keep the source's word (``milligrams``) or use its own (``miligramos``).
"""

from __future__ import annotations

import re

from workflow.languages import languages

# Canonical name → its symbols, matched case-sensitively: "Mg" is magnesium, not milligrams.
SYMBOLS: dict[str, tuple[str, ...]] = {
    "mg": ("mg",),
    "mcg": ("mcg", "µg", "μg", "ug"),
    "ng": ("ng",),
    "g": ("g",),
    "kg": ("kg",),
    "ml": ("ml", "mL"),
    "l": ("l", "L"),
    "dl": ("dl", "dL"),
    "%": ("%", "٪"),
    "IU": ("IU",),
    "mmol/L": ("mmol/L", "mmol/l"),
    "mmol/mol": ("mmol/mol",),
    "mg/dL": ("mg/dL", "mg/dl"),
    "mg/kg": ("mg/kg",),
    "mcg/kg": ("mcg/kg", "µg/kg", "μg/kg"),
    "ml/kg": ("ml/kg", "mL/kg"),
    "mg/ml": ("mg/ml", "mg/mL"),
    "kg/m²": ("kg/m²", "kg/m2", "kg/m^2"),
    "mmHg": ("mmHg", "mm Hg"),
    "kcal": ("kcal",),
    "kJ": ("kJ",),
    "mm": ("mm",),
    "cm": ("cm",),
    "m": ("m",),
    "km": ("km",),
    "°C": ("°C", "° C", "ºC", "º C", "℃"),
    "°F": ("°F", "° F", "ºF", "℉"),
    "oz": ("oz",),
    "lb": ("lb", "lbs"),
}

# Every way to write a unit (symbol or any language's word) → its canonical name.
CANONICAL: dict[str, str] = {
    **{alias: unit for unit, aliases in SYMBOLS.items() for alias in aliases},
    **{word: unit for lang in languages() for unit, words in lang.unit_words for word in words}}

# Letters that may touch a number without making it a code: a unit (30mg), a count (2x), a
# duration (24h, 5min, 7d), and each language's ordinals, clocks and the like (1st, 1º, 10am).
SUFFIXES: frozenset[str] = frozenset({*CANONICAL, "x", "h", "min", "d",
                                      *(s for lang in languages() for s in lang.number_suffixes)})

# Units whose name holds a digit (kg/m2): their digit is not a code's.
DIGIT_UNITS: tuple[str, ...] = tuple(a for a in CANONICAL if any(c.isdecimal() for c in a))


def alternatives() -> str:
    """A regex alternation of every way to write a unit, longest first (``mg/dL`` before ``mg``)."""
    return "|".join(re.escape(a) for a in sorted(CANONICAL, key=len, reverse=True))

"""Language knowledge as data: what the checks, masking and the review packet know of each language, in one place.

A :class:`Language` holds one language's words and habits (range words, unit
words, final punctuation, scripts); :func:`language` finds it by code (``es``,
``es_US``, ``es-US``), with a plain default for a language not listed. What
Babel knows per locale (decimal and group marks, writing direction, plural
forms, names) is asked through the functions below, so that every module asks
here. The source side of a check reads ``language(source_language)``: nothing
else in the package holds words of the source language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol


@lru_cache(maxsize=None)
def babel_locale(tag: str) -> Locale:
    """Babel locale for a BCP 47 tag or catalog name, falling back to the bare language.

    >>> babel_locale("es-US").territory, babel_locale("pl-GB").language
    ('US', 'pl')
    """
    name = tag.replace("-", "_")
    try:
        return Locale.parse(name)
    except UnknownLocaleError:
        return Locale.parse(name.split("_")[0])


SOURCE_LANGUAGE = "en"      # the source language when none is given (the config's default too)


@dataclass(frozen=True)
class Language:
    """What the checks know of one language; every field has the default of a language they know nothing of.

    ``range_to``: regex alternatives that join two numbers into a range (``to``
    of "50 to 100"); ``range_between``: the pair that does it around them
    (``between``, ``and``). ``unit_words``: (canonical unit, the words and
    abbreviations written for it). ``number_suffixes``: letters that may touch a
    number without making it a code (``1st``, ``10am``, ``1º``). ``term_endings``:
    regex of the endings a glossary term takes in this language as a source (the
    English plural and possessive). ``final_marks``: (a final mark, the form this
    language must use instead: Arabic ``?`` → ``؟``); ``opening_marks``: (a
    final mark, the mark that must open its sentence: Spanish ``?`` → ``¿``).
    ``attached_words``: words take attached prefixes and suffixes, so a glossary
    form matches inside a word (Arabic al-, bi-, wa-). ``right_to_left``: the
    writing direction when Babel does not know the locale. ``joining_scripts``:
    scripts (as Unicode names start) whose words need ZWNJ/ZWJ in this language.
    ``case_endings``: regex of the endings a glossary form takes in a translation
    (Polish cases: ``trazodonowi``, ``duloksetyną``; Spanish plurals: ``AINEs``);
    ``stem_vowels``: final letters a literal form drops before them
    (``amitryptylina`` → ``amitryptylin`` + ``ą``). ``emergency_words``: regex of
    the words that mark a source passage as emergency advice ("In an emergency").
    ``own_script``: writes a code's Latin letters in its own script (Arabic ب12
    for B12). ``length_bounds``: plausible translation/source length ratios.
    """

    code: str
    range_to: str = ""
    range_between: tuple[str, str] | None = None
    unit_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    number_suffixes: tuple[str, ...] = ()
    term_endings: str = ""
    final_marks: tuple[tuple[str, str], ...] = ()
    opening_marks: tuple[tuple[str, str], ...] = ()
    attached_words: bool = False
    right_to_left: bool = False
    joining_scripts: tuple[str, ...] = ()
    own_script: bool = False
    length_bounds: tuple[float, float] = (0.6, 2.2)
    case_endings: str = ""
    stem_vowels: str = ""
    emergency_words: str = ""


def _words(table: dict[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(table.items())


# Languages with words the checks read. Unit words are matched case-sensitively ("Mg" is
# magnesium); Arabic targets keep Latin "mg" by our style guide, but their abbreviations say the same.
_WORDS = (
    Language(
        "en", range_to=r"to", range_between=(r"between", r"and"),
        unit_words=_words({
            "mg": ("milligram", "milligrams", "milligramme", "milligrammes"),
            "mcg": ("microgram", "micrograms", "microgramme", "microgrammes"),
            "g": ("gram", "grams", "gramme", "grammes"),
            "kg": ("kilogram", "kilograms", "kilogramme", "kilogrammes"),
            "ml": ("millilitre", "millilitres", "milliliter", "milliliters"),
            "l": ("litre", "litres", "liter", "liters"),
            "%": ("percent", "per cent"),
            "IU": ("international units",)}),
        # ordinals (1st), clocks (10am), decades (1960s), durations (2 hrs, 5 mins, 3 wks, 2 yrs)
        number_suffixes=("st", "nd", "rd", "th", "am", "pm", "AM", "PM", "s", "hr", "hrs", "mins", "wk", "wks",
                         "yr", "yrs"),
        term_endings=r"e?s|['’]s|s['’]",
        emergency_words=r"emergenc(?:y|ies)"),
    Language(
        "es", range_to=r"a|al", range_between=(r"entre", r"y"),      # not "hasta": "up to"
        unit_words=_words({
            "mg": ("miligramo", "miligramos"), "mcg": ("microgramo", "microgramos"), "g": ("gramo", "gramos"),
            "kg": ("kilogramo", "kilogramos"), "ml": ("mililitro", "mililitros"), "l": ("litro", "litros"),
            "%": ("por ciento",), "IU": ("UI", "unidades internacionales")}),
        number_suffixes=("º", "ª"),
        opening_marks=(("?", "¿"), ("!", "¡")),
        case_endings=r"e?s"),                   # plurals: los AINEs, las duloxetinas
    Language("fr", number_suffixes=("er",)),
    Language(
        "pl", range_to=r"do", range_between=(r"między|pomiędzy", r"a|i"),
        unit_words=_words({
            "mg": ("miligram", "miligramy", "miligramów", "miligrama"),
            "mcg": ("mikrogram", "mikrogramy", "mikrogramów", "mikrograma"),
            "g": ("gram", "gramy", "gramów", "grama"), "kg": ("kilogram", "kilogramy", "kilogramów", "kilograma"),
            "ml": ("mililitr", "mililitry", "mililitrów", "mililitra"), "l": ("litr", "litry", "litrów", "litra"),
            "%": ("procent", "procenty", "procentów", "procenta"),
            "IU": ("j.m.", "jm", "jednostek międzynarodowych", "jednostki międzynarodowe")}),
        # the seven cases, singular and plural, of masculine (trazodon), feminine (duloksetyna) and neuter nouns
        case_endings=r"owi|em|ie|u|a|y|i|ę|ą|o|e|ów|om|ami|ach",
        stem_vowels="ao"),
    Language(
        "ar", range_to=r"إلى|الى", range_between=(r"بين", r"و"),     # not "حتى": "up to"
        unit_words=_words({
            "mg": ("ملغ", "ملغم", "مغ", "مجم", "ملغرام", "ملليغرام", "مليغرام", "ميليغرام", "ملليجرام", "مليجرام"),
            "mcg": ("مكغ", "ميكروغرام", "ميكروجرام"),
            "g": ("غ", "غم", "غرام", "غرامات", "جم", "جرام"),
            "kg": ("كغ", "كغم", "كجم", "كيلوغرام", "كيلوجرام"),
            "ml": ("مل", "ملل", "ملليلتر", "مليلتر", "ميليلتر", "مللتر"),
            "l": ("لتر", "لترات"),
            "%": ("بالمئة", "بالمائة", "في المئة", "في المائة"),
            "IU": ("وحدة دولية",)}),
        final_marks=(("?", "؟"), (",", "،"), (";", "؛")),
        attached_words=True),
)

# Languages known by their script: written right to left (the fallback when Babel does not know
# the locale); needing ZWNJ/ZWJ inside words (→ the script, as Unicode names start; not Arabic,
# whose spelling has no use for them); writing a code's Latin letters in their own script.
_RIGHT_TO_LEFT = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi"}
_JOINING = {**dict.fromkeys(("fa", "ur", "ps", "ckb", "sd", "ug", "ks", "bal"), ("ARABIC",)),
            **dict.fromkeys(("hi", "mr", "ne", "sa", "kok", "mai", "bho", "doi"), ("DEVANAGARI",)),
            "bn": ("BENGALI",), "as": ("BENGALI",), "pa": ("GURMUKHI",), "gu": ("GUJARATI",), "or": ("ORIYA",),
            "ta": ("TAMIL",), "te": ("TELUGU",), "kn": ("KANNADA",), "ml": ("MALAYALAM",), "si": ("SINHALA",)}
_OWN_SCRIPT = {"ar", "fa", "ur", "he", "ru", "uk", "bg", "el", "zh", "ja", "ko", "hi"}
_SHORTER = {"ar", "he", "fa"}       # translations run shorter: (0.5, 2.0) of the source's length


def _with_script(lang: Language) -> Language:
    code = lang.code
    return replace(lang, right_to_left=code in _RIGHT_TO_LEFT, joining_scripts=_JOINING.get(code, ()),
                   own_script=code in _OWN_SCRIPT, length_bounds=(0.5, 2.0) if code in _SHORTER else lang.length_bounds)


_LANGUAGES: dict[str, Language] = {
    code: _with_script(next((w for w in _WORDS if w.code == code), Language(code)))
    for code in dict.fromkeys([*(w.code for w in _WORDS), *sorted(_RIGHT_TO_LEFT | set(_JOINING) | _OWN_SCRIPT)])}

# Punctuation of every language here: a final mark → each form that ends a sentence like it;
# the quotes that may close a sentence after its final mark, and open one.
FINAL_MARK_FORMS: dict[str, frozenset[str]] = {
    ".": frozenset({".", "。", "…"}), "?": frozenset({"?", "؟"}), "!": frozenset({"!"}), ":": frozenset({":"}),
    ";": frozenset({";", "؛"}), ",": frozenset({",", "،"})}
CLOSING_QUOTES = "\"'”’»"
OPENING_QUOTES = "\"“«"


def base_code(code: str) -> str:
    """The language of a code, a catalog or a BCP 47 tag.

    >>> base_code("es_US"), base_code("pt-BR"), base_code("AR")
    ('es', 'pt', 'ar')
    """
    return re.split(r"[-_]", code)[0].lower()


def language(code: str) -> Language:
    """What the checks know of the language of ``code`` (a language, catalog or tag); a plain default if nothing.

    >>> language("es_US").range_to, language("xx").range_to, language("fa").joining_scripts
    ('a|al', '', ('ARABIC',))
    """
    return _LANGUAGES.get(base_code(code)) or Language(base_code(code))


def languages() -> tuple[Language, ...]:
    """Every language listed here (for tables that read all of them, such as the unit vocabulary)."""
    return tuple(_LANGUAGES.values())


def sentence_openers() -> str:
    """What may stand at a sentence's start before its first word: opening quotes and every opening mark (``¿``)."""
    return OPENING_QUOTES + "".join(dict.fromkeys(m for lang in _WORDS for _, m in lang.opening_marks))


# ---------------------------------------------------------------------------------------------------------------
# What Babel knows per locale (CLDR), asked here.

@lru_cache(maxsize=None)    # Babel parses a locale name slowly; there are few catalogs
def known_locale(name: str) -> bool:
    """Whether Babel knows ``name`` (a catalog or tag) or its language."""
    try:
        babel_locale(name)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@lru_cache(maxsize=None)
def decimal_mark(locale: str) -> str:
    """The decimal separator readers of ``locale`` (a language or catalog name) expect: ``.`` or ``,``.

    >>> decimal_mark("es"), decimal_mark("es_US"), decimal_mark("pl"), decimal_mark("ar"), decimal_mark("xx")
    (',', '.', ',', '.', '.')
    """
    try:
        mark = get_decimal_symbol(babel_locale(locale))
    except (UnknownLocaleError, ValueError):
        return "."
    return mark if mark in ".," else "."


@lru_cache(maxsize=None)
def group_mark(locale: str) -> str:
    """The thousands separator of ``locale``: the other of ``.`` and ``,`` when Babel does not know it.

    >>> group_mark("en"), group_mark("es"), group_mark("pl")
    (',', '.', '\\xa0')
    """
    try:
        return get_group_symbol(babel_locale(locale))
    except (UnknownLocaleError, ValueError):
        return "," if decimal_mark(locale) == "." else "."


def format_number(value: Decimal, decimals: int, locale: str) -> str:
    """``value`` grouped in thousands with ``decimals`` decimals, as readers of ``locale`` write it.

    >>> format_number(Decimal("1000"), 0, "es"), format_number(Decimal("2500.5"), 1, "pl")
    ('1.000', '2\\xa0500,5')
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale(locale))


@lru_cache(maxsize=None)
def right_to_left(locale: str, language_code: str | None = None) -> bool:
    """Whether readers of ``locale`` read right to left: by Babel, else by the table of ``language_code`` (its own).

    >>> right_to_left("ar"), right_to_left("es_US"), right_to_left("xx", "arc")
    (True, False, True)
    """
    try:
        return babel_locale(locale).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return language(language_code or locale).right_to_left


def english_name(code: str) -> str:
    """The English name of a language, for messages (``Spanish``); the code itself if Babel does not know it.

    >>> english_name("es"), english_name("xx")
    ('Spanish', 'xx')
    """
    return babel_locale(code).english_name if known_locale(code) else code


def plural_forms(locale: str) -> str:
    """The ``Plural-Forms`` header for a catalog of ``locale``, by Babel.

    >>> plural_forms("en"), plural_forms("ja")
    ('nplurals=2; plural=(n != 1);', 'nplurals=1; plural=0;')
    """
    # imported here: babel.messages is most of Babel's start-up, and only update and the catalogs need it
    from babel.messages.plurals import get_plural

    return get_plural(babel_locale(locale)).plural_forms

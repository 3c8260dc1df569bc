"""The numbers check: doses, amounts, ranges and codes keep their value and unit in every translation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.checks.numbers import (
    Quantity,
    _codes,
    _prepare,
    _quantities,
    _read_quantities,
    extract_codes,
    extract_quantities,
)
from workflow.checks.registry import ERROR, REGISTRY, Pair

NBSP, NNBSP = "\u00a0", "\u202f"


def messages(source: str, target: str, catalog: str) -> list[str]:
    """What the registered ``numbers`` check says about one pair (catalog ``es_US`` has language ``es``)."""
    pair = Pair(source, target, catalog, catalog.split("_")[0])
    return list(REGISTRY["numbers"].function(pair))


PASS = [
    # locale forms of the same value
    pytest.param("Take 0.5 mg.", "Tome 0,5 mg.", "es", id="decimal-comma-es"),
    pytest.param("Take 0.5 mg.", "Weź 0,5 mg.", "pl", id="decimal-comma-pl"),
    pytest.param("Take 0.5 mg.", "Tome 0,5 mg.", "es_US", id="decimal-comma-es_US-lenient"),
    pytest.param("Take 0.5.", "تناول ٠٫٥.", "ar", id="arabic-indic-decimal"),
    pytest.param("Take 30 mg.", "تناول ٣٠ mg.", "ar", id="arabic-indic-digits-latin-mg"),
    pytest.param("Take 2.5 ml.", "استخدم ۲٫۵ ml.", "ar", id="eastern-arabic-indic-digits"),
    pytest.param("Take 1,000 mg.", "تناول ١٬٠٠٠ ملغ.", "ar", id="arabic-thousands-separator-and-unit"),
    pytest.param("Up to 1,000 mg.", "Hasta 1000 mg.", "es", id="thousands-ungrouped"),
    pytest.param("Up to 1,000 mg.", "Do 1 000 mg.", "pl", id="thousands-space"),
    pytest.param("Up to 1,000 mg.", f"Do 1{NBSP}000 mg.", "pl", id="thousands-nbsp"),
    pytest.param("Up to 1,000 mg.", "Hasta 1.000 mg.", "es", id="thousands-dot-es"),
    pytest.param("Up to 1,000 mg.", "Do 1.000 mg.", "pl", id="thousands-dot-pl"),
    pytest.param("Up to 1,000 mg.", "Hasta 1,000 mg.", "es_US", id="thousands-comma-es_US"),
    pytest.param("Take 0.5 mg.", "Tome 0.500 mg.", "es", id="leading-zero-is-never-a-thousands-group"),
    pytest.param("Take 30 mg.", f"Tome 30{NBSP}mg.", "es", id="nbsp-before-unit"),
    pytest.param("Take 30 mg.", f"Weź 30{NNBSP}mg.", "pl", id="narrow-nbsp-before-unit"),
    pytest.param("Take 30 mg.", "Tome 30mg.", "es", id="no-space-before-unit"),
    pytest.param("Take 30 mg.", "Weź 30 miligramów.", "pl", id="unit-spelled-out-pl"),
    pytest.param("Take 4 g.", "تناول ٤ غ.", "ar", id="arabic-gram-abbreviation"),
    pytest.param("Take 30 mg.", "تناول 30 ملغ.", "ar", id="arabic-mg-abbreviation"),
    pytest.param("Give 5 ml.", "أعطِ 5 مل.", "ar", id="arabic-ml-abbreviation"),
    pytest.param("Take 400 IU.", "Tome 400 UI.", "es", id="IU-is-UI-in-es"),
    pytest.param("Take 10 mcg.", "Weź 10 µg.", "pl", id="mcg-is-microgram-sign"),
    pytest.param("About 5% of people.", "Alrededor del 5 % de las personas.", "es", id="percent-spaced-es"),
    pytest.param("About 5% of people.", "حوالي ٥٪ من الناس.", "ar", id="arabic-percent-sign"),
    pytest.param("A fever is 37.5°C or more.", "La fiebre es de 37,5 ºC o más.", "es", id="degrees-with-ordinal-sign"),
    # ranges
    pytest.param("Take 50–100 mg.", "Tome 50-100 mg.", "es", id="range-en-dash-to-hyphen"),
    pytest.param("Take 50–100 mg.", "Tome 50 a 100 mg.", "es", id="range-a-es"),
    pytest.param("Take 50–100 mg.", "Tome de 50 a 100 mg.", "es", id="range-de-a-es"),
    pytest.param("Take 50–100 mg.", "Weź 50–100 mg.", "pl", id="range-pl"),
    pytest.param("Take 50–100 mg.", "Weź od 50 do 100 mg.", "pl", id="range-od-do-pl"),
    pytest.param("Take 50-100 mg.", "تناول 50-100 mg.", "ar", id="range-hyphen-ar"),
    pytest.param("Take 50-100 mg.", "تناول من 50 إلى 100 ملغ.", "ar", id="range-words-ar"),
    pytest.param("Take 50 mg to 100 mg.", "Tome 50-100 mg.", "es", id="range-unit-on-both-ends"),
    pytest.param("Take between 50 and 100 mg.", "Tome entre 50 y 100 mg.", "es", id="range-between-and-es"),
    pytest.param("Take 1 to 2 tablets 4 times a day.", "Weź 1–2 tabletki 4 razy dziennie.", "pl",
                 id="range-of-counted-tablets"),
    pytest.param("Take 2,000 to 4,000 IU.", "Tome 2000–4000 UI.", "es", id="range-of-grouped-thousands"),
    # counted words are translated; only their number is compared
    pytest.param("Take 1 tablet.", "Tome 1 comprimido.", "es", id="counted-word-translated-es"),
    pytest.param("Take 1 tablet.", "Weź 1 tabletkę.", "pl", id="counted-word-translated-pl"),
    pytest.param("Take 1 tablet.", "تناول 1 قرص.", "ar", id="counted-word-translated-ar"),
    pytest.param("Take 2 500mg tablets.", "Tome 2 comprimidos de 500 mg.", "es", id="count-then-dose-reordered"),
    pytest.param("Call 999.", "Llame al 999.", "es", id="service-number"),
    pytest.param("Take 2 then 4.", "Tome 4 y luego 2.", "es", id="same-numbers-other-order"),
    pytest.param("Take it once or twice.", "Tómelo una o dos veces.", "es", id="number-words-are-text"),
    pytest.param("Your 1st dose at 10am.", "Su 1.ª dosis a las 10 a. m.", "es", id="ordinal-and-clock-suffixes"),
    pytest.param("Take ½ tablet.", "Tome 0,5 comprimidos.", "es", id="vulgar-fraction-is-a-half"),
    pytest.param("Take 1/2 tablet.", "Tome ½ comprimido.", "es", id="slash-fraction-is-a-half"),
    # numbers in URLs, links and codes
    pytest.param("See [MedlinePlus](https://medlineplus.gov/druginfo/meds/a604030.html).",
                 "Vea [MedlinePlus](https://medlineplus.gov/druginfo/meds/a604030.html).", "es",
                 id="url-digits-ignored"),
    pytest.param("Read [NICE NG59](https://www.nice.org.uk/guidance/ng59).",
                 "Przeczytaj [NICE NG59](https://www.nice.org.uk/guidance/ng59).", "pl", id="code-in-link-text"),
    pytest.param("Call [NHS 111](https://111.nhs.uk/).", "اتصل بـ[NHS 111](https://111.nhs.uk/).", "ar",
                 id="number-in-link-text-not-in-url"),
    pytest.param("Vitamin B12 and COVID-19.", "Witamina B12 i COVID-19.", "pl", id="codes-verbatim"),
    pytest.param("Vitamin B12 and COVID-19.", "فيتامين ب12 وكوفيد-19.", "ar", id="codes-transliterated-ar"),
    pytest.param("Call 0300 123 4567.", "Zadzwoń pod 0300 123 4567.", "pl", id="phone-is-not-a-thousands-group"),
    pytest.param("", "", "es", id="empty"),
]

FAIL = [
    # translate-toolkit's numbers check lets these through; a wrong dose can hurt someone
    pytest.param("Take 4 g.", "Tome 40 g.", "es", id="tt-trap-4g-became-40g"),
    pytest.param("Take 1 tablet.", "Tome 10 comprimidos.", "es", id="tt-trap-1-became-10"),
    pytest.param("Take 1 tablet.", "Weź 10 tabletek.", "pl", id="tt-trap-1-tablet-became-10-tablets"),
    pytest.param("Take 5 mg.", "Tome 0.5 mg.", "es", id="tt-trap-5mg-became-0.5mg"),
    pytest.param("Take 5 mg.", "تناول ٠٫٥ mg.", "ar", id="tt-trap-5mg-became-0.5mg-arabic-digits"),
    # and the other classic errors
    pytest.param("Take 0.5 mg.", "Weź 5 mg.", "pl", id="decimal-point-dropped"),
    pytest.param("Take 60 mg.", "Weź 6 mg.", "pl", id="digit-dropped"),
    pytest.param("Take 30 mg.", "Tome 30 g.", "es", id="mg-became-g"),
    pytest.param("Take 30 mg.", "Tome 30 ml.", "es", id="mg-became-ml"),
    pytest.param("Take 30 mg.", "تناول 30 مل.", "ar", id="mg-became-arabic-ml"),
    pytest.param("Take 10 mcg.", "Tome 10 mg.", "es", id="mcg-became-mg"),
    pytest.param("Take 30 mg.", "Tome 30.", "es", id="unit-dropped"),
    pytest.param("Take it daily.", "Tómelo 2 veces al día.", "es", id="number-added"),
    pytest.param("Take 2 a day.", "Weź codziennie.", "pl", id="number-dropped"),
    pytest.param("Take 50–100 mg.", "Tome 50 mg.", "es", id="range-became-single"),
    pytest.param("Take 50–100 mg.", "Tome 50-150 mg.", "es", id="range-end-changed"),
    pytest.param("Take 1,000 mg.", "Tome 1,0 mg.", "es", id="thousand-became-one-point-zero"),
    pytest.param("Take 1,000 mg.", "Tome 1,000 mg.", "es", id="thousands-comma-reads-as-decimal-in-es"),
    pytest.param("Take 1,000 mg.", "Tome 1.000 mg.", "es_US", id="thousands-dot-reads-as-decimal-in-es_US"),
    pytest.param("Take 1.25 mg.", "Tome 1.250 mg.", "es", id="trailing-zero-reads-as-thousands-in-es"),
    pytest.param("Take 1 to 2 tablets.", "Weź 1–3 tabletki.", "pl", id="range-of-counted-changed"),
    pytest.param("About 5% of people.", "Około 50% osób.", "pl", id="percent-changed"),
    pytest.param("Read [NICE NG59](https://www.nice.org.uk/guidance/ng59).",
                 "Lea [NICE NG95](https://www.nice.org.uk/guidance/ng59).", "es", id="code-changed"),
    pytest.param("Vitamin B12.", "فيتامين ب6.", "ar", id="transliterated-code-changed"),
    pytest.param("Take 2 tablets every 4 hours.", "خذ قرصين كل 4 ساعات.", "ar", id="number-written-as-word"),
]


@pytest.mark.parametrize("source, target, catalog", PASS)
def test_passes(source: str, target: str, catalog: str):
    assert messages(source, target, catalog) == []


@pytest.mark.parametrize("source, target, catalog", FAIL)
def test_fails(source: str, target: str, catalog: str):
    assert messages(source, target, catalog) != []


@pytest.mark.parametrize("source, target, catalog, expected", [
    pytest.param("Take 5 mg.", "Tome 0.5 mg.", "es",
                 ["number 5 mg in the source is missing in the translation (found 0.5 mg)"], id="changed-value"),
    pytest.param("Take 30 mg.", "Tome 30 g.", "es", ["unit changed: 30 mg became 30 g"], id="changed-unit"),
    pytest.param("Take 30 mg.", "Tome 30.", "es", ["unit changed: 30 mg became 30 (no unit)"], id="dropped-unit"),
    pytest.param("Take it daily.", "Tómelo 2 veces al día.", "es", ["number 2 added in the translation"],
                 id="added"),
    pytest.param("Take 2 a day.", "Weź codziennie.", "pl", ["number 2 in the source is missing in the translation"],
                 id="dropped"),
    pytest.param("Take 1,000 mg.", "Tome 1,000 mg.", "es",
                 ["number 1,000 mg in the source is missing in the translation "
                  "(found 1,000 mg, which reads as 1 mg in es)"], id="same-digits-other-reading"),
    pytest.param("Take 1,000 mg.", "Tome 1.000 mg.", "es_US",
                 ["number 1,000 mg in the source is missing in the translation "
                  "(found 1.000 mg, which reads as 1 mg in es_US)"], id="same-digits-other-reading-es_US"),
    pytest.param("Take 50–100 mg.", "Tome 50 mg.", "es",
                 ["number 50–100 mg in the source is missing in the translation (found 50 mg)"], id="range"),
    pytest.param("See NG59.", "Vea NG95.", "es",
                 ["code NG59 in the source is missing in the translation (found NG95)"], id="code"),
    pytest.param("Take 30 mg.", f"Tome 30{NBSP}g.", "es", ["unit changed: 30 mg became 30 g"],
                 id="nbsp-shown-as-space"),
])
def test_messages_name_the_problem(source: str, target: str, catalog: str, expected: list[str]):
    assert messages(source, target, catalog) == expected


@pytest.mark.parametrize("text, language, expected", [
    pytest.param("Take 0,5 mg", "es", [Quantity(Decimal("0.5"), None, "mg", "0,5 mg")], id="decimal-comma"),
    pytest.param("Do 1 000 mg", "pl", [Quantity(Decimal("1000"), None, "mg", "1 000 mg")], id="space-group"),
    pytest.param("Take 2 500mg tablets", "en",
                 [Quantity(Decimal("2"), None, None, "2"), Quantity(Decimal("500"), None, "mg", "500mg")],
                 id="no-space-groups-in-english"),
    pytest.param("تناول ٣٠ ملغ", "ar", [Quantity(Decimal("30"), None, "mg", "٣٠ ملغ")], id="arabic"),
    pytest.param("od 50 do 100 mg", "pl", [Quantity(Decimal("50"), Decimal("100"), "mg", "50 do 100 mg")],
                 id="range"),
    pytest.param("10 mg/5 ml", "en",
                 [Quantity(Decimal("10"), None, "mg", "10 mg"), Quantity(Decimal("5"), None, "ml", "5 ml")],
                 id="strength-per-volume"),
    pytest.param("Take .5 mg", "en", [Quantity(Decimal("0.5"), None, "mg", ".5 mg")], id="naked-decimal-point"),
    pytest.param("1.2.3", "en", [Quantity(Decimal(n), None, None, n) for n in "123"], id="not-one-value"),
    pytest.param("Call 0300 123 4567 or email a1@b.org about NG59", "en", [], id="contacts-and-codes-skipped"),
])
def test_extract_quantities(text: str, language: str, expected: list[Quantity]):
    assert extract_quantities(text, language) == expected


def test_codes_are_read_outside_urls():
    assert extract_codes("[NG59](https://nice.org.uk/ng59), B12, 5HT3, 30mg, 1st, و30") == ["NG59", "B12", "5HT3"]


def test_registered_as_an_error():
    assert REGISTRY["numbers"].severity == ERROR


# Digits, separators, units, ranges, links and Arabic text: whatever the mix, a copy must pass.
_PIECES = st.sampled_from(["0", "1", "5", "30", "٣", "٫", "٬", ".", ",", " ", "\u00a0", "-", "–", "/", "½", "mg",
                           "ml", "%", "to", "a", "do", "NG", "B", "[x](https://a.org/b12)", "0300 123 4567",
                           "help@a.org", "و", "ملغ", "(", ")"])


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_a_copy_always_passes(text: str):
    for catalog in ("en_US", "ar", "es_US"):
        assert messages(text, text, catalog) == []


# Texts without a decimal digit (of any script) or a vulgar fraction skip the number reader: number
# words, units, separators, superscripts and circled or Roman numerals are not numbers to it either.
_NOT_NUMERALS = ["two", "mg", "ml", "%", "٪", "per cent", "kg/m²", "²", "①", "Ⅷ", ".", ",", "٫", "٬", " ", "\u00a0",
                 "-", "–", "/", "to", "between", "and", "NG", "B", "COVID-", "[x](https://a.org/)"]
_NUMERALS = ["½", "¾", "٣", "۳", "\U0001d7d9", "1", "0.5", "[x](https://a.org/b12)", "0300 123 4567"]
_PROSE = st.lists(st.sampled_from(_NOT_NUMERALS), max_size=6).map("".join)


@given(st.tuples(_PROSE, st.sampled_from(_NUMERALS), _PROSE).map("".join)
       | st.lists(st.sampled_from(_NOT_NUMERALS + _NUMERALS), max_size=10).map("".join),
       st.sampled_from(["en", "es", "es_US", "pl", "ar"]))
def test_texts_the_number_reader_skips_have_no_numbers(text: str, language: str):
    assert _quantities.__wrapped__(text, language) == _read_quantities(text, language)
    assert extract_codes(text) == [text[a:b] for a, b in _codes(_prepare(text))]


@pytest.mark.parametrize("text", [f"Take {n} mg" for n in _NOT_NUMERALS + _NUMERALS])
def test_each_piece_alone_reads_as_the_number_reader_says(text: str):
    assert _quantities.__wrapped__(text, "es") == _read_quantities(text, "es")
    assert extract_codes(text) == [text[a:b] for a, b in _codes(_prepare(text))]


# Invisible characters: the numbers are read as readers see them (the invisible check reports the characters)
ZWSP, SHY, WJ, LRM, RLM, ALM, RLO, PDF = "\u200b", "\u00ad", "\u2060", "\u200e", "\u200f", "\u061c", "\u202e", "\u202c"


@pytest.mark.parametrize("source, target, catalog", [
    pytest.param("Take 30 mg.", f"Tome 3{ZWSP}0 mg.", "es", id="zwsp-between-digits-is-30"),
    pytest.param("Take 30 mg.", f"Tome 3{SHY}0{WJ} mg.", "es", id="soft-hyphen-and-word-joiner"),
    pytest.param("Take 30 mg.", "Tome 3&#8203;0&shy; mg.", "es", id="written-as-references"),
    pytest.param("Take 30 mg.", f"Tome {RLO}30 mg{PDF}.", "es", id="override-around-a-number"),
    pytest.param("Take 0.5 mg.", f"Tome 0,{ZWSP}5 mg.", "es", id="zwsp-after-decimal-comma"),
    pytest.param("Take 50–100 mg.", f"Tome 50{ZWSP}–{ZWSP}100 mg.", "es", id="zwsp-in-a-range"),
    pytest.param("Take 30 mg.", f"تناول {RLM}٣٠ ملغ{RLM}.", "ar", id="marks-around-a-number"),
    pytest.param("Take 30 mg.", f"تناول ٣{ALM}٠ ملغ.", "ar", id="mark-between-arabic-digits"),
    pytest.param("Vitamin B12.", f"Witamina B{ZWSP}12.", "pl", id="zwsp-inside-a-code"),
    pytest.param(f"Take 3{ZWSP}0 mg.", "Tome 30 mg.", "es", id="invisible-in-the-source"),
])
def test_numbers_are_read_without_invisible_characters(source: str, target: str, catalog: str):
    assert messages(source, target, catalog) == []


@pytest.mark.parametrize("source, target, catalog, expected", [
    pytest.param("Take 3 mg.", f"Tome 3{ZWSP}0 mg.", "es",
                 ["number 3 mg in the source is missing in the translation (found 30 mg)"],
                 id="a-hidden-digit-still-counts"),
    pytest.param("Take 30 mg.", f"Tome 3{ZWSP}00 mg.", "es",
                 ["number 30 mg in the source is missing in the translation (found 300 mg)"], id="hidden-300"),
])
def test_a_number_with_invisible_characters_is_judged_as_shown(source, target, catalog, expected):
    assert messages(source, target, catalog) == expected


@given(st.lists(_PIECES, max_size=12).map("".join), st.lists(st.integers(0, 40), max_size=4),
       st.sampled_from([ZWSP, SHY, WJ, "\ufeff", LRM, RLM, ALM, RLO, "\u2067", "&#8203;", "&shy;"]))
def test_a_copy_with_invisible_characters_still_passes(text: str, places: list[int], hidden: str):
    target = text
    for place in sorted((min(p, len(text)) for p in places), reverse=True):
        target = target[:place] + hidden + target[place:]
    for catalog in ("en_US", "ar", "es_US"):
        assert messages(text, target, catalog) == []

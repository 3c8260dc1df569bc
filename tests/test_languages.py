"""Language knowledge as data: each shipped catalog's language has what the checks ask for; the tables agree with Babel."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal

import pytest
from conftest import DATA, REPO

from workflow import languages
from workflow.checks import REGISTRY, Pair, units
from workflow.checks.numbers import extract_quantities
from workflow.languages import SOURCE_LANGUAGE, Language, language


def shipped_catalogs() -> list[str]:
    """The catalogs of the project's config and of the test project's (``es``, ``es_US``, ``en_US``, ``pl``, ``ar``)."""
    found = []
    for path in (REPO / "locales" / "locum.toml", DATA / "project" / "locales" / "locum.toml"):
        config = tomllib.loads(path.read_text(encoding="utf-8"))
        found += [catalog for locale in config["locales"].values() for catalog in locale["chain"]]
        found.append(config["project"]["source_language"])
    return sorted(set(found))


CATALOGS = shipped_catalogs()
TARGETS = sorted({languages.base_code(c) for c in CATALOGS} - {SOURCE_LANGUAGE})


def test_the_shipped_catalogs_are_the_ones_the_tables_were_written_for():
    assert TARGETS == ["ar", "es", "pl"]
    assert {languages.base_code(c) for c in CATALOGS} == {"ar", "en", "es", "pl"}


@pytest.mark.parametrize("code", [SOURCE_LANGUAGE, *TARGETS])
def test_every_shipped_language_has_range_words_and_unit_words(code: str):
    lang = language(code)
    assert lang.range_to and re.compile(lang.range_to)
    between, and_ = lang.range_between
    assert re.compile(between) and re.compile(and_)
    words = dict(lang.unit_words)
    # the units a dose is written in, spelled out in the language
    assert {"mg", "mcg", "g", "kg", "ml", "l", "%", "IU"} <= set(words)
    assert all(words[unit] for unit in words)


def test_the_source_language_has_the_endings_of_its_terms():
    assert language(SOURCE_LANGUAGE).term_endings


@pytest.mark.parametrize("catalog", CATALOGS)
def test_babel_knows_every_shipped_catalog(catalog: str):
    assert languages.known_locale(catalog)
    assert languages.decimal_mark(catalog) in ".,"
    assert languages.plural_forms(catalog).startswith("nplurals=")


def test_decimal_marks_by_catalog_not_only_by_language():
    assert [languages.decimal_mark(c) for c in ("en", "en_US", "es", "es_US", "pl", "ar")] == \
        [".", ".", ",", ".", ",", "."]
    assert languages.decimal_mark("xx") == "."


def test_lookup_by_catalog_or_tag_and_default():
    assert language("es_US") is language("es-US") is language("ES") is language("es")
    unknown = language("xx")
    assert unknown == Language("xx")
    assert (unknown.range_to, unknown.range_between, unknown.unit_words) == ("", None, ())
    assert unknown.length_bounds == (0.6, 2.2) and not unknown.right_to_left


def test_languages_are_frozen_and_hashable():
    lang = language("ar")
    with pytest.raises(AttributeError):
        lang.code = "xx"        # type: ignore[misc]
    assert hash(lang) == hash(language("ar"))


@pytest.mark.parametrize("lang", languages.languages(), ids=lambda lang: lang.code)
def test_right_to_left_fallback_agrees_with_babel(lang: Language):
    """The fallback names no language Babel writes left to right (Babel, which knows more, decides first)."""
    if lang.right_to_left and languages.known_locale(lang.code):
        assert languages.right_to_left(lang.code)
    assert languages.right_to_left("xx", lang.code) == lang.right_to_left


def test_every_unit_word_names_one_unit():
    seen: dict[str, str] = {}
    for unit, symbols in units.SYMBOLS.items():
        for symbol in symbols:
            assert seen.setdefault(symbol, unit) == unit
    for lang in languages.languages():
        for unit, words in lang.unit_words:
            assert unit in units.SYMBOLS, f"{lang.code}: unknown unit {unit}"
            for word in words:
                assert seen.setdefault(word, unit) == unit, f"{lang.code}: {word!r} is {seen[word]} and {unit}"
    assert seen == units.CANONICAL


def test_unit_words_of_every_language_are_read_in_every_text():
    for lang in languages.languages():
        for unit, words in lang.unit_words:
            for word in words:
                assert [q.unit for q in extract_quantities(f"5 {word}", "en")] == [unit], word


@pytest.mark.parametrize("code", [SOURCE_LANGUAGE, *TARGETS])
def test_range_words_join_numbers(code: str):
    lang = language(code)
    to = lang.range_to.split("|")[0]
    between, and_ = (w.split("|")[0] for w in lang.range_between)
    assert [(q.low, q.high) for q in extract_quantities(f"5 {to} 10", code)] == [(Decimal(5), Decimal(10))]
    assert [(q.low, q.high) for q in extract_quantities(f"{between} 5 {and_} 10", code)] == \
        [(Decimal(5), Decimal(10))]


def test_a_translation_may_keep_the_source_range_words():
    assert [(q.low, q.high) for q in extract_quantities("5 to 10", "pl")] == [(Decimal(5), Decimal(10))]
    assert [(q.low, q.high) for q in extract_quantities("5 do 10", "es")] == [(Decimal(5), None), (Decimal(10), None)]


def test_the_source_language_decides_the_source_side():
    """The source's range words come from its language: one with none listed reads "5 to 10" as two numbers."""
    assert [q.high for q in extract_quantities("5 to 10", "xx", "xx")] == [None, None]
    assert [q.high for q in extract_quantities("5 to 10", "xx", "en")] == [Decimal(10)]
    source, target = "Take 5 to 10 mg.", "Tome 5 a 10 mg."
    assert Pair(source, target, "es", "es").source_language == SOURCE_LANGUAGE
    assert list(REGISTRY["numbers"].function(Pair(source, target, "es", "es", source_language="en"))) == []
    # read with no "to", the source has 5 and 10 mg where the translation has the range 5–10 mg
    assert list(REGISTRY["numbers"].function(Pair(source, target, "es", "es", source_language="xx"))) == [
        "number 5 in the source is missing in the translation (found 5 a 10 mg, which reads as 5–10 mg in es)",
        "number 10 mg in the source is missing in the translation"]


def test_punctuation_tables():
    assert dict(language("ar").final_marks) == {"?": "؟", ",": "،", ";": "؛"}
    assert dict(language("es").opening_marks) == {"?": "¿", "!": "¡"}
    assert set(languages.sentence_openers()) >= {"¿", "¡", "«", "“"}
    for mark, forms in languages.FINAL_MARK_FORMS.items():
        assert mark in forms
    for lang in languages.languages():
        for mark, form in lang.final_marks:
            assert form in languages.FINAL_MARK_FORMS[mark], (lang.code, mark)


def test_script_traits():
    assert language("fa").joining_scripts == ("ARABIC",) and language("ar").joining_scripts == ()
    assert language("ar").own_script and language("ar").attached_words and not language("es").own_script
    assert language("he").length_bounds == (0.5, 2.0) and language("pl").length_bounds == (0.6, 2.2)


def test_english_name_and_number_formatting():
    assert languages.english_name("es") == "Spanish"
    assert languages.format_number(Decimal("1000"), 0, "es_US") == "1,000"
    assert languages.group_mark("xx") == ","

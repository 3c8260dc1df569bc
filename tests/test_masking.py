"""Masking for engines: what is hidden, how it comes back, and every way a damaged placeholder is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.errors import LocumError
from workflow.glossary import parse_glossary
from workflow.masking import MaskError, localize_number, mask, unmask

CATALOGS = ("es", "es_US", "pl", "ar")
GLOSSARY = parse_glossary(
    "term,status,note,es,es_US,pl,ar\n"
    "paracetamol,locked,,paracetamol,acetaminofén,/paracetamol(u|em)?/,باراسيتامول\n"
    "ibuprofen,locked,,ibuprofeno|ibuprofén,,ibuprofen,\n"
    "NSAID,locked,,AINE,,NLPZ,\n"
    "NHS 111,dnt,,,,,\n"
    "constipation,forbidden,,constipación,,,\n", CATALOGS)


@pytest.mark.parametrize("text, catalog, masked, sources", [
    # links: the target is masked, the brackets and the link text stay for the engine
    ("Read [the leaflet](https://example.org/a_(b)) first.", "es",
     "Read [the leaflet]({{1}}) first.", ["https://example.org/a_(b)"]),
    ("See ![a chart](chart.png \"Doses by age\").", "es", "See ![a chart]({{1}} \"Doses by age\").", ["chart.png"]),
    ("Go to <https://www.nhs.uk/> or https://111.nhs.uk/.", "es", "Go to {{1}} or {{2}}.",
     ["<https://www.nhs.uk/>", "https://111.nhs.uk/"]),
    ("Write to help@example.org or call 0300 123 4567.", "es", "Write to {{1}} or call {{2}}.",
     ["help@example.org", "0300 123 4567"]),
    ("Type `locum check --strict` now.", "es", "Type {{1}} now.", ["`locum check --strict`"]),
    # numbers with their units; words joining a range, and spelled-out units, stay for the engine
    ("Take 500 mg, up to 4 times a day.", "es", "Take {{1}}, up to {{2}} times a day.", ["500 mg", "4"]),
    ("Take 50–100 mg.", "es", "Take {{1}}.", ["50–100 mg"]),
    ("Take between 50 and 100 mg.", "es", "Take between {{1}} and {{2}}.", ["50", "100 mg"]),
    ("Take 500 milligrams, 20% or 37.5°C.", "es", "Take {{1}} milligrams, {{2}} or {{3}}.", ["500", "20%", "37.5°C"]),
    # glossary: dnt verbatim, locked when its rendering is literal; not in a link target, not inflected
    ("Call [NHS 111](https://111.nhs.uk/).", "es", "Call [{{1}}]({{2}}).", ["NHS 111", "https://111.nhs.uk/"]),
    ("Paracetamol and ibuprofen are NSAIDs.", "es", "{{1}} and {{2}} are NSAIDs.", ["Paracetamol", "ibuprofen"]),
    ("Paracetamol and ibuprofen.", "pl", "Paracetamol and {{1}}.", ["ibuprofen"]),
    ("An NSAID, not constipation.", "es", "An {{1}}, not constipation.", ["NSAID"]),
    ("See https://example.org/paracetamol for more.", "es", "See {{1}} for more.", ["https://example.org/paracetamol"]),
    # printf-style and existing template placeholders are kept as they are
    ("Published %(date)s", "es", "Published {{1}}", ["%(date)s"]),
    ("Hello {{name}}, read this.", "es", "Hello {{1}}, read this.", ["{{name}}"]),
    ("Nothing to hide here.", "es", "Nothing to hide here.", []),
])
def test_mask(text, catalog, masked, sources):
    result = mask(text, catalog, GLOSSARY)
    assert result.text == masked
    assert [slot.source for slot in result.slots] == sources


@pytest.mark.parametrize("catalog, rendering", [
    ("es", "paracetamol"), ("es_US", "acetaminofén"), ("ar", "باراسيتامول")])
def test_locked_terms_come_back_as_the_catalogs_rendering(catalog, rendering):
    masked = mask("Take paracetamol with water.", catalog, GLOSSARY)
    assert masked.text == "Take {{1}} with water."
    assert unmask("Tome {{1}} con agua.", masked) == f"Tome {rendering} con agua."


def test_first_alternative_and_capital_at_a_sentence_start():
    masked = mask("Ibuprofen helps. Take ibuprofen.", "es", GLOSSARY)
    assert masked.text == "{{1}} helps. Take {{2}}."
    assert unmask("{{1}} ayuda. Tome {{2}}.", masked) == "Ibuprofeno ayuda. Tome ibuprofeno."
    assert unmask("¿{{1}}? Sí: el {{2}}.", masked) == "¿Ibuprofeno? Sí: el ibuprofeno."


def test_numbers_come_back_as_the_target_reads_them():
    masked = mask("Take 1,000 mg or 0.5 ml.", "es", GLOSSARY)
    assert unmask("Tome {{1}} o {{2}}.", masked) == "Tome 1.000 mg o 0.5 ml."
    assert unmask("Tome {{1}}.", mask("Take 1,000 mg.", "es_US", GLOSSARY)) == "Tome 1,000 mg."
    assert localize_number("2,500 mg", "pl") == "2\u00a0500 mg"


def test_everything_else_comes_back_verbatim_in_any_order():
    text = "Call [NHS 111](https://111.nhs.uk/) or type `999` at https://www.nhs.uk/."
    masked = mask(text, "pl", GLOSSARY)
    assert masked.text == "Call [{{1}}]({{2}}) or type {{3}} at {{4}}."
    assert unmask("Wpisz {{3}} na {{4}} lub [{{1}}]({{2}}).", masked) == \
        "Wpisz `999` na https://www.nhs.uk/ lub [NHS 111](https://111.nhs.uk/)."


def test_engines_may_space_placeholders_or_write_other_digits():
    masked = mask("Take 2 tablets, then 1.", "ar", GLOSSARY)
    assert unmask("خذ {{ 1 }} أقراص، ثم {{٢}}.", masked) == "خذ 2 أقراص، ثم 1."


def test_hard_line_breaks_keep_the_words_apart():
    text = "Ana López\\\n12 High Street"
    masked = mask(text, "es", GLOSSARY)
    assert masked.text == "Ana López {{1}} {{2}} High Street"
    assert unmask(masked.text, masked) == text


@pytest.mark.parametrize("answer, problem", [
    ("Llame al {{1}}.", "placeholder {{2}} (https://111.nhs.uk/) is missing"),
    ("Llame al {{1}} ({{2}}) o {{2}}.", "placeholder {{2}} (https://111.nhs.uk/) appears 2 times"),
    ("Llame al {{1}} ({{2}}, {{3}}).", "placeholder(s) {{3}} that the source does not"),
    ("Llame al {{1}} ({{2}).", "is missing"),
    ("Llame al {{1}} ({2}}).", "is missing"),
    ("Llame al {{1}} ({{2}}}).", "damaged placeholder"),
    ("Llame al {{1}} ({{2}}) {{.", "damaged placeholder"),
    ("Llame al { {1}} ({{2}}).", "is missing"),
])
def test_a_damaged_placeholder_is_refused(answer, problem):
    masked = mask("Call [NHS 111](https://111.nhs.uk/).", "es", GLOSSARY)
    with pytest.raises(MaskError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{")):
        unmask(answer, masked)
    assert issubclass(MaskError, LocumError)


def test_text_without_words_needs_no_engine():
    assert not mask("999", "es", GLOSSARY).has_words
    assert not mask("[NHS 111](https://111.nhs.uk/)", "es", GLOSSARY).has_words
    assert mask("Call 999.", "es", GLOSSARY).has_words


_TEXT = st.lists(st.sampled_from(list("ab Z.,-:/()[]`%{}0123456789½@€") + ["mg", "http://x.org/", "NHS 111", "\\\n"]),
                 max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_an_untouched_answer_restores_the_source_exactly(text):
    masked = mask(text, "es_US", None)           # es_US reads numbers as the English source does
    assert unmask(masked.text, masked) == text

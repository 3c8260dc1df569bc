"""Warnings: untranslated, length-ratio, whitespace, end-punctuation (language-aware)."""

from __future__ import annotations

import pytest

from workflow.checks import REGISTRY, WARNING, Pair
from workflow.glossary import parse_glossary

GLOSSARY = parse_glossary("term,status,note,es\nNHS 111,dnt,,\nCymbalta,dnt,,\n", ("es",))
LONG = "Take this medicine with food, at the same time every day, and keep taking it."


def messages(check_id, source, target, catalog="es"):
    return list(REGISTRY[check_id].function(Pair(source, target, catalog, catalog.split("_")[0], GLOSSARY)))


def test_all_style_checks_are_warnings():
    for check_id in ("untranslated", "length-ratio", "whitespace", "end-punctuation"):
        assert REGISTRY[check_id].severity == WARNING


PASS = [
    ("untranslated", "Side effects", "Efectos secundarios", "es"),
    ("untranslated", "NHS 111", "NHS 111", "pl"),
    ("untranslated", "Cymbalta", "Cymbalta", "es"),
    ("untranslated", "30 mg", "30 mg", "pl"),
    ("untranslated", "Take paracetamol.", "Take paracetamol.", "en_US"),
    ("length-ratio", LONG, "Tome este medicamento con comida, a la misma hora cada día, y siga tomándolo.", "es"),
    ("length-ratio", "Short.", "Una traducción bastante más larga que el original.", "es"),
    ("whitespace", "Take it.", "Tómelo.", "es"),
    ("whitespace", "Hard break\\\nhere.", "Salto\\\naquí.", "es"),
    ("end-punctuation", "Take it.", "Tómelo.", "es"),
    ("end-punctuation", "Is it safe?", "¿Es seguro?", "es"),
    ("end-punctuation", "Is it safe?", "هل هو آمن؟", "ar"),
    ("end-punctuation", "Is it safe?", "Czy to bezpieczne?", "pl"),
    ("end-punctuation", "Side effects", "Efectos secundarios", "es"),
    ("end-punctuation", "**Take it with food.**", "**Tómelo con comida.**", "es"),
    ("end-punctuation", "You may feel:", "Może pojawić się:", "pl"),
    ("end-punctuation", "Call us (NHS 111).", "Llámenos (NHS 111).", "es"),
]
FAIL = [
    ("untranslated", "Take it with food.", "Take it with food.", "es"),
    ("untranslated", "Call NHS 111 today.", "Call NHS 111 today.", "pl"),
    ("length-ratio", LONG, "Tómelo.", "es"),
    ("length-ratio", LONG, LONG * 3, "pl"),
    ("whitespace", "Take it.", " Tómelo.", "es"),
    ("whitespace", "Take it.", "Tómelo. ", "es"),
    ("whitespace", "Take it now.", "Tómelo  ahora.", "es"),
    ("end-punctuation", "Take it.", "Tómelo", "es"),
    ("end-punctuation", "Is it safe?", "¿Es seguro.", "es"),
    ("end-punctuation", "Is it safe?", "Es seguro?", "es"),
    ("end-punctuation", "Is it safe?", "هل هو آمن?", "ar"),
    ("end-punctuation", "Side effects", "Efectos secundarios.", "es"),
    ("end-punctuation", "You may feel:", "Może pojawić się.", "pl"),
]


@pytest.mark.parametrize("check_id,source,target,catalog", PASS, ids=[f"{p[0]}:{p[3]}:{p[2][:30]}" for p in PASS])
def test_passes(check_id, source, target, catalog):
    assert messages(check_id, source, target, catalog) == []


@pytest.mark.parametrize("check_id,source,target,catalog", FAIL, ids=[f"{p[0]}:{p[3]}:{p[2][:30]}" for p in FAIL])
def test_fails(check_id, source, target, catalog):
    assert messages(check_id, source, target, catalog)

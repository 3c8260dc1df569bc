"""glossary-locked, glossary-dnt, glossary-forbidden: tables of passing and failing pairs."""

from __future__ import annotations

import pytest

from workflow.checks import REGISTRY, Pair
from workflow.glossary import parse_glossary

GLOSSARY = parse_glossary(
    "term,status,note,es,es_US,pl,ar,en_US\n"
    "duloxetine,locked,,duloxetina,,/duloksetyn(a|y|ę|ą|ie)/,دولوكسيتين,\n"
    "paracetamol,locked,,paracetamol,acetaminofén,/paracetamol(u|em)?/,باراسيتامول,acetaminophen\n"
    "NSAID,locked,,AINE,,NLPZ,,\n"
    "Cymbalta,dnt,,,,,,\n"
    "NHS 111,dnt,,,,,,\n"
    "999,dnt,,,,,,\n"
    "constipation,forbidden,false friend,constipación|constipado,,,,\n",
    ("en_US", "es_US", "es", "pl", "ar"))


def messages(check_id, source, target, catalog):
    pair = Pair(source, target, catalog, catalog.split("_")[0], GLOSSARY)
    return list(REGISTRY[check_id].function(pair))


PASS = [
    ("glossary-locked", "Duloxetine can help.", "La duloxetina puede ayudar.", "es"),
    ("glossary-locked", "Take duloxetine daily.", "Duloksetynę należy przyjmować codziennie.", "pl"),
    ("glossary-locked", "Stop duloxetine slowly.", "Odstawiając duloksetynie…", "pl"),
    ("glossary-locked", "Duloxetine can help.", "قد يساعد الدولوكسيتين.", "ar"),
    ("glossary-locked", "Take paracetamol.", "Tome acetaminofén.", "es_US"),
    ("glossary-locked", "Take paracetamol.", "Take acetaminophen.", "en_US"),
    ("glossary-locked", "Avoid NSAIDs.", "Evite los AINE.", "es"),
    ("glossary-locked", "Rest well.", "Descanse bien.", "es"),
    ("glossary-dnt", "Call NHS 111.", "Zadzwoń pod NHS 111.", "pl"),
    ("glossary-dnt", "Cymbalta is a brand.", "Cymbalta es una marca.", "es"),
    ("glossary-dnt", "Call 999 now.", "اتصل بـ 999 الآن.", "ar"),
    ("glossary-forbidden", "It can cause constipation.", "Puede causar estreñimiento.", "es"),
    ("glossary-forbidden", "Constipation is common.", "Zaparcia są częste.", "pl"),
]
FAIL = [
    ("glossary-locked", "Duloxetine can help.", "La duloxetine puede ayudar.", "es"),
    ("glossary-locked", "Take duloxetine daily.", "Należy przyjmować lek codziennie.", "pl"),
    ("glossary-locked", "Duloxetine can help.", "قد يساعد الدواء.", "ar"),
    ("glossary-locked", "Take paracetamol.", "Tome paracetamol.", "es_US"),
    ("glossary-locked", "Take paracetamol.", "Take paracetamol.", "en_US"),
    ("glossary-locked", "Avoid NSAIDs.", "Evite los antiinflamatorios.", "es"),
    ("glossary-dnt", "Call NHS 111.", "Zadzwoń pod numer 111.", "pl"),
    ("glossary-dnt", "Cymbalta is a brand.", "Cimbalta es una marca.", "es"),
    ("glossary-dnt", "Call 999 now.", "Llame al 112 ahora.", "es"),
    ("glossary-forbidden", "It can cause constipation.", "Puede causar constipación.", "es"),
    ("glossary-forbidden", "Feeling blocked up.", "Estar constipado.", "es"),
]


@pytest.mark.parametrize("check_id,source,target,catalog", PASS, ids=[f"{p[0]}:{p[3]}:{p[2]}" for p in PASS])
def test_passes(check_id, source, target, catalog):
    assert messages(check_id, source, target, catalog) == []


@pytest.mark.parametrize("check_id,source,target,catalog", FAIL, ids=[f"{p[0]}:{p[3]}:{p[2]}" for p in FAIL])
def test_fails(check_id, source, target, catalog):
    assert messages(check_id, source, target, catalog)


def test_messages_name_the_term_and_rendering():
    assert messages("glossary-locked", "Duloxetine helps.", "Ayuda.", "es") == [
        "locked term 'duloxetine' must be rendered as duloxetina in es"]
    assert messages("glossary-forbidden", "constipation", "constipación", "es") == [
        "forbidden rendering 'constipación' for 'constipation' (false friend)"]

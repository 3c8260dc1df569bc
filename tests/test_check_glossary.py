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


# Invisible characters: terms are matched as readers see them (the invisible check reports the characters)
# (Text reversed inside an override, "\u202enóicapitsnoc\u202c", shows as "constipación" and is not
# matched here: the invisible check holds back every entry with a bidi control.)
SHY, ZWSP, ZWNJ, WJ = "\u00ad", "\u200b", "\u200c", "\u2060"
HIDDEN_FAIL = [
    ("glossary-forbidden", "It can cause constipation.", f"Puede causar consti{SHY}pación.", "es"),
    ("glossary-forbidden", "It can cause constipation.", f"Puede causar consti{ZWSP}pación.", "es"),
    ("glossary-forbidden", "It can cause constipation.", f"Puede causar c{ZWNJ}onstipa{WJ}ción.", "es"),
    ("glossary-forbidden", "It can cause constipation.", "Puede causar consti&shy;pación.", "es"),
    ("glossary-forbidden", "It can cause constipation.", "Puede causar consti&#8203;pación.", "es"),
    ("glossary-dnt", "Cymbalta is a brand.", f"Cim{ZWSP}balta es una marca.", "es"),
    ("glossary-locked", "Take paracetamol.", f"Tome para{SHY}cetamol.", "es_US"),
]
HIDDEN_PASS = [
    ("glossary-locked", "Duloxetine can help.", f"La dulo{SHY}xetina puede ayudar.", "es"),
    ("glossary-locked", "Duloxetine can help.", f"قد يساعد الدولوكس{ZWSP}يتين.", "ar"),
    ("glossary-dnt", "Cymbalta is a brand.", f"Cym{ZWSP}balta es una marca.", "es"),
    ("glossary-dnt", f"Cym{SHY}balta is a brand.", "Cymbalta es una marca.", "es"),
    ("glossary-locked", f"Take dulo{ZWSP}xetine.", "Tome duloxetina.", "es"),
]


@pytest.mark.parametrize("check_id,source,target,catalog", HIDDEN_FAIL, ids=[repr(p[2]) for p in HIDDEN_FAIL])
def test_invisible_characters_hide_nothing_from_the_glossary(check_id, source, target, catalog):
    assert messages(check_id, source, target, catalog)


@pytest.mark.parametrize("check_id,source,target,catalog", HIDDEN_PASS, ids=[repr(p[2]) for p in HIDDEN_PASS])
def test_invisible_characters_break_no_term_readers_see(check_id, source, target, catalog):
    assert messages(check_id, source, target, catalog) == []


def test_a_forbidden_rendering_hidden_by_invisible_characters_says_so():
    assert messages("glossary-forbidden", "constipation", f"consti{SHY}pación", "es") == [
        "forbidden rendering 'constipación' (written with invisible characters) for 'constipation' (false friend)"]

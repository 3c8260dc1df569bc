"""glossary-added (a locked term's rendering in a translation whose source does not name it) and the case
endings glossary forms take (Polish and Spanish): tables of passing and failing pairs."""

from __future__ import annotations

import pytest

from workflow.checks import REGISTRY, Pair
from workflow.glossary import parse_glossary

GLOSSARY = parse_glossary(
    "term,status,note,es,es_US,pl,ar,en_US\n"
    "duloxetine,locked,,duloxetina,,/duloksetyn(a|y|ę|ą|ie|ach|ami)/,دولوكسيتين,\n"
    "paracetamol,locked,,paracetamol,acetaminofén,/paracetamol(u|em)?/,باراسيتامول,acetaminophen\n"
    "amitriptyline,locked,,amitriptilina,,amitryptylina,,\n"
    "trazodone,locked,,trazodona,,/trazodon(u|em|ie)?/,ترازودون,\n"
    "NSAID,locked,,AINE,,NLPZ,,\n",
    ("en_US", "es_US", "es", "pl", "ar"))
TITLE = "Can duloxetine help with muscle spasms?"


def messages(check_id, source, target, catalog, subject=""):
    pair = Pair(source, target, catalog, catalog.split("_")[0], GLOSSARY, subject=subject)
    return list(REGISTRY[check_id].function(pair))


PASS = [   # (check, source, target, catalog, the article's title)
    ("glossary-added", "Duloxetine can help.", "La duloxetina puede ayudar.", "es", ""),
    ("glossary-added", "All antidepressants carry a warning.", "Todos los antidepresivos llevan una advertencia.",
     "es", ""),
    ("glossary-added", "Take paracetamol.", "Tome acetaminofén.", "es_US", ""),
    ("glossary-added", "Take paracetamol.", "Take acetaminophen.", "en_US", ""),
    # Polish drops the pronoun and names the article's own medicine instead
    ("glossary-added", "It is not a muscle relaxant.", "Duloksetyna nie jest lekiem rozluźniającym mięśnie.",
     "pl", TITLE),
    ("glossary-added", "See [the leaflet](https://example.org/duloxetine).", "Lea [el prospecto](https://example.org/duloxetine).", "es", ""),
    ("glossary-locked", "Give trazodone to the patient.", "Podać trazodonowi… pacjentowi.", "pl", ""),
    ("glossary-locked", "Trazodone is cheap.", "Cena trazodonu jest niska.", "pl", ""),
    ("glossary-locked", "Stop duloxetine.", "Leczenie duloksetyną można przerwać.", "pl", ""),
    ("glossary-locked", "Treated with amitriptyline.", "Leczenie amitryptyliną.", "pl", ""),
    ("glossary-locked", "About amitriptyline.", "O amitryptylinie.", "pl", ""),
    ("glossary-locked", "Paracetamol helps.", "Paracetamolowi ufa wielu.", "pl", ""),
    ("glossary-locked", "Avoid NSAIDs.", "Evite los AINEs.", "es", ""),
    ("glossary-locked", "Avoid NSAIDs.", "Unikaj NLPZ.", "pl", ""),
]
FAIL = [
    # an 82% memory match carried a medicine into a warning about antidepressants in general
    ("glossary-added", "All antidepressants carry a warning.", "La duloxetina lleva una advertencia.", "es", ""),
    ("glossary-added", "All antidepressants carry a warning.", "La duloxetina lleva una advertencia.", "es", TITLE
     .replace("duloxetine", "antidepressants")),
    ("glossary-added", "Rest well.", "Odpoczywaj i bierz trazodonu.", "pl", ""),
    ("glossary-added", "Rest well.", "Descanse y tome acetaminofén.", "es_US", ""),
    ("glossary-added", "Rest well.", "Rest and take acetaminophen.", "en_US", ""),
    ("glossary-added", "Take ibuprofen.", "يساعد الدولوكسيتين", "ar", ""),
    ("glossary-locked", "Give trazodone.", "Podać lek.", "pl", ""),
    ("glossary-locked", "Take duloxetine.", "Przyjmować duloxetyną.", "pl", ""),       # the English spelling
    ("glossary-locked", "Avoid NSAIDs.", "Evite los AINEXOS.", "es", ""),
    ("glossary-locked", "Take trazodone.", "Tome trazodonamina.", "es", ""),
]


@pytest.mark.parametrize("check_id,source,target,catalog,subject", PASS, ids=[f"{p[0]}:{p[3]}:{p[2]}" for p in PASS])
def test_passes(check_id, source, target, catalog, subject):
    assert messages(check_id, source, target, catalog, subject) == []


@pytest.mark.parametrize("check_id,source,target,catalog,subject", FAIL, ids=[f"{p[0]}:{p[3]}:{p[2]}" for p in FAIL])
def test_fails(check_id, source, target, catalog, subject):
    assert messages(check_id, source, target, catalog, subject)


def test_the_message_names_the_form_and_the_term():
    assert messages("glossary-added", "All antidepressants carry a warning.", "La duloxetina avisa.", "es") == [
        "'duloxetina' ('duloxetine') is in the translation but 'duloxetine' is not in the source: a drug name added"]

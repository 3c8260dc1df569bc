"""glossary.csv → term rules: parsing, source and target matching, malformed rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from workflow.config import load_config
from workflow.errors import ErrorList, LocumError
from workflow.glossary import load_glossary, parse_glossary

CATALOGS = ("en_US", "es_US", "es", "pl", "ar")
HEADER = "term,status,note,es,es_US,pl,ar,en_US\n"
BAD = Path(__file__).parent / "bad" / "glossary"


def glossary(rows: str):
    return parse_glossary(HEADER + rows, CATALOGS)


def test_shipped_glossary_covers_the_sample_terms():
    config = load_config(REPO)
    terms = {t.term: t for t in load_glossary(REPO, config.catalogs).terms}
    assert terms["duloxetine"].status == "locked"
    assert terms["Cymbalta"].status == "dnt" and terms["NHS 111"].status == "dnt"
    assert {"999", "911", "988", "NHS"} <= {t for t, v in terms.items() if v.status == "dnt"}
    assert any(t.status == "forbidden" for t in terms.values())
    para = terms["paracetamol"]
    assert para.forms_for("en_US").search("Take acetaminophen.")
    assert para.forms_for("es_US").search("el acetaminofén")
    assert para.forms_for("es").search("el paracetamol") and not para.forms_for("es").search("acetaminofén")
    assert terms["NSAID"].forms_for("es").search("los AINE")


@pytest.mark.parametrize("source,found", [
    ("Duloxetine helps.", True), ("duloxetine's effects", True), ("Two SNRIs.", True),
    ("a duloxetine-like drug", True), ("duloxetines", True), ("antiduloxetine", False),
])
def test_source_matching_is_case_insensitive_whole_word_with_plurals(source, found):
    g = glossary("duloxetine,locked,,duloxetina,,,,\nSNRI,locked,,IRSN,,,,\n")
    assert any(t.occurs_in(source) for t in g.terms) is found


@pytest.mark.parametrize("target,ok", [
    ("Duloksetyna pomaga.", True), ("Nie należy łączyć duloksetyny z alkoholem.", True),
    ("przyjmować duloksetynę", True), ("leczenie duloksetyną", True), ("po duloksetynie", True),
    ("duloxetine", False), ("duloksetynami", False),
])
def test_polish_inflected_forms_by_regex(target, ok):
    g = glossary("duloxetine,locked,,,,/duloksetyn(a|y|ę|ą|ie)/,,\n")
    assert g.terms[0].forms_for("pl").search(target) is ok


def test_arabic_matching_allows_attached_prefixes():
    g = glossary("duloxetine,locked,,,,,دولوكسيتين,\n")
    forms = g.terms[0].forms_for("ar")
    assert forms.search("تناول الدولوكسيتين") and forms.search("بدولوكسيتين") and not forms.search("ديلوكسيتين")


def test_terms_in_urls_do_not_count():
    g = glossary("NHS,dnt,,,,,,\n")
    assert not g.terms[0].occurs_in("See [the site](https://www.nhs.uk/conditions/).")
    assert g.terms[0].occurs_in("See [the NHS site](https://www.nhs.uk/).")


def test_acronyms_match_case_sensitively():
    g = glossary("NICE,dnt,,,,,,\n")
    assert not g.terms[0].occurs_in("Have a nice day.")
    assert g.terms[0].occurs_in("NICE guidance says so.")


@pytest.mark.parametrize("case", sorted(BAD.glob("*.csv")), ids=lambda p: p.stem)
def test_malformed_glossary(case):
    with pytest.raises(LocumError) as info:
        parse_glossary(case.read_text(encoding="utf-8"), CATALOGS)
    errors = info.value.errors if isinstance(info.value, ErrorList) else [info.value]
    assert "\n".join(str(e) for e in errors) + "\n" == case.with_name(case.name + ".expect").read_text()


def test_malformed_glossary_stops_check_with_exit_2(site_project, locum):
    (site_project / "locales" / "glossary.csv").write_text(HEADER + "NHS,sacred,,,,,,\n", encoding="utf-8")
    result = locum(site_project, "check")
    assert result.code == 2
    assert result.err.startswith("locales/glossary.csv:2: error: unknown status 'sacred'")


def test_matching_ignores_invisible_characters():
    g = glossary("constipation,forbidden,,constipación,,,,\nduloxetine,locked,,,,/duloksetyn(a|y|ę|ą|ie)/,,\n")
    constipation, duloxetine = g.terms
    assert constipation.forms_for("es").search("consti\u00adpación") and constipation.forms_for("es").search(
        "consti&shy;pación")
    assert duloxetine.forms_for("pl").search("dulok\u200bsetynę")
    assert constipation.occurs_in("Consti\u200bpation is common.")


def test_invisible_characters_in_a_cell_are_dropped():
    """A Persian form with its ZWNJ (or a cell pasted with a soft hyphen) matches with or without it."""
    g = parse_glossary("term,status,note,fa\nSNRI,locked,,مهارکننده\u200cهای بازجذب\nNHS,locked,,N\u00adHS\n",
                       ("fa",))
    snri, nhs = g.terms
    forms = snri.forms_for("fa")
    assert forms.search("مهارکننده\u200cهای بازجذب") and forms.search("مهارکنندههای بازجذب")
    assert nhs.forms_for("fa").search("NHS") and nhs.forms_for("fa").shown == "NHS"
    assert parse_glossary("term,status,note,fa\nN\u200bHS,dnt,,\n", ("fa",)).terms[0].occurs_in("Call NHS.")

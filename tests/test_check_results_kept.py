"""Check results kept by the review server (findings.keep_check_results) and the glossary shared per bytes."""

from __future__ import annotations

import pytest

from workflow import findings
from workflow.catalogs import POEntry
from workflow.findings import check_entry
from workflow.glossary import glossary_of

CATALOGS = ("es",)
LOCKED = b"term,status,note,es\nduloxetine,locked,,duloxetina\n"
FORBIDDEN = b"term,status,note,es\nduloxetine,forbidden,,duloxetina\n"


def entry(msgstr: str = "Tome duloxetina.") -> POEntry:
    return POEntry(msgid="Take duloxetine.", msgstr=msgstr)


@pytest.fixture
def kept():
    findings.keep_check_results(1000)
    try:
        yield
    finally:
        findings.keep_check_results(0)


def checks(found) -> set[str]:
    return {check for check, _, _ in found}


def test_same_bytes_give_the_same_glossary_other_bytes_another():
    assert glossary_of(LOCKED, CATALOGS) is glossary_of(LOCKED, CATALOGS)
    assert glossary_of(FORBIDDEN, CATALOGS) is not glossary_of(LOCKED, CATALOGS)
    assert glossary_of(LOCKED, CATALOGS).terms[0].status == "locked"
    assert glossary_of(LOCKED, ("es", "pl")) is not glossary_of(LOCKED, CATALOGS)
    assert glossary_of(None, CATALOGS).terms == ()


@pytest.mark.usefixtures("kept")
def test_kept_results_are_those_of_the_checks():
    """Kept or not, the same findings; a changed translation or another glossary is checked anew."""
    locked = glossary_of(LOCKED, CATALOGS)
    for text in ("Tome duloxetina.", "Tome la pastilla.", "Tome duloxetina."):
        with_kept = check_entry(entry(text), "es", locked, 2)
        findings.keep_check_results(0)
        assert with_kept == check_entry(entry(text), "es", locked, 2)
        findings.keep_check_results(1000)
    assert "glossary-locked" in checks(check_entry(entry("Tome la pastilla."), "es", locked, 2))
    forbidden = glossary_of(FORBIDDEN, CATALOGS)
    assert "glossary-forbidden" in checks(check_entry(entry(), "es", forbidden, 2))
    assert "glossary-forbidden" not in checks(check_entry(entry(), "es", locked, 2))


@pytest.mark.usefixtures("kept")
def test_glossaries_parsed_apart_keep_results_apart():
    """Results are kept under the glossary object: two glossaries checked in turn, each parsed afresh (as a
    command that does not share them would), each get their own, and so does a glossary equal to another."""
    from workflow.glossary import parse_glossary

    for _ in range(3):
        locked = parse_glossary(LOCKED.decode(), CATALOGS)
        forbidden = parse_glossary(FORBIDDEN.decode(), CATALOGS)
        assert "glossary-forbidden" not in checks(check_entry(entry(), "es", locked, 2))
        assert "glossary-forbidden" in checks(check_entry(entry(), "es", forbidden, 2))
    again = parse_glossary(FORBIDDEN.decode(), CATALOGS)
    assert check_entry(entry(), "es", again, 2) == check_entry(entry(), "es", forbidden, 2)


def test_past_the_limit_results_are_forgotten_not_wrong():
    locked = glossary_of(LOCKED, CATALOGS)
    texts = [f"Tome duloxetina{end}" for end in (".", "!", " hoy.", " ya.", " así.")] + ["Tome la pastilla."]
    plain = [check_entry(entry(text), "es", locked, 2) for text in texts]
    findings.keep_check_results(2)
    try:
        for _ in range(2):
            assert [check_entry(entry(text), "es", locked, 2) for text in texts] == plain
            assert 0 < len(findings._CHECKED) <= 2
    finally:
        findings.keep_check_results(0)
    assert "glossary-locked" in checks(plain[-1])

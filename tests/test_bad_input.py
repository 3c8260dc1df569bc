"""One broken input per file in tests/bad/: each gives its expected error, exit 2, and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import snapshot

BAD = Path(__file__).parent / "bad"


def cases(folder: str, pattern: str) -> list[Path]:
    return sorted((BAD / folder).glob(pattern))


def expected(case: Path) -> str:
    return case.with_name(case.name + ".expect").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", cases("source", "*.md"), ids=lambda p: p.stem)
def test_bad_article(case, project, locum):
    locum(project, "extract")
    shutil.copy(case, project / "source" / case.name)
    before = snapshot(project)
    result = locum(project, "extract")
    assert result.code == 2
    assert result.err == expected(case)
    assert snapshot(project) == before


@pytest.mark.parametrize("case", cases("po", "*.po"), ids=lambda p: p.stem)
def test_bad_catalog(case, project, locum):
    assert locum(project, "extract").code == 0
    assert locum(project, "update").code == 0
    shutil.copy(case, project / "locales" / "es" / "LC_MESSAGES" / "pain-relief.po")
    before = snapshot(project)
    result = locum(project, "update")
    assert result.code == 2
    assert result.err == expected(case)
    assert snapshot(project) == before


@pytest.mark.parametrize("case", cases("config", "*.toml"), ids=lambda p: p.stem)
def test_bad_config(case, project, locum):
    shutil.copy(case, project / "locales" / "locum.toml")
    before = snapshot(project)
    result = locum(project, "extract")
    assert result.code == 2
    assert result.err == expected(case)
    assert snapshot(project) == before


def test_every_bad_input_has_an_expectation():
    for case in BAD.rglob("*"):
        if case.is_file() and case.suffix != ".expect":
            assert case.with_name(case.name + ".expect").exists(), case


def test_errors_in_several_articles_are_all_reported(project, locum):
    for name in ("missing-title.md", "unknown-market.md"):
        shutil.copy(BAD / "source" / name, project / "source" / name)
    result = locum(project, "extract")
    assert result.code == 2
    assert "source/missing-title.md:2: error" in result.err
    assert "source/unknown-market.md:7: error" in result.err
    assert not (project / "locales" / "pain-relief.pot").exists()

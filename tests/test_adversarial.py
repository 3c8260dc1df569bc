"""The adversarial corpus through ``publish``: each bad input gives exit 2, its ``path:line`` message, no change.

``tests/bad/`` holds one broken input per file (catalogs, articles, configs,
glossaries) with its expected message. Here each goes into a published
project in which the author has since changed an article, so ``extract``
would write a template at once: ``publish`` must find the bad input before
any stage writes. The counts are pinned, so a case cannot quietly drop out.
"""

from __future__ import annotations

import os
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from conftest import DATA, snapshot, translate_and_approve

from workflow.cli import main

BAD = Path(__file__).parent / "bad"
# Where each kind of bad input goes, and how many cases of it the corpus holds.
PLACES = {"po": ("locales/es/LC_MESSAGES/pain-relief.po", 45), "source": ("source/{name}", 15),
          "config": ("locales/locum.toml", 2), "glossary": ("locales/glossary.csv", 5)}
CASES = [case for kind in PLACES for case in sorted((BAD / kind).iterdir()) if case.suffix != ".expect"]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A published, fully approved project whose author has since added a sentence to an article."""
    root = tmp_path_factory.mktemp("adversarial") / "project"
    shutil.copytree(DATA / "project", root)
    translate_and_approve(root)
    with open(os.devnull, "w") as quiet, redirect_stdout(quiet):
        assert main(["--project", str(root), "publish"]) == 0
    article = root / "source/sleep-and-pain.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new sentence the author added.\n",
                       encoding="utf-8")
    return root


def test_the_corpus_is_complete():
    counts = {kind: sum(1 for case in CASES if case.parent.name == kind) for kind in PLACES}
    assert counts == {kind: count for kind, (_, count) in PLACES.items()}
    for case in CASES:
        assert case.with_name(case.name + ".expect").exists(), case


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_publish_refuses_bad_input_and_changes_nothing(case, published, tmp_path, locum):
    root = tmp_path / "project"
    shutil.copytree(published, root, symlinks=True)
    place, _ = PLACES[case.parent.name]
    shutil.copy(case, root / place.format(name=case.name))
    before = snapshot(root)
    result = locum(root, "publish")
    assert result.code == 2, result.err
    expected = case.with_name(case.name + ".expect").read_text(encoding="utf-8")
    assert result.err == expected
    assert ".po:" in result.err or ".md:" in result.err or ".toml:" in result.err or ".csv:" in result.err
    assert snapshot(root) == before

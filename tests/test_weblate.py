"""Weblate's component discovery on the repository (translation-finder, GPL: run here as a judge, never imported
by workflow/), and the per-market split of each discovered component (workflow/catalog_templates.py).

translation-finder proposes one component per file mask with one template, the article's full ``.pot``. Our
catalogs of different markets share a file mask but not a template, so each proposal is split by Weblate's
language filter into one component per template group (:func:`weblate_components`); the split is checked
here against the catalogs on disk, and ``tests/test_msgmerge_safe.py`` checks that msgmerge with each
component's template changes nothing.

translation-finder has no notion of a glossary: nothing in its source names one, its results carry no
glossary flag (Weblate's "Use as a glossary" is a component setting made by hand), and it takes a CSV file
for a component only when a language code is in its path (default mode) or, in eager mode, every file of a
known format. ``locales/glossary.csv`` (one table, a column per catalog) is not listed, and no Weblate
format reads it as a glossary.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import REPO, missing

from workflow.catalog_templates import catalog_template_path, weblate_components
from workflow.config import load_config
from workflow.project import SITE_DOMAIN, source_paths


def discovered(root: Path) -> list[dict[str, str]]:
    try:
        from translation_finder import discover  # GPL: Weblate's discovery, a test judge only
    except ImportError:
        missing("translation-finder (PyPI, a test extra)")
    return sorted((dict(result) for result in discover(root)), key=lambda r: r["filemask"])


def tracked_checkout(tmp_path: Path) -> Path:
    """The repository as Weblate clones it: the files git tracks, nothing a test run or editor left behind."""
    files = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    root = tmp_path / "checkout"
    for name in files.decode("utf-8").split("\0"):
        if name and (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes((REPO / name).read_bytes())
    return root


def slugs() -> list[str]:
    return [path.stem for path in source_paths(load_config(REPO))] + [SITE_DOMAIN]


def test_discovery_lists_exactly_the_real_components(tmp_path):
    expected = [{"file_format": "po", "filemask": f"locales/*/LC_MESSAGES/{slug}.po",
                 "new_base": f"locales/{slug}.pot"} for slug in slugs()]
    expected.append({"file_format": "po", "filemask": "workflow/server/locale/*.po",     # the review server's
                     "new_base": "workflow/server/locale/locum-review.pot"})
    assert discovered(tracked_checkout(tmp_path)) == sorted(expected, key=lambda r: r["filemask"])


def test_the_glossary_is_not_a_discovered_component(tmp_path):
    assert not [r for r in discovered(tracked_checkout(tmp_path)) if "glossary" in r["filemask"]]


def test_each_discovered_component_splits_into_one_per_template_by_language_filter():
    config = load_config(REPO)
    components = weblate_components(config, slugs())
    assert len({c.slug for c in components}) == len(components)
    for path in sorted((REPO / "locales").glob("*/LC_MESSAGES/*.po")):
        catalog = path.parts[-3]
        mask = f"locales/*/LC_MESSAGES/{path.name}"
        owners = [c for c in components if c.filemask == mask and re.match(c.language_regex, catalog)]
        assert len(owners) == 1, path
        assert REPO / owners[0].new_base == catalog_template_path(config, catalog, path.stem)
        assert (REPO / owners[0].new_base).is_file() and owners[0].template == ""


def test_the_components_of_the_shipped_configuration():
    components = weblate_components(load_config(REPO), ["site"])
    assert [(c.name, c.slug, c.new_base, c.language_regex) for c in components] == [
        ("site (en_US)", "site-en-us", "locales/templates/en_US/site.pot", "^en_US$"),
        ("site (es_US)", "site-es-us", "locales/templates/es_US/site.pot", "^es_US$"),
        ("site (gb)", "site-gb", "locales/templates/gb/site.pot", "^(pl|ar)$"),
        ("site (us)", "site-us", "locales/templates/us/site.pot", "^es$")]

"""The shipped sample content: canonical catalogs, clean msgfmt, complete translations, a full site."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, msgcat, require

from workflow.catalogs import read_catalog
from workflow.config import load_config
from workflow.extract import load_articles, render_template
from workflow.segments import extract_segments

LOCALES = REPO / "locales"
TEMPLATES = sorted(LOCALES.glob("*.pot"))
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))


def ids(paths):
    return [p.relative_to(LOCALES).as_posix() for p in paths]


@pytest.mark.parametrize("path", TEMPLATES + CATALOGS, ids=ids(TEMPLATES + CATALOGS))
def test_msgcat_leaves_every_shipped_file_byte_identical(path: Path):
    assert msgcat(path) == path.read_bytes()


@pytest.mark.parametrize("path", CATALOGS, ids=ids(CATALOGS))
def test_msgfmt_check_passes_without_a_warning(path: Path, tmp_path: Path):
    msgfmt = require("msgfmt")
    result = subprocess.run([msgfmt, "--check", "--check-format", "--check-header", "-o",
                             str(tmp_path / "x.mo"), str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""


def copy_project(target: Path) -> None:
    """The shipped sources and catalogs, without compiled files."""
    for folder in ("source", "locales"):
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns("*.mo", "*.audit.json"))


def test_shipped_templates_are_up_to_date():
    config = load_config(REPO)
    for article in load_articles(config):
        pot = config.pot_path(article.slug)
        stamp = read_catalog(pot).metadata["POT-Creation-Date"]
        assert render_template(article, stamp) == pot.read_text(encoding="utf-8"), pot


def test_sample_articles_have_25_to_50_segments_and_a_disclaimer():
    config = load_config(REPO)
    articles = load_articles(config)
    assert len(articles) == 3
    for article in articles:
        texts = {s.text for s in extract_segments(article)}
        assert 25 <= len(texts) <= 50, article.slug
        assert any(t.startswith("**Medical disclaimer:**") for t in texts), article.slug


def test_language_catalogs_are_completely_translated():
    config = load_config(REPO)
    for path in CATALOGS:
        catalog = path.parts[-3]
        if config.is_override(catalog):
            continue
        for entry in read_catalog(path):
            assert not entry.obsolete and not entry.fuzzy, (path, entry.msgid)
            assert entry.msgstr or all(entry.msgstr_plural.values()), (path, entry.msgid)


def test_overrides_are_sparse_and_say_acetaminophen():
    en_us = [e for p in LOCALES.glob("en_US/LC_MESSAGES/*.po") for e in read_catalog(p)]
    es_us = [e for p in LOCALES.glob("es_US/LC_MESSAGES/*.po") for e in read_catalog(p)]
    assert 0 < len(en_us) < 15 and 0 < len(es_us) < 5
    assert any("acetaminophen" in e.msgstr for e in en_us)
    assert any("acetaminofén" in e.msgstr for e in es_us)


def test_publish_builds_the_sample_site(tmp_path, locum):
    copy_project(tmp_path)
    result = locum(tmp_path, "publish")
    assert result.code == 0, result.err
    assert "15 page(s) published" in result.out and "0 skipped" in result.out
    assert "0 template(s) written" in result.out and "0 catalog(s) written" in result.out

    def page(locale, slug="duloxetine-low-back-pain"):
        return (tmp_path / "output" / locale / slug / "index.html").read_text(encoding="utf-8")

    for locale in ("en-GB", "pl-GB", "ar-GB"):
        assert 'data-region="gb"' in page(locale) and 'data-region="us"' not in page(locale)
        assert "NHS" in page(locale)
    for locale in ("en-US", "es-US"):
        assert 'data-region="us"' in page(locale) and 'data-region="gb"' not in page(locale)
    assert "paracetamol" in page("en-GB", "duloxetine-muscle-spasm")
    assert "acetaminophen" in page("en-US", "duloxetine-muscle-spasm")
    assert "paracetamol" not in page("en-US", "duloxetine-muscle-spasm").lower()
    assert "acetaminofén" in page("es-US", "duloxetine-muscle-spasm")


def test_every_shipped_catalog_is_clean_and_approved(tmp_path, locum):
    copy_project(tmp_path)
    result = locum(tmp_path, "check", "--strict")
    assert result.code == 0 and result.out == "" and "0 error(s), 0 warning(s)" in result.err
    rows = json.loads(locum(tmp_path, "stats", "--format", "json").out)
    assert all(row["approved"] == row["segments"] for row in rows)

"""Standard tools update a current catalog with its own template and change nothing (workflow/catalog_templates.py).

The oracles are the tools themselves: GNU ``msgmerge --previous`` (the
result must be byte-identical: our catalogs are already in msgcat's form),
and Babel's ``pybabel update --previous`` run through its own command line.
Babel's writer rewrites every header it touches (``Generated-By`` for
``X-Generator``, ``charset=utf-8``, its field order) and wraps at 76 columns,
whatever the template, so for Babel "change nothing" means: read back by
Babel's reader, the same entries (text, translation, flags, comments,
locations, previous msgid), the same obsolete entries, and the same header
values that describe the translation.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from conftest import REPO, msgcat, require

from workflow.catalog_templates import catalog_template_path, template_groups
from workflow.catalogs import read_catalog
from workflow.cli import main
from workflow.config import load_config
from workflow.entries import in_market


def shipped_catalogs(root: Path) -> list[tuple[str, Path]]:
    return [(path.parts[-3], path) for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))]


def msgmerged(catalog: Path, template: Path, tmp: Path) -> bytes:
    out = tmp / "msgmerged.po"
    subprocess.run([require("msgmerge"), "--quiet", "--previous", "-o", str(out), str(catalog), str(template)],
                   check=True)
    return out.read_bytes()


def babel_view(path: Path, locale: str) -> tuple:
    """What Babel's reader sees in a catalog: header values, entries and obsolete entries."""
    with open(path, "rb") as handle:
        po = read_po(handle, locale=locale)

    def entry(m) -> tuple:
        return (m.context, m.id, m.string, sorted(m.flags), m.auto_comments, m.user_comments, m.locations,
                m.previous_id)

    header = (str(po.locale), po.plural_forms, po.creation_date, po.revision_date, po.last_translator,
              po.language_team, po.fuzzy)
    return header, [entry(m) for m in po if m.id], [entry(m) for m in po.obsolete.values()]


def pybabel_updated(catalog: Path, template: Path, locale: str, tmp: Path) -> Path:
    out = tmp / "pybabel.po"
    shutil.copyfile(catalog, out)
    CommandLineInterface().run(["pybabel", "-q", "update", "--previous", "-i", str(template), "-o", str(out),
                                "-l", locale])
    return out


def assert_tools_change_nothing(root: Path, tmp: Path) -> int:
    config = load_config(root)
    checked = 0
    for catalog, path in shipped_catalogs(root):
        template = catalog_template_path(config, catalog, path.stem)
        assert template.is_file(), f"{path} has no template {template}"
        assert msgmerged(path, template, tmp) == path.read_bytes(), f"msgmerge --previous changed {path}"
        after = pybabel_updated(path, template, catalog, tmp)
        assert babel_view(after, catalog) == babel_view(path, catalog), f"pybabel update changed {path}"
        checked += 1
    return checked


def test_every_shipped_catalog_is_unchanged_by_msgmerge_and_pybabel_with_its_template(tmp_path):
    assert assert_tools_change_nothing(REPO, tmp_path) == len(shipped_catalogs(REPO)) > 0


def test_the_shipped_templates_are_what_update_writes(tmp_path):
    root = tmp_path / "repo"
    for part in ("source", "locales"):
        shutil.copytree(REPO / part, root / part)
    before = {p: p.read_bytes() for p in (root / "locales" / "templates").rglob("*.pot")}
    shutil.rmtree(root / "locales" / "templates")
    assert main(["--project", str(root), "update"]) == 0
    after = {p: p.read_bytes() for p in (root / "locales" / "templates").rglob("*.pot")}
    assert after == before


def test_the_full_template_injects_the_other_market_and_the_own_template_does_not(tmp_path):
    """Why the templates exist: ``locales/<slug>.pot`` adds ``us`` entries to the ``gb`` catalog ``pl``."""
    pl = REPO / "locales" / "pl" / "LC_MESSAGES" / "duloxetine-low-back-pain.po"
    merged = msgmerged(pl, REPO / "locales" / "duloxetine-low-back-pain.pot", tmp_path)
    assert merged != pl.read_bytes()


def add_article_and_language(root: Path) -> None:
    """A new article with both markets' blocks and a locked regional term, an edited sentence, and a new
    ``gb`` language (``de``) whose catalogs start empty."""
    (root / "source" / "heat-and-cold.md").write_text(
        "---\ntitle: Heat and cold for pain\n---\n\n# Heat and cold for pain\n\n"
        "A warm bath can ease stiff muscles.\n\n"
        "::: region gb\nAsk a pharmacist or call NHS 111.\n:::\n\n"
        "::: region us\nAsk your pharmacist about paracetamol and your insurance plan.\n:::\n\n"
        "Take paracetamol only as the leaflet says.\n", encoding="utf-8")
    sleep = root / "source" / "sleep-and-pain.md"
    sleep.write_text(sleep.read_text(encoding="utf-8").replace("Keep regular hours.", "Keep regular hours, "
                                                                 "even at weekends."), encoding="utf-8")
    toml = root / "locales" / "locum.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '[locales."ar-GB"]', '[locales."de-GB"]\nmarket = "gb"\nchain = ["de"]\n\n[locales."ar-GB"]'),
        encoding="utf-8")


def test_a_new_article_and_a_new_language_stay_safe_after_extract_and_update(site_project, tmp_path, capsys):
    add_article_and_language(site_project)
    assert main(["--project", str(site_project), "extract"]) == 0
    assert main(["--project", str(site_project), "update"]) == 0
    capsys.readouterr()
    config = load_config(site_project)
    assert {g.name: g.catalogs for g in template_groups(config)} == {
        "en_US": ("en_US",), "es_US": ("es_US",), "gb": ("pl", "de", "ar"), "us": ("es",)}
    assert assert_tools_change_nothing(site_project, tmp_path) == len(shipped_catalogs(site_project))
    edited = read_catalog(config.po_path("pl", "sleep-and-pain"))
    assert any("fuzzy" in e.flags and e.previous_msgid for e in edited), "the edit is merged as fuzzy"
    assert config.po_path("es_US", "heat-and-cold").exists()        # the override entry update creates
    pot = read_catalog(config.pot_path("heat-and-cold"))
    de = read_catalog(config.po_path("de", "heat-and-cold"))
    assert [e.msgid for e in de] == [e.msgid for e in pot if in_market(e, {"gb"})]
    gb = read_catalog(catalog_template_path(config, "de", "heat-and-cold"))
    assert [e.msgid for e in gb] == [e.msgid for e in de]         # the new language starts from its market's


@pytest.mark.parametrize("catalog", ["es_US", "en_US"])
def test_an_override_entry_added_by_hand_joins_its_template_at_the_next_update(site_project, tmp_path, catalog,
                                                                                capsys):
    config = load_config(site_project)
    path = config.po_path(catalog, "sleep-and-pain")
    pot = read_catalog(config.pot_path("sleep-and-pain"))
    entry = next(e for e in pot if e.msgid == "Keep regular hours.")
    head = (path.read_text(encoding="utf-8") if path.exists() else
            config.po_path("es", "sleep-and-pain").read_text(encoding="utf-8").split("\n\n")[0]
            .replace("Language: es", f"Language: {catalog}") + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + "\n" + entry.__unicode__(wrapwidth=79), encoding="utf-8")
    assert main(["--project", str(site_project), "update"]) == 0
    capsys.readouterr()
    template = read_catalog(catalog_template_path(config, catalog, "sleep-and-pain"))
    assert "Keep regular hours." in [e.msgid for e in template]
    assert assert_tools_change_nothing(site_project, tmp_path) > 0


def test_a_template_edited_by_hand_still_gives_canonical_catalog_templates(site_project, capsys):
    """A ``.pot`` not as extract wrote it (rewrapped, an obsolete entry) is read, not sliced."""
    pot = site_project / "locales" / "sleep-and-pain.pot"
    text = pot.read_text(encoding="utf-8")
    pot.write_text(text.replace("\n\n", "\n\n\n", 1) + '\n#~ msgid "gone"\n#~ msgstr ""\n', encoding="utf-8")
    assert main(["--project", str(site_project), "update"]) == 0
    capsys.readouterr()
    config = load_config(site_project)
    for catalog in ("pl", "es"):
        path = catalog_template_path(config, catalog, "sleep-and-pain")
        assert msgcat(path) == path.read_bytes()
        assert "gone" not in path.read_text(encoding="utf-8")
    assert len(read_catalog(catalog_template_path(config, "es_US", "sleep-and-pain"))) == 0     # (msgcat: b"")

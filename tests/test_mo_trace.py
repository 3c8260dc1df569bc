"""compile owns the .mo files: one it did not write is rebuilt, and the build refuses it meanwhile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import snapshot

from workflow.catalogs import read_catalog
from workflow.compile import mo_bytes, mo_messages
from workflow.translations import MO_KEY

MO = "locales/pl/LC_MESSAGES/pain-relief.mo"
FORGED = "UNAPPROVED hand-made text"


def forge(root: Path) -> bytes:
    """What a hand-run msgfmt might leave: every entry of pl/pain-relief.po, none of them approved."""
    po = read_catalog(root / MO.replace(".mo", ".po"))
    messages = mo_messages(po, [])
    for entry in po:
        if not entry.obsolete and not entry.msgid_plural and entry.msgctxt is None:
            messages[entry.msgid.encode("utf-8")] = f"{FORGED} {len(messages)}".encode("utf-8")
    data = mo_bytes(messages)
    (root / MO).write_bytes(data)
    return data


def published_text(root: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in (root / "output").rglob("*")
                   if p.is_file())


def test_compile_replaces_a_mo_it_did_not_write(site_project, locum):
    assert locum(site_project, "publish").code == 0
    good = (site_project / MO).read_bytes()
    forge(site_project)
    result = locum(site_project, "compile")
    assert result.code == 0 and "1 .mo file(s) written" in result.out, result.out
    assert (site_project / MO).read_bytes() == good
    assert "0 .mo file(s) written" in locum(site_project, "compile").out      # and then it is compile's again
    assert locum(site_project, "build").code == 0
    assert FORGED not in published_text(site_project)


def test_publish_replaces_a_mo_it_did_not_write_before_building(site_project, locum):
    assert locum(site_project, "publish").code == 0
    good, pages = (site_project / MO).read_bytes(), snapshot(site_project / "output")
    forge(site_project)
    assert locum(site_project, "publish").code == 0
    assert (site_project / MO).read_bytes() == good
    assert snapshot(site_project / "output") == pages
    assert FORGED not in published_text(site_project)


def test_build_refuses_a_mo_compile_did_not_write(site_project, locum):
    assert locum(site_project, "publish").code == 0
    before = snapshot(site_project / "output")
    forge(site_project)
    result = locum(site_project, "build")
    assert result.code == 2
    assert f"{MO}: error: this compiled catalog is not the one 'locum compile' wrote" in result.err
    assert "run 'locum compile'" in result.err
    assert snapshot(site_project / "output") == before
    assert not list(site_project.glob(".output-*"))


def test_build_refuses_a_compiled_catalog_moved_from_elsewhere(site_project, locum):
    """compile's own bytes, but of another catalog: the sidecar beside it does not vouch for them."""
    assert locum(site_project, "publish").code == 0
    before = snapshot(site_project / "output")
    shutil.copyfile(site_project / "locales/pl/LC_MESSAGES/sleep-and-pain.mo", site_project / MO)
    result = locum(site_project, "build")
    assert result.code == 2 and f"{MO}: error: " in result.err
    assert snapshot(site_project / "output") == before


def test_build_refuses_a_mo_without_its_audit_sidecar(site_project, locum):
    assert locum(site_project, "publish").code == 0
    (site_project / MO.replace(".mo", ".audit.json")).unlink()
    result = locum(site_project, "build")
    assert result.code == 2 and f"{MO}: error: " in result.err and "run 'locum compile'" in result.err
    assert locum(site_project, "compile").code == 0
    assert locum(site_project, "build").code == 0


def test_the_site_chrome_catalog_is_traced_too(site_project, locum):
    assert locum(site_project, "publish").code == 0
    site = site_project / "locales/pl/LC_MESSAGES/site.mo"
    site.write_bytes(mo_bytes({b"": b"Content-Type: text/plain; charset=UTF-8\n", b"Skip to content": b"pwned"}))
    result = locum(site_project, "build")
    assert result.code == 2 and "locales/pl/LC_MESSAGES/site.mo: error: " in result.err


def test_the_audit_sidecar_records_the_mo_digest(site_project, locum):
    import hashlib

    assert locum(site_project, "compile").code == 0
    for mo in (site_project / "locales").glob("*/LC_MESSAGES/*.mo"):
        audit = json.loads(mo.with_suffix(".audit.json").read_text(encoding="utf-8"))
        assert audit[MO_KEY] == hashlib.sha256(mo.read_bytes()).hexdigest(), mo

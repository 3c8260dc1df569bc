"""Work on every core gives the same bytes as a serial run, and errors keep their path and line."""

from __future__ import annotations

import shutil

from conftest import snapshot


def compiled(root):
    return {k: v for k, v in snapshot(root / "locales").items() if k.endswith((".mo", ".audit.json"))}


def fresh_compile(root, locum):
    for path in (root / "locales").rglob("*.mo"):
        path.unlink()
    shutil.rmtree(root / ".cache", ignore_errors=True)
    result = locum(root, "compile")
    assert result.code == 0, result.err
    return compiled(root)


def test_parallel_compile_and_check_match_serial(site_project, locum, monkeypatch):
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    serial = fresh_compile(site_project, locum)
    serial_check = locum(site_project, "check", "--format", "json").out
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    monkeypatch.setattr("workflow.parallel.MIN_ITEMS", 1)
    assert fresh_compile(site_project, locum) == serial
    shutil.rmtree(site_project / ".cache", ignore_errors=True)
    assert locum(site_project, "check", "--format", "json").out == serial_check


def test_an_error_in_a_worker_keeps_its_path_and_line(site_project, locum, monkeypatch):
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    monkeypatch.setattr("workflow.parallel.MIN_ITEMS", 1)
    po = site_project / "locales/ar/LC_MESSAGES/pain-relief.po"
    po.write_text(po.read_text(encoding="utf-8") + "\nnot po at all\n", encoding="utf-8")
    result = locum(site_project, "compile")
    assert result.code == 2
    assert result.err.startswith("locales/ar/LC_MESSAGES/pain-relief.po:")
    assert "error: broken PO file" in result.err


def extract_and_update(root, locum) -> dict[str, bytes]:
    for stage in ("extract", "update"):
        result = locum(root, stage)
        assert result.code == 0, result.err
    return snapshot(root / "locales")


def test_parallel_extract_and_update_match_serial(site_project, locum, monkeypatch, tmp_path):
    """From scratch (no .cache/): a changed template, a catalog to create, and unchanged ones."""
    for stage in ("extract", "update"):
        monkeypatch.setattr(f"workflow.{stage}.now_stamp", lambda: "2030-01-02 03:04+0000")
    article = site_project / "source/pain-relief.md"
    article.write_text(article.read_text(encoding="utf-8").replace("first medicine", "first medicine people"),
                       encoding="utf-8")
    (site_project / "locales/pl/LC_MESSAGES/sleep-and-pain.po").unlink()
    shutil.rmtree(site_project / ".cache", ignore_errors=True)
    twin = shutil.copytree(site_project, tmp_path / "twin")
    before = snapshot(site_project / "locales")
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    serial = extract_and_update(site_project, locum)
    assert {k for k in serial if serial[k] != before.get(k)} == {
        "pain-relief.pot", "pl/LC_MESSAGES/sleep-and-pain.po",
        *(f"{c}/LC_MESSAGES/pain-relief.po" for c in ("ar", "en_US", "es", "es_US", "pl")),
        *(f"templates/{g}/pain-relief.pot" for g in ("en_US", "es_US", "gb", "us"))}   # each catalog's own
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    monkeypatch.setattr("workflow.parallel.MIN_ITEMS", 1)
    assert extract_and_update(twin, locum) == serial

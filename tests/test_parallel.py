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

"""The build's manifest: an unchanged record is written as the text it was read from, a changed one anew."""

from __future__ import annotations

import json
from pathlib import Path

from workflow.manifest import Manifest, read_manifest, write_manifest

RECORDS = {f"{locale}/article-{n}": {"inputs": f"k{n}", "published": n % 2 == 0, "title": f"Título {n}"}
           for n in range(4) for locale in ("es-US", "pl-GB")}


def whole(manifest: Manifest) -> bytes:
    """The manifest's bytes as written with nothing reused: the oracle."""
    return b"".join(Manifest(manifest.pages, manifest.records, manifest.report).parts())


def written(tmp_path: Path) -> tuple[Path, Manifest]:
    path = tmp_path / "build.json"
    write_manifest(path, Manifest({"es-US/index.html": "k"}, dict(RECORDS), "r"))
    return path, read_manifest(path)


def test_a_manifest_read_back_knows_the_text_of_every_record(tmp_path):
    path, manifest = written(tmp_path)
    assert manifest.records == RECORDS
    assert {name: json.loads(text) for name, (_, text) in manifest.written.items()} == RECORDS
    assert b"".join(manifest.parts(manifest.written)) == path.read_bytes() == whole(manifest)


def test_an_unchanged_record_is_written_as_it_was_read(tmp_path):
    """The text is reused, not made again: a record whose text was spaced otherwise keeps that text."""
    path, _ = written(tmp_path)
    text = path.read_text(encoding="utf-8").replace('"inputs": "k2"', '"inputs":   "k2"')
    path.write_text(text, encoding="utf-8")
    previous = read_manifest(path)
    write_manifest(path, Manifest(previous.pages, dict(previous.records), previous.report), previous)
    assert path.read_text(encoding="utf-8") == text


def test_a_changed_record_is_written_anew(tmp_path):
    path, previous = written(tmp_path)
    records = {name: dict(record) for name, record in previous.records.items()}      # equal, not the same objects
    records["pl-GB/article-1"] = {**records["pl-GB/article-1"], "published": True, "title": "Nowy"}
    del records["es-US/article-3"]
    records["es-US/article-9"] = {"inputs": "k9", "published": False}
    new = Manifest({"es-US/index.html": "k2"}, records, "r2")
    write_manifest(path, new, previous)
    assert read_manifest(path) == new
    assert path.read_bytes() == whole(new)


def test_a_manifest_laid_out_otherwise_lends_no_text(tmp_path):
    """Written whole (as a hand edit may leave it), or with a record line of another name, nothing is reused."""
    path, previous = written(tmp_path)
    path.write_text(json.dumps({"format": 5, "pages": previous.pages, "report": "r", "records": RECORDS}),
                    encoding="utf-8")
    assert read_manifest(path) == previous and read_manifest(path).written == {}
    path.write_text(b"".join(previous.parts()).decode().replace('"es-US/article-0": ', '"es-US/article-0" : '),
                    encoding="utf-8")
    assert read_manifest(path) == previous and read_manifest(path).written == {}

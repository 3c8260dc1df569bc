"""The build's own bookkeeping, ``.cache/build.json``: what the last build made, and from which inputs.

It is what makes builds incremental, and the only thing a build reads of the
one before: ``pages`` maps every file the build made (``output/`` files by
their path in it, ``audit/`` files under :data:`workflow.buildreport.AUDITED`)
to the key of its inputs; ``records`` holds what the gate found for each
page (``locale/slug``), including, for a page it held back, the segments it
missed; ``report`` is the SHA-256 of the build report it wrote, which tells
whether ``audit/build-report.json`` is still that file. The report itself is
only ever written. A manifest that is missing, broken or of another format
reads as empty: the next build then does everything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workflow.fileio import long_lived, write_atomic_parts

MANIFEST = Path(".cache") / "build.json"     # relative to the project root; never in output/
PREVIEW = Path(".cache") / "preview"        # a preview build's site: never output/, never served by accident
PREVIEW_MANIFEST = Path(".cache") / "preview-build.json"
PREVIEW_AUDIT = Path(".cache") / "preview-audit"
MANIFEST_FORMAT = 5     # 5: records hold the articles a page links to and the images it shows
MISSING = "missing"     # in a held-back page's record: its missing segments, each {"text", "source"}


@dataclass(frozen=True)
class Target:
    """Where a build goes: its site, its audit files, its manifest, and the folder of its staging and leftovers.

    The published site and the preview never share a file: a preview build
    (``--preview``) reads and writes only under ``.cache/``, so ``output/``,
    ``audit/`` and ``.cache/build.json`` stay byte for byte as the last
    build left them, and neither manifest is ever taken for the other's.
    """

    root: Path          # the staging folder and what a killed build left live here
    output: Path
    audit: Path
    manifest: Path
    preview: bool


def site_target(root: Path, output: Path, audit: Path, preview: bool) -> Target:
    """The published site (``output``, ``audit``, ``.cache/build.json``) or, with ``preview``, the preview's.

    >>> site_target(Path("/p"), Path("/p/output"), Path("/p/audit"), True).output.as_posix()
    '/p/.cache/preview'
    """
    if preview:
        return Target(root / ".cache", root / PREVIEW, root / PREVIEW_AUDIT, root / PREVIEW_MANIFEST, True)
    return Target(root, output, audit, root / MANIFEST, False)


def input_key(*parts: bytes | str) -> str:
    """The key of a file or page: SHA-256 over its inputs.

    >>> input_key("a", "b") == input_key("ab"), len(input_key(b"x"))
    (False, 64)
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Manifest:
    """A build's manifest: file keys, page records, the report's digest (see the module docstring)."""

    pages: dict[str, str] = field(default_factory=dict)
    records: dict[str, dict] = field(default_factory=dict)
    report: str | None = None

    def parts(self) -> Iterator[bytes]:
        """The manifest as JSON in UTF-8, a record per line, made a record at a time.

        ``json.dumps`` of the whole (8.6 MB at 1,000 articles) holds a string
        per token until it joins them, then the text and its bytes: writing it
        so raised the peak memory by 10 MB, written a record at a time by none
        (bench project, measured alone).

        >>> b"".join(Manifest({"a.html": "k"}, {"es-US/x": {"published": True}, "pl-GB/x": {}}, None).parts())
        b'{"format": 5, "pages": {"a.html": "k"}, "report": null, "records": {\\n"es-US/x": {"published": true},\\n"pl-GB/x": {}\\n}}\\n'
        """
        head = json.dumps({"format": MANIFEST_FORMAT, "pages": self.pages, "report": self.report})
        yield f'{head[:-1]}, "records": {{'.encode()
        separator = "\n"
        for name, record in self.records.items():
            yield f"{separator}{json.dumps(name)}: {json.dumps(record)}".encode()
            separator = ",\n"
        yield b"\n}}\n"


def read_manifest(path: Path) -> Manifest:
    """The previous build's manifest; empty (build everything) when missing, broken or of another format.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "build.json"
    ...     write_manifest(path, Manifest({"index.html": "k"}, {}, "d"))
    ...     same = read_manifest(path) == Manifest({"index.html": "k"}, {}, "d")
    ...     _ = path.write_text('{"format": 5, "pages": []}')
    ...     same, read_manifest(path) == Manifest(), read_manifest(Path(folder) / "none") == Manifest()
    (True, True, True)
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return Manifest()
    pages, records, report = data.get("pages", {}), data.get("records", {}), data.get("report")
    if (not isinstance(pages, dict) or not isinstance(records, dict)
            or not all(isinstance(record, dict) for record in records.values())):
        return Manifest()
    return long_lived(Manifest(pages, records, report if isinstance(report, str) else None))


def write_manifest(path: Path, manifest: Manifest) -> None:
    write_atomic_parts(path, manifest.parts())


def page_record(inputs: str, published: bool, missing: list[dict], title: str, description: str,
                segments: int) -> dict:
    """What the manifest keeps of a page, so that an unchanged page needs no work next time.

    A page the gate held back keeps its missing segments: the next build
    lists them (on the console and in the report) without localizing it again.

    >>> page_record("k", False, [{"text": "Hi", "source": "source/a.md:3"}], "T", "", 0)[MISSING]
    [{'text': 'Hi', 'source': 'source/a.md:3'}]
    """
    record = {"inputs": inputs, "published": published, "missed": len(missing),
              "title": title, "description": description, "segments": segments}
    if not published:
        record[MISSING] = list(missing)
    return record


def standing(record: dict) -> bool:
    """Whether a previous record can stand for its page: published, or held back with its missing segments known.

    >>> standing({"published": True}), standing({"published": False}), standing({"published": False, "missing": []})
    (True, False, True)
    """
    return bool(record.get("published")) or isinstance(record.get(MISSING), list)

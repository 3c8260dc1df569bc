"""``locum publish`` as a whole: skipped entirely when nothing it reads or writes moved since the last one.

Each stage already skips its unchanged work, but asking five stages costs
five loads of their bookkeeping. A publish therefore records one digest of
the project as it left it: the content digest of every file under
``source/`` and ``locales/`` (templates, catalogs, compiled catalogs, audit
sidecars, glossary, configuration; through the ``stat``-signature cache of
:mod:`workflow.stamps`), the page templates, the options, and the ``stat``
signature of every file in ``output/``. When the next publish finds the same
digest, it reports the last result and touches nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from workflow import __version__
from workflow.config import Config
from workflow.fileio import write_atomic
from workflow.stamps import FileDigests

LAST = Path(".cache") / "publish.json"
TEMPLATES = Path(__file__).parent / "templates"


def _files(folder: Path):
    """Every file under ``folder`` as a path string, in a fixed order (os.walk: cheaper than Path.rglob)."""
    for directory, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            yield os.path.join(directory, name)


def project_digest(config: Config, options: str, digests: FileDigests) -> str:
    """Digest of every input and output of a publish with ``options`` (see the module docstring)."""
    h = hashlib.sha256(f"{__version__}\0{options}\0".encode())
    for folder in (config.source_dir, config.locales_dir, TEMPLATES):
        for path in _files(folder):
            h.update(f"{path}\0{digests.of(Path(path))}\0".encode())
    for path in _files(config.output_dir):
        st = os.stat(path)
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0".encode())
    return h.hexdigest()


def unchanged_since_last(config: Config, options: str) -> dict | None:
    """The summary the last publish recorded, if nothing has moved since; else None."""
    try:
        last = json.loads((config.root / LAST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or not isinstance(last.get("summary"), dict):
        return None
    digests = FileDigests(config.root)
    fresh = last.get("digest") == project_digest(config, options, digests)
    digests.save()
    return last["summary"] if fresh else None


def record(config: Config, options: str, summary: dict) -> None:
    """Remember the project as this publish left it, with its summary."""
    digests = FileDigests(config.root)
    value = project_digest(config, options, digests)
    digests.save()
    write_atomic(config.root / LAST, json.dumps({"digest": value, "summary": summary}, sort_keys=True) + "\n")

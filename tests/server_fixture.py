"""A review server on loopback for tests: a small translated project, its store, and uvicorn in a thread.

``make_project`` turns a copy of ``tests/data/project`` into a project
waiting for review: every catalog extracted, updated and translated
(``tests/data/fixture_translations.py``) but nothing approved, one Spanish
entry a machine suggestion, a second Spanish reviewer without keys (the
server signs for them), the server's key declared under ``[review_server]``
and a password for each reviewer the tests sign in as.
``running`` starts ``workflow.server.app.create_app`` on a free port of
127.0.0.1 in a background thread and stops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from workflow.catalogs import read_catalog, write_catalog
from workflow.cli import main
from workflow.config import Config, load_config
from workflow.review import Item, load_items

PASSWORD = "correct horse battery staple"       # the test reviewers' password (12 characters or more)
ANA = "ana.lopez@example.org"                   # es, es_US
MARTA = "marta.ruiz@example.org"                # es only, declared here with no keys of her own
LAYLA = "layla.haddad@example.org"              # ar
SIGNING_IN = (ANA, MARTA, LAYLA)
SUGGESTED = "Keep regular hours."               # the es entry that is a machine suggestion (sleep-and-pain)
MT_NOTE = "mt: libre 2026-11-22"
SECOND_REVIEWER = f"""
[[reviewers]]
name = "Dr Marta Ruiz"
email = "{MARTA}"
catalogs = ["es"]
"""


def quiet(*args: str) -> None:
    """Run one locum command in-process, its output thrown away; it must succeed."""
    with open(os.devnull, "w") as sink, redirect_stdout(sink):
        assert main(list(args)) == 0, args


def po_path(root: Path, catalog: str, slug: str) -> Path:
    return root / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po"


def set_msgstr(root: Path, catalog: str, slug: str, msgid: str, text: str) -> None:
    """Rewrite one entry's translation as a translator's editor would (polib, compare-and-swap write)."""
    path = po_path(root, catalog, slug)
    po = read_catalog(path)
    entry = po.find(msgid)
    assert entry is not None, msgid
    entry.msgstr = text
    write_catalog(po, path)


def make_suggestion(root: Path, catalog: str, slug: str, msgid: str, note: str = MT_NOTE) -> None:
    """Turn a translated entry into an unedited machine suggestion (fuzzy, ``mt: …`` provenance)."""
    from workflow.provenance import suggestion_note

    path = po_path(root, catalog, slug)
    po = read_catalog(path)
    entry = po.find(msgid)
    assert entry is not None, msgid
    entry.tcomment = suggestion_note(entry, note)
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    write_catalog(po, path)


def make_project(root: Path, store_dir: Path) -> Path:
    """The fixture project at ``root`` (a copy of tests/data/project), waiting for review; see the module."""
    from fixture_translations import fill

    from workflow import sshsig
    from workflow.server.store import Store

    quiet("--project", str(root), "extract")
    quiet("--project", str(root), "update")
    fill(root)
    quiet("--project", str(root), "update")
    make_suggestion(root, "es", "sleep-and-pain", SUGGESTED)
    with Store(store_dir) as store:
        signer = store.server_signer(create=True)
    config_path = root / "locales" / "locum.toml"
    text = config_path.read_text(encoding="utf-8") + SECOND_REVIEWER
    text += f'\n[review_server]\nkey = "{sshsig.public_line(signer.key, "locum-review-server")}"\n'
    config_path.write_text(text, encoding="utf-8")
    set_passwords(store_dir)
    return root


def set_passwords(store_dir: Path, emails=SIGNING_IN, password: str = PASSWORD) -> None:
    from workflow.server.store import Store

    with Store(store_dir) as store:
        for email in emails:
            store.set_password(email, password)


def clone(template: Path, template_store: Path, root: Path, store_dir: Path) -> Path:
    """A private copy of a :func:`make_project` project, with a fresh store holding the same server key."""
    shutil.copytree(template, root)
    store_dir.mkdir(mode=0o700, parents=True)
    shutil.copy2(template_store / "server_key", store_dir / "server_key")
    set_passwords(store_dir)
    return root


def item(root: Path, catalog: str, slug: str, msgid: str) -> Item:
    """The entry of ``msgid`` as ``locum review`` judges it now (its record verified against the config)."""
    config = load_config(root)
    items, _ = load_items(config, catalog, slug)
    found = [i for i in items if i.entry.msgid == msgid]
    assert len(found) == 1, (msgid, [i.entry.msgid for i in items])
    return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Running:
    url: str
    config: Config
    store: object           # workflow.server.store.Store
    root: Path


@contextmanager
def running(root: Path, store_dir: Path) -> Iterator[Running]:
    """The review server of ``root`` on http://127.0.0.1:PORT, in a thread, for the ``with`` block."""
    import uvicorn

    from workflow.server.app import create_app
    from workflow.server.store import Store

    config = load_config(root)
    store = Store(store_dir)
    app = create_app(config, store, secure_cookies=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="auto"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the review server did not start")
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{port}", config, store, root)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()

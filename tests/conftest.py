"""Shared fixtures: a private copy of the tiny project per test, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from workflow.cli import main

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "data"))
DATA = HERE / "data"
REPO = HERE.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of ``tests/data/project`` (source articles and config, no catalogs yet)."""
    root = tmp_path / "project"
    shutil.copytree(DATA / "project", root)
    return root


@pytest.fixture
def locum(capsys):
    """Run ``locum --project ROOT ARGS…`` in-process; returns exit code, stdout and stderr."""

    def run(root: Path, *args: str) -> Result:
        code = main(["--project", str(root), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` and its bytes, for nothing-was-written assertions."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


TOOLS = REPO / ".tools"


def missing(what: str):
    """Skip a test whose external judge is absent; in CI (``CI`` set) that is a failure instead."""
    message = f"{what} is not installed (run 'make tools', or .ci/run which installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        missing(tool)
    return path


def vnu_command() -> list[str]:
    """``java -jar vnu.jar`` (``LOCUM_VNU_JAR`` or ``make tools``'s copy); skipped, or failed in CI, when absent."""
    jar = Path(os.environ.get("LOCUM_VNU_JAR", TOOLS / "node_modules/vnu-jar/build/dist/vnu.jar"))
    java = shutil.which("java")
    if not jar.exists() or java is None:
        missing("the Nu HTML checker (npm vnu-jar + java)")
    return [java, "-jar", str(jar)]


@pytest.fixture(scope="session")
def vnu():
    """Run the Nu HTML checker on many files in one call (it takes seconds to start)."""
    command = vnu_command()

    def check(paths: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run([*command, "--errors-only", *paths], capture_output=True, text=True)

    return check


def msgcat(path: Path) -> bytes:
    """GNU msgcat's canonical rendering of a PO/POT file."""
    require("msgcat")
    return subprocess.run(["msgcat", str(path)], check=True, capture_output=True).stdout


@pytest.fixture
def site_project(project: Path) -> Path:
    """The tiny project with every catalog translated (tests/data/fixture_translations.py)."""
    translate_and_approve(project)
    return project


def translate_and_approve(project: Path) -> None:
    """Extract and update ``project``, fill every catalog (fixture_translations) and sign every approval."""
    from fixture_translations import fill

    with open(os.devnull, "w") as quiet, redirect_stdout(quiet):
        assert main(["--project", str(project), "extract"]) == 0
        assert main(["--project", str(project), "update"]) == 0
        fill(project)
        assert main(["--project", str(project), "update"]) == 0
        for catalog, email in REVIEWERS.items():
            for po in sorted((project / "locales" / catalog / "LC_MESSAGES").glob("*.po")):
                assert main(["--project", str(project), "review", "approve", "--locale", catalog,
                             "--reviewer", email, "--article", po.stem, "--all-clean",
                             "--key", str(key_of(email))]) == 0


REVIEWERS = {"es": "ana.lopez@example.org", "es_US": "ana.lopez@example.org", "pl": "piotr.nowak@example.org",
             "ar": "layla.haddad@example.org", "en_US": "sam.carter@example.org"}
KEYS = DATA / "keys"        # the sample reviewers' key pairs: illustrative, for tests only


def key_of(email: str) -> Path:
    """The private key file of a sample reviewer."""
    return KEYS / email.split("@")[0]


def sign_approval(entry, catalog: str, email: str | None = None, meaning: str = "approved", **kwargs) -> None:
    """Put a signed record on ``entry`` as ``review approve`` would (for tests that edit catalogs directly)."""
    from workflow.approval import sign_record, with_record
    from workflow.sshsig import load_key_file

    email = email or REVIEWERS[catalog]
    record = sign_record(entry, catalog, meaning, email, load_key_file(key_of(email)), **kwargs)
    entry.tcomment = with_record(entry.tcomment, record)


def declare_server_key(project: Path, store: Path, retired: bool = False):
    """Create the review server's key in ``store`` and declare it in ``project``'s locum.toml (as its ``key``, or
    ``retired``); returns its signer."""
    from workflow.server.keys import load_or_create, public_line

    signer = load_or_create(store, create=True)
    field = f'retired_keys = ["{public_line(signer)}"]' if retired else f'key = "{public_line(signer)}"'
    with open(project / "locales" / "locum.toml", "a", encoding="utf-8") as out:
        out.write(f"\n[review_server]\n{field}\n")
    return signer

"""Approvals signed by the review server's key in a reviewer's name, and the locked review actions it calls.

The gate accepts a server-signed record only when it says ``via: review-server`` and names a reviewer
declared for the catalog; ``expect`` turns a text changed meanwhile into a conflict that writes nothing;
two approvals at once both land; an edit is re-checked; ``review server-key`` and ``passwd`` on the CLI.
"""

from __future__ import annotations

import io
import os
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import declare_server_key, key_of, require

from workflow import review
from workflow.approval import (
    NAMESPACE,
    SERVER_PRINCIPAL,
    VIA_SERVER,
    judge,
    parse_record,
    sign_record,
    text_digest,
    trust_for,
    with_record,
)
from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.errors import ConflictError
from workflow.sshsig import armor, load_key_file

PL = "locales/pl/LC_MESSAGES/pain-relief.po"
FIRST = "Do not take more than the leaflet says."
SECOND = "Pain relief basics"
CALL = "Call [NHS 111](https://111.nhs.uk/) if you need advice. In an emergency, call 999."
PIOTR, ANA = "piotr.nowak@example.org", "ana.lopez@example.org"


@pytest.fixture
def served(site_project: Path, tmp_path: Path):
    """The approved project with the review server's key declared; (root, the server's signer)."""
    return site_project, declare_server_key(site_project, tmp_path / "store")


def entry_of(root: Path, msgid: str, path: str = PL):
    return read_catalog(root / path).find(msgid)


def retranslate(root: Path, msgid: str, text: str, path: str = PL) -> str:
    """A translator's edit of one entry (its approval goes stale); returns its segment id."""
    po = read_catalog(root / path)
    entry = po.find(msgid)
    entry.msgstr = text
    write_catalog(po, root / path)
    return review.segment_id(Path(path).stem, entry)


def state_of(root: Path, msgid: str, catalog: str = "pl") -> str:
    items, _ = review.load_items(load_config(root), catalog, "pain-relief")
    return next(i for i in items if i.entry.msgid == msgid).state


def judged(root: Path, email: str, signer, via: str, catalog: str = "pl"):
    """Put a record by ``signer`` in ``email``'s name on FIRST, and judge it as the gate does."""
    config = load_config(root)
    po = read_catalog(root / PL)
    entry = po.find(FIRST)
    entry.tcomment = with_record(entry.tcomment, sign_record(entry, catalog, "approved", email, signer, via=via))
    return judge(entry, trust_for(config.reviewers, catalog, config.server_keys, config.server_retired_keys), po)


def test_a_server_signed_approval_opens_the_gate(served, locum):
    root, server = served
    segment = retranslate(root, FIRST, "Nie bierz więcej, niż mówi ulotka.")
    assert state_of(root, FIRST) == "stale"
    config = load_config(root)
    approved, _ = review.approve(config, "pl", PIOTR, ids=[segment], article="pain-relief", signer=server,
                                 via=VIA_SERVER)
    assert [i.id for i in approved] == [segment]
    record = parse_record(entry_of(root, FIRST).tcomment)
    assert record.via == VIA_SERVER and record.email == PIOTR
    assert "approval-via: review-server" in record.lines()
    assert state_of(root, FIRST) == "approved"
    assert locum(root, "review", "verify").code == 0
    assert locum(root, "check", "--locale", "pl").code == 0


def test_a_reviewer_not_declared_for_the_catalog_is_unverified(served):
    root, server = served
    assert judged(root, ANA, server, VIA_SERVER).state == "unverified"


@pytest.mark.parametrize("case", ["undeclared", "via-without-server-key", "server-key-without-via"])
def test_forged_server_records(served, case):
    root, server = served
    email, signer, via = {"undeclared": ("someone@example.org", server, VIA_SERVER),
                          "via-without-server-key": (PIOTR, load_key_file(key_of(PIOTR)), VIA_SERVER),
                          "server-key-without-via": (PIOTR, server, "")}[case]
    verdict = judged(root, email, signer, via)
    assert verdict.state == "forged", verdict
    assert {"undeclared": "not a declared reviewer", "via-without-server-key": "not signed with the review server",
            "server-key-without-via": "not made through it"}[case] in verdict.reason


def test_a_retired_server_key_is_unverified(site_project, tmp_path):
    server = declare_server_key(site_project, tmp_path / "store", retired=True)
    assert judged(site_project, PIOTR, server, VIA_SERVER).state == "unverified"


def test_the_server_key_may_not_be_a_reviewers(site_project, locum):
    line = Path(f"{key_of(PIOTR)}.pub").read_text().strip()
    with open(site_project / "locales/locum.toml", "a", encoding="utf-8") as out:
        out.write(f'\n[review_server]\nkey = "{line}"\nport = 1\n')
    result = locum(site_project, "review", "verify")
    lines = (site_project / "locales/locum.toml").read_text(encoding="utf-8").splitlines()
    assert result.code == 2
    assert (f"locales/locum.toml:{len(lines) - 1}: error: [review_server] key: this key is already declared for "
            "piotr.nowak@example.org") in result.err
    assert f"locales/locum.toml:{len(lines)}: error: [review_server]: unknown key 'port'" in result.err


def test_ssh_keygen_verifies_reviewer_and_server_records(served, locum, tmp_path):
    keygen = require("ssh-keygen")
    root, server = served
    signers = tmp_path / "allowed_signers"
    assert locum(root, "review", "allowed-signers", "--output", str(signers)).code == 0
    assert f'{SERVER_PRINCIPAL} namespaces="{NAMESPACE}" ssh-ed25519 ' in signers.read_text()
    mine = parse_record(entry_of(root, SECOND).tcomment)
    segment = retranslate(root, FIRST, "Nie bierz więcej, niż mówi ulotka.")
    review.approve(load_config(root), "pl", PIOTR, ids=[segment], article="pain-relief", signer=server,
                   via=VIA_SERVER)
    theirs = parse_record(entry_of(root, FIRST).tcomment)
    for record, principal in ((mine, PIOTR), (theirs, SERVER_PRINCIPAL)):
        (tmp_path / "message.sig").write_text(armor(record.signature))
        result = subprocess.run([keygen, "-Y", "verify", "-f", str(signers), "-I", principal, "-n", NAMESPACE,
                                 "-s", str(tmp_path / "message.sig")], input=record.message("pl"),
                                capture_output=True)
        assert result.returncode == 0, result.stderr


def test_an_expected_text_that_changed_is_a_conflict_and_nothing_is_written(served):
    root, server = served
    seen = text_digest(entry_of(root, FIRST))
    segment = retranslate(root, FIRST, "Nie bierz więcej, niż mówi ulotka.")     # the translator saves meanwhile
    before = (root / PL).read_bytes()
    with pytest.raises(review.Conflict) as caught:
        review.approve(load_config(root), "pl", PIOTR, ids=[segment], article="pain-relief", signer=server,
                       via=VIA_SERVER, expect={segment: seen})
    assert [i.entry.msgstr for i in caught.value.items] == ["Nie bierz więcej, niż mówi ulotka."]
    for action in (lambda: review.reject(load_config(root), "pl", PIOTR, segment, "No.", signer=server,
                                         via=VIA_SERVER, expect={segment: seen}),
                   lambda: review.edit(load_config(root), "pl", PIOTR, segment, ["Inny tekst."],
                                       expect={segment: seen})):
        with pytest.raises(review.Conflict):
            action()
    assert (root / PL).read_bytes() == before


def test_two_approvals_at_once_both_land(served):
    root, server = served
    first = retranslate(root, FIRST, "Nie bierz więcej, niż mówi ulotka.")
    second = retranslate(root, SECOND, "Podstawy leczenia bólu")
    expect = {first: text_digest(entry_of(root, FIRST)), second: text_digest(entry_of(root, SECOND))}
    start, errors = threading.Barrier(2), []

    def approve(segment: str) -> None:
        start.wait()
        try:
            review.approve(load_config(root), "pl", PIOTR, ids=[segment], article="pain-relief", signer=server,
                           via=VIA_SERVER, expect={segment: expect[segment]})
        except Exception as exc:        # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(segment,)) for segment in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert state_of(root, FIRST) == state_of(root, SECOND) == "approved"


def test_an_edit_is_rechecked_and_then_approvable(served):
    root, server = served
    config = load_config(root)
    entry = entry_of(root, CALL)
    segment = review.segment_id("pain-relief", entry)
    changed = review.edit(config, "pl", PIOTR, segment, [entry.msgstr.replace("999", "998")],
                          expect={segment: text_digest(entry)})
    assert any(code == "numbers" and severity == "error" for code, severity, _ in changed.findings), changed.findings
    assert changed.state == "stale" and "998" in entry_of(root, CALL).msgstr
    with pytest.raises(review.ReviewError, match="fix the error first"):
        review.approve(config, "pl", PIOTR, ids=[segment], article="pain-relief", signer=server, via=VIA_SERVER)
    fixed = review.edit(config, "pl", PIOTR, segment, [entry.msgstr.replace("dzwoń pod 999", "zadzwoń pod 999")],
                        expect={segment: text_digest(changed.entry)})
    assert fixed.findings == [] and fixed.state == "stale"
    review.approve(config, "pl", PIOTR, ids=[segment], article="pain-relief", signer=server, via=VIA_SERVER)
    assert state_of(root, CALL) == "approved"


def test_an_edit_clears_fuzzy_and_keeps_the_record(served):
    root, _ = served
    po = read_catalog(root / PL)
    entry = po.find(FIRST)
    entry.flags.append("fuzzy")
    entry.previous_msgid = "Do not take more."
    write_catalog(po, root / PL)
    segment = review.segment_id("pain-relief", entry)
    item = review.edit(load_config(root), "pl", PIOTR, segment, ["Nie przekraczaj dawki z ulotki."])
    assert "fuzzy" not in item.entry.flags and item.entry.previous_msgid is None
    assert item.state == "stale" and item.verdict.record.email == PIOTR
    with pytest.raises(review.ReviewError, match="not declared as a reviewer for pl"):
        review.edit(load_config(root), "pl", ANA, segment, ["x"])
    with pytest.raises(review.UsageError, match="empty"):
        review.edit(load_config(root), "pl", PIOTR, segment, [" "])


def test_server_key_on_the_command_line(site_project, locum, tmp_path):
    store = tmp_path / "store"
    first = locum(site_project, "review", "server-key", "--store", str(store))
    assert first.code == 0 and first.out.startswith("ssh-ed25519 ") and first.out.strip().endswith(SERVER_PRINCIPAL)
    assert "[review_server]" in first.err
    assert os.stat(store / "server_key").st_mode & 0o777 == 0o600
    assert os.stat(store).st_mode & 0o777 == 0o700
    again = locum(site_project, "review", "server-key", "--store", str(store))
    assert again.out == first.out


def test_server_key_default_store(site_project, locum, monkeypatch, tmp_path):
    monkeypatch.delenv("LOCUM_REVIEW_STORE", raising=False)
    assert locum(site_project, "review", "server-key").code == 0
    assert (site_project / ".review" / "server_key").exists()
    monkeypatch.setenv("LOCUM_REVIEW_STORE", str(tmp_path / "elsewhere"))
    assert locum(site_project, "review", "server-key").code == 0
    assert (tmp_path / "elsewhere" / "server_key").exists()


@pytest.mark.parametrize("email, password, message", [
    ("someone@example.org", "long enough password", "not a declared reviewer"),
    (PIOTR, "short", "at least 12 characters")])
def test_passwd_refuses(site_project, locum, monkeypatch, tmp_path, email, password, message):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    result = locum(site_project, "review", "passwd", email, "--store", str(tmp_path / "s"), "--password-stdin")
    assert result.code == 2 and message in result.err


def test_passwd_prompts_twice(site_project, locum, monkeypatch, tmp_path):
    answers = iter(["correct horse battery", "correct horse battery!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    result = locum(site_project, "review", "passwd", PIOTR, "--store", str(tmp_path / "s"))
    assert result.code == 2 and "differ" in result.err


def test_passwd_sets_the_password(site_project, locum, monkeypatch, tmp_path):
    store = pytest.importorskip("workflow.server.store")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    result = locum(site_project, "review", "passwd", PIOTR.upper(), "--store", str(tmp_path / "s"), "--password-stdin")
    assert result.code == 0, result.err
    assert store.Store(tmp_path / "s").check_password(PIOTR, "correct horse battery staple", "127.0.0.1") == "ok"


def test_serve_runs_the_app_without_holding_the_project_lock(site_project, locum, monkeypatch, tmp_path):
    monkeypatch.delenv("LOCUM_REVIEW_STORE", raising=False)
    import sys
    import types

    from workflow.lock import project_lock
    calls = []

    def serve(config, store_dir, host, port, secure_cookies):
        with project_lock(config.root, "test", wait=0):       # the server takes it per action, not for its life
            calls.append((config.root, store_dir, host, port, secure_cookies))

    monkeypatch.setitem(sys.modules, "workflow.server.app", types.SimpleNamespace(serve=serve))
    assert locum(site_project, "review", "serve", "--store", str(tmp_path / "s"), "--port", "9000").code == 0
    assert locum(site_project, "review", "serve", "--host", "0.0.0.0", "--insecure-cookies").code == 0
    assert calls == [(site_project, tmp_path / "s", "127.0.0.1", 9000, True),
                     (site_project, site_project / ".review", "0.0.0.0", 8400, False)]


def test_a_batch_writes_the_others_and_reports_the_one_that_conflicts(served):
    root, server = served
    first = retranslate(root, FIRST, "Nie bierz więcej, niż mówi ulotka.")
    seen_second = text_digest(entry_of(root, SECOND))
    second = retranslate(root, SECOND, "Leczenie bólu: podstawy")       # saved after the reviewer read it
    call = review.segment_id("pain-relief", entry_of(root, CALL))
    actions = [review.Action("approve", PIOTR, first, text_digest(entry_of(root, FIRST))),
               review.Action("approve", PIOTR, second, seen_second),
               review.Action("reject", PIOTR, call, text_digest(entry_of(root, CALL)), reason="Too long.")]
    results = review.apply_actions(load_config(root), "pl", "pain-relief", actions, server, via=VIA_SERVER)
    assert results[0] is None and isinstance(results[1], review.Conflict) and results[2] is None
    assert state_of(root, FIRST) == "approved" and state_of(root, SECOND) == "stale"
    assert state_of(root, CALL) == "rejected"
    record = parse_record(entry_of(root, FIRST).tcomment)
    assert record.email == PIOTR and record.via == VIA_SERVER


def test_a_batch_is_judged_in_order_and_a_refused_action_changes_nothing(served):
    root, server = served
    entry = entry_of(root, CALL)
    segment, before = review.segment_id("pain-relief", entry), text_digest(entry)
    broken = entry.msgstr.replace("999", "998")
    fixed = entry.msgstr.replace("dzwoń pod 999", "zadzwoń pod 999")
    digest = lambda text: text_digest(type(entry)(msgid=entry.msgid, msgstr=text))       # noqa: E731
    actions = [review.Action("edit", PIOTR, segment, before, msgstrs=(broken,)),
               review.Action("approve", ANA, segment, digest(broken)),       # not declared for pl
               review.Action("approve", PIOTR, segment, digest(broken)),     # a number error now
               review.Action("approve", PIOTR, segment, before),             # the text it saw was edited
               review.Action("edit", PIOTR, segment, digest(broken), msgstrs=(fixed,)),
               review.Action("approve", PIOTR, segment, digest(fixed))]
    results = review.apply_actions(load_config(root), "pl", "pain-relief", actions, server, via=VIA_SERVER)
    assert results[0] is None and results[4] is None and results[5] is None
    assert isinstance(results[1], review.ReviewError) and "not declared" in str(results[1])
    assert isinstance(results[2], review.ReviewError) and "fix the error first" in str(results[2])
    assert isinstance(results[3], review.Conflict)
    assert entry_of(root, CALL).msgstr == fixed and state_of(root, CALL) == "approved"


def test_a_save_during_a_batch_writes_nothing_and_every_done_action_conflicts(served, monkeypatch):
    root, server = served
    first = retranslate(root, FIRST, "Nie bierz więcej, niż mówi ulotka.")
    second = retranslate(root, SECOND, "Leczenie bólu: podstawy")
    actions = [review.Action("approve", PIOTR, first, text_digest(entry_of(root, FIRST))),
               review.Action("approve", PIOTR, second, text_digest(entry_of(root, SECOND)))]
    real = review.load_items

    def read_then_translator_saves(*args, **kwargs):
        loaded = real(*args, **kwargs)
        (root / PL).write_bytes((root / PL).read_bytes() + b"\n")
        return loaded

    monkeypatch.setattr(review, "load_items", read_then_translator_saves)
    results = review.apply_actions(load_config(root), "pl", "pain-relief", actions, server, via=VIA_SERVER)
    saved = (root / PL).read_bytes()
    assert all(isinstance(result, ConflictError) for result in results)
    monkeypatch.undo()
    assert saved.endswith(b"\n\n") and state_of(root, FIRST) == state_of(root, SECOND) == "stale"

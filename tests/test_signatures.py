"""Signed approvals: only a record that verifies opens the gate; every forgery is named at path:line.

Each forgery is made the way a person could make it with a text editor or a
key of their own; afterwards the page stays unpublished, ``check`` reports an
``[approval]`` error at the entry's line and ``review verify`` exits 1 naming
it. Stock OpenSSH (``ssh-keygen -Y verify``, ``ssh-agent``) is the judge of
the signature format.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import key_of, require, sign_approval

from workflow import sshsig
from workflow.approval import NAMESPACE, Record, judge, parse_record, trust_for, with_record
from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.sshsig import armor, load_key_file

PL = "locales/pl/LC_MESSAGES/pain-relief.po"
ES = "locales/es/LC_MESSAGES/pain-relief.po"
MSGID = "Do not take more than the leaflet says."
OTHER = "Pain relief basics"
PIOTR = "piotr.nowak@example.org"


def edit(root: Path, path: str, msgid: str, change) -> int:
    """Apply ``change(entry, po)`` to one entry and save; returns the entry's line."""
    po = read_catalog(root / path)
    entry = po.find(msgid)
    change(entry, po)
    write_catalog(po, root / path)
    return read_catalog(root / path).find(msgid).linenum


def replace_line(entry, prefix: str, new: str) -> None:
    entry.tcomment = "\n".join(new if line.startswith(prefix) else line for line in entry.tcomment.split("\n"))


def assert_forged(root: Path, locum, path: str, line: int, reason: str) -> None:
    check = locum(root, "check", "--locale", path.split("/")[1])
    assert check.code == 1
    assert re.search(rf"^{re.escape(path)}:{line}: error \[approval\] forged approval record: .*{reason}",
                     check.out, re.M), check.out
    verify = locum(root, "review", "verify")
    assert verify.code == 1
    assert re.search(rf"^{re.escape(path)}:{line}: forged .*{reason}", verify.out, re.M), verify.out
    publish = locum(root, "publish")
    assert publish.code == 0
    slug = Path(path).stem
    locale = {"pl": "pl-GB", "es": "es-US", "es_US": "es-US"}[path.split("/")[1]]
    assert not (root / "output" / locale / slug / "index.html").exists()


@pytest.fixture
def signed(site_project, locum):
    assert locum(site_project, "publish").code == 0
    assert (site_project / "output/pl-GB/pain-relief/index.html").exists()
    return site_project


def test_every_shipped_record_verifies(signed, locum):
    result = locum(signed, "review", "verify")
    assert result.code == 0
    assert "forged" not in result.out and "stale" not in result.out
    assert re.search(r"verify: \d+ approved$", result.err.strip())


def test_a_hand_written_record_is_forged(signed, locum):
    def write(entry, po):
        entry.msgstr = "Nie przekraczaj dawki."
        real = parse_record(entry.tcomment)
        fake = Record("approved", "2026-11-22T09:00:00Z", PIOTR, real.source, real.text, b"\x00" * 184)
        entry.tcomment = with_record(entry.tcomment, fake)
    assert_forged(signed, locum, PL, edit(signed, PL, MSGID, write), "signature does not hold")


def test_a_record_copied_from_another_entry_is_forged(signed, locum):
    po = read_catalog(signed / PL)
    donor = po.find(OTHER).tcomment

    def copy(entry, po):
        entry.msgstr = "Nie przekraczaj dawki."
        entry.tcomment = donor
    assert_forged(signed, locum, PL, edit(signed, PL, MSGID, copy), "copied from another entry")


@pytest.mark.parametrize("field, new", [
    ("approval: ", "approval: approved 2099-01-01T00:00:00Z"),
    ("approval-by: ", "approval-by: layla.haddad@example.org"),
    ("approval: ", "approval: rejected 2026-11-22T09:00:00Z"),
], ids=["date", "reviewer", "meaning"])
def test_a_record_whose_date_reviewer_or_meaning_was_changed_is_forged(signed, locum, field, new):
    line = edit(signed, PL, MSGID, lambda entry, po: replace_line(entry, field, new))
    assert_forged(signed, locum, PL, line, "signature does not hold")


def test_a_record_moved_to_another_catalog_is_forged(signed, locum):
    donor = read_catalog(signed / ES).find(MSGID).tcomment
    line = edit(signed, PL, MSGID, lambda entry, po: setattr(entry, "tcomment", donor))
    assert_forged(signed, locum, PL, line, "signature does not hold")


def test_a_record_signed_with_an_undeclared_key_is_forged(signed, locum, tmp_path):
    require("ssh-keygen")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "mallory")], check=True)

    def sign(entry, po):
        entry.msgstr = "Nie przekraczaj dawki."
        from workflow.approval import sign_record
        record = sign_record(entry, "pl", "approved", PIOTR, load_key_file(tmp_path / "mallory"))
        entry.tcomment = with_record(entry.tcomment, record)
    assert_forged(signed, locum, PL, edit(signed, PL, MSGID, sign), "key no reviewer declares")


def test_a_record_dated_in_the_future_is_forged(signed, locum):
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    line = edit(signed, PL, MSGID, lambda entry, po: sign_approval(entry, "pl", when=future))
    assert_forged(signed, locum, PL, line, "dated in the future")


def test_an_approval_whose_key_was_retired_is_unverified(signed, locum):
    config = signed / "locales/locum.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r'(email = "piotr\.nowak@example\.org"\ncatalogs = \["pl"\]\n)keys =',
                             r"\1retired_keys =", text), encoding="utf-8")
    verify = locum(signed, "review", "verify", "--locale", "pl")
    assert verify.code == 0 and "forged" not in verify.out
    assert f"{PL}:" in verify.out and " unverified piotr.nowak@example.org" in verify.out
    check = locum(signed, "check", "--locale", "pl")
    assert "warning [approval] unverified approval" in check.out
    assert locum(signed, "publish").code == 0
    assert not (signed / "output/pl-GB/pain-relief/index.html").exists()


def test_approving_with_a_key_not_declared_for_the_reviewer_is_refused(signed, locum):
    edit(signed, PL, MSGID, lambda entry, po: setattr(entry, "msgstr", "Nie przekraczaj dawki."))
    before = (signed / PL).read_bytes()
    result = locum(signed, "review", "approve", "--locale", "pl", "--reviewer", PIOTR, "--article", "pain-relief",
                   "--all-clean", "--key", str(key_of("ana.lopez@example.org")))
    assert result.code == 2 and "is not one declared for piotr.nowak@example.org" in result.err
    result = locum(signed, "review", "approve", "--locale", "pl", "--reviewer", PIOTR, "--article", "pain-relief",
                   "--all-clean")
    assert result.code == 2 and "no signing key for piotr.nowak@example.org" in result.err
    assert (signed / PL).read_bytes() == before


def test_ssh_keygen_verifies_a_record_with_the_exported_allowed_signers(signed, locum, tmp_path):
    keygen = require("ssh-keygen")
    result = locum(signed, "review", "allowed-signers", "--output", str(tmp_path / "allowed_signers"))
    assert result.code == 0
    record = parse_record(read_catalog(signed / PL).find(MSGID).tcomment)
    (tmp_path / "message").write_bytes(record.message("pl"))
    (tmp_path / "message.sig").write_text(armor(record.signature))
    good = subprocess.run([keygen, "-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", PIOTR,
                           "-n", NAMESPACE, "-s", str(tmp_path / "message.sig")],
                          stdin=open(tmp_path / "message", "rb"), capture_output=True, text=True)
    assert good.returncode == 0 and f'Good "{NAMESPACE}" signature for {PIOTR}' in good.stdout
    (tmp_path / "message").write_bytes(record.message("es"))        # the same record claimed for another catalog
    bad = subprocess.run([keygen, "-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", PIOTR,
                          "-n", NAMESPACE, "-s", str(tmp_path / "message.sig")],
                         stdin=open(tmp_path / "message", "rb"), capture_output=True, text=True)
    assert bad.returncode != 0


def test_a_reviewer_signs_through_ssh_agent(signed, locum, tmp_path):
    agent = require("ssh-agent")
    socket = tmp_path / "agent.sock"
    started = subprocess.run([agent, "-a", str(socket)], capture_output=True, text=True, check=True)
    pid = int(re.search(r"SSH_AGENT_PID=(\d+)", started.stdout).group(1))
    try:
        env = {**os.environ, "SSH_AUTH_SOCK": str(socket)}
        private = tmp_path / "piotr"          # ssh-add wants a private file (git keeps no 0600 mode)
        private.write_bytes(key_of(PIOTR).read_bytes())
        private.chmod(0o600)
        subprocess.run([require("ssh-add"), str(private)], env=env, check=True, capture_output=True)
        edit(signed, PL, MSGID, lambda entry, po: setattr(entry, "msgstr", "Nie przekraczaj dawki z ulotki."))
        os.environ["SSH_AUTH_SOCK"] = str(socket)
        try:
            result = locum(signed, "review", "approve", "--locale", "pl", "--reviewer", PIOTR,
                           "--article", "pain-relief", "--all-clean")
        finally:
            del os.environ["SSH_AUTH_SOCK"]
        assert result.code == 0 and "1 segment(s) approved" in result.out, result.err
        po = read_catalog(signed / PL)
        trust = trust_for(load_config(signed).reviewers, "pl")
        assert judge(po.find(MSGID), trust, po).state == "approved"
    finally:
        os.kill(pid, 15)


def test_the_record_survives_a_reason_with_a_long_word(signed, locum):
    reason = "Use the wording of https://www.nhs.uk/medicines/paracetamol-for-adults/how-and-when-to-take-it/ here"
    edit(signed, PL, MSGID, lambda entry, po: setattr(entry, "msgstr", "Nie przekraczaj dawki."))
    out = locum(signed, "review", "pending", "--locale", "pl").out
    (segment,) = [line.split("]")[0].lstrip("[") for line in out.splitlines() if line.startswith("[")]
    result = locum(signed, "review", "reject", "--locale", "pl", "--reviewer", PIOTR, "--id", segment,
                   "--reason", reason, "--key", str(key_of(PIOTR)))
    assert result.code == 0
    entry = read_catalog(signed / PL).find(MSGID)
    assert all(len(f"# {line}") <= 72 for line in entry.tcomment.split("\n") if line.startswith("approval"))
    assert parse_record(entry.tcomment).reason == reason
    po = read_catalog(signed / PL)
    assert judge(po.find(MSGID), trust_for(load_config(signed).reviewers, "pl"), po).state == "rejected"


# The suggestion flow: memory -> pending lists it -> accept -> published, with provenance in the audit.

REPEATED = "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it."


@pytest.fixture
def suggested(signed, locum):
    """A new article repeating a sentence another article's catalogs already translate, prefilled from memory."""
    (signed / "source/first-steps.md").write_text(
        "---\ntitle: First steps\n---\n\nParacetamol is often the first medicine to try for mild pain.\n"
        "Read the leaflet before you take it.\n", encoding="utf-8")
    assert locum(signed, "extract").code == 0 and locum(signed, "update").code == 0
    result = locum(signed, "translate", "--locale", "pl", "--provider", "memory", "--article", "first-steps")
    assert result.code == 0 and "filled 1 entry" in result.out, result.out + result.err
    return signed


def _pending(root, locum) -> dict[str, str]:
    out = locum(root, "review", "pending", "--locale", "pl", "--article", "first-steps").out
    return {line.split("]")[0].lstrip("["): line for line in out.splitlines() if line.startswith("[")}, out


def test_a_suggestion_is_listed_accepted_explicitly_and_published_with_its_origin(suggested, locum):
    items, out = _pending(suggested, locum)
    (segment,) = [sid for sid, line in items.items() if "state: suggested" in line]
    assert "from:   tm: 100% pl/pain-relief" in out
    refused = locum(suggested, "review", "approve", "--locale", "pl", "--reviewer", PIOTR, "--id", segment,
                    "--key", str(key_of(PIOTR)))
    assert refused.code == 2 and "--accept-suggestion" in refused.err
    clean = locum(suggested, "review", "approve", "--locale", "pl", "--reviewer", PIOTR,
                  "--article", "first-steps", "--all-clean", "--key", str(key_of(PIOTR)))
    assert "approved" in clean.out and read_catalog(suggested / "locales/pl/LC_MESSAGES/first-steps.po"
                                                    ).find(REPEATED).fuzzy      # --all-clean never accepts one
    accepted = locum(suggested, "review", "approve", "--locale", "pl", "--reviewer", PIOTR, "--id", segment,
                     "--accept-suggestion", "--key", str(key_of(PIOTR)))
    assert accepted.code == 0, accepted.err
    po = read_catalog(suggested / "locales/pl/LC_MESSAGES/first-steps.po")
    entry = po.find(REPEATED)
    assert not entry.fuzzy
    record = parse_record(entry.tcomment)
    assert record.origin == "tm: 100% pl/pain-relief"
    edit(suggested, "locales/pl/LC_MESSAGES/first-steps.po", "First steps",
         lambda entry, po: setattr(entry, "msgstr", "Pierwsze kroki"))            # the translator's title
    assert locum(suggested, "review", "approve", "--locale", "pl", "--reviewer", PIOTR, "--article", "first-steps",
                 "--all-clean", "--key", str(key_of(PIOTR))).code == 0
    published = locum(suggested, "publish")
    assert published.code == 0, published.err
    assert (suggested / "output/pl-GB/first-steps/index.html").exists()
    audit = (suggested / "locales/pl/LC_MESSAGES/first-steps.audit.json").read_text(encoding="utf-8")
    assert '"origin": "tm: 100% pl/pain-relief"' in audit


def test_a_post_edited_suggestion_says_so_and_cannot_be_accepted_as_is(suggested, locum):
    path = "locales/pl/LC_MESSAGES/first-steps.po"
    edit(suggested, path, REPEATED, lambda entry, po: setattr(entry, "msgstr", entry.msgstr + " Zawsze."))
    items, out = _pending(suggested, locum)
    assert "from:   post-edited from tm: 100% pl/pain-relief" in out and "state: fuzzy" in out
    (segment,) = [sid for sid, line in items.items() if "state: fuzzy" in line]
    refused = locum(suggested, "review", "approve", "--locale", "pl", "--reviewer", PIOTR, "--id", segment,
                    "--accept-suggestion", "--key", str(key_of(PIOTR)))
    assert refused.code == 2 and "clears fuzzy" in refused.err


def _signed_messages(root: Path, pattern: str = "*/LC_MESSAGES/*.po") -> set[bytes]:
    """What the records of the catalogs matching ``pattern`` sign (one message may recur: same text, same key)."""
    return {record.message(path.parent.parent.name) for path in (root / "locales").glob(pattern)
            for entry in read_catalog(path) if isinstance(record := parse_record(entry.tcomment), Record)}


def test_a_cold_publish_verifies_each_record_and_an_incremental_one_only_the_catalog_that_changed(
        site_project, locum, monkeypatch):
    monkeypatch.setenv("LOCUM_WORKERS", "1")        # every stage in this process, where the count is kept
    verified: list[bytes] = []
    inner = sshsig.verify.__wrapped__

    def counting(blob, message, namespace):
        verified.append(message)
        return inner(blob, message, namespace)

    monkeypatch.setattr(sshsig, "verify", lru_cache(maxsize=65536)(counting))
    assert locum(site_project, "publish").code == 0
    assert len(verified) == len(set(verified)) > 10
    assert set(verified) == _signed_messages(site_project)

    path = "locales/pl/LC_MESSAGES/pain-relief.po"
    po = read_catalog(site_project / path)
    entry = next(e for e in po if e.msgstr and not e.obsolete and parse_record(e.tcomment))
    entry.msgstr += " (poprawione)"
    sign_approval(entry, "pl")
    write_catalog(po, site_project / path)
    sshsig.verify.cache_clear()         # what a new process starts with
    verified.clear()
    assert locum(site_project, "publish").code == 0
    assert verified and set(verified) <= _signed_messages(site_project, "pl/LC_MESSAGES/pain-relief.po")


def test_an_item_judged_once_has_the_findings_of_its_record(signed):
    """judge_item judges a record once for its verdict and its findings: the same findings as the checks'
    own judging, for a forged record, an approved one and none."""
    from workflow.catalogs import plural_count
    from workflow.findings import check_entry
    from workflow.glossary import load_glossary
    from workflow.review import judge_item, segment_id
    from workflow.review import trust_for as review_trust

    def write(entry, po):
        entry.msgstr = "Nie przekraczaj dawki."
        real = parse_record(entry.tcomment)
        entry.tcomment = with_record(entry.tcomment, Record("approved", "2026-11-22T09:00:00Z", PIOTR,
                                                            real.source, real.text, b"\x00" * 184))
    edit(signed, PL, MSGID, write)
    config = load_config(signed)
    po = read_catalog(signed / PL)
    trust, glossary = review_trust(config, "pl"), load_glossary(signed, config.catalogs)
    nplurals = plural_count(po.metadata.get("Plural-Forms"))
    states = set()
    for entry in (e for e in po if not e.obsolete):
        item = judge_item(config, segment_id("pain-relief", entry), "pl", signed / PL, entry, glossary, nplurals,
                          trust, po)
        assert item.findings == check_entry(entry, "pl", glossary, nplurals, trust, po, config.source_language)
        states.add(item.verdict.state)
    assert {"forged", "approved"} <= states
    assert any(check == "approval" for check, _, _ in
               judge_item(config, "x", "pl", signed / PL, po.find(MSGID), glossary, nplurals, trust, po).findings)

"""``compile.passes_gate``, the one decision that matters most, case by case.

Each row is an entry as a translator or a tool may leave it, and whether
readers may see it. Every row is decided twice: from scratch (signatures
verified, checks run) and the way compile decides after a check of the same
bytes (``known_errors``); the two must agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from workflow import sshsig
from workflow.approval import sign_record, trust_for, with_record
from workflow.catalogs import POEntry
from workflow.checks import ERROR
from workflow.compile import passes_gate
from workflow.config import Reviewer
from workflow.findings import APPROVAL, check_entry

KEYS = Path(__file__).parent / "data" / "keys"
CATALOG = "es"


def _key(name: str) -> tuple[sshsig.Signer, str]:
    return sshsig.load_key_file(KEYS / name), (KEYS / f"{name}.pub").read_text().strip()


ANA, ANA_PUB = _key("ana.lopez")            # declared for es
SAM, SAM_PUB = _key("sam.carter")           # declared, but for another catalog
PIOTR, PIOTR_PUB = _key("piotr.nowak")      # ana's retired key in these rows
LAYLA, _ = _key("layla.haddad")             # nobody's key here
REVIEWERS = (Reviewer("Ana López", "ana.lopez@example.org", ("es",), (ANA_PUB,), (PIOTR_PUB,)),
             Reviewer("Sam Carter", "sam.carter@example.org", ("fr",), (SAM_PUB,)))
TRUST = trust_for(REVIEWERS, CATALOG)


@dataclass(frozen=True)
class Case:
    entry: Callable[[], POEntry]
    signer: sshsig.Signer | None = ANA
    email: str = "ana.lopez@example.org"
    meaning: str = "approved"
    after: Callable[[POEntry], None] = lambda entry: None      # what happens to the entry once it is signed
    nplurals: int = 2
    ahead: dt.timedelta = dt.timedelta(hours=-1)    # the record's date, from the moment the case is signed


def _plain(msgstr: str = "Tome 30 mg una vez al día.", msgid: str = "Take 30 mg once a day.", **kw) -> POEntry:
    return POEntry(msgid=msgid, msgstr=msgstr, **kw)


def _plural(forms=None) -> POEntry:
    return POEntry(msgid="%(num)d day", msgid_plural="%(num)d days", flags=["python-format"],
                   msgstr_plural=forms if forms is not None else {0: "%(num)d día", 1: "%(num)d días"})


def _set(attribute: str, value) -> Callable[[POEntry], None]:
    return lambda entry: setattr(entry, attribute, value)


def _fuzzy(entry: POEntry) -> None:
    entry.flags.append("fuzzy")


def _tamper(entry: POEntry) -> None:
    entry.tcomment = entry.tcomment.replace("ana.lopez@example.org", "sam.carter@example.org")


CASES = {
    "approved by a reviewer of the catalog": (Case(_plain), True),
    "approved plural, every form": (Case(_plural), True),
    "never approved": (Case(_plain, signer=None), False),
    "untranslated, signed": (Case(lambda: _plain("")), False),
    "fuzzy after approval": (Case(_plain, after=_fuzzy), False),
    "obsolete": (Case(_plain, after=_set("obsolete", True)), False),
    "text edited after approval (stale)": (Case(_plain, after=_set("msgstr", "Tome 30 mg dos veces al día.")),
                                           False),
    "source changed after approval": (Case(_plain, after=_set("msgid", "Take 20 mg once a day.")), False),
    "record edited by hand (forged)": (Case(_plain, after=_tamper), False),
    "signed by a key nobody declared": (Case(_plain, signer=LAYLA), False),
    "signed by a reviewer of another catalog": (Case(_plain, signer=SAM, email="sam.carter@example.org"), False),
    "signed with a retired key": (Case(_plain, signer=PIOTR), False),
    "rejected, not approved": (Case(_plain, meaning="rejected"), False),
    "dated in the future": (Case(_plain, ahead=dt.timedelta(days=2)), False),
    "dated 11 minutes ahead (clocks may run 10 ahead)": (Case(_plain, ahead=dt.timedelta(minutes=11)), False),
    "dated 9 minutes ahead": (Case(_plain, ahead=dt.timedelta(minutes=9)), True),
    "approved, but the dose differs (check error)": (Case(lambda: _plain("Tome 300 mg una vez al día.")), False),
    "approved, but carries a script tag": (Case(lambda: _plain("Tome 30 mg <script>x()</script> al día.")), False),
    "plural missing a form": (Case(lambda: _plural({0: "%(num)d día", 1: ""})), False),
    "plural short of the catalog's nplurals": (Case(_plural, nplurals=3), False),
    "plural whose format breaks": (Case(lambda: _plural({0: "%(num)d día", 1: "%(numero)d días"})), False),
}


def _entry(case: Case) -> POEntry:
    entry = case.entry()
    if case.signer is not None:
        record = sign_record(entry, CATALOG, case.meaning, case.email, case.signer, when=dt.datetime.now(dt.timezone.utc) + case.ahead)
        entry.tcomment = with_record(entry.tcomment, record)
    case.after(entry)
    return entry


def _known_errors(entry: POEntry, nplurals: int) -> set[str]:
    """What a check of the same bytes hands compile: msgids with an error or an unverified record."""
    found = check_entry(entry, CATALOG, None, nplurals, TRUST, [entry])
    return {entry.msgid for check, severity, _ in found if severity == ERROR or check == APPROVAL}


@pytest.mark.parametrize("name", CASES)
def test_the_gate(name):
    case, expected = CASES[name]
    entry = _entry(case)
    assert passes_gate(entry, CATALOG, None, TRUST, None, case.nplurals, [entry]) is expected
    assert passes_gate(entry, CATALOG, None, TRUST, _known_errors(entry, case.nplurals), case.nplurals,
                       [entry]) is expected


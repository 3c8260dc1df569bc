"""The review server's store: Argon2 accounts, throttled logins, hashed session tokens, the audit log, one file."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from workflow import sshsig
from workflow.errors import LocumError, UsageError
from workflow.server.store import DATABASE, AuditRow, Store, token_digest

EMAIL = "ana.ruiz@clinic.example"
PASSWORD = "correct horse battery"
CHEAP = dict(time_cost=1, memory_cost=1024, parallelism=1)     # the real policy costs ~0.15 s a hash


class Clock:
    """A clock the test moves: ``store.now`` without sleeping."""

    def __init__(self):
        self.time = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.time

    def advance(self, **delta) -> None:
        self.time += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    with Store(tmp_path / "store", hasher=PasswordHasher(**CHEAP), now=clock) as opened:
        opened.set_password(EMAIL, PASSWORD)
        yield opened


def _raw(store: Store) -> sqlite3.Connection:
    return sqlite3.connect(store.path)


# -- accounts ---------------------------------------------------------------

def test_right_and_wrong_passwords(store):
    assert store.has_password(EMAIL) and not store.has_password("someone@clinic.example")
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"
    assert store.check_password(EMAIL, PASSWORD + "!", "10.0.0.1") == "wrong"
    assert store.check_password("someone@clinic.example", PASSWORD, "10.0.0.1") == "wrong"
    assert store.check_password(EMAIL, "", "10.0.0.1") == "wrong"
    assert store.check_password(EMAIL, "x" * 100_000, "10.0.0.1") == "wrong"


def test_emails_compare_case_insensitively_and_keep_their_spelling(store):
    store.set_password("Luis.Gomez@Clinic.example", PASSWORD)
    assert store.has_password("luis.gomez@clinic.EXAMPLE")
    assert store.check_password(" LUIS.GOMEZ@clinic.example", PASSWORD, "10.0.0.1") == "ok"
    token, _ = store.open_session("luis.gomez@clinic.example")
    assert store.session(token).email == "Luis.Gomez@Clinic.example"


def test_password_rules(store):
    with pytest.raises(UsageError, match="at least 12"):
        store.set_password(EMAIL, "short")
    with pytest.raises(UsageError, match="e-mail"):
        store.set_password("nobody", PASSWORD)
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"      # the old password stays


def test_only_a_hash_is_stored(store):
    [(stored,)] = _raw(store).execute("SELECT hash FROM accounts").fetchall()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


class CountingHasher(PasswordHasher):
    def __init__(self):
        super().__init__(**CHEAP)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_email_costs_a_verification_too(tmp_path):
    hasher = CountingHasher()
    with Store(tmp_path, hasher=hasher) as store:
        store.set_password(EMAIL, PASSWORD)
        assert store.check_password("nobody@clinic.example", PASSWORD, "10.0.0.1") == "wrong"
        assert store.check_password(EMAIL, "wrong password!", "10.0.0.1") == "wrong"
    assert hasher.verified == 2


def test_an_old_hash_is_replaced_at_the_next_login(tmp_path):
    with Store(tmp_path, hasher=PasswordHasher(**CHEAP)) as old:
        old.set_password(EMAIL, PASSWORD)
    policy = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    with Store(tmp_path, hasher=policy) as store:
        assert store.check_password(EMAIL, "wrong password!", "10.0.0.1") == "wrong"
        [(before,)] = _raw(store).execute("SELECT hash FROM accounts").fetchall()
        assert policy.check_needs_rehash(before)                 # a failed login changes nothing
        assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"
        [(after,)] = _raw(store).execute("SELECT hash FROM accounts").fetchall()
        assert after != before and not policy.check_needs_rehash(after)
        assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"


# -- throttling -------------------------------------------------------------

def test_five_failures_for_an_email_throttle_it_until_the_oldest_is_15_minutes_old(store, clock):
    start = clock.time
    for _ in range(5):
        assert store.check_password(EMAIL, "wrong password!", "10.0.0.1") == "wrong"
        clock.advance(seconds=10)
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.2") == "throttled"     # right password, other address
    assert store.check_password(EMAIL.upper(), PASSWORD, "10.0.0.2") == "throttled"
    store.set_password("luis.gomez@clinic.example", PASSWORD)
    assert store.check_password("luis.gomez@clinic.example", PASSWORD, "10.0.0.1") == "ok"   # others are not
    clock.time = start + timedelta(minutes=15) - timedelta(seconds=1)
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "throttled"
    clock.time = start + timedelta(minutes=15)
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"


def test_throttled_attempts_do_not_extend_the_window(store, clock):
    for _ in range(5):
        store.check_password(EMAIL, "wrong password!", "10.0.0.1")
    for _ in range(14):
        clock.advance(minutes=1)
        assert store.check_password(EMAIL, "wrong password!", "10.0.0.1") == "throttled"
    clock.advance(minutes=1)
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"


def test_twenty_failures_from_an_address_throttle_it(store, clock):
    for n in range(20):
        assert store.check_password(f"guess{n}@clinic.example", PASSWORD, "203.0.113.9") == "wrong"
    assert store.check_password(EMAIL, PASSWORD, "203.0.113.9") == "throttled"
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"
    clock.advance(minutes=15)
    assert store.check_password(EMAIL, PASSWORD, "203.0.113.9") == "ok"


def test_a_success_clears_the_emails_failures(store):
    for _ in range(4):
        store.check_password(EMAIL, "wrong password!", "10.0.0.1")
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"
    for _ in range(4):
        assert store.check_password(EMAIL, "wrong password!", "10.0.0.1") == "wrong"
    assert store.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"


def test_concurrent_guesses_cannot_pass_the_limit(store):
    hasher = CountingHasher()
    store.hasher = hasher
    threads = [threading.Thread(target=store.check_password, args=(EMAIL, f"guess number {n}", "10.0.0.1"))
               for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert hasher.verified == 5


# -- sessions ---------------------------------------------------------------

def test_a_session_names_its_reviewer_and_has_its_own_csrf_token(store, clock):
    token, csrf = store.open_session(EMAIL)
    other, other_csrf = store.open_session(EMAIL)
    assert len({token, csrf, other, other_csrf}) == 4 and len(token) >= 43
    session = store.session(token)
    assert (session.email, session.csrf, session.created) == (EMAIL, csrf, clock.time)
    assert store.session(other).csrf == other_csrf
    assert store.session("forged") is None and store.session("") is None


def test_sessions_for_an_unknown_account_are_refused(store):
    with pytest.raises(UsageError, match="no password"):
        store.open_session("nobody@clinic.example")


def test_the_database_holds_only_the_tokens_digest(store):
    token, _ = store.open_session(EMAIL)
    store.session(token)
    stored = b"".join(path.read_bytes() for path in store.folder.iterdir())
    assert token.encode() not in stored and PASSWORD.encode() not in stored
    assert [token_digest(token)] == [row[0] for row in _raw(store).execute("SELECT digest FROM sessions")]


def test_an_idle_session_expires_after_8_hours(store, clock):
    token, _ = store.open_session(EMAIL)
    clock.advance(hours=7, minutes=59)
    assert store.session(token) is not None
    clock.advance(hours=7, minutes=59)                  # idle counts from the last use
    assert store.session(token) is not None
    clock.advance(hours=8)
    assert store.session(token) is None
    clock.advance(hours=-8)
    assert store.session(token) is None                 # closed, not merely hidden


def test_any_session_expires_after_7_days(store, clock):
    token, _ = store.open_session(EMAIL)
    for _ in range(7 * 24 - 1):
        clock.advance(hours=1)
        assert store.session(token) is not None
    clock.advance(hours=1)
    assert store.session(token) is None


def test_last_seen_is_written_at_most_once_a_minute(store, clock):
    token, _ = store.open_session(EMAIL)
    opened = clock.time.timestamp()

    def last_seen():
        return _raw(store).execute("SELECT last_seen FROM sessions").fetchone()[0]

    clock.advance(seconds=59)
    store.session(token)
    assert last_seen() == opened
    clock.advance(seconds=1)
    store.session(token)
    assert last_seen() == opened + 60


def test_logout_closes_one_session(store):
    token, _ = store.open_session(EMAIL)
    other, _ = store.open_session(EMAIL)
    store.close_session(token)
    store.close_session(token)
    assert store.session(token) is None and store.session(other) is not None


def test_a_new_password_closes_the_reviewers_sessions(store):
    store.set_password("luis.gomez@clinic.example", PASSWORD)
    mine, _ = store.open_session(EMAIL)
    theirs, _ = store.open_session("luis.gomez@clinic.example")
    store.set_password(EMAIL.upper(), "a brand new password")
    assert store.session(mine) is None and store.session(theirs) is not None
    again, _ = store.open_session(EMAIL)
    assert store.close_sessions(EMAIL) == 1 and store.session(again) is None


# -- audit ------------------------------------------------------------------

def test_the_audit_log_is_newest_first_and_append_only(store, clock):
    store.audit(EMAIL, "login", "10.0.0.1")
    clock.advance(seconds=5)
    store.audit(EMAIL, "approve", "10.0.0.1", catalog="es", article="dosing", segment="1a2b3c4d", detail="x")
    assert store.audit_log() == [
        AuditRow("2026-12-03T07:00:05.000000+00:00", EMAIL, "approve", "10.0.0.1", "es", "dosing", "1a2b3c4d", "x"),
        AuditRow("2026-12-03T07:00:00.000000+00:00", EMAIL, "login", "10.0.0.1", "", "", "", ""),
    ]
    assert [row.action for row in store.audit_log(limit=1)] == ["approve"]
    raw = _raw(store)
    for statement in ("UPDATE audit SET email = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    assert len(store.audit_log()) == 2


# -- the file ---------------------------------------------------------------

def test_the_folder_and_files_are_private(tmp_path, store):
    store.audit(EMAIL, "login", "10.0.0.1")
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    assert store.path.name == DATABASE
    for path in store.folder.iterdir():                 # the database and its -wal and -shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert _raw(store).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_second_store_on_the_folder_sees_the_same_data(store, clock):
    token, csrf = store.open_session(EMAIL)
    store.audit(EMAIL, "login", "10.0.0.1")
    with Store(store.folder, hasher=PasswordHasher(**CHEAP), now=clock) as again:
        assert again.check_password(EMAIL, PASSWORD, "10.0.0.1") == "ok"
        assert again.session(token).csrf == csrf
        assert [row.action for row in again.audit_log()] == ["login"]
        again.close_session(token)
    assert store.session(token) is None


def test_many_threads_log_in_at_once(store, clock):
    second = Store(store.folder, hasher=PasswordHasher(**CHEAP), now=clock)
    errors, tokens = [], []

    def reviewer(n: int) -> None:
        mine = (store, second)[n % 2]
        try:
            for _ in range(3):
                assert mine.check_password(EMAIL, PASSWORD, f"10.0.0.{n}") == "ok"
                token, _ = mine.open_session(EMAIL)
                assert mine.session(token).email == EMAIL
                mine.audit(EMAIL, "login", f"10.0.0.{n}")
                tokens.append(token)
        except Exception as error:          # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    assert errors == []
    assert len(set(tokens)) == 48 and len(store.audit_log(limit=1000)) == 48


@pytest.mark.parametrize("spoil", [lambda path: path.write_bytes(b"this is not SQLite at all" * 200),
                                   lambda path: path.mkdir()], ids=["corrupt", "unreadable"])
def test_a_bad_database_is_an_error_naming_the_file(tmp_path, spoil):
    spoil(tmp_path / DATABASE)
    with pytest.raises(LocumError) as caught:
        Store(tmp_path)
    assert caught.value.path == str(tmp_path / DATABASE) and DATABASE in str(caught.value)


def test_a_store_from_a_newer_locum_is_refused(tmp_path):
    Store(tmp_path).close()
    raw = sqlite3.connect(tmp_path / DATABASE)
    raw.execute("UPDATE schema_version SET version = 99")
    raw.commit()
    raw.close()
    with pytest.raises(LocumError, match="newer Locum"):
        Store(tmp_path)


# -- the server's key -------------------------------------------------------

def test_the_server_key_is_made_once_kept_private_and_signs(store):
    with pytest.raises(LocumError):
        store.server_signer()
    signer = store.server_signer(create=True)
    assert [path.name for path in store.folder.iterdir() if path.name == "server_key"] == ["server_key"]
    assert stat.S_IMODE((store.folder / "server_key").stat().st_mode) == 0o600
    assert store.server_signer().key == signer.key == store.server_signer(create=True).key
    blob = signer.sign(b"approved", "locum-approval")
    assert sshsig.verify(blob, b"approved", "locum-approval") == signer.key


def test_audit_all_appends_every_line_in_one_go(tmp_path):
    store = Store(tmp_path / "store")
    store.audit_all([{"email": "a@example.org", "action": "approve", "ip": "127.0.0.1", "catalog": "es",
                      "article": "x", "segment": "0a1b2c3d", "detail": ""},
                     {"email": "b@example.org", "action": "approve-conflict", "ip": "::1"}])
    rows = store.audit_log()
    assert [(r.email, r.action, r.segment) for r in rows] == [("b@example.org", "approve-conflict", ""),
                                                             ("a@example.org", "approve", "0a1b2c3d")]
    assert rows[0].time == rows[1].time


def test_a_session_lookup_does_not_wait_for_a_write_in_progress(store):
    token, csrf = store.open_session(EMAIL)
    held, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store._write():            # an audit line being flushed to a slow disk
            held.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    held.wait(5)
    try:
        began = time.monotonic()
        assert store.session(token).csrf == csrf and store.has_password(EMAIL)
        assert time.monotonic() - began < 5
    finally:
        release.set()
        thread.join()

"""The review server's own store: accounts, sessions, login throttling and the audit log, in one SQLite file.

The store lives outside version control (``.review/`` by default): the folder
is made 0700 and ``review.sqlite3`` 0600, and it also holds the server's
signing key (``server_key``, see :mod:`workflow.server.keys`). Passwords are
kept only as Argon2id hashes; a session's cookie token only as its SHA-256,
so a copy of the database opens no session. The audit log is append-only: the
schema refuses an UPDATE or DELETE on it.

One :class:`Store` is shared by the server's threads: it keeps one connection
for writes behind a lock (and one for reads behind another, so that a read
never waits for a write), in WAL mode with a busy timeout, so that a second
process on the same folder (``locum review passwd`` while the server runs)
waits instead of failing. Every write is one ``BEGIN IMMEDIATE`` transaction. The slow part,
Argon2, runs outside the lock. The clock is :attr:`Store.now`, so tests move
time instead of sleeping.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workflow.errors import LocumError, UsageError

if TYPE_CHECKING:
    from workflow import sshsig

DATABASE = "review.sqlite3"
SCHEMA_VERSION = 1
MIN_PASSWORD = 12                   # characters
MAX_PASSWORD = 1024                 # hashing a megabyte is a cheap way to load a server
FAILURE_WINDOW = 15 * 60            # seconds during which failed logins count
MAX_EMAIL_FAILURES = 5              # for one e-mail, from anywhere
MAX_IP_FAILURES = 20                # from one address, for any e-mails
IDLE_EXPIRY = 8 * 3600              # a session unused this long is closed
ABSOLUTE_EXPIRY = 7 * 24 * 3600     # and any session this old
TOUCH_EVERY = 60                    # last_seen is written at most once a minute
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    key TEXT PRIMARY KEY,               -- the e-mail, lower-cased: e-mails compare case-insensitively
    email TEXT NOT NULL,                -- as it was given when the password was set
    hash TEXT NOT NULL,                 -- argon2id, PHC string
    changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    key TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_key ON failures (key, time);
CREATE INDEX IF NOT EXISTS failures_ip ON failures (ip, time);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY,            -- SHA-256 of the cookie's token, never the token
    key TEXT NOT NULL REFERENCES accounts (key) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_key ON sessions (key);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,                 -- UTC, ISO 8601
    email TEXT NOT NULL,
    action TEXT NOT NULL,
    ip TEXT NOT NULL,
    catalog TEXT NOT NULL,
    article TEXT NOT NULL,
    segment TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True)
class Session:
    """A signed-in reviewer: the account's e-mail (as set), the session's CSRF token, when it was opened."""

    email: str
    csrf: str
    created: datetime


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit log: who did what, when (UTC, ISO 8601), from where, on which entry."""

    time: str
    email: str
    action: str
    ip: str
    catalog: str
    article: str
    segment: str
    detail: str


def email_key(email: str) -> str:
    """The form under which an e-mail is stored and compared.

    >>> email_key(" Ana.Ruiz@Clinic.example ")
    'ana.ruiz@clinic.example'
    """
    return email.strip().lower()


def token_digest(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, in hex.

    >>> token_digest("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """The review server's store in ``folder`` (made if missing); see the module docstring.

    ``hasher`` is the Argon2 policy for new hashes (argon2-cffi's defaults:
    argon2id, 3 passes over 64 MiB, 4 lanes); a stored hash made under another
    policy is replaced at the next successful login. ``now`` returns the
    current time as an aware datetime; tests replace it.
    """

    def __init__(self, folder: Path, hasher: PasswordHasher | None = None,
                 now: Callable[[], datetime] = _utc_now) -> None:
        self.folder = Path(folder)
        self.path = self.folder / DATABASE
        self.hasher = hasher or PasswordHasher()
        self.now = now
        self._lock = threading.RLock()
        self._dummy_hash: str | None = None
        self._attempts = [threading.Lock() for _ in range(64)]    # striped by e-mail: bounded, whatever is tried
        self._connection = self._open()
        self._reader, self._reading = self._open_reader(), threading.Lock()

    # -- the database -------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            self.folder.mkdir(mode=0o700, parents=True)
            os.chmod(self.folder, 0o700)          # mkdir's mode passes through the umask
        except FileExistsError:
            pass
        except OSError as error:
            raise LocumError(f"cannot create the review store: {error.strerror}", path=self.folder) from None
        try:
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(self.path, 0o600)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise LocumError(f"cannot open the review store: {error}", path=self.path) from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA trusted_schema = OFF")
            if connection.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise LocumError("the review store cannot use write-ahead logging", path=self.path)
            connection.execute("PRAGMA synchronous = FULL")   # an audit line, once written, stays written
            self._migrate(connection)
        except sqlite3.Error as error:
            connection.close()
            raise LocumError(f"not a usable review store database ({error})", path=self.path) from None
        except LocumError:
            connection.close()
            raise
        return connection

    def _migrate(self, connection: sqlite3.Connection) -> None:
        try:
            connection.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "INSERT INTO schema_version (version) "
                                     f"SELECT {SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM schema_version);"
                                     "COMMIT;")
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        version = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LocumError(f"the review store has schema version {version}, made by a newer Locum "
                             f"(this one knows version {SCHEMA_VERSION})", path=self.path)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never fails half-way on a lock."""
        with self._lock:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise LocumError(f"review store: {error}", path=self.path) from None
            try:
                yield self._connection
            except sqlite3.Error as error:
                self._connection.execute("ROLLBACK")
                raise LocumError(f"review store: {error}", path=self.path) from None
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            try:
                self._connection.execute("COMMIT")
            except sqlite3.Error as error:
                self._connection.execute("ROLLBACK")
                raise LocumError(f"review store: {error}", path=self.path) from None

    def _open_reader(self) -> sqlite3.Connection:
        """A second connection, for reads only: in write-ahead logging a read does not wait for a write, so
        looking up a session never waits for an audit line's flush to disk (milliseconds, more when the
        disk is busy) behind the writers' lock; it sees every write committed before it began."""
        try:
            reader = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
            reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            reader.execute("PRAGMA trusted_schema = OFF")
            reader.execute("PRAGMA query_only = ON")
        except sqlite3.Error as error:
            raise LocumError(f"cannot open the review store: {error}", path=self.path) from None
        return reader

    def _read(self, query: str, parameters: tuple = ()) -> list[tuple]:
        with self._reading:
            try:
                return self._reader.execute(query, parameters).fetchall()
            except sqlite3.Error as error:
                raise LocumError(f"review store: {error}", path=self.path) from None

    def close(self) -> None:
        """Close the connections (the server does at shutdown; tests do to reopen the file)."""
        with self._lock, self._reading:
            self._connection.close()
            self._reader.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _seconds(self) -> float:
        return self.now().timestamp()

    # -- accounts -----------------------------------------------------------

    def set_password(self, email: str, password: str) -> None:
        """Give ``email`` this password (at least 12 characters), replacing any, and close its sessions.

        Whether ``email`` is a declared reviewer is the caller's concern (the
        CLI checks ``locum.toml``); the store only keeps accounts.
        """
        key = email_key(email)
        if not key or "@" not in key:
            raise UsageError(f"not an e-mail address: {email!r}")
        if len(password) < MIN_PASSWORD:
            raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")
        if len(password) > MAX_PASSWORD:
            raise UsageError(f"a password has at most {MAX_PASSWORD} characters")
        digest = self.hasher.hash(password)
        with self._write() as db:
            db.execute("INSERT INTO accounts (key, email, hash, changed) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET email = excluded.email, hash = excluded.hash, "
                       "changed = excluded.changed", (key, email.strip(), digest, self._seconds()))
            db.execute("DELETE FROM sessions WHERE key = ?", (key,))
            db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def has_password(self, email: str) -> bool:
        """Whether ``email`` has an account (a password set with ``locum review passwd``)."""
        return bool(self._read("SELECT 1 FROM accounts WHERE key = ?", (email_key(email),)))

    def check_password(self, email: str, password: str, ip: str) -> str:
        """``"ok"``, ``"wrong"`` or ``"throttled"`` for a login attempt from ``ip``.

        Throttled: 5 failures for this e-mail, or 20 from this address, within
        the last 15 minutes; it lasts until the oldest of them is 15 minutes
        old, and a right password does not lift it. A throttled attempt is not
        counted (it would only push the end further away). Attempts on one
        e-mail are judged one at a time in this process, so concurrent guesses
        cannot slip past its limit; the address limit may be passed by as many
        attempts as run at once. An unknown e-mail costs the same Argon2
        verification as a known one, so timing does not tell who has an
        account. A success clears this e-mail's failures and, if the hash was
        made under an older policy, stores a new one.
        """
        key, now = email_key(email), self._seconds()
        since = now - FAILURE_WINDOW
        with self._attempts[hash(key) % len(self._attempts)]:
            with self._write() as db:
                db.execute("DELETE FROM failures WHERE time <= ?", (since,))
                by_email = db.execute("SELECT count(*) FROM failures WHERE key = ? AND time > ?", (key, since))
                by_ip = db.execute("SELECT count(*) FROM failures WHERE ip = ? AND time > ?", (ip, since))
                if by_email.fetchone()[0] >= MAX_EMAIL_FAILURES or by_ip.fetchone()[0] >= MAX_IP_FAILURES:
                    return "throttled"
                row = db.execute("SELECT hash FROM accounts WHERE key = ?", (key,)).fetchone()
            stored = row[0] if row else None
            right = self._verify(stored, password)
            with self._write() as db:
                if right:
                    db.execute("DELETE FROM failures WHERE key = ?", (key,))
                else:
                    db.execute("INSERT INTO failures (time, key, ip) VALUES (?, ?, ?)", (now, key, ip))
        if not right:
            return "wrong"
        if self.hasher.check_needs_rehash(stored):
            fresh = self.hasher.hash(password)
            with self._write() as db:       # only if no one set a new password meanwhile
                db.execute("UPDATE accounts SET hash = ? WHERE key = ? AND hash = ?", (fresh, key, stored))
        return "ok"

    def _verify(self, stored: str | None, password: str) -> bool:
        if len(password) > MAX_PASSWORD:
            return False
        try:
            return self.hasher.verify(stored or self._dummy(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        """A hash of a random password under the current policy, verified against for unknown e-mails."""
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(32))
            return self._dummy_hash

    # -- sessions -----------------------------------------------------------

    def open_session(self, email: str) -> tuple[str, str]:
        """Open a session for ``email`` (which has an account): ``(token for the cookie, CSRF token)``."""
        key, now = email_key(email), self._seconds()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._write() as db:
            if db.execute("SELECT 1 FROM accounts WHERE key = ?", (key,)).fetchone() is None:
                raise UsageError(f"{email} has no password in the review store")
            db.execute("DELETE FROM sessions WHERE last_seen <= ? OR created <= ?",
                       (now - IDLE_EXPIRY, now - ABSOLUTE_EXPIRY))
            db.execute("INSERT INTO sessions (digest, key, csrf, created, last_seen) VALUES (?, ?, ?, ?, ?)",
                       (token_digest(token), key, csrf, now, now))
        return token, csrf

    def session(self, token: str) -> Session | None:
        """The session ``token`` opens, or None if it is unknown or expired (8 h idle, 7 days in all)."""
        digest, now = token_digest(token), self._seconds()
        rows = self._read("SELECT accounts.email, sessions.csrf, sessions.created, sessions.last_seen "
                          "FROM sessions JOIN accounts USING (key) WHERE sessions.digest = ?", (digest,))
        if not rows:
            return None
        email, csrf, created, last_seen = rows[0]
        if now - last_seen >= IDLE_EXPIRY or now - created >= ABSOLUTE_EXPIRY:
            self.close_session(token)
            return None
        if now - last_seen >= TOUCH_EVERY:
            with self._write() as db:
                db.execute("UPDATE sessions SET last_seen = max(last_seen, ?) WHERE digest = ?", (now, digest))
        return Session(email, csrf, datetime.fromtimestamp(created, timezone.utc))

    def close_session(self, token: str) -> None:
        """End the session ``token`` opens (logout); an unknown token is no error."""
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (token_digest(token),))

    def close_sessions(self, email: str) -> int:
        """End every session of ``email`` (its password changed); how many there were."""
        with self._write() as db:
            return db.execute("DELETE FROM sessions WHERE key = ?", (email_key(email),)).rowcount

    # -- audit --------------------------------------------------------------

    def audit(self, email: str, action: str, ip: str, catalog: str = "", article: str = "",
              segment: str = "", detail: str = "") -> None:
        """Append one line to the audit log, stamped with the current UTC time."""
        stamp = self.now().astimezone(timezone.utc).isoformat(timespec="microseconds")
        with self._write() as db:
            db.execute("INSERT INTO audit (time, email, action, ip, catalog, article, segment, detail) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (stamp, email, action, ip, catalog, article, segment, detail))

    def audit_all(self, lines: list[dict]) -> None:
        """Append several lines (each the arguments of :meth:`audit`) in one transaction: one flush to disk
        for a batch of review actions instead of one each, while sessions wait for the store."""
        stamp = self.now().astimezone(timezone.utc).isoformat(timespec="microseconds")
        with self._write() as db:
            db.executemany("INSERT INTO audit (time, email, action, ip, catalog, article, segment, detail) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(stamp, line["email"], line["action"], line["ip"], line.get("catalog", ""),
                             line.get("article", ""), line.get("segment", ""), line.get("detail", ""))
                            for line in lines])

    def audit_log(self, limit: int = 100) -> list[AuditRow]:
        """The last ``limit`` lines of the audit log, newest first."""
        rows = self._read("SELECT time, email, action, ip, catalog, article, segment, detail FROM audit "
                          "ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditRow(*row) for row in rows]

    # -- the server's key ---------------------------------------------------

    def server_signer(self, create: bool = False) -> sshsig.KeySigner:
        """The server's signing key, ``server_key`` in the store (made first if ``create``)."""
        # imported here: the key file's format is the keys module's concern, and only signing needs it
        from workflow.server import keys
        return keys.load_or_create(self.folder, create)

"""SSH signatures (OpenSSH's SSHSIG format, as ``ssh-keygen -Y sign`` makes them) over Ed25519 keys.

The only module that knows the format and talks to ``ssh-agent``. Keys are
read and signatures made with the ``cryptography`` package (OpenSSH private
key files, encrypted ones included); signatures are verified with PyNaCl
(libsodium), which does it in half the time. A signature made here
verifies with stock ``ssh-keygen -Y verify``, and one ``ssh-keygen`` made
verifies here (PROTOCOL.sshsig in OpenSSH's source is the reference).
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

MAGIC = b"SSHSIG"
HASH = "sha512"
KEY_TYPE = b"ssh-ed25519"


class SignatureError(ValueError):
    """A key or signature that cannot be used: unreadable, of another type, damaged."""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise SignatureError("signature cut short")
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk

    def uint32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def string(self) -> bytes:
        return self.take(self.uint32())


def public_blob(key: bytes) -> bytes:
    """The SSH wire form of a raw 32-byte Ed25519 public key."""
    return _string(KEY_TYPE) + _string(key)


def fingerprint(key: bytes) -> str:
    """``SHA256:…`` as ``ssh-keygen -l`` prints it.

    >>> fingerprint(bytes(32))[:7]
    'SHA256:'
    """
    digest = hashlib.sha256(public_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def parse_public_key(line: str) -> bytes:
    """The raw key of an OpenSSH public key line (``ssh-ed25519 AAAA… comment``); only Ed25519 is accepted.

    Read by hand (it is two length-prefixed strings), so that loading a
    configuration does not import the cryptography library.

    >>> line = "ssh-ed25519 " + base64.b64encode(public_blob(bytes(range(32)))).decode() + " ana@example.org"
    >>> parse_public_key(line) == bytes(range(32))
    True
    """
    parts = line.split()
    if len(parts) < 2 or parts[0] != KEY_TYPE.decode():
        raise SignatureError("not an 'ssh-ed25519 AAAA…' public key line (only Ed25519 keys are supported)")
    try:
        reader = _Reader(base64.b64decode(parts[1], validate=True))
        kind, key = reader.string(), reader.string()
    except (ValueError, SignatureError):
        raise SignatureError("not a readable OpenSSH public key (its base64 part is damaged)") from None
    if kind != KEY_TYPE or len(key) != 32 or reader.at != len(reader.data):
        raise SignatureError("not a readable Ed25519 public key (its base64 part is damaged)")
    return key


def public_line(key: bytes, comment: str = "") -> str:
    """The OpenSSH public key line of a raw key."""
    return f"{KEY_TYPE.decode()} {base64.b64encode(public_blob(key)).decode()}{' ' + comment if comment else ''}"


def signed_data(message: bytes, namespace: str) -> bytes:
    """What the key actually signs for ``message`` (PROTOCOL.sshsig: a SHA-512 of it, framed)."""
    return (MAGIC + _string(namespace.encode()) + _string(b"") + _string(HASH.encode())
            + _string(hashlib.sha512(message).digest()))


def signature_blob(key: bytes, signature: bytes, namespace: str) -> bytes:
    """The binary SSHSIG blob of a raw Ed25519 ``signature`` by ``key``."""
    return (MAGIC + struct.pack(">I", 1) + _string(public_blob(key)) + _string(namespace.encode())
            + _string(b"") + _string(HASH.encode()) + _string(_string(KEY_TYPE) + _string(signature)))


@dataclass(frozen=True)
class Parsed:
    key: bytes
    namespace: str
    signature: bytes


def parse_blob(blob: bytes) -> Parsed:
    """The key, namespace and raw signature of an SSHSIG blob; :class:`SignatureError` if it is not one."""
    reader = _Reader(blob)
    if reader.take(6) != MAGIC or reader.uint32() != 1:
        raise SignatureError("not an SSH signature")
    key = _Reader(reader.string())
    if key.string() != KEY_TYPE:
        raise SignatureError("not an Ed25519 signature")
    raw = key.string()
    namespace = reader.string().decode("utf-8", "replace")
    reader.string()         # reserved
    if reader.string() != HASH.encode():
        raise SignatureError(f"not a {HASH} signature")
    signature = _Reader(reader.string())
    if signature.string() != KEY_TYPE:
        raise SignatureError("not an Ed25519 signature")
    raw_signature = signature.string()
    if len(raw) != 32 or len(raw_signature) != 64 or reader.at != len(blob):
        raise SignatureError("damaged signature")
    return Parsed(raw, namespace, raw_signature)


@lru_cache(maxsize=256)
def _public(key: bytes):
    from nacl.signing import VerifyKey  # libsodium: twice as fast as OpenSSL's Ed25519 here, and verifying
    return VerifyKey(key)                  # every approval is most of what a cold publish adds for signatures


@lru_cache(maxsize=8192)    # the review tools judge an entry and check it (which judges it) in a row; a cold
                            # publish verifies each record once, in check (compile reuses its findings).
                            # With 65,536 (and a larger glossary cache), check peaked at 152 MB on the
                            # 1,000-article bench; 88 MB with both cut.
def verify(blob: bytes, message: bytes, namespace: str) -> bytes | None:
    """The key that signed ``message`` in ``namespace`` with ``blob``, or None if the signature does not hold."""
    from nacl.exceptions import BadSignatureError, CryptoError
    key, signature = _fixed_layout(blob, namespace)
    if key is None:
        try:
            parsed = parse_blob(blob)
        except SignatureError:
            return None
        if parsed.namespace != namespace:
            return None
        key, signature = parsed.key, parsed.signature
    try:
        _public(key).verify(signed_data(message, namespace), signature)
    except (BadSignatureError, CryptoError, ValueError, TypeError):
        return None
    return key


@lru_cache(maxsize=8)
def _layout(namespace: str) -> tuple[bytes, bytes, int]:
    """The fixed bytes around the key and the signature in every Ed25519 blob of ``namespace``."""
    sample = signature_blob(b"K" * 32, b"S" * 64, namespace)
    key_at = sample.index(b"K" * 32)
    return sample[:key_at], sample[key_at + 32:-64], len(sample)


def _fixed_layout(blob: bytes, namespace: str) -> tuple[bytes | None, bytes | None]:
    """(key, signature) of an Ed25519 blob in ``namespace`` read by offsets (what nearly every record is),
    or (None, None) for :func:`parse_blob` to judge."""
    head, middle, size = _layout(namespace)
    if len(blob) != size or not blob.startswith(head):
        return None, None
    key_end = len(head) + 32
    if blob[key_end:key_end + len(middle)] != middle:
        return None, None
    return blob[len(head):key_end], blob[-64:]


def armor(blob: bytes) -> str:
    """The blob as ``ssh-keygen -Y sign`` writes it to ``FILE.sig``."""
    text = base64.b64encode(blob).decode()
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


class Signer:
    """Something that signs with one Ed25519 key: a private key file, or a key held by ``ssh-agent``."""

    key: bytes

    def raw_sign(self, data: bytes) -> bytes:
        raise NotImplementedError

    def sign(self, message: bytes, namespace: str) -> bytes:
        """The SSHSIG blob of ``message``."""
        return signature_blob(self.key, self.raw_sign(signed_data(message, namespace)), namespace)


class KeySigner(Signer):
    def __init__(self, private):
        from cryptography.hazmat.primitives import serialization
        self.private = private
        self.key = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def raw_sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def load_key_file(path: Path, passphrase: str | None = None) -> KeySigner:
    """An OpenSSH Ed25519 private key file; an encrypted one asks for its passphrase on the terminal
    (or takes ``$LOCUM_KEY_PASSPHRASE``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SignatureError(f"cannot read the key: {exc.strerror}") from None
    secret = passphrase if passphrase is not None else os.environ.get("LOCUM_KEY_PASSPHRASE")
    for attempt in range(2):
        try:
            key = serialization.load_ssh_private_key(data, secret.encode() if secret is not None else None)
            break
        except TypeError:           # encrypted, and no passphrase given
            if attempt or secret is not None:
                raise SignatureError("the key is encrypted: give its passphrase") from None
            import getpass

            secret = getpass.getpass(f"passphrase for {path}: ")
        except ValueError as exc:
            raise SignatureError(f"not an OpenSSH private key, or a wrong passphrase ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError("only Ed25519 keys are supported")
    return KeySigner(key)


# ssh-agent's protocol (draft-miller-ssh-agent): request identities, sign.
_REQUEST_IDENTITIES, _IDENTITIES_ANSWER, _SIGN_REQUEST, _SIGN_RESPONSE, _FAILURE = 11, 12, 13, 14, 5


def _agent_call(sock: socket.socket, kind: int, payload: bytes) -> tuple[int, bytes]:
    sock.sendall(struct.pack(">IB", len(payload) + 1, kind) + payload)
    header = b""
    while len(header) < 4:
        chunk = sock.recv(4 - len(header))
        if not chunk:
            raise SignatureError("ssh-agent closed the connection")
        header += chunk
    size = struct.unpack(">I", header)[0]
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            raise SignatureError("ssh-agent closed the connection")
        body += chunk
    return body[0], body[1:]


class AgentSigner(Signer):
    def __init__(self, path: str, key: bytes):
        self.path, self.key = path, key

    def raw_sign(self, data: bytes) -> bytes:
        # imported here, like getpass: every command reads keys, few talk to an agent
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(60)
            sock.connect(self.path)
            kind, body = _agent_call(sock, _SIGN_REQUEST, _string(public_blob(self.key)) + _string(data)
                                     + struct.pack(">I", 0))
        if kind != _SIGN_RESPONSE:
            raise SignatureError("ssh-agent refused to sign (is the key still loaded? confirm it if asked)")
        reader = _Reader(_Reader(body).string())
        if reader.string() != KEY_TYPE:
            raise SignatureError("ssh-agent answered with another kind of signature")
        return reader.string()


def agent_keys(path: str | None = None) -> list[AgentSigner]:
    """The Ed25519 keys the running ``ssh-agent`` (``$SSH_AUTH_SOCK``) holds; [] without an agent."""
    path = path or os.environ.get("SSH_AUTH_SOCK")
    if not path:
        return []
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(path)
            kind, body = _agent_call(sock, _REQUEST_IDENTITIES, b"")
    except OSError:
        return []
    if kind != _IDENTITIES_ANSWER:
        return []
    reader = _Reader(body)
    found = []
    for _ in range(reader.uint32()):
        blob, _ = reader.string(), reader.string()     # key, comment
        key = _Reader(blob)
        if key.string() == KEY_TYPE:
            found.append(AgentSigner(path, key.string()))
    return found

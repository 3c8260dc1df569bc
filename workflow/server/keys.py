"""The review server's signing key: ``<store>/server_key``, an OpenSSH Ed25519 private key (mode 0600).

Approvals made in the browser are signed with it in the signed-in reviewer's
name (:mod:`workflow.approval`, ``via: review-server``); its public line goes
into ``[review_server] key`` of ``locales/locum.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path

from workflow import sshsig
from workflow.approval import SERVER_PRINCIPAL
from workflow.errors import LocumError

KEY_FILE = "server_key"


class ServerKeyError(LocumError):
    """The server's key is missing (and was not to be created) or unreadable."""


def load_or_create(folder: Path, create: bool = False) -> sshsig.KeySigner:
    """The server's signer from ``folder/server_key``; a new key is generated there first when ``create`` and
    there is none (the folder made 0700, the file 0600, never overwritten)."""
    path = Path(folder) / KEY_FILE
    if not path.exists():
        if not create:
            raise ServerKeyError("the review server has no key yet: run 'locum review server-key' and paste the "
                                 "line it prints into [review_server] of locales/locum.toml", path=str(path))
        _generate(path)
    try:
        return sshsig.load_key_file(path, passphrase="")
    except sshsig.SignatureError as exc:
        raise ServerKeyError(str(exc), path=str(path)) from None


def public_line(signer: sshsig.Signer) -> str:
    """``ssh-ed25519 AAAA… locum-review-server``: what ``[review_server] key`` holds."""
    return sshsig.public_line(signer.key, SERVER_PRINCIPAL)


def _generate(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                                      serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)    # O_EXCL: a racing creator keeps its key
    with os.fdopen(fd, "wb") as out:
        out.write(data)

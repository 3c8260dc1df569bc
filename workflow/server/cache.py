"""What the review server keeps between requests: each article's view, and its segments rendered, for as long
as the files they are made of hold the same bytes.

A view of a 200-segment article costs about 0.17 s of CPU: parse the
catalog, check every segment and verify every signature, render 200
segments. Twenty reviewers reading one article paid that twenty times over,
one after another (Python runs one thread at a time), for the same bytes.
Here the view is kept with the bytes of every file it was made of
(:func:`workflow.server.views.view_files`) and made again only when one of
them holds other bytes, by one thread while the others wait for it, from
the rows of the last one that did not change; and each segment's HTML is
kept per interface language, so a view made again after one approval
checks, verifies and renders only the segments that changed.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow.config import Config
from workflow.server import views
from workflow.stamps import file_bytes

TTL = 60.0      # seconds: a kept view is made again at least this often (a record dated a moment ahead)


def files_bytes(paths: tuple[Path, ...]) -> tuple[bytes | None, ...]:
    """The bytes of ``paths``, in order (None: a missing file, not an empty one).

    Kept with a view and compared whole, not hashed: comparing 300 KB costs
    a tenth of hashing it, on every view of every reviewer.
    """
    return tuple(file_bytes(path) for path in paths)


@dataclass(frozen=True)
class _Kept:
    inputs: tuple[bytes | None, ...] | None      # None: a file changed while the view was made
    made: float
    view: views.ArticleView


class ViewCache:
    """The article views of this process, one per article, each made again when its files change.

    A view is served again only if its files held the same bytes before
    and after it was made, so a save during its making is never hidden. ``ttl``
    bounds how long a view lives even so: verdicts depend on the clock
    (a record dated in the future is forged until it is not). A changed
    view is made from the kept one (:func:`views.article_view`'s
    ``previous``): only the rows whose entries changed are made again.
    """

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._kept: dict[tuple[str, str], _Kept] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self.catalogs: dict = {}        # parsed catalogs by path, shared with the actions (read_catalog's known)
        self.made = 0           # views made (not found kept), for tests and curious operators

    def article(self, config: Config, catalog: str, slug: str) -> views.ArticleView:
        """:func:`views.article_view` of ``catalog``/``slug``, kept or made now (raises as it does)."""
        key = (catalog, slug)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:          # one thread makes a changed view; the others wait for it instead of making it too
            files = views.view_files(config, catalog, slug)
            inputs = files_bytes(files)
            kept = self._kept.get(key)
            fresh = kept is not None and self.clock() - kept.made < self.ttl
            if fresh and kept.inputs is not None and kept.inputs == inputs:
                return kept.view
            made = self.clock()
            view = views.article_view(config, catalog, slug, previous=kept.view if fresh else None,
                                      known=self.catalogs)
            self.made += 1
            # Kept either way, to lend its rows to the next view (each row's key names what it was made
            # from); served again only if no file changed while it was made.
            self._kept[key] = _Kept(inputs if files_bytes(files) == inputs else None, made, view)
            return view


class SegmentsCache:
    """Each segment of a view rendered once per interface language, with :attr:`SLOT` for the CSRF token.

    The forms of every segment carry the session's CSRF token, the only
    part of a segment's HTML that differs from one reviewer to the next;
    it is rendered as a random slot, and the segments are kept as the
    UTF-8 bytes around the slots, joined with the token per request by
    :func:`spliced`. Only the last rendering of each (language, article)
    is kept, so memory stays bounded by the articles being read.
    """

    SLOT = f"csrf-slot-{secrets.token_hex(16)}"
    SEGMENTS = f"segments-slot-{secrets.token_hex(16)}"     # where the page takes the segments' bytes

    def __init__(self) -> None:
        self._last: dict[tuple, tuple[views.ArticleView, dict, tuple[bytes, ...]]] = {}
        self._guard = threading.Lock()

    def joined(self, key: tuple, view: views.ArticleView, render: Callable[[views.Row], str]) -> tuple[bytes, ...]:
        """The HTML of ``view``'s segments, one per line, in UTF-8, cut at each :attr:`SLOT` (the slots left
        out); ``render(row)`` only for rows not rendered last time."""
        with self._guard:       # one thread renders a new view's segments; the others wait and take them
            last = self._last.get(key)
            if last is not None and last[0] is view:
                return last[2]
            before = last[1] if last is not None else {}
            slot = self.SLOT.encode()
            fragments = {row: before.get(row) or tuple(render(row).encode("utf-8").split(slot)) for row in view.rows}
            parts = flattened([fragments[row] for row in view.rows])
            self._last[key] = (view, fragments, parts)
            return parts


def flattened(pieces: list[tuple[bytes, ...]]) -> tuple[bytes, ...]:
    """The segments' parts (each cut at its slots), one segment per line, cut only at the slots: each
    segment is encoded and cut once, not the whole 440 KB again after every batch of approvals.

    >>> flattened([(b"a", b"b"), (b"c",), (b"d", b"e", b"f")])
    (b'a', b'b\\nc\\nd', b'e', b'f')
    """
    out: list[bytes] = []
    pending: list[bytes] = []
    for number, parts in enumerate(pieces):
        if number:
            pending.append(b"\n")
        pending.append(parts[0])
        if len(parts) > 1:
            out.append(b"".join(pending))
            out.extend(parts[1:-1])
            pending = [parts[-1]]
    out.append(b"".join(pending))
    return tuple(out)


def spliced(head: bytes, parts: tuple[bytes, ...], token: str, tail: bytes) -> bytes:
    """``head``, the segments' ``parts`` with the session's ``token`` between them, and ``tail``, in one join.

    One copy of the 440 KB a page of 200 segments weighs, where replacing
    the slots and then adding the page around them made three (a tenth of
    the server's time for the page). A token is URL-safe base64: nothing to escape.

    >>> spliced(b"<p>", (b'<input value="', b'">'), "abc", b"</p>")
    b'<p><input value="abc"></p>'
    """
    if len(parts) == 1:
        return b"".join((head, parts[0], tail))
    return token.encode("utf-8").join((head + parts[0], *parts[1:-1], parts[-1] + tail))

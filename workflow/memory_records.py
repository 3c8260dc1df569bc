"""The translation memory's records, packed: what each catalog gives it, and all of them, ranked, a column each.

Why packed: held as objects, a thousand catalogs' 88,000 records were 62 MB of small strings, tuples and
records, and born among each parse's objects they kept most of the freed parses' memory from the system
(84 MB of RSS). Here a catalog's records are one compressed bytes object until the memory is built, and the
memory keeps its translations compressed (13 MB of the bench's came to 4) and its numbers in arrays: a
:class:`Record` is made only for an entry being filled.
"""

from __future__ import annotations

import marshal
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from workflow.approval import claimed_state
from workflow.catalogs import POFile
from workflow.entries import is_translated, translations

Key = tuple[str, str | None]        # (msgid, msgid_plural or None)
APPROVED, IMPORTED = 1, 2           # the bits of a record's state
BLOCK = 1 << 14                     # translations are compressed about this many bytes at a time (16 kB:
                                    # 0.05 ms to decompress, the bench's 13 MB in 3.9; 64 kB: 0.24 ms, 3.7)


@dataclass(frozen=True, slots=True)
class Record:
    forms: tuple[str, ...]
    origin: str          # catalog/slug
    msgctxt: str | None
    approved: bool
    imported: bool = False      # from a translator's memory in locales/memory/ (ranked after the project's own)


@dataclass(frozen=True)
class Taken:
    """What the memory takes from one catalog: its ``origin`` and, marshalled and compressed, each translated,
    non-fuzzy entry's (msgid, msgid_plural or None, msgctxt, approved, forms)."""

    origin: str
    packed: bytes

    def pairs(self) -> Iterator[tuple[Key, Record]]:
        """The records, made again (side by side, now that the catalog's other objects are gone)."""
        for msgid, plural, msgctxt, approved, forms in marshal.loads(zlib.decompress(self.packed)):
            yield (msgid, plural), Record(forms, self.origin, msgctxt, approved)


def catalog_records(po: POFile, catalog: str, slug: str) -> Taken:
    """What the memory takes from one catalog: each translated, non-fuzzy entry's source and translation.

    >>> from workflow.catalogs import POEntry
    >>> po = POFile(); po.extend([POEntry(msgid="Rest.", msgstr="Odpocznij."), POEntry(msgid="Eat.")])
    >>> list(catalog_records(po, "pl", "a").pairs())
    [(('Rest.', None), Record(forms=('Odpocznij.',), origin='pl/a', msgctxt=None, approved=False, imported=False))]
    """
    rows = [(entry.msgid, entry.msgid_plural or None, entry.msgctxt, claimed_state(entry) == "approved",
             tuple(translations(entry))) for entry in po if is_translated(entry)]
    return Taken(f"{catalog}/{slug}", zlib.compress(marshal.dumps(rows), 1))


def group_key(msgid: str, plural: str | None) -> str | Key:
    """A source text's key among the groups: a singular's is its text itself (the very string the fuzzy
    index holds, not a tuple and a copy of it), a plural's the pair."""
    return msgid if plural is None else (msgid, plural)


class RecordTable:
    """Every record of a memory, a column each, ranked within each source text: approved first, then the
    project's own before imported memories, then ``catalog``'s own, then by origin, then in the order given.

    ``groups`` maps each source text (:func:`group_key`, in the order first given) to its group; the records of
    group ``g`` are rows ``starts[g]`` to ``starts[g + 1]``. The forms of row ``r`` are the pieces
    ``first[r]`` to ``first[r] + count[r]``, in UTF-8, all in ``blocks[block[r]]`` (zlib-compressed), piece
    ``p`` its bytes ``begins[p]:ends[p]``. (Only the entries being filled need their translations: a
    block is decompressed for each.)
    """

    def __init__(self, pairs: Iterable[tuple[Key, Record]], catalog: str):
        self.groups: dict[str | Key, int] = {}
        origins: dict[str, int] = {}
        group, origin, first, count, block = array("q"), array("q"), array("q"), array("q"), array("q")
        state, contexts = bytearray(), {}
        self.blocks: list[bytes] = []
        text, begins, ends = bytearray(), array("i"), array("i")     # offsets within a block
        for key, record in pairs:
            if record.msgctxt is not None:
                contexts[len(group)] = record.msgctxt
            group.append(self.groups.setdefault(group_key(*key), len(self.groups)))
            origin.append(origins.setdefault(record.origin, len(origins)))
            first.append(len(ends))
            count.append(len(record.forms))
            block.append(len(self.blocks))
            state.append(APPROVED * record.approved | IMPORTED * record.imported)
            for form in record.forms:
                begins.append(len(text))
                text += form.encode("utf-8", "surrogatepass")
                ends.append(len(text))
            if len(text) >= BLOCK:
                self.blocks.append(zlib.compress(text, 1))
                text = bytearray()
        self.blocks.append(zlib.compress(text, 1))
        self.origins = list(origins)
        order = _ranking(np.frombuffer(group, np.int64), np.frombuffer(origin, np.int64),
                         np.frombuffer(state, np.uint8), self.origins, catalog)
        self.starts = np.searchsorted(np.frombuffer(group, np.int64)[order], np.arange(len(self.groups) + 1))
        self.origin = np.frombuffer(origin, np.int64)[order].astype(np.int32)
        self.state = np.frombuffer(state, np.uint8)[order]
        self.first, self.count = np.frombuffer(first, np.int64)[order], np.frombuffer(count, np.int64)[order]
        self.block = np.frombuffer(block, np.int64)[order].astype(np.int32)
        self.begins, self.ends = begins, ends
        at = np.empty(len(order), np.int64)
        at[order] = np.arange(len(order))
        self.contexts = {int(at[row]): context for row, context in contexts.items()}

    def rows(self, key: str | Key) -> range:
        """The rows of ``key``'s records, best first (none if the memory has no such source text)."""
        found = self.groups.get(key)
        return range(0) if found is None else range(int(self.starts[found]), int(self.starts[found + 1]))

    def is_from(self, row: int, origin: str, msgctxt: str | None) -> bool:
        return self.origins[self.origin[row]] == origin and self.contexts.get(row) == msgctxt

    def record(self, row: int) -> Record:
        first, text = int(self.first[row]), zlib.decompress(self.blocks[self.block[row]])
        forms = tuple(text[self.begins[piece]:self.ends[piece]].decode("utf-8", "surrogatepass")
                      for piece in range(first, first + int(self.count[row])))
        state = int(self.state[row])
        return Record(forms, self.origins[self.origin[row]], self.contexts.get(row), bool(state & APPROVED),
                      bool(state & IMPORTED))


def _ranking(group: np.ndarray, origin: np.ndarray, state: np.ndarray, origins: list[str],
             catalog: str) -> np.ndarray:
    """The rows in table order: by group, then by rank within it (see :class:`RecordTable`); a stable sort, so
    equal records keep the order they were given in."""
    by_name = sorted(range(len(origins)), key=origins.__getitem__)
    rank = np.empty(len(origins), np.int64)
    rank[by_name] = np.arange(len(origins))
    other = np.array([not name.startswith(catalog + "/") for name in origins], bool)
    return np.lexsort((rank[origin], other[origin], state & IMPORTED != 0, state & APPROVED == 0, group))


class Exact(Mapping):
    """A table's records by (msgid, msgid_plural or None), as lists of :class:`Record` made on request."""

    def __init__(self, table: RecordTable):
        self.table = table

    def __getitem__(self, key: Key) -> list[Record]:
        rows = self.table.rows(group_key(*key))
        if not rows:
            raise KeyError(key)
        return [self.table.record(row) for row in rows]

    def __iter__(self) -> Iterator[Key]:
        return ((key, None) if isinstance(key, str) else key for key in self.table.groups)

    def __len__(self) -> int:
        return len(self.table.groups)

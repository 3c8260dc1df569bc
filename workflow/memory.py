"""The translation memory: every translated entry of one language's catalogs, looked up exactly, then the closest fuzzy match, found exactly by branch and bound."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from workflow.catalogs import POEntry, read_catalog
from workflow.config import Config
from workflow.exchange.tmx import memory_pairs
from workflow.memory_records import Exact, Key, Record, RecordTable, Taken, catalog_records, group_key
from workflow.project import display_path

__all__ = ["FuzzyIndex", "Memory", "Record", "Taken", "build_memory", "catalog_records", "full_scan", "length_window"]

COLUMNS = 32        # character counts kept per text: the 31 commonest characters of the memory, and all others
COMMON = 6          # the commonest characters, only counted; the order of all others is compared (see FuzzyIndex)
SMALL = 64          # a length window this small is simply scanned
SLACK = 1e-9        # bounds are compared with this much room, so that a float rounding never prunes a tie
BATCH = 32          # candidates scored at once, the first time (then four times as many each round)
PROBE = 16          # candidates of the highest count bounds scored first, to raise the cut early


def length_window(size: int, threshold: float) -> tuple[int, int]:
    """The shortest and longest text that can score ``threshold`` against a text of ``size`` characters.

    Indel distance is at least the difference in length, so ``fuzz.ratio`` of texts of lengths
    a ≤ b is at most 200·a/(a + b); rounding outwards keeps the window a safe superset.

    >>> length_window(100, 75), length_window(40, 100), length_window(8, 0)
    ((60, 167), (40, 41), (0, 1593))
    """
    share = max(threshold, 1) / 100
    return int(size * share / (2 - share)), int(size * (2 - share) / share) + 1


def char_columns(texts: Iterable[str], width: int = COLUMNS) -> dict[str, int]:
    """Character → its column of counts: the ``width - 1`` commonest characters of ``texts``, commonest first;
    every other character shares the last column (``width - 1``).

    Merging characters into one column only loosens the bound (two different characters counted as one),
    so any choice is correct; the commonest ones get columns of their own because they decide most of it.

    >>> char_columns(["abba", "cab"], 3)
    {'a': 0, 'b': 1}
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(text)
    ranked = sorted(counts, key=lambda char: (-counts[char], char))
    return {char: column for column, char in enumerate(ranked[:width - 1])}


def count_columns(text: str, columns: dict[str, int], width: int) -> np.ndarray:
    """How often each column's characters occur in ``text`` (not clipped: an int64 vector of ``width``).

    >>> count_columns("abcab!", {"a": 0, "b": 1}, 3).tolist()
    [2, 2, 2]
    """
    counts = np.zeros(width, np.int64)
    for char in text:
        counts[columns.get(char, width - 1)] += 1
    return counts


def lcs_bound(common: np.ndarray, rare_lcs: np.ndarray | int, total: np.ndarray | int) -> np.ndarray | int:
    """An upper bound of the longest common subsequence, from its two parts.

    A common subsequence of a and b is made of common characters and of the others (the "rare" ones).
    Its common characters are at most Σ_c min(count_a(c), count_b(c)) over them (``common``); its rare
    ones form a common subsequence of a and b with the common characters deleted (``rare_lcs``). And no
    common subsequence is longer than the shorter text, nor than all the characters the two share
    (``total``, the same sum over every column).

    >>> int(lcs_bound(np.int64(3), 2, 4)), int(lcs_bound(np.int64(1), 2, 7))
    (4, 3)
    """
    return np.minimum(common + rare_lcs, total)


def ratio_bound(lcs: np.ndarray, size: int, lengths: np.ndarray) -> np.ndarray:
    """``fuzz.ratio``'s value for a longest common subsequence of ``lcs`` (normalized Indel similarity:
    100·2·lcs/(la + lb)), hence an upper bound of the ratio when ``lcs`` is an upper bound of it.

    >>> ratio_bound(np.array([3, 4]), 4, np.array([4, 4])).tolist()
    [75.0, 100.0]
    """
    return 200.0 * lcs / (size + lengths)


def count_matrix(texts: Sequence[str], columns: dict[str, int], width: int, chunk: int = 256) -> np.ndarray:
    """The column counts of every text, one row each, clipped to 255 (uint8: 32 bytes a text).

    Done by NumPy 256 texts at a time, so that the code points of the whole memory (and the int64 arrays
    made of them) never sit in memory at once: about 2 MB at a time, not the memory's size eightfold. (A
    thousand at a time, 8 MB, left 25 MB more RSS once the 88,000-text index of the bench was built, since
    freed arrays of that size stay in the C heap; 256 at a time costs 0.2 s more there.)

    >>> count_matrix(["abcab!", "", "b"], {"a": 0, "b": 1}, 3).tolist()
    [[2, 2, 2], [0, 0, 0], [0, 1, 0]]
    """
    keys = np.array(sorted(ord(char) for char in columns), np.uint32)
    values = np.array([columns[chr(key)] for key in keys], np.int64)
    matrix = np.zeros((len(texts), width), np.uint8)
    for start in range(0, len(texts), chunk):
        part = texts[start:start + chunk]
        codes = np.frombuffer("".join(part).encode("utf-32-le"), np.uint32)
        column = np.full(len(codes), width - 1)
        if len(keys):
            at = np.searchsorted(keys, codes).clip(0, len(keys) - 1)
            column = np.where(keys[at] == codes, values[at], column)
        row = np.repeat(np.arange(len(part)), [len(text) for text in part])
        counts = np.bincount(row * width + column, minlength=len(part) * width).reshape(len(part), width)
        matrix[start:start + len(part)] = counts.clip(0, 255)
    return matrix


def full_scan(choices: Sequence[str], text: str, threshold: float) -> tuple[str, float] | None:
    """The reference answer, by scoring every text of the length window: ``process.extractOne``, which keeps
    the first of equal scores. ``choices`` are sorted by length.

    >>> full_scan(["abce", "abcf", "abcdefgx"], "abcd", 75)
    ('abce', 75.0)
    """
    shortest, longest = length_window(len(text), threshold)
    lo, hi = bisect_left(choices, shortest, key=len), bisect_right(choices, longest, key=len)
    found = process.extractOne(text, choices[lo:hi], scorer=fuzz.ratio, score_cutoff=threshold)
    return found and found[:2]


class FuzzyIndex:
    """The singular source texts of a memory, in ``choices`` order (by length, stable), with what bounds
    their ``fuzz.ratio`` against a query cheaply: for each text its length, its counts of the ``COLUMNS - 1``
    commonest characters and of all others (uint8, a column of 100,000 texts in 100 kB), and the text
    without its ``COMMON`` commonest characters (its "rare" characters, in order).

    :meth:`best` is exact by construction, a branch and bound. ``fuzz.ratio`` is 200·LCS/(la + lb), LCS the
    longest common subsequence, so any upper bound of LCS bounds the ratio:

    1. every text of the length window gets Σ_c min(count_a(c), count_b(c)) (NumPy, one pass per distinct
       character of the query); the texts whose bound cannot reach the threshold are dropped;
    2. the ``PROBE`` highest bounds are scored first: a good match found early raises the cut for the rest;
    3. the texts still in reach get a tighter bound, the counts of the commonest characters plus the LCS of
       the rare ones (RapidFuzz on strings half as long): a common subsequence is made of the two;
    4. the survivors are scored with ``fuzz.ratio`` in decreasing order of that bound, until no bound left
       reaches the best score so far.

    A text is only ever skipped because its bound is below the threshold or a score already found (with
    ``SLACK`` to spare against float rounding), and equal scores go to the earlier text: the answer is a
    full scan's, ``process.extractOne`` over the window (:func:`full_scan`). What it costs: a lookup with
    no match at the threshold must rule out every text of the window, and character counts rule out only
    three quarters of English sentences of similar length at 75, so steps 1 and 3 touch tens of thousands
    of texts of a 100,000-entry memory (bench/memory_bench.py prints the rate).
    """

    def __init__(self, texts: list[str], width: int = COLUMNS, common: int = COMMON, small: int = SMALL):
        self.texts, self.small = texts, small
        self.lengths = np.array([len(text) for text in texts], np.int64)
        self.starts = np.searchsorted(self.lengths, np.arange(self.lengths[-1] + 2 if texts else 1))
        self.columns = char_columns(texts, width)
        self.width, self.common = width, min(common, width - 1)
        matrix = count_matrix(texts, self.columns, width)
        self.overflow = (self.lengths - matrix.sum(axis=1, dtype=np.int64)).astype(np.int32)    # clipped away
        self.overflowing = np.concatenate(([0], np.cumsum(self.overflow > 0)))      # how many, before each
        self.counts = np.ascontiguousarray(matrix.T)            # a column at a time: contiguous
        del matrix
        self.drop = str.maketrans({char: None for char, column in self.columns.items() if column < self.common})
        self.rare = np.array([text.translate(self.drop) for text in texts], dtype=object)
        self.array = np.array(texts, dtype=object)              # for gathering a batch at once

    def best(self, text: str, threshold: float) -> tuple[str, float] | None:
        """The text with the highest ``fuzz.ratio`` to ``text`` (the first in order on a tie), and its ratio,
        if that reaches ``threshold``; exactly :func:`full_scan`'s answer."""
        shortest, longest = length_window(len(text), threshold)
        lo, hi = (int(at) for at in np.searchsorted(self.lengths, [shortest, longest + 1]))
        if hi - lo <= self.small or not text:
            return full_scan(self.texts, text, threshold)
        query = count_columns(text, self.columns, self.width)
        spill = int(query.sum() - query.clip(0, 255).sum())     # the query's counts clipped away
        query = query.clip(0, 255).astype(np.uint8)
        common, shared = self._counted(query, lo, hi)
        found = np.flatnonzero(shared >= self._needed(len(text), threshold, spill, lo, hi))
        if not len(found):
            return None
        candidates, common, shared = found + lo, common[found], shared[found]
        lengths = self.lengths[candidates]
        extra = self.overflow[candidates] + spill if self.overflowing[hi] > self.overflowing[lo] else spill
        bounds = ratio_bound(shared + extra, len(text), lengths)
        # a few of the highest bounds first: a good match found early raises the cut for all the others
        probe = np.argpartition(-bounds, PROBE)[:PROBE] if len(bounds) > PROBE else np.arange(len(bounds))
        probe = probe[np.lexsort((candidates[probe], -bounds[probe]))]
        winner = self._score(text, threshold, candidates[probe], bounds[probe])
        if winner is not None:
            keep = bounds >= winner[0] - SLACK
            candidates, common, shared, lengths = candidates[keep], common[keep], shared[keep], lengths[keep]
            extra = extra[keep] if isinstance(extra, np.ndarray) else extra
            if not len(candidates):
                return self.texts[winner[1]], winner[0]
        rare = process.cdist([text.translate(self.drop)], self.rare[candidates], scorer=LCSseq.similarity,
                             dtype=np.int64, workers=1)[0]
        bounds = ratio_bound(lcs_bound(common + extra, rare, shared + extra), len(text), lengths)
        keep = bounds >= (threshold if winner is None else winner[0]) - SLACK
        order = np.lexsort((candidates[keep], -bounds[keep]))       # highest bound first, then choices order
        winner = self._score(text, threshold, candidates[keep][order], bounds[keep][order], winner)
        return winner and (self.texts[winner[1]], winner[0])

    def _counted(self, query: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """For each text of the window ``lo:hi``, Σ over the columns of the smaller count: over the common
        characters' columns, and over all (the characters clipped away not included).

        One pass per character of the query (a column the query lacks adds nothing), in bytes when the
        sums cannot exceed 255: Σ_c min(q_c, b_c) ≤ Σ_c q_c.
        """
        kind = np.uint8 if query.sum() <= 255 else np.uint16
        common, rare = np.zeros(hi - lo, kind), np.zeros(hi - lo, kind)
        smaller = np.empty(hi - lo, np.uint8)
        for column in np.flatnonzero(query):
            np.minimum(self.counts[column, lo:hi], query[column], out=smaller)
            total = common if column < self.common else rare
            np.add(total, smaller, out=total, casting="unsafe")
        return common, common + rare

    def _needed(self, size: int, threshold: float, spill: int, lo: int, hi: int) -> np.ndarray:
        """For each text of the window, the smallest common subsequence whose ratio reaches ``threshold``,
        less what clipping took from both counts (so that it compares with :meth:`_counted`'s sums)."""
        shortest, longest = int(self.lengths[lo]), int(self.lengths[hi - 1])
        sizes = np.arange(shortest, longest + 1)
        ceiling = size + 1 if size < 255 else None      # no sum of the smaller counts exceeds the query's size
        least = np.ceil((threshold - SLACK) * (size + sizes) / 200 - SLACK).clip(0, ceiling)
        needed = np.repeat(least.astype(np.int64), np.diff(self.starts[shortest:longest + 2]))
        if spill or self.overflowing[hi] > self.overflowing[lo]:
            return (needed - self.overflow[lo:hi] - spill).clip(0)
        return needed.astype(np.uint8 if size < 255 else np.int64)

    def _score(self, text: str, threshold: float, candidates: np.ndarray, bounds: np.ndarray,
               winner: tuple[float, int] | None = None) -> tuple[float, int] | None:
        """The best (score, index in choices) of ``winner`` and ``candidates`` (highest bound first), scored a
        batch at a time until no bound left reaches the best.

        A batch is scored whole and its earliest best text kept, as a full scan would; across batches a
        tie goes to the earlier text in ``choices`` order.
        """
        start, size = 0, BATCH
        while start < len(candidates):
            cut = threshold if winner is None else winner[0]
            if bounds[start] < cut - SLACK:
                break
            stop = min(start + size, int(np.searchsorted(-bounds, -(cut - SLACK), side="right")))
            batch = candidates[start:stop]
            scores = process.cdist([text], self.array[batch], scorer=fuzz.ratio,
                                   score_cutoff=threshold, dtype=np.float64, workers=1)[0]
            top = scores == scores.max()
            at = int(np.flatnonzero(top)[np.argmin(batch[top])])      # the earliest of the batch's equal best
            if scores[at] >= threshold and (winner is None or (scores[at], -batch[at]) > (winner[0], -winner[1])):
                winner = (float(scores[at]), int(batch[at]))
            start, size = stop, size * 4
        return winner


class Memory:
    """Every translated, non-fuzzy entry of one language's catalogs: exact lookups, then fuzzy ones.

    A fuzzy lookup wants the singular source text with the highest ``fuzz.ratio`` at or above the
    threshold, the first in length order on a tie: exactly what ``process.extractOne`` returns over the
    length window. :class:`FuzzyIndex` finds it without scoring most of the window (built on first need).
    The records are packed (:class:`~workflow.memory_records.RecordTable`); ``exact`` shows them as lists.
    """

    def __init__(self, records: Mapping[Key, list[Record]] | Iterable[tuple[Key, Record]], catalog: str):
        if isinstance(records, Mapping):
            records = ((key, record) for key, found in records.items() for record in found)
        self.table = RecordTable(records, catalog)
        self.exact = Exact(self.table)
        self.choices = sorted((key for key in self.table.groups if isinstance(key, str)), key=len)
        self._fuzzy: dict[tuple[str, float], tuple[str, float] | None] = {}

    @classmethod
    def of_texts(cls, texts: Iterable[str]) -> Memory:
        """A memory in which each of ``texts`` is translated once, as itself (for benchmarks and tests)."""
        return cls({(text, None): [Record((text,), "memory/texts", None, False)] for text in texts}, "memory")

    @cached_property
    def index(self) -> FuzzyIndex:
        """The fuzzy index of the singular source texts; built on first need (exact lookups need none)."""
        return FuzzyIndex(self.choices)

    def lookup(self, entry: POEntry, origin: str, threshold: float) -> tuple[Record, int] | None:
        for row in self.table.rows(group_key(entry.msgid, entry.msgid_plural or None)):
            if not self.table.is_from(row, origin, entry.msgctxt):
                return self.table.record(row), 100
        if entry.msgid_plural:
            return None
        if (entry.msgid, threshold) not in self._fuzzy:      # the same sentence recurs across articles
            self._fuzzy[entry.msgid, threshold] = self.best(entry.msgid, threshold)
        best = self._fuzzy[entry.msgid, threshold]
        return None if best is None else (self.table.record(self.table.rows(best[0])[0]), min(int(best[1]), 99))

    def best(self, text: str, threshold: float) -> tuple[str, float] | None:
        """The singular source text closest to ``text`` and its ratio, if that reaches ``threshold``."""
        return self.index.best(text, threshold)

    def scan(self, text: str, threshold: float) -> tuple[str, float] | None:
        """:meth:`best` the slow way, by scoring the whole length window: the reference it must equal."""
        return full_scan(self.choices, text, threshold)


def build_memory(config: Config, catalog: str, taken: dict[Path, Taken]) -> Memory:
    """The memory for ``catalog`` from every catalog of its language (``es`` and ``es_US`` alike), and the
    translators' memories imported into ``locales/memory/`` (:mod:`workflow.exchange.tmx`), ranked after them.

    ``taken`` holds what the memory takes from the catalogs already read
    (:func:`catalog_records` of the ones being translated); the others are
    read here, one at a time, and let go once their records are taken.
    """
    return Memory(_pairs(config, catalog.split("_")[0], taken), catalog)


def _pairs(config: Config, language: str, taken: dict[Path, Taken]) -> Iterator[tuple[Key, Record]]:
    """Every record of ``language``'s catalogs, then those of its imported memories."""
    for other in config.catalogs:
        if other.split("_")[0] != language:
            continue
        for path in sorted((config.locales_dir / other / "LC_MESSAGES").glob("*.po")):
            found = taken.get(path)
            if found is None:
                found = catalog_records(read_catalog(path, display_path(config, path)), other, path.stem)
            yield from found.pairs()
    for source, translation, origin in memory_pairs(config, language):
        yield (source, None), Record((translation,), origin, None, False, imported=True)

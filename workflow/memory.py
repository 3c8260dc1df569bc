"""The translation memory: every translated entry of one language's catalogs, looked up exactly, then through a word index."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz, process

from workflow.approval import claimed_state
from workflow.catalogs import POEntry, POFile, read_catalog
from workflow.config import Config
from workflow.entries import is_translated, translations
from workflow.exchange.tmx import memory_pairs
from workflow.project import display_path

WORD = re.compile(r"\w+")
BUDGET = 6_000          # texts scored per fuzzy lookup, at most (see Memory)


@dataclass(frozen=True)
class Record:
    forms: tuple[str, ...]
    origin: str          # catalog/slug
    msgctxt: str | None
    approved: bool
    imported: bool = False      # from a translator's memory in locales/memory/ (ranked after the project's own)


def index_keys(text: str) -> set[str]:
    """The keys ``text`` is indexed under: its lower-cased words, and each pair of neighbouring words.

    >>> sorted(index_keys("Take 2 tablets, twice."))
    ['2', '2 tablets', 'tablets', 'tablets twice', 'take', 'take 2', 'twice']
    """
    words = WORD.findall(text.lower())
    return {*words, *(f"{first} {second}" for first, second in zip(words, words[1:]))}


def length_window(size: int, threshold: float) -> tuple[int, int]:
    """The shortest and longest text that can score ``threshold`` against a text of ``size`` characters.

    Indel distance is at least the difference in length, so ``fuzz.ratio`` of texts of lengths
    a ≤ b is at most 200·a/(a + b); rounding outwards keeps the window a safe superset.

    >>> length_window(100, 75), length_window(40, 100), length_window(8, 0)
    ((60, 167), (40, 41), (0, 1593))
    """
    share = max(threshold, 1) / 100
    return int(size * share / (2 - share)), int(size * (2 - share) / share) + 1


class Memory:
    """Every translated, non-fuzzy entry of one language's catalogs: exact lookups, then fuzzy ones.

    A fuzzy lookup wants the source text with the highest ``fuzz.ratio`` (the first in length
    order on a tie) at or above the threshold. If the length window holds at most ``budget``
    texts, RapidFuzz scores them all (in C): exact. Otherwise candidates come from an inverted
    index of words and word pairs: for each key of the query, rarest first, the texts having it
    inside the length window are scored until ``budget`` texts have been, the last key's texts
    closest in length to the query first (the ones whose ratio can be highest). That is a
    heuristic: a text sharing no key that fits the budget is never scored. No provable q-gram or
    character-count bound prunes enough at ratios near 75 to avoid scoring most of the window,
    so bench/memory_bench.py ``--verify`` measures the agreement with a full scan instead.
    ``budget=None`` always scans the whole window.
    """

    def __init__(self, records: dict[tuple[str, str | None], list[Record]], catalog: str,
                 budget: int | None = BUDGET):
        for found in records.values():
            found.sort(key=lambda r: (not r.approved, r.imported, not r.origin.startswith(catalog + "/"), r.origin))
        self.exact = records
        self.budget = budget
        self.choices = sorted((source for source, plural in records if plural is None), key=len)
        self.lengths = [len(source) for source in self.choices]
        self._fuzzy: dict[tuple[str, float], tuple[str, float] | None] = {}

    @classmethod
    def of_texts(cls, texts: Iterable[str], budget: int | None = BUDGET) -> Memory:
        """A memory in which each of ``texts`` is translated once, as itself (for benchmarks and tests)."""
        return cls({(text, None): [Record((text,), "memory/texts", None, False)] for text in texts}, "memory", budget)

    @cached_property
    def postings(self) -> dict[str, list[str]]:
        """Index key → the singular source texts having it, in length order; built on first need."""
        postings: dict[str, list[str]] = {}
        for text in self.choices:
            for key in index_keys(text):
                postings.setdefault(key, []).append(text)
        return postings

    def lookup(self, entry: POEntry, origin: str, threshold: float) -> tuple[Record, int] | None:
        key = (entry.msgid, entry.msgid_plural or None)
        for record in self.exact.get(key, ()):
            if (record.origin, record.msgctxt) != (origin, entry.msgctxt):
                return record, 100
        if entry.msgid_plural:
            return None
        if (entry.msgid, threshold) not in self._fuzzy:      # the same sentence recurs across articles
            self._fuzzy[entry.msgid, threshold] = self.best(entry.msgid, threshold)
        best = self._fuzzy[entry.msgid, threshold]
        return None if best is None else (self.exact[(best[0], None)][0], min(int(best[1]), 99))

    def best(self, text: str, threshold: float) -> tuple[str, float] | None:
        """The singular source text closest to ``text`` and its ratio, if that reaches ``threshold``."""
        shortest, longest = length_window(len(text), threshold)
        lo, hi = bisect_left(self.lengths, shortest), bisect_right(self.lengths, longest)
        slices = None if self.budget is None or hi - lo <= self.budget else self._slices(text, shortest, longest)
        if not slices:      # a small window, or no word in common with any text (a script without spaces?)
            found = process.extractOne(text, self.choices[lo:hi], scorer=fuzz.ratio, score_cutoff=threshold)
            return found and found[:2]
        winner, left = None, self.budget
        for size, _, texts, start in slices:
            if not left:
                break
            if size > left:     # score those closest in length to the query: the ones whose ratio can be highest
                middle = bisect_left(texts, len(text), start, start + size, key=len)
                start, size = min(max(start, middle - left // 2), start + size - left), left
            left -= size
            # a cutoff of exactly the best score so far can lose a tie to rounding inside RapidFuzz
            cutoff = max(threshold, winner[1] - 1e-4) if winner else threshold
            found = process.extractOne(text, texts[start:start + size], scorer=fuzz.ratio, score_cutoff=cutoff)
            if found and (winner is None or found[1] > winner[1]
                          or found[1] == winner[1] and self._earlier(found[0], winner[0])):
                winner = found[:2]
                if winner[1] == 100:
                    break
        return winner

    def _slices(self, text: str, shortest: int, longest: int) -> list[tuple[int, str, list[str], int]]:
        """For each key of ``text``: how many of its texts fit the length window, the key, its texts, where they start.

        Fewest first, then by key, so that the budget cuts in the same place on every run.
        """
        slices = []
        for key in index_keys(text):
            texts = self.postings.get(key, ())
            start = bisect_left(texts, shortest, key=len)
            size = bisect_right(texts, longest, start, key=len) - start
            if size:
                slices.append((size, key, texts, start))
        slices.sort(key=lambda found: found[:2])
        return slices

    def _earlier(self, text: str, other: str) -> bool:
        """Whether ``text`` comes before ``other`` in ``choices`` (a full scan keeps the first of equal scores)."""
        def position(source: str) -> int:
            return self.choices.index(source, bisect_left(self.lengths, len(source)))
        return text != other and (len(text), position(text)) < (len(other), position(other))


def build_memory(config: Config, catalog: str, parsed: dict[Path, POFile]) -> Memory:
    """The memory for ``catalog`` from every catalog of its language (``es`` and ``es_US`` alike), and the
    translators' memories imported into ``locales/memory/`` (:mod:`workflow.exchange.tmx`), ranked after them.

    ``parsed`` holds catalogs already read (the ones being translated); the
    others are read here and let go once their records are taken.
    """
    language = catalog.split("_")[0]
    records: dict[tuple[str, str | None], list[Record]] = {}
    for other in config.catalogs:
        if other.split("_")[0] != language:
            continue
        for path in sorted((config.locales_dir / other / "LC_MESSAGES").glob("*.po")):
            po = parsed.get(path) or read_catalog(path, display_path(config, path))     # not kept: memory
            for entry in po:
                if not is_translated(entry):
                    continue
                records.setdefault((entry.msgid, entry.msgid_plural or None), []).append(
                    Record(tuple(translations(entry)), f"{other}/{path.stem}", entry.msgctxt, claimed_state(entry) == "approved"))
    for source, translation, origin in memory_pairs(config, language):
        records.setdefault((source, None), []).append(Record((translation,), origin, None, False, imported=True))
    return Memory(records, catalog)

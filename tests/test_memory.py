"""The translation memory on its own: the fuzzy index against brute force, exact-match precedence, edge cases."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from workflow.catalogs import POEntry
from workflow.memory import BUDGET, Memory, Record, length_window

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from memory_bench import Sentences  # noqa: E402


def brute_force(texts: list[str], query: str, threshold: float) -> tuple[str, float] | None:
    """The text with the highest ratio (the first in length order on a tie), if it reaches ``threshold``."""
    best = max(sorted(texts, key=len), key=lambda text: fuzz.ratio(query, text))
    score = fuzz.ratio(query, best)
    return (best, score) if score >= threshold else None


def typo(rng: random.Random, text: str) -> str:
    """``text`` with a few characters dropped, doubled or swapped, as a careless edit would."""
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(chars) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            del chars[at]
        elif kind == 1:
            chars.insert(at, chars[at])
        else:
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
    return "".join(chars)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str]]:
    """3,000 leaflet sentences, and 360 queries: near-duplicates (word edits, typos) and new sentences."""
    source = Sentences(seed=7)
    texts = list(dict.fromkeys(source.sentence() for _ in range(3000)))
    rng = random.Random(7)
    queries = ([source.near_duplicate(rng.choice(texts), rng.randint(1, 3)) for _ in range(120)]
               + [typo(rng, rng.choice(texts)) for _ in range(60)]
               + [source.sentence() for _ in range(180)])
    return texts, queries


@pytest.mark.parametrize("threshold", [75, 90])
def test_the_index_finds_what_a_full_scan_finds(corpus, threshold):
    texts, queries = corpus
    memory = Memory.of_texts(texts, budget=300)
    indexed = hits = 0
    for query in queries:
        shortest, longest = length_window(len(query), threshold)
        indexed += sum(shortest <= len(text) <= longest for text in texts) > memory.budget
        expected = brute_force(texts, query, threshold)
        assert memory.best(query, threshold) == expected, query
        hits += expected is not None
    assert indexed >= 0.8 * len(queries)       # the length window alone would have exceeded the budget
    assert hits >= 0.35 * len(queries)


def test_a_tight_budget_only_misses_coincidental_matches(corpus):
    """The default budget's share of a 100,000-entry memory (180 of 3,000): close edits are still always found."""
    texts, queries = corpus
    memory = Memory.of_texts(texts, budget=round(BUDGET * len(texts) / 100_000))
    agree = 0
    for number, query in enumerate(queries):
        found, expected = memory.best(query, 75), brute_force(texts, query, 75)
        if number < 180:                       # word edits and typos of memory entries
            assert found == expected, query
        else:                                  # new sentences: at worst a lesser match, or none
            assert found is None or (expected is not None and found[1] <= expected[1]), query
        agree += found == expected
    assert agree >= 0.97 * len(queries)


def test_a_window_within_the_budget_is_scanned_whole(corpus):
    texts, queries = corpus
    memory = Memory.of_texts(texts, budget=len(texts))
    for query in queries[::6]:
        for threshold in (0, 50, 75):
            assert memory.best(query, threshold) == brute_force(texts, query, threshold), (query, threshold)


@settings(max_examples=300, deadline=None)
@given(st.text("abc ", min_size=1, max_size=30), st.text("abc ", min_size=1, max_size=30),
       st.integers(1, 100))
def test_the_length_window_never_excludes_a_text_that_reaches_the_threshold(query, text, threshold):
    shortest, longest = length_window(len(query), threshold)
    if fuzz.ratio(query, text) >= threshold:
        assert shortest <= len(text) <= longest


# ---- lookups through the public API -----------------------------------------------------------------

def record(origin: str, approved: bool = False, msgctxt: str | None = None, *forms: str) -> Record:
    return Record(forms or (f"translation from {origin}",), origin, msgctxt, approved)


def test_exact_matches_prefer_approved_then_this_catalog_then_the_origin():
    text = "Do not take more than the leaflet says."
    memory = Memory({(text, None): [record("es_US/b"), record("es/z", approved=True), record("es/c"),
                                   record("es/a", approved=True)]}, "es")
    assert memory.lookup(POEntry(msgid=text), "es/new", 75) == (record("es/a", approved=True), 100)
    unapproved = Memory({(text, None): [record("es_US/b"), record("es/c")]}, "es")
    assert unapproved.lookup(POEntry(msgid=text), "es/new", 75) == (record("es/c"), 100)
    assert unapproved.lookup(POEntry(msgid=text), "es_US/new", 75) == (record("es/c"), 100)
    assert Memory({(text, None): [record("es_US/b"), record("es/c")]}, "es_US").lookup(
        POEntry(msgid=text), "es/new", 75) == (record("es_US/b"), 100)


def test_an_entry_is_not_its_own_exact_match_but_another_context_is():
    text = "Take one tablet."
    own, other_context = record("es/a", msgctxt="dose"), record("es/a", msgctxt="heading")
    memory = Memory({(text, None): [own, other_context]}, "es")
    assert memory.lookup(POEntry(msgid=text, msgctxt="dose"), "es/a", 75) == (other_context, 100)
    assert memory.lookup(POEntry(msgid=text, msgctxt="heading"), "es/a", 75) == (own, 100)
    assert memory.lookup(POEntry(msgid=text, msgctxt="dose"), "es/b", 75) == (own, 100)


def test_an_exact_match_comes_before_any_fuzzy_one():
    memory = Memory.of_texts(["Take the tablets with water.", "Take the tablets with water!"])
    assert memory.lookup(POEntry(msgid="Take the tablets with water!"), "es/a", 75)[1] == 100


@pytest.mark.parametrize("first", [0, 1])
def test_a_tie_goes_to_the_text_a_full_scan_meets_first(first):
    query = "Take the new pill with some food every morning."
    tied = ["Take the new zzzz with some food every morning.", "Take the new pill with zzzz food every morning."]
    assert fuzz.ratio(query, tied[0]) == fuzz.ratio(query, tied[1]) == pytest.approx(91.49, abs=0.01)  # different keys
    texts = [f"Filler sentence number {n:04}." for n in range(50)] + [tied[first], tied[1 - first]]
    memory = Memory.of_texts(texts, budget=10)
    assert memory.best(query, 75) == brute_force(texts, query, 75) == (tied[first], fuzz.ratio(query, tied[0]))


def test_fuzzy_scores_are_truncated_and_below_100():
    memory = Memory.of_texts(["abce", "abcdefgx", "x" * 199 + "y"])
    assert memory.lookup(POEntry(msgid="abcd"), "es/a", 75) == (record("memory/texts", False, None, "abce"), 75)
    assert memory.lookup(POEntry(msgid="abcd"), "es/a", 75.5) is None
    assert memory.lookup(POEntry(msgid="abcdefgh"), "es/a", 80)[1] == 87       # 87.5
    assert memory.lookup(POEntry(msgid="x" * 200), "es/a", 99)[1] == 99        # 99.5


def test_plural_entries_only_ever_match_exactly():
    singular, plural = "Take %d tablet.", "Take %d tablets."
    forms = Record(("Tome %d comprimido.", "Tome %d comprimidos."), "es/a", None, True)
    memory = Memory({(singular, plural): [forms], (singular, None): [record("es/b")],
                     ("Take %d tablet!", "Take %d tablets!"): [record("es/c")]}, "es")
    assert memory.lookup(POEntry(msgid=singular, msgid_plural=plural), "es/new", 75) == (forms, 100)
    assert memory.lookup(POEntry(msgid="Take %d tablet!", msgid_plural="Take %d tablets"), "es/new", 0) is None
    assert memory.lookup(POEntry(msgid="Take %d tablet!"), "es/new", 75) == (record("es/b"), 93)


def test_a_recurring_sentence_is_searched_once(corpus, monkeypatch):
    texts, queries = corpus
    memory, searched = Memory.of_texts(texts, budget=180), []
    search = memory.best
    monkeypatch.setattr(memory, "best", lambda text, threshold: searched.append(threshold) or search(text, threshold))
    first = memory.lookup(POEntry(msgid=queries[0]), "es/a", 75)
    assert first is not None and memory.lookup(POEntry(msgid=queries[0]), "es/b", 75) == first
    memory.lookup(POEntry(msgid=queries[0]), "es/b", 90)
    assert searched == [75, 90]

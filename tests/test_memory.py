"""The translation memory on its own: the fuzzy index against a full scan, exact-match precedence, edge cases."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from workflow import memory_records
from workflow.catalogs import POEntry
from workflow.memory import FuzzyIndex, Memory, Record, full_scan, length_window

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from memory_bench import Sentences, workload  # noqa: E402


def brute_force(texts: list[str], query: str, threshold: float) -> tuple[str, float] | None:
    """The text with the highest ratio (the first in length order on a tie), if it reaches ``threshold``."""
    best = max(sorted(texts, key=len), key=lambda text: fuzz.ratio(query, text))
    score = fuzz.ratio(query, best)
    return (best, score) if score >= threshold else None


def window_scan(texts: list[str], query: str, threshold: float) -> tuple[str, float] | None:
    """``process.extractOne`` over the length window of ``query``, written out here, independently of memory.py."""
    shortest, longest = length_window(len(query), threshold)
    window = [text for text in sorted(texts, key=len) if shortest <= len(text) <= longest]
    found = process.extractOne(query, window, scorer=fuzz.ratio, score_cutoff=threshold)
    return found and found[:2]


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


@pytest.fixture(scope="module")
def bench_corpus() -> tuple[list[str], list[str]]:
    """The benchmark's own generator (bench/memory_bench.py), smaller: 4,000 entries, 400 lookups."""
    return workload(4000, 400, seed=3)


@pytest.mark.parametrize("threshold", [75, 90, 60])
def test_the_index_finds_what_a_full_scan_finds(corpus, threshold):
    texts, queries = corpus
    memory = Memory.of_texts(texts)
    hits = 0
    for query in queries:
        expected = window_scan(texts, query, threshold)
        assert memory.best(query, threshold) == expected == memory.scan(query, threshold), query
        hits += expected is not None
    assert 0.2 * len(queries) <= hits <= 0.9 * len(queries)   # both kinds: matches, and none at all


def test_the_index_agrees_with_a_full_scan_on_every_query_of_the_benchmark(bench_corpus):
    """Every query, with its near-ties: the same text and the same score as ``process.extractOne``."""
    texts, queries = bench_corpus
    memory = Memory.of_texts(texts)
    near_ties = misses = 0
    for query in queries:
        expected = window_scan(texts, query, 75)
        assert memory.best(query, 75) == expected, query
        misses += expected is None
        if expected is not None:        # another text within a point of the best one
            scores = sorted(process.extract(query, texts, scorer=fuzz.ratio, limit=2), key=lambda found: -found[1])
            near_ties += len(scores) > 1 and scores[0][1] - scores[1][1] < 1
    assert misses >= 0.3 * len(queries) and near_ties >= 5


def test_the_full_scan_is_a_brute_force_over_the_window(corpus):
    texts, queries = corpus
    for query in queries[::12]:
        for threshold in (0, 50, 75):
            assert full_scan(sorted(texts, key=len), query, threshold) == brute_force(texts, query, threshold)


@settings(max_examples=300, deadline=None)
@given(st.text("abc ", min_size=1, max_size=30), st.text("abc ", min_size=1, max_size=30),
       st.integers(1, 100))
def test_the_length_window_never_excludes_a_text_that_reaches_the_threshold(query, text, threshold):
    shortest, longest = length_window(len(query), threshold)
    if fuzz.ratio(query, text) >= threshold:
        assert shortest <= len(text) <= longest


# Few distinct characters make many equal scores: ties. Chinese has no spaces; "" and one-letter texts too.
LATIN, CHINESE = "ab c", "每日服用一片药水饭后"
EXAMPLES = st.sampled_from([LATIN, CHINESE, LATIN + CHINESE]).flatmap(
    lambda alphabet: st.tuples(st.lists(st.text(alphabet, max_size=12), min_size=1, max_size=60, unique=True),
                               st.lists(st.text(alphabet, max_size=12), min_size=1, max_size=8)))


@settings(max_examples=200, deadline=None)
@given(EXAMPLES, st.sampled_from([0, 1, 40, 50, 66.67, 75, 100]), st.sampled_from([(32, 10), (3, 1), (2, 0)]))
def test_every_pruning_is_safe_on_ties_short_and_non_latin_texts(example, threshold, shape):
    """The index with no small-window shortcut, also with few columns (characters merged: looser bounds)."""
    texts, queries = example
    width, common = shape
    index = FuzzyIndex(sorted(texts, key=len), width=width, common=common, small=0)
    for query in queries + texts[:3]:
        assert index.best(query, threshold) == window_scan(texts, query, threshold), (query, threshold)


def test_an_empty_memory_and_a_memory_of_empty_texts():
    assert Memory.of_texts([]).best("Take one tablet.", 0) is None
    index = FuzzyIndex([""] * 3, small=0)
    assert index.best("", 75) == ("", 100) and index.best("a", 0) == ("", 0)


def test_chinese_sentences_without_spaces():
    rng = random.Random(3)
    words = ["每日", "服用", "一片", "药", "饭后", "多喝水", "如果", "头痛", "请", "咨询", "医生", "儿童", "不要"]
    texts = list(dict.fromkeys("".join(rng.choices(words, k=rng.randint(4, 12))) + "。" for _ in range(800)))
    memory = Memory.of_texts(texts)
    queries = [text[:-3] + "医生。" for text in texts[:40]] + ["".join(rng.choices(words, k=8)) for _ in range(40)]
    found = [memory.best(query, 75) for query in queries]
    assert found == [window_scan(texts, query, 75) for query in queries]
    assert any(found) and not all(found)


@pytest.mark.parametrize("query", ["", "a", "ab", "💊", "x" * 300, "a" * 256 + "b"])
def test_empty_very_short_and_very_long_texts(query):
    """Counts are clipped at 255 per text (uint8): what is clipped away is added back to the bound."""
    texts = ["", "a", "b", "ab", "ba", "abc", "💊", "a💊", "x" * 299, "x" * 280 + "y" * 20, "a" * 300, "a" * 255 + "bb"]
    index = FuzzyIndex(sorted(texts, key=len), small=0)
    for threshold in (0, 50, 75, 100):
        assert index.best(query, threshold) == window_scan(texts, query, threshold), threshold


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
    texts = [f"Filler sentence number {n:04}." for n in range(200)] + [tied[first], tied[1 - first]]
    memory = Memory.of_texts(texts)
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
    memory, searched = Memory.of_texts(texts), []
    search = memory.best
    monkeypatch.setattr(memory, "best", lambda text, threshold: searched.append(threshold) or search(text, threshold))
    first = memory.lookup(POEntry(msgid=queries[0]), "es/a", 75)
    assert first is not None and memory.lookup(POEntry(msgid=queries[0]), "es/b", 75) == first
    memory.lookup(POEntry(msgid=queries[0]), "es/b", 90)
    assert searched == [75, 90]


# ---- the packed records (workflow/memory_records.py) ------------------------------------------------------

def ranked(records: list[tuple[tuple[str, str | None], Record]], catalog: str) -> dict:
    """Each source text's records as the memory held them before they were packed: a list each, sorted."""
    lists: dict = {}
    for key, record in records:
        lists.setdefault(key, []).append(record)
    for found in lists.values():
        found.sort(key=lambda r: (not r.approved, r.imported, not r.origin.startswith(catalog + "/"), r.origin))
    return lists


texts = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(["Rest.", "Eat.", "ból głowy", ""])
records = st.lists(st.tuples(
    st.tuples(texts, st.none() | st.sampled_from(["Rests.", "%d days"])),
    st.builds(Record, st.lists(texts, min_size=1, max_size=3).map(tuple),
              st.sampled_from(["es/a", "es/b", "es_US/a", "esx/a", "memory/agency.tmx"]),
              st.none() | st.sampled_from(["dose", "heading"]), st.booleans(), st.booleans())), max_size=40)


@settings(max_examples=300, deadline=None)
@given(records, st.sampled_from(["es", "es_US"]), st.sampled_from([1, 8, memory_records.BLOCK]))
def test_the_packed_records_are_the_ranked_lists(pairs, catalog, block):
    expected = ranked(pairs, catalog)
    with patch.object(memory_records, "BLOCK", block):      # translations compressed a few bytes at a time
        memory = Memory(iter(pairs), catalog)
    assert dict(memory.exact) == expected and list(memory.exact) == list(expected)
    assert memory.choices == sorted((source for source, plural in expected if plural is None), key=len)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(texts.filter(bool), st.none() | texts, st.none() | texts, st.booleans(),   # "": a header
                          st.lists(texts, min_size=1, max_size=3)), max_size=20))
def test_a_catalog_gives_its_translated_entries_back_whole(rows):
    from workflow.catalogs import POFile
    from workflow.memory import catalog_records
    po, expected = POFile(), []
    for msgid, plural, msgctxt, fuzzy, forms in rows:
        if plural:
            entry = POEntry(msgid=msgid, msgid_plural=plural, msgctxt=msgctxt,
                            msgstr_plural=dict(enumerate(forms)), flags=["fuzzy"] if fuzzy else [])
        else:
            entry = POEntry(msgid=msgid, msgctxt=msgctxt, msgstr=forms[0], flags=["fuzzy"] if fuzzy else [])
        po.append(entry)
        if not fuzzy and all(entry_forms := (forms if plural else forms[:1])):
            expected.append(((msgid, plural or None), Record(tuple(entry_forms), "es/a", msgctxt, False)))
    assert list(catalog_records(po, "es", "a").pairs()) == expected

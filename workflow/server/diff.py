"""A word diff of two texts as escaped HTML: what a reviewer reads when a source or a translation changed (pure)."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def words(text: str) -> list[str]:
    """``text`` cut into words, runs of white space and single punctuation marks (joined, they give it back).

    >>> words("Take 1-2 tablets, twice.")
    ['Take', ' ', '1', '-', '2', ' ', 'tablets', ',', ' ', 'twice', '.']
    """
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> Markup:
    """``new`` against ``old``, escaped, with removed words in ``<del>`` and added ones in ``<ins>``.

    >>> str(word_diff("Take 1 tablet.", "Take 120 mg a day <b>."))
    'Take <del>1 tablet</del><ins>120 mg a day &lt;b&gt;</ins>.'
    >>> str(word_diff("Same text", "Same text"))
    'Same text'
    """
    out: list[Markup] = []
    for same, removed, added in _chunks(words(old), words(new)):
        if same:
            out.append(escape(removed))
            continue
        if removed:
            out.append(Markup("<del>{}</del>").format(removed))
        if added:
            out.append(Markup("<ins>{}</ins>").format(added))
    return Markup("").join(out)


def _chunks(before: list[str], after: list[str]) -> list[tuple[bool, str, str]]:
    """(unchanged, old text, new text) runs; a lone space between two changes joins them, so a changed
    phrase reads as one deletion and one insertion rather than word by word."""
    chunks: list[list] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(before[i1:i2]), "".join(after[j1:j2])
        if op != "equal" and len(chunks) >= 2 and not chunks[-2][0] and chunks[-1][0] and not chunks[-1][1].strip():
            space = chunks.pop()[1]
            chunks[-1][1] += space + old
            chunks[-1][2] += space + new
        elif op != "equal" and chunks and not chunks[-1][0]:
            chunks[-1][1] += old
            chunks[-1][2] += new
        else:
            chunks.append([op == "equal", old, new])
    return [(same, old, new) for same, old, new in chunks]

"""Emergency advice per market: an article that tells one market's readers whom to call in an emergency
tells every market's readers (a source-level check, run by ``locum check`` on each article's template).

A region block is an emergency block when one of its segments names an
emergency number (:data:`EMERGENCY_NUMBERS`, whole numbers) or says
"emergency" (the source language's ``emergency_words``,
:mod:`workflow.languages`). An article with such a block for ``gb`` and none
for ``us`` (or the reverse) gets a warning at the line of the block it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from workflow import languages
from workflow.checks.registry import WARNING, source_check

EMERGENCY_NUMBERS = ("999", "112", "911")     # UK, Europe, US: numbers, not words, so not language data


def is_emergency(text: str, source_language: str) -> bool:
    """Whether a segment is emergency advice: an emergency number, or the word.

    >>> is_emergency("In an emergency, call 911.", "en"), is_emergency("Call 999 now.", "en")
    (True, True)
    >>> is_emergency("Take 9110 mg.", "en"), is_emergency("See your GP.", "en")
    (False, False)
    """
    numbers = "|".join(EMERGENCY_NUMBERS)
    if re.search(rf"(?<![\w.,])(?:{numbers})(?!\w|[.,]\d)", text):
        return True
    words = languages.language(source_language).emergency_words
    return bool(words) and re.search(rf"(?<!\w)(?:{words})(?!\w)", text, re.IGNORECASE) is not None


@source_check("emergency-block", WARNING)
def emergency_blocks(blocks: Mapping[str, Sequence[tuple[int, str]]], markets: Sequence[str],
                     source_language: str) -> Iterator[tuple[int, str, str]]:
    """(line, market without one, message) for each market lacking the emergency block another market has.

    ``blocks``: each market's region segments as (source line, text);
    ``markets``: the markets whose readers the site serves.
    """
    found = {market: next((line for line, text in segments if is_emergency(text, source_language)), None)
             for market, segments in blocks.items()}
    having = {market: line for market, line in found.items() if line is not None}
    if not having:
        return
    first = min(having, key=lambda m: having[m])
    for market in markets:
        if market not in having:
            yield (having[first], market,
                   f"a region {first} block tells readers whom to call in an emergency (line {having[first]}) "
                   f"but no region {market} block does: {market} readers are not told")

"""Warnings a translator should look at: copied source, length outliers, whitespace, end punctuation."""

from __future__ import annotations

import re
from typing import Iterator

from workflow import languages
from workflow.checks.numbers import extract_quantities
from workflow.checks.registry import WARNING, Pair, check
from workflow.glossary import prose
from workflow.languages import CLOSING_QUOTES, FINAL_MARK_FORMS

_CLOSERS = "*_`)]}" + CLOSING_QUOTES
_DOUBLE_SPACE = re.compile(r"[^\S\n]{2,}")


@check("untranslated", WARNING)
def untranslated(pair: Pair) -> Iterator[str]:
    """The translation repeats the source although it has words to translate.

    Do-not-translate terms and locked terms whose rendering is the source word
    (``paracetamol`` in Spanish) do not count as words to translate.
    """
    in_source_language = pair.language == pair.catalog.split("_")[0] == pair.source_language
    if in_source_language or pair.target.strip() != pair.source.strip():
        return
    rest = prose(pair.source)
    if pair.glossary is not None:      # terms kept as they are on purpose (Cymbalta, NHS, paracetamol)
        for term in pair.glossary.terms:
            forms = term.forms_for(pair.catalog, pair.source_language)
            if term.status == "dnt" or (term.status == "locked" and forms and forms.search(term.term)):
                rest = term.source_pattern.sub(" ", rest)
    # "30 mg" has nothing to translate
    for quantity in extract_quantities(rest, pair.source_language, pair.source_language):
        rest = rest.replace(quantity.text, " ")
    if re.search(r"[^\W\d_]{2,}", rest):
        yield "the translation is the same as the source"


def length_bounds(language: str) -> tuple[float, float]:
    """Plausible target/source length ratios; outside them a sentence was probably cut or padded."""
    return languages.language(language).length_bounds


@check("length-ratio", WARNING)
def length_ratio(pair: Pair) -> Iterator[str]:
    """The translation is much shorter or longer than its source."""
    if len(pair.source) < 40:
        return
    ratio = len(pair.target) / len(pair.source)
    low, high = length_bounds(pair.language)
    if not low <= ratio <= high:
        yield f"the translation is {ratio:.1f}× the length of the source (expected {low}–{high}×)"


@check("whitespace", WARNING)
def whitespace(pair: Pair) -> Iterator[str]:
    """Leading or trailing whitespace that differs from the source, or doubled spaces."""
    if pair.target[:1].isspace() != pair.source[:1].isspace():
        yield "leading whitespace differs from the source"
    if pair.target[-1:].isspace() != pair.source[-1:].isspace():
        yield "trailing whitespace differs from the source"
    if _DOUBLE_SPACE.search(pair.target) and not _DOUBLE_SPACE.search(pair.source):
        yield "doubled space in the translation"


def end_mark(text: str) -> str:
    """The final punctuation mark of a segment, ignoring closing Markdown and quotes.

    >>> end_mark("Take it with food.**"), end_mark("Is it safe?"), end_mark("Side effects")
    ('.', '?', '')
    """
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    return stripped[-1:] if stripped[-1:] and not stripped[-1].isalnum() else ""


@check("end-punctuation", WARNING)
def end_punctuation(pair: Pair) -> Iterator[str]:
    """Final punctuation matches the source, in the target language's own forms (¿…? in Spanish, ؟ in Arabic)."""
    source, target = end_mark(pair.source), end_mark(pair.target)
    wanted = FINAL_MARK_FORMS.get(source)
    if wanted is None:
        if target in ("?", "؟", "!", ".") and source == "":
            yield f"the translation ends with {target!r} but the source has no final punctuation"
        return
    language = languages.language(pair.language)
    own, opening = dict(language.final_marks), dict(language.opening_marks).get(source)
    if source in own:
        wanted = {own[source]}
    if target not in wanted:
        shown = " or ".join(repr(w) for w in sorted(wanted))
        yield f"the source ends with {source!r}; the translation should end with {shown}, not {target or 'nothing'!r}"
    elif opening is not None and opening not in pair.target:
        yield f"a {languages.english_name(pair.language)} {'question' if source == '?' else 'exclamation'} " \
              f"needs its opening mark {opening}"

"""Glossary checks: locked renderings, do-not-translate terms, forbidden renderings.

Texts are matched as readers see them: without invisible characters (``consti\\u00adpación``
is ``constipación``), which the ``invisible`` check reports itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from workflow.checks.registry import ERROR, Pair, check
from workflow.glossary import prose
from workflow.visible import visible


def _terms(pair: Pair, status: str):
    return pair.glossary.by_status(status) if pair.glossary is not None else []


@lru_cache(maxsize=8192)        # every term of the glossary looks at the same two texts
def _prose(text: str) -> str:
    return prose(visible(text))


@lru_cache(maxsize=16384)       # the same source text is checked against every language (one article's
                                # catalogs go to one worker in turn: its terms × texts fit)
def _occurs(source_pattern: re.Pattern, source: str) -> bool:
    """``Term.occurs_in``: whether the term with ``source_pattern`` is in ``source`` outside URLs and link targets."""
    return source_pattern.search(_prose(source)) is not None


@check("glossary-locked", ERROR)
def locked(pair: Pair) -> Iterator[str]:
    """A locked source term must be rendered as the glossary says for this catalog."""
    for term in _terms(pair, "locked"):
        forms = term.forms_for(pair.catalog, pair.source_language)
        if forms is not None and _occurs(term.source_pattern, pair.source) and not forms.pattern.search(
                _prose(pair.target)):
            yield f"locked term {term.term!r} must be rendered as {forms.shown} in {pair.catalog}"


@check("glossary-dnt", ERROR)
def do_not_translate(pair: Pair) -> Iterator[str]:
    """A do-not-translate term in the source must appear verbatim in the translation."""
    for term in _terms(pair, "dnt"):
        if _occurs(term.source_pattern, pair.source) and not term.source_pattern.search(_prose(pair.target)):
            yield f"{term.term!r} must stay as it is (do not translate)"


@check("glossary-forbidden", ERROR)
def forbidden(pair: Pair) -> Iterator[str]:
    """A forbidden rendering must never appear in the translation."""
    for term in _terms(pair, "forbidden"):
        forms = term.forms_for(pair.catalog, pair.source_language)
        if forms is not None:
            match = forms.pattern.search(_prose(pair.target))
            if match:
                note = f" ({term.note})" if term.note else ""
                hidden = "" if match.group(0) in pair.target else " (written with invisible characters)"
                yield f"forbidden rendering {match.group(0)!r}{hidden} for {term.term!r}{note}"


@check("glossary-added", ERROR)
def added(pair: Pair) -> Iterator[str]:
    """A locked term's rendering in a translation whose source does not name the term: a drug name added.

    A memory or machine match of a neighbouring sentence can carry a medicine
    into a warning about another one ("duloxetina" in a warning about
    antidepressants in general); a reader would take it as advice. The
    article's own subject (a term of its title) may be named where the source
    says "it": languages that drop the pronoun name the medicine instead.
    """
    for term in _terms(pair, "locked"):
        forms = term.forms_for(pair.catalog, pair.source_language)
        if forms is None or _occurs(term.source_pattern, pair.source) or _occurs(term.source_pattern, pair.subject):
            continue
        match = forms.pattern.search(_prose(pair.target))
        if match:
            yield (f"{match.group(0)!r} ({term.term!r}) is in the translation but {term.term!r} is not in the "
                   "source: a drug name added")

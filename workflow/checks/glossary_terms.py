"""Glossary checks: locked renderings, do-not-translate terms, forbidden renderings."""

from __future__ import annotations

from typing import Iterator

from workflow.checks.registry import ERROR, Pair, check
from workflow.glossary import prose


def _terms(pair: Pair, status: str):
    return pair.glossary.by_status(status) if pair.glossary is not None else []


@check("glossary-locked", ERROR)
def locked(pair: Pair) -> Iterator[str]:
    """A locked source term must be rendered as the glossary says for this catalog."""
    for term in _terms(pair, "locked"):
        forms = term.forms_for(pair.catalog)
        if forms is not None and term.occurs_in(pair.source) and not forms.search(prose(pair.target)):
            yield f"locked term {term.term!r} must be rendered as {forms.shown} in {pair.catalog}"


@check("glossary-dnt", ERROR)
def do_not_translate(pair: Pair) -> Iterator[str]:
    """A do-not-translate term in the source must appear verbatim in the translation."""
    for term in _terms(pair, "dnt"):
        if term.occurs_in(pair.source) and not term.source_pattern.search(prose(pair.target)):
            yield f"{term.term!r} must stay as it is (do not translate)"


@check("glossary-forbidden", ERROR)
def forbidden(pair: Pair) -> Iterator[str]:
    """A forbidden rendering must never appear in the translation."""
    for term in _terms(pair, "forbidden"):
        forms = term.forms_for(pair.catalog)
        if forms is not None:
            match = forms.pattern.search(prose(pair.target))
            if match:
                note = f" ({term.note})" if term.note else ""
                yield f"forbidden rendering {match.group(0)!r} for {term.term!r}{note}"

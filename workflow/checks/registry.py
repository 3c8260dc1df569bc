"""The check registry: small functions with one signature, each registered with an id and a severity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from workflow.languages import SOURCE_LANGUAGE

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Pair:
    """What a check looks at: one source text and its translation in one catalog.

    ``catalog`` is the catalog name (``es``, ``es_US``); ``language`` its
    language (``es``); ``glossary`` the project's term rules (or None);
    ``flags`` the entry's flags (``python-format``…); ``msgid_plural`` the
    entry's plural source when ``target`` is one of its plural forms;
    ``source_language`` the language ``source`` is written in (the project's);
    ``subject`` the source of the article's title (what "it" may stand for).
    """

    source: str
    target: str
    catalog: str
    language: str
    glossary: object = None
    flags: tuple = ()
    msgid_plural: str | None = None
    source_language: str = SOURCE_LANGUAGE
    subject: str = ""


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    function: Callable[[Pair], Iterable[str]]
    doc: str


REGISTRY: dict[str, Check] = {}


def check(check_id: str, severity: str):
    """Register ``function(pair) -> messages`` as check ``check_id`` with ``severity``."""
    if severity not in (ERROR, WARNING):
        raise ValueError(f"unknown severity {severity!r}")

    def register(function: Callable[[Pair], Iterable[str]]):
        if check_id in REGISTRY:
            raise ValueError(f"check {check_id!r} registered twice")
        REGISTRY[check_id] = Check(check_id, severity, function, (function.__doc__ or "").strip())
        return function

    return register


def run_checks(pair: Pair) -> list[tuple[Check, str]]:
    """Every (check, message) that ``pair`` triggers, in registry order."""
    return [(c, message) for c in REGISTRY.values() for message in c.function(pair)]


SOURCE_CHECKS: dict[str, Check] = {}


def source_check(check_id: str, severity: str):
    """Register ``function(blocks, markets, source_language) -> (line, market, message)…``: a check of an
    article's source (its region blocks, each market's segments as (line, text)), not of a translation."""
    if severity not in (ERROR, WARNING):
        raise ValueError(f"unknown severity {severity!r}")

    def register(function: Callable):
        if check_id in SOURCE_CHECKS or check_id in REGISTRY:
            raise ValueError(f"check {check_id!r} registered twice")
        SOURCE_CHECKS[check_id] = Check(check_id, severity, function, (function.__doc__ or "").strip())
        return function

    return register

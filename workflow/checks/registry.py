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
    ``source_language`` the language ``source`` is written in (the project's).
    """

    source: str
    target: str
    catalog: str
    language: str
    glossary: object = None
    flags: tuple = ()
    msgid_plural: str | None = None
    source_language: str = SOURCE_LANGUAGE


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

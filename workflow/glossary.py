"""``locales/glossary.csv`` → term rules; source and target matching; the renderings each catalog must use."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from workflow import languages
from workflow.errors import ErrorList, LocumError
from workflow.languages import SOURCE_LANGUAGE
from workflow.visible import visible

GLOSSARY_PATH = Path("locales") / "glossary.csv"
STATUSES = ("locked", "dnt", "forbidden")
FIXED_COLUMNS = ("term", "status", "note")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"(?:https?://|www\.|mailto:)\S+|<[^<>\s]+@[^<>\s]+>|\b[\w.+-]+@[\w-]+\.[\w.-]+")


class GlossaryError(LocumError):
    """A malformed glossary row."""


@dataclass(frozen=True)
class Forms:
    """Accepted target renderings: literal alternatives or one regular expression."""

    pattern: re.Pattern
    shown: str

    def search(self, text: str) -> bool:
        """Whether ``text``, without invisible characters, has one of the forms."""
        return self.pattern.search(visible(text)) is not None


@dataclass(frozen=True)
class Term:
    term: str
    status: str
    note: str
    line: int
    source_pattern: re.Pattern = field(repr=False)
    renderings: dict[str, Forms] = field(repr=False)

    def occurs_in(self, source: str) -> bool:
        return self.source_pattern.search(prose(visible(source))) is not None

    def forms_for(self, catalog: str, source_language: str = SOURCE_LANGUAGE) -> Forms | None:
        """The renderings for ``catalog``: its own column, else its language's column.

        For a catalog in the source language (``en_US``) with no column, the term itself.
        """
        language = catalog.split("_")[0]
        for column in (catalog, language):
            if column in self.renderings:
                return self.renderings[column]
        if language == source_language and self.status != "forbidden":
            return Forms(self.source_pattern, self.term)
        return None


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]

    def by_status(self, status: str) -> list[Term]:
        return [t for t in self.terms if t.status == status]


def prose(text: str) -> str:
    """Text with URLs, e-mail addresses and Markdown link targets removed (terms there don't count).

    >>> prose("See [NHS 111](https://111.nhs.uk/) or www.nhs.uk today.")
    'See [NHS 111]  or   today.'
    """
    return _URL.sub(" ", _LINK_TARGET.sub("] ", text))


def source_pattern(term: str, source_language: str = SOURCE_LANGUAGE) -> re.Pattern:
    """Whole-word match of a source term and the endings it takes in ``source_language`` (English: plural, possessive).

    Case-insensitive, except for acronyms written in capitals (``NICE`` is not
    the adjective "nice", ``NHS`` is not ``nhs`` in a host name).

    >>> bool(source_pattern("NSAID").search("Avoid NSAIDs.")), bool(source_pattern("SNRI").search("SNRIs'"))
    (True, True)
    >>> bool(source_pattern("GP").search("GPS tracker")), bool(source_pattern("NICE").search("a nice walk"))
    (False, False)
    >>> bool(source_pattern("serotonin syndrome").search("Serotonin  Syndrome"))
    True
    """
    words = r"\s+".join(re.escape(w) for w in visible(term).split())
    flags = 0 if term.isupper() else re.IGNORECASE
    endings = languages.language(source_language).term_endings
    return re.compile(rf"(?<!\w){words}{f'(?-i:{endings})?' if endings else ''}(?!\w)", flags)


def _forms(cell: str, language: str) -> Forms:
    """Target forms from a cell: ``a|b`` alternatives or ``/regex/``; Unicode-aware, case-insensitive.

    Where words take attached prefixes and suffixes (Arabic al-, bi-, wa-), forms
    match inside words; elsewhere they match whole words.

    >>> _forms("/duloksetyn(a|y|ę|ą|ie)/", "pl").search("Duloksetynę przyjmuje się rano.")
    True
    >>> _forms("دولوكسيتين", "ar").search("يساعد الدولوكسيتين على")
    True
    >>> _forms("AINE", "es").search("los DESAINE")
    False

    A form also matches with the case endings of its language
    (:attr:`workflow.languages.Language.case_endings`), the glossary's own
    ``/regex/`` included: a Polish dative or a Spanish plural is the same word.

    >>> _forms("/trazodon(u|em|ie)?/", "pl").search("podawanie trazodonowi"), _forms("AINE", "es").search("los AINEs")
    (True, True)
    >>> _forms("amitryptylina", "pl").search("leczenie amitryptyliną"), _forms("SNRI", "pl").search("SNRIX")
    (True, False)

    Invisible characters in the cell are dropped, as in the texts matched: a
    Persian form with its ZWNJ matches the translation with or without it.
    """
    cell = visible(cell.strip())
    data = languages.language(language)
    if len(cell) > 1 and cell.startswith("/") and cell.endswith("/"):
        body = cell[1:-1]
        re.compile(body)        # report errors at positions of the user's own expression
    else:
        body = "|".join(re.escape(_stem(form.strip(), data.stem_vowels)) for form in cell.split("|") if form.strip())
    if data.attached_words:
        pattern = rf"(?:{body})"
    elif data.case_endings:
        pattern = rf"(?<!\w)(?:{body})(?:{data.case_endings})?(?!\w)"
    else:
        pattern = rf"(?<!\w)(?:{body})(?!\w)"
    return Forms(re.compile(pattern, re.IGNORECASE), cell)


def _stem(form: str, vowels: str) -> str:
    """A literal form without the final vowel its case endings replace (``amitryptylina`` → ``amitryptylin``).

    >>> _stem("amitryptylina", "ao"), _stem("NLPZ", "ao"), _stem("na", "ao")
    ('amitryptylin', 'NLPZ', 'na')
    """
    if vowels and len(form) > 3 and form[-1] in vowels and form[-2].isalpha() and not form.isupper():
        return form[:-1]
    return form


def parse_glossary(text: str, catalogs: tuple[str, ...], path: str = GLOSSARY_PATH.as_posix(),
                   source_language: str = SOURCE_LANGUAGE) -> Glossary:
    """Parse the CSV text (terms in ``source_language``); every malformed row is reported, with its line, first."""
    reader = csv.reader(io.StringIO(text))
    errors: list[LocumError] = []
    try:
        header = next(reader)
    except StopIteration:
        return Glossary(())
    header = [h.strip() for h in header]
    if tuple(header[:3]) != FIXED_COLUMNS:
        raise GlossaryError(f"the first columns must be {', '.join(FIXED_COLUMNS)} (got {', '.join(header[:3])})",
                            path=path, line=1)
    for column in header[3:]:
        if column not in catalogs:
            errors.append(GlossaryError(f"unknown column {column!r}: not a catalog of this project "
                                        f"({', '.join(catalogs)})", path=path, line=1))
    terms: list[Term] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(GlossaryError(f"{len(row)} cells, expected {len(header)}", path=path, line=line))
            continue
        cells = dict(zip(header, (c.strip() for c in row)))
        term, status = cells["term"], cells["status"]
        if not term:
            errors.append(GlossaryError("empty term", path=path, line=line))
            continue
        if status not in STATUSES:
            errors.append(GlossaryError(f"unknown status {status!r} for {term!r} (use one of "
                                        f"{', '.join(STATUSES)})", path=path, line=line))
            continue
        if term.lower() in seen:
            errors.append(GlossaryError(f"{term!r} is already defined on line {seen[term.lower()]}",
                                        path=path, line=line))
            continue
        seen[term.lower()] = line
        renderings: dict[str, Forms] = {}
        for column in header[3:]:
            if cells[column]:
                try:
                    renderings[column] = _forms(cells[column], column.split("_")[0])
                except re.error as exc:
                    errors.append(GlossaryError(f"bad regular expression in column {column!r}: {exc}",
                                                path=path, line=line))
        if status == "forbidden" and not renderings:
            errors.append(GlossaryError(f"forbidden term {term!r} lists no rendering to forbid",
                                        path=path, line=line))
        terms.append(Term(term, status, cells["note"], line, source_pattern(term, source_language), renderings))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return Glossary(tuple(terms))


def load_glossary(root: Path, catalogs: tuple[str, ...], source_language: str = SOURCE_LANGUAGE) -> Glossary:
    """Read ``locales/glossary.csv`` (terms in ``source_language``; an empty glossary when the project has none)."""
    try:
        data = (root / GLOSSARY_PATH).read_bytes()
    except FileNotFoundError:
        data = None
    return glossary_of(data, catalogs, source_language)


# The last glossary parsed by glossary_of, with what it was parsed from: ((data, catalogs, language), glossary).
_LAST: list = [None]


def glossary_of(data: bytes | None, catalogs: tuple[str, ...], source_language: str = SOURCE_LANGUAGE) -> Glossary:
    """The glossary in the bytes of ``locales/glossary.csv`` (None: the project has none), for a caller that
    must know which bytes it judged by (the review server's views).

    The same bytes give the same object as last time (a glossary is frozen,
    so it can be shared): the review server parses it for every view made
    and every batch of approvals, and keeps check results per glossary
    object (:func:`workflow.findings.keep_check_results`).
    """
    key = (data, tuple(catalogs), source_language)
    last = _LAST[0]
    if last is not None and last[0] == key:
        return last[1]
    if data is None:
        glossary = Glossary(())
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise GlossaryError(f"not UTF-8: {exc.reason}", path=GLOSSARY_PATH.as_posix()) from None
        glossary = parse_glossary(text, catalogs, source_language=source_language)
    _LAST[0] = (key, glossary)
    return glossary

"""Contact checks: every URL, email address and phone number reaches the reader exactly as the source wrote it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Callable, Iterable, Iterator, NamedTuple

from workflow.checks.registry import ERROR, Pair, check


class Found(NamedTuple):
    """One URL, email address or phone number: its text as written and where it is (``text[start:end]``)."""

    text: str
    start: int
    end: int


# A Markdown inline link or image destination: ](dest), ](<dest>), ](dest "title").
# One level of balanced parentheses is allowed inside, as in Wikipedia URLs.
_LINK_DESTINATION = re.compile(r"""
    \]\(\s*
    (?: <(?P<angle>[^<>\n]*)>
      | (?P<plain>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+) )
    (?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?
    \s*\)""", re.VERBOSE)
_AUTOLINK = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>|<(?P<email>[^\s<>@]+@[^\s<>@]+)>")
_BARE_URL = re.compile(r"(?<![\w/@.-])(?:https?://|ftp://|www\.)[^\s<>\"`\[\]\x00]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MAILTO = re.compile(r"mailto:", re.IGNORECASE)
# What each of the four patterns above needs: without one of these a text has no URL or address.
_CONTACT_MARK = re.compile(r"\]\(|<|@|://|www\.", re.IGNORECASE)

# What may end a sentence right after a bare URL (Latin, Arabic, CJK) or close Markdown emphasis around it.
_TRAILING = ".,;:!?…'\"”’»›*_~،؛؟。"

_SPACE = "[ \u00a0\u202f\u2009]"
_PHONE = re.compile(rf"""
    (?<![^\W\u0600-\u06FF])      # not the tail of a Latin word or code; an Arabic clitic (بـ) may touch it
    (?<![-–.,/+£$€#])            # nor part of a range, a decimal, a path or an amount
    (?:
        \+\d{{1,3}}(?:[ \u00a0\u202f.-]?(?:\(\d{{1,4}}\)|\d{{1,5}})){{2,6}}    # +44 20 7946 0000, +1 (555) 123-4567
      | \(\d{{2,5}}\){_SPACE}?\d{{3,4}}[ \u00a0\u202f.-]?\d{{3,4}}          # (555) 123-4567
      | (?:1[ .-])?\d{{3}}[.-]\d{{3}}[.-]\d{{4}}                             # 1-800-273-8255, 800.273.8255
      | 1[ ]\d{{3}}[ ]\d{{3}}[ ]\d{{4}}                                     # 1 800 273 8255
      | 0\d{{2,4}}{_SPACE}?\d{{3,4}}{_SPACE}?\d{{3,4}}                        # 0300 123 4567, 07700 900123
      | 116{_SPACE}?\d{{3}}                                                # 116 123 (European helplines)
      | (?P<short>999|911|988|111|112)                                     # emergency and service numbers
    )
    (?![^\W_]|[.,٫٬]\d|[-–]\d)
    """, re.VERBOSE)
# A short number followed by a measurement unit is an amount (999 mg), not a number to call.
# (This small list is deliberately local: the numbers check owns the full unit vocabulary.)
_UNIT_AFTER = re.compile(r"[ \u00a0\u202f]?(?:mg|mcg|µg|μg|g|kg|ml|mL|l|L|%|٪|IU|ملغ|مل|غ)(?![^\W\d_])")
_DIGIT = re.compile(r"\d")


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script (Arabic-Indic ٣, Eastern ۳, …) as ASCII, same length.

    >>> ascii_digits("اتصل بـ ٩٩٩ أو ۱۱۱")
    'اتصل بـ 999 أو 111'
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def _trim(url: str) -> str:
    """A bare URL without the sentence punctuation after it; a ``)`` stays when it closes one opened inside.

    >>> _trim("https://en.wikipedia.org/wiki/Sepsis_(disease)).")
    'https://en.wikipedia.org/wiki/Sepsis_(disease)'
    >>> _trim("https://www.nhs.uk/**")
    'https://www.nhs.uk/'
    """
    while url:
        if url[-1] == ")" and url.count("(") < url.count(")") or url[-1] in _TRAILING:
            url = url[:-1]
        else:
            break
    return url


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span blanked out (``\\x00``, same length), so later patterns cannot see inside it."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)


@lru_cache(maxsize=8192)   # every check of a pair scans the same two texts again
def _scan_cached(text: str) -> tuple[tuple[Found, ...], tuple[Found, ...], str]:
    """URLs and email addresses of ``text`` in order, and the text with both blanked out.

    Link destinations and autolinks are read first, so a bare-URL match never
    re-reads a destination and a ``mailto:`` link counts as an address only.
    """
    if not _CONTACT_MARK.search(text):
        return (), (), text
    return _read_contacts(text)


def _read_contacts(text: str) -> tuple[tuple[Found, ...], tuple[Found, ...], str]:
    """:func:`_scan_cached` by the patterns alone, for any text."""
    urls: list[Found] = []
    emails: list[Found] = []
    spans: list[tuple[int, int]] = []

    def take(value: str, start: int, end: int) -> None:
        mailto = _MAILTO.match(value)
        if mailto:
            address = value[mailto.end():].split("?", 1)[0]
            emails.append(Found(address, start + mailto.end(), start + mailto.end() + len(address)))
        elif value:
            urls.append(Found(value, start, end))
        spans.append((start, end))

    for m in _LINK_DESTINATION.finditer(text):
        group = "angle" if m.group("angle") is not None else "plain"
        take(m.group(group), m.start(group), m.end(group))
    masked = _mask(text, spans)
    for m in _AUTOLINK.finditer(masked):
        if m.group("url"):
            take(m.group("url"), m.start("url"), m.end("url"))
        else:
            emails.append(Found(m.group("email"), m.start("email"), m.end("email")))
            spans.append(m.span("email"))
    masked = _mask(text, spans)
    for m in _BARE_URL.finditer(masked):
        url = _trim(m.group())
        take(url, m.start(), m.start() + len(url))
    masked = _mask(text, spans)
    for m in _EMAIL.finditer(masked):
        emails.append(Found(m.group(), m.start(), m.end()))
        spans.append(m.span())
    return (tuple(sorted(urls, key=lambda f: f.start)), tuple(sorted(emails, key=lambda f: f.start)),
            _mask(text, spans))


def find_urls(text: str) -> list[Found]:
    """Every URL of ``text``: Markdown link and image destinations, autolinks and bare URLs (``mailto:`` excluded).

    >>> [f.text for f in find_urls("See [NICE NG59](https://www.nice.org.uk/guidance/ng59), <https://111.nhs.uk/> "
    ...                            "or https://www.nhs.uk/conditions/.")]
    ['https://www.nice.org.uk/guidance/ng59', 'https://111.nhs.uk/', 'https://www.nhs.uk/conditions/']
    """
    return list(_scan_cached(text)[0])


def find_emails(text: str) -> list[Found]:
    """Every email address of ``text``: bare, autolinked (``<a@b.org>``) or a ``mailto:`` link destination.

    >>> [f.text for f in find_emails("Write to [us](mailto:help@example.org?subject=Hi) or ana.lopez@example.org.")]
    ['help@example.org', 'ana.lopez@example.org']
    """
    return list(_scan_cached(text)[1])


def find_phones(text: str) -> list[Found]:
    """Every phone or service number of ``text`` as written (digits of any script), outside URLs and addresses.

    >>> [f.text for f in find_phones("Call [NHS 111](https://111.nhs.uk/), 0300 123 4567 or 999; take 999 mg.")]
    ['111', '0300 123 4567', '999']
    >>> [f.text for f in find_phones("اتصل بـ٩٩٩")]
    ['٩٩٩']
    """
    return list(_phones(text))


@lru_cache(maxsize=8192)   # the phones check and the numbers check (twice) read the same text
def _phones(text: str) -> tuple[Found, ...]:
    """The phone numbers of ``text``, read outside its URLs and addresses."""
    if not _DIGIT.search(text):         # every phone pattern needs a digit
        return ()
    return _read_phones(text)


def _read_phones(text: str) -> tuple[Found, ...]:
    """:func:`_phones` by the pattern alone, for any text."""
    masked = ascii_digits(_scan_cached(text)[2])
    return tuple(Found(text[m.start():m.end()], m.start(), m.end()) for m in _PHONE.finditer(masked)
                 if not (m.group("short") and _UNIT_AFTER.match(masked, m.end())))


def contact_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has URLs, email addresses and phone numbers longer than a 3-digit service number.

    The numbers check blanks these out: a URL's digits are not a dose, and a
    phone number is a string that ``phones`` compares, not a value.
    """
    urls, emails, _ = _scan_cached(text)
    phones = [f for f in _phones(text) if sum(c.isdecimal() for c in f.text) > 3]
    return sorted((f.start, f.end) for f in (*urls, *emails, *phones))


def differences(what: str, source: list[str], target: list[str]) -> Iterator[str]:
    """Messages for the ``source`` items the ``target`` lacks and the items it adds (as multisets).

    A missing item is paired, in order, with an added one to show what the translation has instead.

    >>> list(differences("URL", ["https://a.org/", "https://b.org/"], ["https://b.org/", "https://a.org/es/"]))
    ['URL https://a.org/ in the source is missing in the translation (found https://a.org/es/)']
    >>> list(differences("phone number", [], ["112"]))
    ['phone number 112 added in the translation']
    """
    lost, extra = unmatched(source, target), unmatched(target, source)
    for i, s in enumerate(lost):
        found = f" (found {extra[i]})" if i < len(extra) else ""
        yield f"{what} {s} in the source is missing in the translation{found}"
    for t in extra[len(lost):]:
        yield f"{what} {t} added in the translation"


def unmatched(items: list, others: list, key: Callable = lambda x: x) -> list:
    """The ``items`` left over, in order, once each is matched with an equal one of ``others``.

    >>> unmatched(["1", "2", "2"], ["2", "3"], str)
    ['1', '2']
    """
    if not items or not others:
        return list(items)
    available = Counter(map(key, others))
    left = []
    for item in items:
        if available[key(item)] > 0:
            available[key(item)] -= 1
        else:
            left.append(item)
    return left


def _spaces(phone: str) -> str:
    """A phone number as the reader sees it: a no-break or narrow space looks like a space.

    >>> _spaces("0300\\u00a0123\\u202f4567")
    '0300 123 4567'
    """
    return re.sub("[\u00a0\u202f\u2009]", " ", phone)


@check("urls", ERROR)
def urls(pair: Pair) -> Iterator[str]:
    """Every URL of the source (link targets, autolinks, bare URLs) is unchanged in the translation, and no other."""
    yield from differences("URL", [f.text for f in find_urls(pair.source)], [f.text for f in find_urls(pair.target)])


@check("emails", ERROR)
def emails(pair: Pair) -> Iterator[str]:
    """Every email address of the source (bare, autolinked, mailto:) is unchanged in the translation, and no other."""
    yield from differences("email address", [f.text for f in find_emails(pair.source)],
                           [f.text for f in find_emails(pair.target)])


@check("phones", ERROR)
def phones(pair: Pair) -> Iterator[str]:
    """Every phone and service number of the source appears in the translation with the same digits and grouping."""
    source = [_spaces(f.text) for f in find_phones(pair.source)]
    target = [_spaces(f.text) for f in find_phones(pair.target)]
    for message in differences("phone number", source, target):
        if any(c.isdecimal() and not c.isascii() for c in message):
            # An Arabic-Indic ٩٩٩ is the same value, but not what the reader dials on a UK or US keypad.
            message += "; write phone numbers with the digits 0-9, as they are dialled"
        yield message

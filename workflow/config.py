"""``locales/locum.toml`` → a frozen, validated :class:`Config` (every problem reported at once)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from workflow.errors import ConfigError, ErrorList
from workflow.languages import babel_locale
from workflow.sshsig import SignatureError, parse_public_key
from workflow.tomlpos import KeyPath, key_lines

CONFIG_PATH = Path("locales") / "locum.toml"
SOURCE_LANGUAGE = "en"  # segments, checks and masking know English source text only
POLICIES = ("approved", "preview")
MAX_EMAIL = 57          # "# approval-by: " and the address stay within 72 columns
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class OutputLocale:
    """A locale readers see: BCP 47 ``tag`` (``es-US``), its ``market`` and catalog ``chain``."""

    tag: str
    market: str
    chain: tuple[str, ...]
    policy: str

    @property
    def babel_locale(self) -> Locale:
        """Babel's data for the tag, or for its language when Babel has no such pair (``pl-GB``)."""
        return babel_locale(self.tag)


@dataclass(frozen=True)
class Reviewer:
    """A person who may sign approvals: their keys (OpenSSH ``ssh-ed25519`` lines) and the catalogs they may
    approve. ``retired_keys`` once signed for them: their records stay readable as ``unverified``."""

    name: str
    email: str
    catalogs: tuple[str, ...]
    keys: tuple[str, ...] = ()
    retired_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The validated project configuration; paths are absolute under ``root``."""

    root: Path
    source_language: str
    site_name: str
    base_url: str
    markets: dict[str, str] = field(hash=False)
    locales: tuple[OutputLocale, ...]
    reviewers: tuple[Reviewer, ...]
    policy: str
    show_reviewers: bool = False        # [publish]: "Reviewed by <names>, <date>" on each article page
    server_keys: tuple[str, ...] = ()           # [review_server] key: the review server's public key
    server_retired_keys: tuple[str, ...] = ()   # [review_server] retired_keys: its earlier keys

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @cached_property        # asked for every catalog of every article: made once
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        """``locales/templates/``: the market templates (:mod:`workflow.catalog_templates`)."""
        return self.locales_dir / "templates"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def catalogs(self) -> tuple[str, ...]:
        """Every catalog language named in a chain, in first-seen order (``es_US``, ``es``, …)."""
        seen: dict[str, None] = {}
        for loc in self.locales:
            for name in loc.chain:
                seen.setdefault(name, None)
        return tuple(seen)

    def is_override(self, catalog: str) -> bool:
        """True for a sparse regional override catalog: one that is followed by a fallback.

        ``es_US`` (chain ``es_US → es``) and ``en_US`` (``en_US → source``) are overrides.
        """
        for loc in self.locales:
            if catalog in loc.chain:
                return catalog != loc.chain[-1] or _language(catalog) == self.source_language
        return False

    def markets_of(self, catalog: str) -> frozenset[str]:
        """The markets whose readers see this catalog's text."""
        return frozenset(loc.market for loc in self.locales if catalog in loc.chain)

    def locale(self, tag: str) -> OutputLocale:
        for loc in self.locales:
            if loc.tag.lower() == tag.lower():
                return loc
        raise ConfigError(f"unknown output locale {tag!r} (configured: {', '.join(l.tag for l in self.locales)})",
                          path=CONFIG_PATH.as_posix())

    @cached_property
    def _paths(self) -> dict[tuple[str, str], Path]:
        return {}

    def __getstate__(self) -> dict:
        """What a worker gets: the settings, not the paths made so far (thousands, sent with every job)."""
        state = dict(self.__dict__)
        state.pop("_paths", None)
        return state

    # each made once, from one string: every stage asks for every catalog of every article, and making a
    # Path (parsing it into parts) was a tenth of a publish after a one-entry edit
    def pot_path(self, slug: str) -> Path:
        found = self._paths.get(("", slug))
        if found is None:
            found = self._paths[("", slug)] = Path(f"{self.locales_dir}{os.sep}{slug}.pot")
        return found

    def po_path(self, catalog: str, slug: str) -> Path:
        found = self._paths.get((catalog, slug))
        if found is None:
            found = self._paths[(catalog, slug)] = Path(
                f"{self.locales_dir}{os.sep}{catalog}{os.sep}LC_MESSAGES{os.sep}{slug}.po")
        return found

    def po_files(self, catalog: str) -> list[Path]:
        """Every ``.po`` of a catalog, sorted by name (one directory listing; no hidden files)."""
        try:
            names = sorted(n for n in os.listdir(f"{self.locales_dir}{os.sep}{catalog}{os.sep}LC_MESSAGES")
                           if n.endswith(".po") and not n.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [self.po_path(catalog, name[:-3]) for name in names]


def _language(catalog: str) -> str:
    return catalog.split("_")[0]


def load_config(root: Path) -> Config:
    """Read and validate ``root/locales/locum.toml``; raise :class:`ErrorList` with every problem."""
    path, shown = root / CONFIG_PATH, CONFIG_PATH.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"no configuration found; is {root} a Locum project? "
                          "(use --project DIR or run inside the project)", path=shown) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8: {exc}", path=shown) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path=shown,
                          line=int(match.group(1)) if match else None) from None
    return parse_config(data, root, lines=key_lines(text))


class _Report:
    """The problems found so far, each placed on the line of the key it names.

    ``lines`` maps a key's path to its line (:func:`workflow.tomlpos.key_lines`); a
    path not written in the file (a missing key) takes its nearest written table's line.

    >>> report = _Report({("publish",): 20, ("publish", "policy"): 22})
    >>> report.add(("publish", "policy"), "bad"); report.add(("publish", "gate"), "missing")
    >>> [str(error) for error in report.errors]
    ['locales/locum.toml:22: error: bad', 'locales/locum.toml:20: error: missing']
    """

    def __init__(self, lines: Mapping[KeyPath, int]):
        self.lines = lines
        self.errors: list[ConfigError] = []

    def add(self, at: KeyPath, message: str) -> None:
        while at and at not in self.lines:
            at = at[:-1]
        self.errors.append(ConfigError(message, path=CONFIG_PATH.as_posix(), line=self.lines.get(at)))

    def table(self, data: dict, key: str) -> dict:
        """``data[key]`` when it is a table (or absent: an empty one); otherwise report it."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.add((key,), f"{key}: must be a table")
            return {}
        return value

    def unknown(self, obj: dict, allowed: set[str], at: KeyPath, where: str) -> None:
        for key in obj:
            if key not in allowed:
                self.add(at + (key,), f"{where}: unknown key {key!r} "
                         f"(expected one of: {', '.join(sorted(allowed))})")


def parse_config(data: dict, root: Path, lines: Mapping[KeyPath, int] | None = None) -> Config:
    """Validate a decoded TOML mapping (pure apart from ``root``, which is only stored).

    Each table has its own check; every problem is collected and raised together as an
    :class:`ErrorList`. ``lines`` (from :func:`workflow.tomlpos.key_lines`) places each
    error on its key's line; without it errors name the file only.
    """
    report = _Report(lines or {})
    report.unknown(data, {"project", "markets", "locales", "reviewers", "publish", "review_server"}, (), "top level")
    project = _check_project(report, report.table(data, "project"))
    markets = _check_markets(report, report.table(data, "markets"))
    publish = _check_publish(report, report.table(data, "publish"))
    locales = _check_locales(report, report.table(data, "locales"), markets, publish["policy"])
    catalogs = {name for loc in locales for name in loc.chain}
    owners: dict[bytes, str] = {}          # raw public key → who declares it (a reviewer's e-mail, or the server)
    reviewers = _check_reviewers(report, data.get("reviewers", []), catalogs, owners)
    server = _check_server(report, report.table(data, "review_server"), owners)
    if report.errors:
        raise ErrorList(report.errors)
    return Config(root=root, markets=markets, locales=locales, reviewers=reviewers, **project, **publish, **server)


def _check_project(report: _Report, project: dict) -> dict:
    """``[project]`` → the ``source_language``, ``site_name`` and ``base_url`` fields of :class:`Config`."""
    at = ("project",)
    report.unknown(project, {"source_language", "site_name", "base_url"}, at, "[project]")
    source_language = project.get("source_language", SOURCE_LANGUAGE)
    if not _valid_locale(source_language, "_"):
        report.add(at + ("source_language",), f"[project] source_language: unknown language {source_language!r}")
    elif source_language != SOURCE_LANGUAGE:
        report.add(at + ("source_language",), f"[project] source_language: {source_language!r}: Locum's checks "
                   f"and masking know English source text only ({SOURCE_LANGUAGE})")
    base_url = str(project.get("base_url", "https://example.org")).rstrip("/")
    if not re.match(r"^https?://", base_url):
        report.add(at + ("base_url",),
                   f"[project] base_url: must start with http:// or https:// (got {base_url!r})")
    return {"source_language": source_language, "site_name": str(project.get("site_name", "Locum")),
            "base_url": base_url}


def _check_markets(report: _Report, table: dict) -> dict[str, str]:
    """``[markets.<code>]`` → market code → display name (the code in capitals when unnamed)."""
    markets: dict[str, str] = {}
    for code, spec in table.items():
        at, where = ("markets", code), f"[markets.{code}]"
        if not re.fullmatch(r"[a-z]{2}", code):
            report.add(at, f"{where}: a market code is two lower-case letters, like gb or us")
        if not isinstance(spec, dict):
            report.add(at, f"{where}: must be a table")
            spec = {}
        report.unknown(spec, {"name"}, at, where)
        markets[code] = str(spec.get("name", code.upper()))
    if not markets:
        report.add(("markets",), "[markets]: at least one market is required")
    return markets


def _check_publish(report: _Report, publish: dict) -> dict:
    """``[publish]`` → the ``policy`` and ``show_reviewers`` fields of :class:`Config`."""
    at = ("publish",)
    report.unknown(publish, {"policy", "show_reviewers"}, at, "[publish]")
    policy = publish.get("policy", "approved")
    if policy not in POLICIES:
        report.add(at + ("policy",), f"[publish] policy: must be one of {', '.join(POLICIES)} (got {policy!r})")
    show_reviewers = publish.get("show_reviewers", False)
    if not isinstance(show_reviewers, bool):
        report.add(at + ("show_reviewers",),
                   f"[publish] show_reviewers: must be true or false (got {show_reviewers!r})")
        show_reviewers = False
    return {"policy": policy, "show_reviewers": show_reviewers}


def _check_locales(report: _Report, table: dict, markets: dict[str, str], policy: str) -> tuple[OutputLocale, ...]:
    """``[locales."<tag>"]`` → the output locales, in the file's order; ``policy`` is ``[publish]``'s."""
    locales = []
    for tag, spec in table.items():
        locale = _check_locale(report, tag, spec, markets, policy)
        if locale:
            locales.append(locale)
    if not locales:
        report.add(("locales",), "[locales]: at least one output locale is required")
    return tuple(locales)


def _check_locale(report: _Report, tag: str, spec: object, markets: dict[str, str],
                  policy: str) -> OutputLocale | None:
    at, where = ("locales", tag), f'[locales."{tag}"]'
    if not isinstance(spec, dict):
        report.add(at, f"{where}: must be a table")
        return None
    report.unknown(spec, {"market", "chain", "policy"}, at, where)
    if not _valid_locale(tag, "-") or "-" not in tag:
        report.add(at, f"{where}: not a known BCP 47 language-region tag like es-US")
    market = spec.get("market")
    if not isinstance(market, str) or market not in markets:
        report.add(at + ("market",), f"{where} market: unknown market {market!r} (known: {', '.join(markets)})")
    chain = spec.get("chain", [])
    if not _is_list_of_str(chain):
        report.add(at + ("chain",), f"{where} chain: must be a list of catalog names like [\"es_US\", \"es\"]")
        chain = []
    for name in chain:
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", name) or not _valid_locale(name, "_"):
            report.add(at + ("chain",), f"{where} chain: unknown catalog language {name!r}")
    loc_policy = spec.get("policy", policy)
    if "policy" in spec and loc_policy not in POLICIES:
        report.add(at + ("policy",), f"{where} policy: must be one of {', '.join(POLICIES)} (got {loc_policy!r})")
    return OutputLocale(tag, str(market), tuple(chain), loc_policy)


def _check_reviewers(report: _Report, entries: object, catalogs: set[str],
                     owners: dict[bytes, str]) -> tuple[Reviewer, ...]:
    """``[[reviewers]]`` → the reviewers; ``catalogs`` are those the locales' chains name."""
    if not isinstance(entries, list):
        report.add(("reviewers",), "[[reviewers]]: must be an array of tables")
        return ()
    reviewers = []
    for index, spec in enumerate(entries):
        reviewer = _check_reviewer(report, index, spec, catalogs, owners)
        if reviewer:
            reviewers.append(reviewer)
    return tuple(reviewers)


def _check_reviewer(report: _Report, index: int, spec: object, catalogs: set[str],
                    owners: dict[bytes, str]) -> Reviewer | None:
    at, where = ("reviewers", index), f"[[reviewers]] #{index + 1}"
    if not isinstance(spec, dict):
        report.add(at, f"{where}: must be a table")
        return None
    report.unknown(spec, {"name", "email", "catalogs", "keys", "retired_keys"}, at, where)
    email = spec.get("email", "")
    if not isinstance(email, str) or not _EMAIL.match(email):
        report.add(at + ("email",), f"{where} email: not an email address ({email!r})")
    elif len(email) > MAX_EMAIL:
        report.add(at + ("email",), f"{where} email: at most {MAX_EMAIL} characters, so that approval records "
                   "stay short enough for every PO tool")
    keys = {kind: _check_keys(report, at + (kind,), f"{where} {kind}", spec.get(kind, []), str(email), owners)
            for kind in ("keys", "retired_keys")}
    if not spec.get("name"):
        report.add(at + ("name",), f"{where} name: required")
    names = spec.get("catalogs", [])
    if not _is_list_of_str(names):
        report.add(at + ("catalogs",),
                   f"{where} catalogs: must be a list of catalog names like [\"es_US\", \"es\"]")
        names = []
    for name in names:
        if name not in catalogs:
            report.add(at + ("catalogs",), f"{where} catalogs: {name!r} is in no locale's chain")
    return Reviewer(str(spec.get("name", "")), str(email), tuple(names), keys["keys"], keys["retired_keys"])


SERVER = "the review server"      # the owner of [review_server]'s keys, for "already declared for …"


def _check_server(report: _Report, table: dict, owners: dict[bytes, str]) -> dict:
    """``[review_server]`` → ``server_keys`` (its ``key``) and ``server_retired_keys`` of :class:`Config`.

    The server signs approvals made in the browser in the signed-in reviewer's
    name (:mod:`workflow.approval`); its key may not be a reviewer's too.
    """
    at, where = ("review_server",), "[review_server]"
    report.unknown(table, {"key", "retired_keys"}, at, where)
    key = table.get("key", "")
    if not isinstance(key, str):
        report.add(at + ("key",), f"{where} key: must be one OpenSSH public key line (ssh-ed25519 …)")
        key = ""
    keys = _check_keys(report, at + ("key",), f"{where} key", [key] if key else [], SERVER, owners)
    retired = _check_keys(report, at + ("retired_keys",), f"{where} retired_keys", table.get("retired_keys", []),
                          SERVER, owners)
    return {"server_keys": keys, "server_retired_keys": retired}


def _check_keys(report: _Report, at: KeyPath, where: str, lines: object, email: str,
                owners: dict[bytes, str]) -> tuple[str, ...]:
    """A reviewer's (or the server's) ``keys`` or ``retired_keys``: OpenSSH public key lines, each key owned by
    one of them."""
    if not _is_list_of_str(lines):
        report.add(at, f"{where}: must be a list of OpenSSH public key lines")
        return ()
    for line in lines:
        try:
            raw = parse_public_key(line)
        except SignatureError as exc:
            report.add(at, f"{where}: {exc}")
            continue
        other = owners.setdefault(raw, email)
        if other.lower() != email.lower():
            report.add(at, f"{where}: this key is already declared for {other}; each key belongs to one reviewer "
                       "(or to the review server)")
    return tuple(lines)


def _is_list_of_str(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _valid_locale(name: object, sep: str) -> bool:
    """A known language, optionally with a country or territory where languages are spoken (``pl-GB`` is valid,
    ``xx-GB`` and ``pl-EU`` are not): CLDR's supplemental data, which Babel loads in 9 ms; the English
    names of territories took 20.

    >>> _valid_locale("pl-GB", "-"), _valid_locale("es_US", "_"), _valid_locale("xx", "_"), _valid_locale("pl-EU", "-")
    (True, True, False, False)
    """
    if not isinstance(name, str) or not re.fullmatch(r"[a-z]{2,3}(%s[A-Z]{2})?" % re.escape(sep), name):
        return False
    language, _, territory = name.partition(sep)
    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return not territory or territory in get_global("territory_languages")

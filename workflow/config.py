"""``locales/locum.toml`` → a frozen, validated :class:`Config` (every problem reported at once)."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from workflow.errors import ConfigError, ErrorList
from workflow.sshsig import SignatureError, parse_public_key

CONFIG_PATH = Path("locales") / "locum.toml"
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


@lru_cache(maxsize=None)
def babel_locale(tag: str) -> Locale:
    """Babel locale for a BCP 47 tag or catalog name, falling back to the bare language.

    >>> babel_locale("es-US").territory, babel_locale("pl-GB").language
    ('US', 'pl')
    """
    name = tag.replace("-", "_")
    try:
        return Locale.parse(name)
    except UnknownLocaleError:
        return Locale.parse(name.split("_")[0])


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

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

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

    def pot_path(self, slug: str) -> Path:
        return self.locales_dir / f"{slug}.pot"

    def po_path(self, catalog: str, slug: str) -> Path:
        return self.locales_dir / catalog / "LC_MESSAGES" / f"{slug}.po"

    def po_files(self, catalog: str) -> list[Path]:
        """Every ``.po`` of a catalog, sorted by name (one directory listing; no hidden files)."""
        folder = self.locales_dir / catalog / "LC_MESSAGES"
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".po") and not n.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [folder / name for name in names]


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
    try:
        return parse_config(data, root)
    except ErrorList as problems:
        for problem in problems.errors:
            problem.line = _locate(text, problem.message)
        raise


def _locate(text: str, message: str) -> int | None:
    """Line of the table a validation message names (``[locales."es-US"] …`` → its header line).

    >>> _locate('[project]\\n\\n[[reviewers]]\\nname = "A"\\n[[reviewers]]\\n', "[[reviewers]] #2 email: bad")
    5
    """
    match = re.match(r'(\[\[reviewers\]\]) #(\d+)|\[([^\]]+)\]', message)
    if not match:
        return None
    if match.group(1):
        header, nth = "[[reviewers]]", int(match.group(2))
    else:
        header, nth = f"[{match.group(3).split()[0]}]", 1
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().replace(" ", "") == header.replace(" ", ""):
            seen += 1
            if seen == nth:
                return number
    return None


def parse_config(data: dict, root: Path) -> Config:
    """Validate a decoded TOML mapping (pure apart from ``root``, which is only stored)."""
    path = CONFIG_PATH.as_posix()
    errors: list[str] = []

    def table(obj, key, where) -> dict:
        value = obj.get(key, {})
        if not isinstance(value, dict):
            errors.append(f"{where}{key}: must be a table")
            return {}
        return value

    def unknown(obj: dict, allowed: set[str], where: str) -> None:
        for key in obj:
            if key not in allowed:
                errors.append(f"{where}: unknown key {key!r} (expected one of: {', '.join(sorted(allowed))})")

    unknown(data, {"project", "markets", "locales", "reviewers", "publish"}, "top level")
    project = table(data, "project", "")
    unknown(project, {"source_language", "site_name", "base_url"}, "[project]")
    source_language = project.get("source_language", "en")
    if not _valid_locale(source_language, "_"):
        errors.append(f"[project] source_language: unknown language {source_language!r}")
    site_name = str(project.get("site_name", "Locum"))
    base_url = str(project.get("base_url", "https://example.org")).rstrip("/")
    if not re.match(r"^https?://", base_url):
        errors.append(f"[project] base_url: must start with http:// or https:// (got {base_url!r})")

    markets: dict[str, str] = {}
    for code, spec in table(data, "markets", "").items():
        if not re.fullmatch(r"[a-z]{2}", code):
            errors.append(f"[markets.{code}]: a market code is two lower-case letters, like gb or us")
        spec = spec if isinstance(spec, dict) else {}
        unknown(spec, {"name"}, f"[markets.{code}]")
        markets[code] = str(spec.get("name", code.upper()))
    if not markets:
        errors.append("[markets]: at least one market is required")

    publish = table(data, "publish", "")
    unknown(publish, {"policy", "show_reviewers"}, "[publish]")
    policy = publish.get("policy", "approved")
    if policy not in POLICIES:
        errors.append(f"[publish] policy: must be one of {', '.join(POLICIES)} (got {policy!r})")
    show_reviewers = publish.get("show_reviewers", False)
    if not isinstance(show_reviewers, bool):
        errors.append(f"[publish] show_reviewers: must be true or false (got {show_reviewers!r})")
        show_reviewers = False

    locales: list[OutputLocale] = []
    for tag, spec in table(data, "locales", "").items():
        where = f'[locales."{tag}"]'
        if not isinstance(spec, dict):
            errors.append(f"{where}: must be a table")
            continue
        unknown(spec, {"market", "chain", "policy"}, where)
        if not _valid_locale(tag, "-") or "-" not in tag:
            errors.append(f"{where}: not a known BCP 47 language-region tag like es-US")
        market = spec.get("market")
        if market not in markets:
            errors.append(f"{where} market: unknown market {market!r} (known: {', '.join(markets)})")
        chain = spec.get("chain", [])
        if not isinstance(chain, list) or not all(isinstance(c, str) for c in chain):
            errors.append(f"{where} chain: must be a list of catalog names like [\"es_US\", \"es\"]")
            chain = []
        for name in chain:
            if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", name) or not _valid_locale(name, "_"):
                errors.append(f"{where} chain: unknown catalog language {name!r}")
        loc_policy = spec.get("policy", policy)
        if "policy" in spec and loc_policy not in POLICIES:
            errors.append(f"{where} policy: must be one of {', '.join(POLICIES)} (got {loc_policy!r})")
        locales.append(OutputLocale(tag, str(market), tuple(chain), loc_policy))
    if not locales:
        errors.append("[locales]: at least one output locale is required")

    catalogs = {name for loc in locales for name in loc.chain}
    reviewers: list[Reviewer] = []
    seen_keys: dict[bytes, str] = {}
    raw_reviewers = data.get("reviewers", [])
    if not isinstance(raw_reviewers, list):
        errors.append("[[reviewers]]: must be an array of tables")
        raw_reviewers = []
    for i, spec in enumerate(raw_reviewers, 1):
        where = f"[[reviewers]] #{i}"
        if not isinstance(spec, dict):
            errors.append(f"{where}: must be a table")
            continue
        unknown(spec, {"name", "email", "catalogs", "keys", "retired_keys"}, where)
        email = spec.get("email", "")
        if not isinstance(email, str) or not _EMAIL.match(email):
            errors.append(f"{where} email: not an email address ({email!r})")
        elif len(email) > MAX_EMAIL:
            errors.append(f"{where} email: at most {MAX_EMAIL} characters, so that approval records stay "
                          "short enough for every PO tool")
        keys = {}
        for kind in ("keys", "retired_keys"):
            lines = spec.get(kind, [])
            if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
                errors.append(f"{where} {kind}: must be a list of OpenSSH public key lines")
                lines = []
            for line in lines:
                try:
                    raw = parse_public_key(line)
                except SignatureError as exc:
                    errors.append(f"{where} {kind}: {exc}")
                    continue
                other = seen_keys.setdefault(raw, str(email))
                if other.lower() != str(email).lower():
                    errors.append(f"{where} {kind}: this key is already declared for {other}; each key "
                                  "belongs to one reviewer")
            keys[kind] = tuple(lines)
        if not spec.get("name"):
            errors.append(f"{where} name: required")
        names = spec.get("catalogs", [])
        for name in names:
            if name not in catalogs:
                errors.append(f"{where} catalogs: {name!r} is in no locale's chain")
        reviewers.append(Reviewer(str(spec.get("name", "")), str(email), tuple(names), keys["keys"],
                                  keys["retired_keys"]))

    if errors:
        raise ErrorList([ConfigError(message, path=path) for message in errors])
    return Config(root=root, source_language=source_language, site_name=site_name,
                  base_url=base_url, markets=markets, locales=tuple(locales),
                  reviewers=tuple(reviewers), policy=policy, show_reviewers=show_reviewers)


def _valid_locale(name: object, sep: str) -> bool:
    """A known language, optionally with a known territory (``pl-GB`` is valid, ``xx-GB`` is not).

    >>> _valid_locale("pl-GB", "-"), _valid_locale("es_US", "_"), _valid_locale("xx", "_")
    (True, True, False)
    """
    if not isinstance(name, str) or not re.fullmatch(r"[a-z]{2,3}(%s[A-Z]{2})?" % re.escape(sep), name):
        return False
    language, _, territory = name.partition(sep)
    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return not territory or territory in Locale("en").territories

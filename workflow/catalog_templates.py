"""Each catalog's own template: the entries of ``locales/<slug>.pot`` that catalog holds, so that standard
tools (``msgmerge --previous``, Poedit's "Update from POT", ``pybabel update``, Weblate's msgmerge add-on)
update it without adding another market's entries.

A language catalog holds the untagged segments plus those of its markets
(``pl`` and ``ar``: ``gb``; ``es``: ``us``), so it goes with its markets'
template, ``locales/templates/gb/<slug>.pot`` (several markets:
``locales/templates/gb-us/``). An override catalog (``es_US``, ``en_US``)
holds only the entries whose wording differs for its region, so it goes with
a template of its own, ``locales/templates/es_US/<slug>.pot``: the entries of
the article's template that it holds (those ``update`` created, and those a
translator added by copying them from the ``.pot``), empty where it has none.
``update`` writes them after merging, each a selection of the canonical
``.pot``'s entry blocks (same header dates), so their bytes move only when
the article's template, the override catalog or the configuration does.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from workflow.catalogs import catalog_text, read_catalog
from workflow.config import CONFIG_PATH, Config
from workflow.entries import in_market
from workflow.errors import ErrorList, LocumError
from workflow.fileio import write_atomic
from workflow.parallel import map_ordered
from workflow.project import display_path
from workflow.stamps import Stamps, digest


@dataclass(frozen=True)
class TemplateGroup:
    """The catalogs that share one template folder: ``name`` (``gb``, ``es_US``), their ``markets``, and
    whether they are a sparse override catalog (then ``catalogs`` is that one catalog)."""

    name: str
    catalogs: tuple[str, ...]
    markets: frozenset[str]
    override: bool


def template_group(config: Config, catalog: str) -> str:
    """The folder under ``locales/templates/`` of ``catalog``'s template: its markets joined with ``-``
    (``gb``, ``us``, ``gb-us``), or the override catalog's own name (``es_US``)."""
    if config.is_override(catalog):
        return catalog
    return "-".join(sorted(config.markets_of(catalog)))


def template_groups(config: Config) -> tuple[TemplateGroup, ...]:
    """Every template folder the configuration needs, sorted by name, each with its catalogs."""
    catalogs: dict[str, list[str]] = {}
    for catalog in config.catalogs:
        catalogs.setdefault(template_group(config, catalog), []).append(catalog)
    return tuple(TemplateGroup(name, tuple(names), config.markets_of(names[0]), config.is_override(names[0]))
                 for name, names in sorted(catalogs.items()))


def catalog_template_path(config: Config, catalog: str, slug: str) -> Path:
    """``locales/templates/<group>/<slug>.pot``: the template ``catalog``'s ``<slug>.po`` goes with."""
    return config.templates_dir / template_group(config, catalog) / f"{slug}.pot"


def select_template(pot_text: str, keys: list[tuple[str | None, str]], keep, group: TemplateGroup) -> str:
    """The text of ``group``'s template: the header of the canonical ``pot_text`` with a line naming the
    group, and the entry blocks whose entry ``keep`` accepts (``keys``: (msgctxt, msgid) of the template's
    entries in file order). Each block is kept byte for byte, so the result is canonical too (pure).

    >>> pot = '# T\\nmsgid ""\\nmsgstr ""\\n\\n#. region: gb\\nmsgid "a"\\nmsgstr ""\\n\\nmsgid "b"\\nmsgstr ""\\n'
    >>> g = TemplateGroup("us", ("es",), frozenset({"us"}), False)
    >>> print(select_template(pot, [(None, "a"), (None, "b")], lambda i: i == 1, g), end="")
    # T
    # The entries of the catalogs of market us (es); written by locum update.
    msgid ""
    msgstr ""
    <BLANKLINE>
    msgid "b"
    msgstr ""
    """
    blocks = pot_text.rstrip("\n").split("\n\n")
    header, entries = blocks[0], blocks[1:]
    if len(entries) != len(keys):
        raise ValueError("template text and entries disagree")        # a .pot extract did not write
    lines = header.split("\n")
    at = next((i for i, line in enumerate(lines) if not (line.startswith("# ") or line == "#")), len(lines))
    if group.override:
        what = f"the override catalog {group.name}: the entries it holds"
    else:
        markets = ", ".join(sorted(group.markets))
        what = f"the catalogs of market{'s' if len(group.markets) > 1 else ''} {markets} ({', '.join(group.catalogs)})"
    lines.insert(at, f"# The entries of {what}; written by locum update.")
    kept = [block for index, block in enumerate(entries) if keep(index)]
    return "\n\n".join(["\n".join(lines), *kept]) + "\n"


def obsolete_or_edited(text: str, entries: int) -> bool:
    """Whether a ``.pot``'s text is not one block per live entry after its header (not as extract wrote it)."""
    return "\r" in text or text.rstrip("\n").count("\n\n") != entries


def _texts(config: Config, slug: str, groups: tuple[TemplateGroup, ...]) -> list[tuple[Path, str]]:
    pot_path = config.pot_path(slug)
    text = pot_path.read_bytes().decode("utf-8")
    pot = read_catalog(pot_path, display_path(config, pot_path))
    template = [e for e in pot if not e.obsolete]
    if obsolete_or_edited(text, len(template)):
        pot[:] = template                    # as extract writes it: canonical, live entries only
        text = catalog_text(pot)
    keys = [(e.msgctxt, e.msgid) for e in template]
    out = []
    for group in groups:
        held = None
        if group.override:
            path = config.po_path(group.catalogs[0], slug)
            held = ({(e.msgctxt, e.msgid) for e in read_catalog(path, display_path(config, path)) if not e.obsolete}
                    if path.exists() else set())

        def keep(index: int, group=group, held=held) -> bool:
            return in_market(template[index], group.markets) and (held is None or keys[index] in held)

        out.append((config.templates_dir / group.name / f"{slug}.pot",
                    select_template(text, keys, keep, group)))
    return out


def write_catalog_templates(config: Config, slugs: list[str], stamps: Stamps) -> list[Path]:
    """Write every catalog template of ``slugs`` whose text changed; returns the files written.

    A slug whose ``.pot``, override catalogs, configuration and templates are
    unchanged since the last write (``stamps``, which the caller saves) is not
    read again; the others are made on every core, and written once all are
    made (a broken file writes none). A slug without a ``.pot`` yet is passed over.
    """
    groups = template_groups(config)
    settings = stamps.file(config.root / CONFIG_PATH)
    stale = []
    for slug in slugs:
        pot = stamps.file(config.pot_path(slug))
        if pot == "missing":
            continue
        if not stamps.fresh(f"templates:{slug}", _inputs(config, slug, groups, stamps, settings)):
            stale.append(slug)
    results = map_ordered(_slug_texts, [(config, slug, groups) for slug in stale])
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    written = []
    for slug, texts in zip(stale, results):
        for path, packed in texts:
            if write_atomic(path, zlib.decompress(packed), durable=False):     # made again if lost (see write_atomic)
                written.append(path)
        stamps.record(f"templates:{slug}", _inputs(config, slug, groups, stamps, settings))
    return written


def _inputs(config: Config, slug: str, groups: tuple[TemplateGroup, ...], stamps: Stamps, settings: str) -> str:
    """Digest of what a slug's catalog templates are made from, and of the templates as they are."""
    outputs = [f"{config.templates_dir}{os.sep}{g.name}{os.sep}{slug}.pot" for g in groups]
    inputs = [stamps.file(config.po_path(g.catalogs[0], slug)) for g in groups if g.override]
    return digest(stamps.file(config.pot_path(slug)), settings, *inputs, *(stamps.file(p) for p in outputs))


def _slug_texts(job: tuple[Config, str, tuple[TemplateGroup, ...]]) -> list[tuple[Path, bytes]]:
    """A slug's catalog templates, UTF-8 and zlib-compressed: all are held until all are made, and as text
    (47 MB of files) they took the 1,000-article bench's publish from 55 to 157 MB; so, 136 MB at most."""
    return [(path, zlib.compress(text.encode("utf-8"), 1)) for path, text in _texts(*job)]


@dataclass(frozen=True)
class WeblateComponent:
    """The settings of one Weblate component (bilingual gettext PO): an article's catalogs of one group."""

    name: str
    slug: str
    filemask: str
    new_base: str           # "Template for new translations"; also the POT Weblate's msgmerge add-on merges
    language_regex: str     # "Language filter"

    @property
    def template(self) -> str:
        """"Monolingual base language file": none, the catalogs are bilingual."""
        return ""


def weblate_components(config: Config, slugs: list[str]) -> list[WeblateComponent]:
    """One Weblate component per article (and ``site``) and template group, in the order of ``slugs`` (pure).

    Weblate's discovery proposes one component per file mask with the full
    ``locales/<slug>.pot``; the msgmerge add-on merges that one template into
    every catalog of the component, so each discovered component is split by
    language filter, one per template group.
    """
    out = []
    for slug in slugs:
        for group in template_groups(config):
            codes = "|".join(group.catalogs)
            out.append(WeblateComponent(
                name=f"{slug} ({group.name})", slug=f"{slug}-{group.name.lower().replace('_', '-')}",
                filemask=f"locales/*/LC_MESSAGES/{slug}.po",
                new_base=f"locales/templates/{group.name}/{slug}.pot",
                language_regex=f"^({codes})$" if len(group.catalogs) > 1 else f"^{codes}$"))
    return out

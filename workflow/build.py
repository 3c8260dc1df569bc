"""The build stage: compiled catalogs + source → ``output/``; gather all, then write through one writer.

A build runs in five phases, each a function from named, frozen data to
named, frozen data: :func:`load` (the inputs' keys, and what the previous
build left), :func:`build_pages` (each article localized, gated, rendered and
written into a staging folder, on every core), :func:`gather` (the gate's
verdicts: what is published, what is held back and why), :func:`render_site`
(indexes, sitemap, assets and the audit files) and :func:`commit` (the
staging folder into ``output/`` and ``audit/``, then the manifest).

Pages are rendered into a staging folder that reaches ``output/`` only when
everything succeeded, so a failed build leaves the last good site in place.
A page whose inputs did not change since the last build is neither rendered
nor moved: only changed files go from the staging folder into ``output/``.

``output/`` holds only what readers are served. What the build records for
editors and auditors goes to ``audit/`` (:mod:`workflow.audit`), and is never
read back. The manifest that makes builds incremental is Locum's own
bookkeeping: ``.cache/build.json`` (:mod:`workflow.manifest`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workflow import __version__
from workflow.audit import (
    AUDIT_DIR,
    AUDIT_SUFFIX,
    AUDITED,
    REPORT,
    REPORT_PATH,  # noqa: F401  (the CLI names the report by it)
    Listing,
    Outdated,
    Skipped,
    audit_row,
    write_audit_files,
)
from workflow.chrome import site_messages, templates_digest
from workflow.config import CONFIG_PATH, Config, OutputLocale
from workflow.contexts import PREVIEW_BANNER, REVIEWED_BY
from workflow.errors import ErrorList, LocumError
from workflow.fileio import write_atomic
from workflow.leftovers import STAGING, recover
from workflow.manifest import MISSING, Manifest, Target, input_key, read_manifest, site_target, write_manifest
from workflow.pages import (
    NOTICE_TEMPLATE,
    OUTDATED,
    SNAPSHOTS,
    ArticleJob,
    ArticleOut,
    ArticleTask,
    PageChrome,
    build_article,
    chrome_environment,
    keeps_snapshot,
    previous_records,
)
from workflow.parallel import map_ordered
from workflow.project import SITE_DOMAIN, Progress, SourceTree, source_tree
from workflow.relink import relink, site_references
from workflow.site_files import SiteListing, copy_assets, write_site_files
from workflow.snapshots import snapshot_relpath
from workflow.staging import Writer, commit_audit, commit_output, files_in, swap
from workflow.stamps import FileDigests
from workflow.translations import chain_files, load_chain


@dataclass(frozen=True)
class BuildResult:
    """What a build did: pages published and held back, pages rendered and kept, files changed in ``output/``."""

    published: list[tuple[str, str]] = field(default_factory=list)     # (locale, slug)
    skipped: list[Skipped] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    output: Path | None = None
    changed: set[str] | None = field(default_factory=set)    # files replaced or removed; None: all of output/
    outdated: list[Outdated] = field(default_factory=list)  # published from their last approved version
    written: list[Path] = field(default_factory=list)       # snapshots written (locales/published/)


@dataclass(frozen=True)
class Previous:
    """What the previous build left: its manifest, and the files now in ``output/`` and ``audit/``."""

    manifest: Manifest
    site_files: set[str]        # in output/ (none when there is no earlier build to build upon)
    audit_files: set[str]       # in audit/
    existing: set[str]          # both, as the staging folder names them (audit/ under AUDITED)
    report: str | None          # the last report's SHA-256, if audit/build-report.json is still that file

    @property
    def in_place(self) -> bool:
        """Whether ``output/`` is an earlier build of ours, to be updated file by file."""
        return bool(self.manifest.pages)


@dataclass(frozen=True)
class Plan:
    """What :func:`load` found: the inputs' keys, each article's task, and the previous build."""

    config: Config
    preview: bool
    target: Target                      # output/ and its manifest, or the preview's own (never both)
    tree: SourceTree
    digests: FileDigests                # the content digests cache: saved by load and render_site
    base: str                           # the key every file shares: templates, config, version
    chrome: dict[str, PageChrome]       # by locale tag
    previous: Previous
    tasks: tuple[ArticleTask, ...]      # in source order


@dataclass(frozen=True)
class Gathered:
    """The articles' pages as the gate judged them: manifest entries, counts, what the site lists."""

    pages: dict[str, str]           # the keys of the article files made or kept
    records: dict[str, dict]
    rendered: int
    reused: int
    site: SiteListing
    listing: Listing
    snapshots: list[str] = field(default_factory=list)    # snapshot_relpaths staged (workflow.pages.stage_snapshot)


@dataclass(frozen=True)
class Staged:
    """The staging folder complete: the manifest the build will leave, and whether the site's other files changed."""

    manifest: Manifest
    wrote: bool


def build(config: Config, preview: bool = False, progress: Progress | None = None,
          existing: set[str] | None = None) -> BuildResult:
    """Build the whole site; pages failing the gate are skipped (or shown with fallbacks in preview).

    Work goes article by article, on every core (:mod:`workflow.parallel`):
    a worker localizes, renders and writes one article's pages into the
    staging folder and hands back only their small manifest records. A page
    whose inputs (source text, compiled catalogs and audit sidecars of its
    chain, chrome, templates, config) did not change since the last build is
    neither localized nor rendered again: its gate result comes from the
    manifest and its files stay as they are in ``output/``. The site's other
    files (indexes, sitemap, report) are keyed the same way, by what they
    show. Which pages those are is decided here from content digests cached
    by ``stat`` signature, so an unchanged article costs a few system calls
    and an unchanged site writes nothing. ``existing`` (the files now in
    ``output/``, relative to it) spares a walk when the caller just made one.

    Each page's audit (``audit/<locale>/<slug>.audit.json``) is written and
    kept with the page, under the same key; the audit index and the build
    report go to ``audit/`` too, and the manifest to ``.cache/build.json``.
    """
    plan = load(config, preview, existing)
    plan.target.root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=plan.target.root))
    try:
        articles = build_pages(plan, staging, progress)
        gathered = gather(plan, articles)
        staged = render_site(plan, gathered, staging)
        return commit(plan, gathered, staged, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def load(config: Config, preview: bool, existing: set[str] | None) -> Plan:
    """Phase 1: the source tree, the chrome, the previous build, and each article's task with its input keys.

    Refuses links and special files in ``source/`` and names a missing
    compiled catalog before any page is written; clears what a killed build
    left first (``existing`` no longer holds when it had to put ``output/`` back).
    """
    tree = source_tree(config)          # refuses links and special files before anything is written
    target = site_target(config.root, config.output_dir, config.root / AUDIT_DIR, preview)
    if recover(target.root, target.output) or preview:
        existing = None                 # the caller's listing predates the restored output/ (or is not the preview's)
    digests = FileDigests(config.root)
    base = input_key(templates_digest(), (config.root / CONFIG_PATH).read_bytes(), __version__)
    chrome = load_chrome(config, preview, digests, base)
    previous = load_previous(target, existing, digests)
    tasks = plan_articles(config, tree, digests, chrome, previous)
    digests.save()
    return Plan(config, preview, target, tree, digests, base, chrome, previous, tasks)


def load_chrome(config: Config, preview: bool, digests: FileDigests, base: str) -> dict[str, PageChrome]:
    """Each locale's chrome: its key (``base`` and the site catalogs), the chrome messages it lacks, its policy.

    The locales' Jinja2 environments are made here, before any worker
    process starts, so that each inherits them.
    """
    chrome: dict[str, PageChrome] = {}
    for locale in config.locales:
        site = load_chain(config, locale, SITE_DOMAIN)
        misses = [{"text": m[0], "source": "workflow/templates"} for m in site_messages()
                  if (m[0] != REVIEWED_BY or config.show_reviewers) and m[0] != PREVIEW_BANNER     # shown unreviewed
                  and m[2] != NOTICE_TEMPLATE and site.lookup(m[0]) is None]
        notices = [{"text": m[0], "source": m[2]} for m in site_messages()
                   if m[2] == NOTICE_TEMPLATE and site.lookup(m[0]) is None]
        chrome[locale.tag] = PageChrome(input_key(base, *_chain_digests(digests, site.files)), tuple(misses),
                                        preview or locale.policy == "preview", tuple(notices))
        chrome_environment(config, locale, chrome[locale.tag].key)
    return chrome


def load_previous(target: Target, existing: set[str] | None, digests: FileDigests) -> Previous:
    """The previous build's manifest and files; ``existing``, when given, lists ``output/`` instead of a walk.

    With no ``output/`` there is nothing to build upon (no manifest). The
    report counts as the previous build's only while its bytes are the ones
    that build wrote (their digest, cached by ``stat`` signature); it is never parsed.
    """
    output, audit_dir = target.output, target.audit
    manifest = read_manifest(target.manifest) if output.is_dir() else Manifest()
    audit_files = files_in(audit_dir)       # what audit/ holds now: kept, replaced or removed at the end
    if not manifest.pages:
        return Previous(manifest, set(), audit_files, set(), None)
    site_files = files_in(output) if existing is None else existing
    existing = site_files | {AUDITED + relpath for relpath in audit_files}
    intact = (manifest.report is not None and AUDITED + REPORT in existing
              and _digest_or_none(digests, audit_dir / REPORT) == manifest.report)
    return Previous(manifest, site_files, audit_files, existing, manifest.report if intact else None)


def _digest_or_none(digests: FileDigests, path: Path) -> str | None:
    try:
        return digests.of(path)
    except OSError:         # unreadable: not known to be the file the build wrote, so it is written anew
        return None


def plan_articles(config: Config, tree: SourceTree, digests: FileDigests, chrome: dict[str, PageChrome],
                  previous: Previous) -> tuple[ArticleTask, ...]:
    """Each article's task: the key of each page's inputs, and what of the previous build can stand.

    A page's key covers its source text, the compiled catalogs and audit
    sidecars of its chain, its chrome's key, its locale and its preview policy,
    and, where a page can be held back, its last approved version
    (:mod:`workflow.snapshots`).
    """
    pages_of: dict[str, dict[str, str]] = {}       # slug -> the previous build's page and audit keys
    for relpath, key in previous.manifest.pages.items():
        parts = relpath.split("/")
        if len(parts) == 3:
            slug = parts[2].removesuffix(AUDIT_SUFFIX) if relpath.startswith(AUDITED) else parts[1]
            pages_of.setdefault(slug, {})[relpath] = key
    compiled, known = _compiled(config), {}
    tasks = []
    for path in tree.articles:
        slug = path.stem
        source = digests.of(path)
        inputs, bases, snapshots = {}, {}, {}
        for locale in config.locales:
            page_chrome = chrome[locale.tag]
            inputs[locale.tag] = input_key(source, *_chain_keys(config, locale, slug, compiled, digests, known),
                                           page_chrome.key, locale.tag, str(page_chrome.preview))
            if keeps_snapshot(config, locale) and not page_chrome.preview:     # its last approved version too
                bases[locale.tag] = inputs[locale.tag]
                snapshots[locale.tag] = digests.of(config.root / snapshot_relpath(locale.tag, slug))
                inputs[locale.tag] = input_key(bases[locale.tag], snapshots[locale.tag])
        kept = {r: k for r, k in pages_of.get(slug, {}).items() if r in previous.existing}    # still on disk
        tasks.append(ArticleTask(path, inputs, previous_records(config, slug, previous.manifest.records), kept,
                                 bases, snapshots))
    return tuple(tasks)


def build_pages(plan: Plan, staging: Path, progress: Progress | None) -> tuple[ArticleOut, ...]:
    """Phase 2: every article's pages localized, gated, rendered and written into ``staging``, in source order.

    An unchanged article (:meth:`ArticleTask.unchanged`) is not worth a
    process: it is done here; the others go to the workers. Errors in
    articles are raised together, in path order.
    """
    job = ArticleJob(plan.config, staging, plan.chrome,
                     site_references(plan.config, plan.tree, plan.previous.manifest.records))
    total = len(plan.tasks)
    unchanged = [task.unchanged() for task in plan.tasks]
    done = {index: build_article(job, task) for index, task in enumerate(plan.tasks) if unchanged[index]}
    stale = [index for index in range(total) if not unchanged[index]]
    if progress:
        progress(len(done), total)
    worked = map_ordered(job, [plan.tasks[index] for index in stale],
                         progress=(lambda n, _: progress(len(done) + n, total)) if progress else None)
    done.update(zip(stale, worked))
    errors = [out for out in done.values() if isinstance(out, LocumError)]
    if errors:
        errors.sort(key=lambda e: (e.path or "", e.line or 0))
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return relink(job, plan.tasks, tuple(done[index] for index in range(total)))


def gather(plan: Plan, articles: tuple[ArticleOut, ...]) -> Gathered:
    """Phase 3: the gate's verdicts, in site order: what each index, the sitemap, the report and the audit list.

    A page held back lists its missing segments from its record: computed
    now, or kept in the manifest since the build that last localized it.
    """
    config = plan.config
    pages: dict[str, str] = {}
    records: dict[str, dict] = {}
    listing: dict[str, list[dict]] = {loc.tag: [] for loc in config.locales}
    listed: dict[str, list[str]] = {loc.tag: [] for loc in config.locales}    # what each index shows
    published_in: dict[str, list[str]] = {}
    published, skipped, audits, shown, outdated, snapshots = [], [], [], [], [], []
    for article in articles:
        records.update(article.records)
        pages.update(article.pages)
        snapshots.extend(article.snapshots)
        if article.published:
            published_in[article.slug] = list(article.published)
        for locale in config.locales:
            name = f"{locale.tag}/{article.slug}"
            record = article.records[name]
            if not record["published"]:
                skipped.append(Skipped(locale.tag, article.slug, record["missed"], tuple(record[MISSING])))
                shown.append(f"{name}:{record['inputs']}")
                continue
            published.append((locale.tag, article.slug))
            if OUTDATED in record:
                outdated.append(Outdated(locale.tag, article.slug, **record[OUTDATED]))
                shown.append(f"{name}:{record['inputs']}")
            listing[locale.tag].append({"href": f"{article.slug}/", "title": record["title"],
                                        "description": record["description"]})
            listed[locale.tag].append(record["inputs"])
            audits.append(audit_row(locale, article.slug, record["segments"]))
            shown.append(name)
    return Gathered(pages, records, sum(a.rendered for a in articles), sum(a.reused for a in articles),
                    SiteListing(listing, listed, published_in),
                    Listing(tuple(published), tuple(skipped), tuple(audits), tuple(shown), tuple(outdated)),
                    snapshots)


def render_site(plan: Plan, gathered: Gathered, staging: Path) -> Staged:
    """Phase 4: the site's other files and ``audit/``'s into ``staging``, each only when what it shows changed."""
    previous = plan.previous
    pages = dict(gathered.pages)
    writer = Writer(staging, previous.manifest.pages, pages, previous.existing)
    write_site_files(writer, plan.config, plan.chrome, plan.base, gathered.site, plan.tree, plan.digests)
    copy_assets(writer, plan.config, plan.base, plan.tree, plan.digests)
    report = write_audit_files(writer, plan.base, plan.preview, gathered.listing, previous.report)
    plan.digests.save()
    return Staged(Manifest(pages, gathered.records, report), writer.wrote)


def commit(plan: Plan, gathered: Gathered, staged: Staged, staging: Path) -> BuildResult:
    """Phase 5: ``staging`` into ``audit/`` and ``output/``, then the new manifest; nothing when nothing changed.

    Until the new manifest is written the old one is gone, so a build killed
    meanwhile leaves the next one trusting no file. ``output/`` of an earlier
    build is updated file by file; otherwise the staging folder replaces it whole.
    """
    config, target, previous = plan.config, plan.target, plan.previous
    staged_snapshots = staging / SNAPSHOTS
    written = [config.root / relpath for relpath in sorted(gathered.snapshots)      # only the build writes them,
               if write_atomic(config.root / relpath, (staged_snapshots / relpath).read_bytes())]   # when they change
    shutil.rmtree(staged_snapshots, ignore_errors=True)     # not part of the site
    result = BuildResult(list(gathered.listing.published), list(gathered.listing.skipped), gathered.rendered,
                         gathered.reused, target.output, outdated=list(gathered.listing.outdated),
                         written=written)
    if (previous.in_place and not (staged.wrote or gathered.rendered)
            and staged.manifest == previous.manifest):
        shutil.rmtree(staging, ignore_errors=True)      # nothing the site is made of has changed
        return result
    manifest_path = target.manifest
    manifest_path.unlink(missing_ok=True)   # until the new one is written, the next build trusts no file
    pages = staged.manifest.pages
    commit_audit(staging / AUDITED, target.audit,
                 {r.removeprefix(AUDITED) for r in pages if r.startswith(AUDITED)}, previous.audit_files)
    changed = None
    if previous.in_place:
        changed = commit_output(staging, target.output, {r for r in pages if not r.startswith(AUDITED)},
                                previous.site_files)
    else:
        swap(staging, target.output)
    write_manifest(manifest_path, staged.manifest, previous.manifest)
    return dataclasses.replace(result, changed=changed)


def _compiled(config: Config) -> dict[str, frozenset[str]]:
    """The file names in each catalog's ``LC_MESSAGES`` folder: one listing instead of a ``stat`` per page."""
    found = {}
    for catalog in config.catalogs:
        try:
            found[catalog] = frozenset(os.listdir(config.locales_dir / catalog / "LC_MESSAGES"))
        except FileNotFoundError:
            found[catalog] = frozenset()
    return found


def _chain_keys(config: Config, locale: OutputLocale, slug: str, compiled: dict[str, frozenset[str]],
                digests: FileDigests, known: dict[tuple[str, str], str]) -> list[str]:
    """The digests of the compiled catalogs in ``locale``'s chain for ``slug`` (see :func:`_chain_digests`).

    Found through the listings of :func:`_compiled` and ``known`` (a memo of
    this build: ``es`` serves ``es-US`` and ``es-ES`` alike).
    """
    name = f"{slug}.mo"
    keys = []
    for catalog in locale.chain:
        if name in compiled.get(catalog, ()):
            key = known.get((catalog, slug))
            if key is None:
                stem = f"{config.locales_dir}{os.sep}{catalog}{os.sep}LC_MESSAGES{os.sep}{slug}"
                key = known[(catalog, slug)] = digests.of(f"{stem}.mo") + digests.of(f"{stem}.audit.json")
            keys.append(key)
        elif not config.is_override(catalog):
            chain_files(config, locale, slug)       # raises the error that names the missing file
    return keys


def _chain_digests(digests: FileDigests, files) -> list[str]:
    """Digests of a chain's ``.mo`` files and their audit sidecars (who approved what: the pages' audit)."""
    return [digests.of(path) + digests.of(path.with_suffix(".audit.json")) for path in files]

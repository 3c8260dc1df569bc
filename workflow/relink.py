"""Where the pages' links between articles lead, decided from the gate's verdicts (see :mod:`workflow.references`).

Whether a linked article is published in a locale is known only once its
own pages were gated, and articles are built in parallel. So pages are first
rendered against the previous build's verdicts (an article it did not
publish, or never built, is taken as published), then :func:`relink`
renders again only the pages whose link targets' state came out otherwise.
The state of each target is part of a page file's key, so the next build
renders a page again when a target's publication changes, and never when
it does not.
"""

from __future__ import annotations

import dataclasses

from workflow.config import Config
from workflow.contexts import source_locale
from workflow.manifest import input_key
from workflow.pages import ArticleJob, ArticleOut, ArticleTask
from workflow.parallel import map_ordered
from workflow.project import SourceTree
from workflow.references import SiteReferences


def site_references(config: Config, tree: SourceTree, records: dict[str, dict]) -> SiteReferences:
    """The articles and images of ``tree``, and the pages taken as published: the previous build's verdicts."""
    site = SiteReferences.of(config.source_dir, tree.articles, tree.images)
    published = {loc.tag: frozenset(slug for slug in site.slugs
                                     if records.get(f"{loc.tag}/{slug}", {}).get("published", True))
                 for loc in config.locales}
    return dataclasses.replace(site, published=published, source=source_locale(config).tag)


def relink(job: ArticleJob, tasks: tuple[ArticleTask, ...], outs: tuple[ArticleOut, ...]) -> tuple[ArticleOut, ...]:
    """``outs``, with the articles whose pages were rendered against a wrong verdict built again.

    Those articles' pages are not gated again (their records of this build
    stand) but localized and written anew, over what the first pass staged.
    """
    published: dict[str, set[str]] = {loc.tag: set() for loc in job.config.locales}
    for out in outs:
        for tag in out.published:
            published[tag].add(out.slug)
    actual = {tag: frozenset(slugs) for tag, slugs in published.items()}
    if actual == job.references.published:
        return outs
    refs = dataclasses.replace(job.references, published=actual)
    stale = [index for index, out in enumerate(outs) if _misled(refs, out)]
    if not stale:
        return outs
    again = dataclasses.replace(job, references=refs)
    redo = [dataclasses.replace(tasks[index], records=outs[index].records, kept={}) for index in stale]
    done = list(outs)
    for index, out in zip(stale, map_ordered(again, redo)):
        if isinstance(out, BaseException):
            raise out
        done[index] = out
    return tuple(done)


def _misled(refs: SiteReferences, out: ArticleOut) -> bool:
    """Whether a published page of ``out`` was written under another key than ``refs`` now gives it."""
    for tag in out.published:
        record = out.records[f"{tag}/{out.slug}"]
        if record.get("links"):
            key = input_key(record["inputs"], *out.published, *refs.key_parts(record, tag))
            if out.pages.get(f"{tag}/{out.slug}/index.html") != key:
                return True
    return False

"""What the command line prints of the stages' results: summaries, findings, review items, skipped pages.

Only ``cli.py`` imports it; it imports no stage (the results arrive as arguments).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from workflow.audit import REPORT_PATH
from workflow.entries import shown_translation


def print_item(item) -> None:
    print(f"[{item.id}] {item.catalog} {item.slug}  region: {item.region}  state: {item.state}  ({item.shown})")
    print(f"  source: {item.entry.msgid}")
    print(f"  target: {shown_translation(item.entry)}")
    if item.origin:
        print(f"  from:   {item.origin}")
    if item.state in ("rejected", "stale", "unverified", "forged") and item.verdict.reason:
        print(f"  {item.state}: {item.verdict.reason}")
    for check, severity, message in item.findings:
        print(f"  {severity} [{check}] {message}")
    print(f"  next:   {next_step(item)}")


def next_step(item) -> str:
    """What the reviewer (or translator) can do with an item, in words."""
    if item.errors and any(check != "approval" for check, _, _ in item.errors):
        return "the translator fixes the error first"
    return {"suggested": f"check it, then 'approve --id {item.id} --accept-suggestion' (or edit it and clear fuzzy)",
            "fuzzy": "the translator fixes the text and clears fuzzy",
            "rejected": "the translator revises it as asked and clears fuzzy",
            "forged": f"check the text, then 'approve --id {item.id}': the record there does not verify",
            "unverified": f"check the text, then 'approve --id {item.id}' with a current key",
            }.get(item.state, f"'approve --id {item.id}' or 'reject --id {item.id} --reason …'")


def translate_summary(result) -> None:
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    for path in result.written:
        print(f"wrote {path}")
    verb = "would fill" if result.dry_run else "filled"
    print(f"translate ({result.provider}): {verb} {result.filled} entr{'y' if result.filled == 1 else 'ies'} "
          f"as fuzzy, {result.skipped} left untranslated, {result.cached} from the cache, "
          f"{result.requests} request(s)")


def print_compile(result) -> None:
    print(f"compile: {len(result.written)} .mo file(s) written, {len(result.unchanged)} unchanged; "
          f"{result.admitted} entries admitted, {result.held_back} held back by the gate")


def print_build(result, shown: int = 10, preview: bool = False) -> None:
    for skipped in result.skipped[:shown]:
        print(f"skipped {skipped.locale}/{skipped.slug}: {skipped.count} segment(s) "
              "not translated and approved:", file=sys.stderr)
        for miss in skipped.missing[:5]:
            print(f"  {miss['source']}: {miss['text'][:70]!r}", file=sys.stderr)
        if skipped.count > 5:
            print(f"  … and {skipped.count - 5} more (see {REPORT_PATH})", file=sys.stderr)
    if len(result.skipped) > shown:
        print(f"… and {len(result.skipped) - shown} more skipped page(s), each listed with its missing segments "
              f"in {REPORT_PATH}", file=sys.stderr)
    if preview:     # nothing of a preview is published: it is built beside output/, never into it
        print(f"preview: {len(result.published)} page(s) built for preview, not reviewed ({result.rendered} "
              f"rendered, {result.reused} unchanged) -> {result.output}")
        return
    print_outdated(result.outdated, shown)
    print(f"build: {len(result.published)} page(s) published ({result.rendered} rendered, "
          f"{result.reused} unchanged), {len(result.skipped)} skipped -> {result.output}")


def print_outdated(outdated, shown: int) -> None:
    """Every page served from its last approved version, with since when and for how long."""
    for page in outdated[:shown]:
        print(page.describe(dt.datetime.now(dt.timezone.utc).date()), file=sys.stderr)
    if len(outdated) > shown:
        print(f"… and {len(outdated) - shown} more outdated page(s), listed in {REPORT_PATH}", file=sys.stderr)


def print_recovered() -> None:
    print("publish: put back the site a killed build had moved aside", file=sys.stderr)


def print_held(findings) -> None:
    """Publishing goes on past check errors (the gate holds those entries back) but names each one."""
    errors = [f for f in findings if f.severity == "error"]
    for finding in errors:
        print(finding.as_text(), file=sys.stderr)
    print(f"check: {len(errors)} error(s) held back from publishing, "
          f"{len(findings) - len(errors)} warning(s) (see 'locum check')")


def summary(stage: str, noun: str, result, shown: int = 10) -> None:
    root = Path.cwd()
    for path in result.written[:shown]:
        try:
            name = path.relative_to(root)
        except ValueError:
            name = path
        print(f"wrote {name}")
    if len(result.written) > shown:
        print(f"… and {len(result.written) - shown} more")
    print(f"{stage}: {len(result.written)} {noun}(s) written, {len(result.unchanged)} unchanged")

"""The ``locum`` command line: argument parsing, printing and exit codes; nothing else."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from workflow import __version__, console
from workflow.config import load_config
from workflow.errors import ConflictError, ErrorList, LocumError, UsageError
from workflow.stamps import one_save

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Locum: localization and publishing workflow for patient-facing health articles.

Stages (each can run alone; 'make publish' runs them in order):
  extract   source/*.md            -> locales/<slug>.pot, locales/site.pot
  update    locales/<slug>.pot     -> locales/<lang>/LC_MESSAGES/<slug>.po
  check     QA and glossary checks of every catalog (path:line: severity [check] message)
  translate prefill untranslated entries as fuzzy (translation memory, MT)
  review    pending | approve | reject | packet: the reviewer's commands
  stats     progress per locale and article
  compile   <slug>.po              -> <slug>.mo (only approved, check-clean entries)
  build     .mo + source           -> output/<locale>/<slug>/index.html
  publish   extract, update, check, compile, build in order
  export    XLIFF / TMX / TBX for translators' tools; import: XLIFF back as pending, TMX into the memory
"""

EPILOG = """\
exit status: 0 success, 1 the work found blocking problems (or a file changed
by someone else meanwhile, left as they saved it: run again), 2 bad input or
usage (nothing was written), or the project lock held by another command for
longer than --wait. Errors name the file and line: path:line: error: …"""


def _progress(label: str) -> Callable[[int, int], None] | None:
    """A one-line progress counter on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{label}: {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def _cmd_extract(config, args) -> int:
    from workflow.extract import extract
    console.summary("extract", "template", extract(config, progress=_progress("extract")))
    return EXIT_OK


def _cmd_update(config, args) -> int:
    from workflow.update import update
    console.summary("update", "catalog", update(config, locale=args.locale, progress=_progress("update")))
    return EXIT_OK


def _cmd_check(config, args) -> int:
    import json

    from workflow.quality import run_check
    findings = run_check(config, locale=args.locale, article=args.article, annotate=args.annotate,
                         progress=_progress("check"))
    if args.format == "json":
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            print(finding.as_text())
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    print(f"check: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    if errors or (args.strict and warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _cmd_review(config, args) -> int:
    from workflow import review
    from workflow.fileio import write_atomic
    if args.action in ("server-key", "passwd", "serve"):
        return _cmd_review_server(config, args)
    if args.action == "pending":
        items = review.pending(config, args.locale, args.article)
        for item in items:
            console.print_item(item)
        print(f"review: {len(items)} segment(s) pending", file=sys.stderr)
        return EXIT_OK
    if args.action == "approve":
        approved, skipped = review.approve(config, args.locale, args.reviewer, ids=args.id,
                                           article=args.article, all_clean=args.all_clean, key_file=args.key,
                                           accept_suggestion=args.accept_suggestion, lock=False)
        for item in skipped:
            print(f"not approved {item.id} ({item.shown}): has findings; review it and approve by --id",
                  file=sys.stderr)
        print(f"review: {len(approved)} segment(s) approved by {args.reviewer}"
              + (f", {len(skipped)} left pending" if skipped else ""))
        return EXIT_OK
    if args.action == "reject":
        rejected = review.reject(config, args.locale, args.reviewer, args.id[0], args.reason, key_file=args.key,
                                 lock=False)
        print(f"review: {len(rejected)} segment(s) rejected and marked fuzzy")
        return EXIT_OK
    if args.action == "verify":
        items = review.verify(config, args.locale)
        counts: dict[str, int] = {}
        for item in items:
            counts[item.verdict.state] = counts.get(item.verdict.state, 0) + 1
            record = item.verdict.record
            who = f" {record.email} {record.time}" if record else ""
            why = f": {item.verdict.reason}" if item.verdict.state not in ("approved",) and item.verdict.reason else ""
            print(f"{item.shown}: {item.verdict.state}{who}{why}")
        print("verify: " + (", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no records"),
              file=sys.stderr)
        return EXIT_PROBLEMS if counts.get("forged") else EXIT_OK
    if args.action == "allowed-signers":
        from workflow.approval import allowed_signers  # not at the top: a no-op publish needs no crypto

        text = allowed_signers(config.reviewers, config.server_keys)
        if args.output:
            write_atomic(Path(args.output), text)
            print(f"review: allowed signers written to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return EXIT_OK
    from workflow.packet import render_packet
    html = render_packet(config, args.locale, args.article)
    if args.output:
        write_atomic(Path(args.output), html)
        print(f"review: packet written to {args.output}")
    else:
        sys.stdout.write(html)
    return EXIT_OK


def _store_dir(config, args) -> Path:
    """The review server's store: --store, else $LOCUM_REVIEW_STORE, else <project>/.review/."""
    chosen = args.store or os.environ.get("LOCUM_REVIEW_STORE")
    return Path(chosen).resolve() if chosen else config.root / ".review"


def _cmd_review_server(config, args) -> int:
    """``review server-key``, ``passwd`` and ``serve``: the review server (workflow.server, imported here only)."""
    store_dir = _store_dir(config, args)
    if args.action == "server-key":
        from workflow.server.keys import load_or_create, public_line
        line = public_line(load_or_create(store_dir, create=True))
        print(line)
        if line.split()[:2] not in [key.split()[:2] for key in config.server_keys]:
            print("review: paste this line into locales/locum.toml as [review_server] key = \"…\" (its private key "
                  f"is {store_dir / 'server_key'}; keep it out of git)", file=sys.stderr)
        return EXIT_OK
    if args.action == "passwd":
        from workflow.review import reviewer_for
        reviewer = reviewer_for(config, args.email, set())
        password = _new_password(args.password_stdin)
        from workflow.server.store import Store
        Store(store_dir).set_password(reviewer.email, password)
        print(f"review: password set for {reviewer.email}", file=sys.stderr)
        return EXIT_OK
    from workflow.server.app import serve
    serve(config, store_dir, args.host, args.port, not args.insecure_cookies)
    return EXIT_OK


MIN_PASSWORD = 12


def _new_password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice at a prompt; at least 12 characters."""
    import getpass
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ; nothing was changed")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"a password has at least {MIN_PASSWORD} characters; nothing was changed")
    return password


def _cmd_stats(config, args) -> int:
    import json

    from workflow.stats import collect_stats, format_table
    rows = collect_stats(config, args.locale)
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        print(format_table(rows))
    return EXIT_OK


def _cmd_translate(config, args) -> int:
    from workflow.translate import TranslateError, translate_catalogs
    options = {"threshold": args.threshold, "timeout": args.timeout, "refresh": args.refresh}
    if args.url:
        options["url"] = args.url
    try:
        result = translate_catalogs(config, args.locale, article=args.article, provider=args.provider,
                                    options=options, dry_run=args.dry_run, progress=_progress("translate"))
    except TranslateError as exc:       # some catalogs may already hold what succeeded: not exit 2
        print(str(exc), file=sys.stderr)
        if exc.result is not None:
            console.translate_summary(exc.result)
        return EXIT_PROBLEMS
    console.translate_summary(result)
    return EXIT_OK


def _cmd_compile(config, args) -> int:
    from workflow.compile import compile_catalogs
    console.print_compile(compile_catalogs(config, locale=args.locale, progress=_progress("compile")))
    return EXIT_OK


def _cmd_build(config, args) -> int:
    from workflow.build import build
    result = build(config, preview=args.preview, progress=_progress("build"))
    console.print_build(result, preview=args.preview)
    return _strict(args, len(result.skipped))


def _strict(args, skipped: int) -> int:
    if args.strict and skipped:
        print("build: --strict: skipped pages count as a failure", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _cmd_publish(config, args) -> int:
    from workflow.publish import Hooks, publish

    hooks = Hooks(progress=_progress, recovered=console.print_recovered,
                  extracted=lambda result: console.summary("extract", "template", result),
                  updated=lambda result: console.summary("update", "catalog", result),
                  checked=console.print_held, compiled=console.print_compile,
                  built=lambda result: console.print_build(result, preview=args.preview))
    outcome = publish(config, args.preview, hooks)
    if outcome.last is not None:
        print(f"publish: nothing changed since the last publish: {outcome.published} page(s) published, "
              f"{outcome.skipped} skipped (see audit/build-report.json), {outcome.held} check error(s) "
              f"held back (see 'locum check') -> {config.output_dir}")
    moved = outcome.moved
    if moved:
        print(f"publish: {len(moved)} file(s) changed while publishing ({', '.join(moved[:3])}"
              f"{', …' if len(moved) > 3 else ''}): the next publish takes them in", file=sys.stderr)
    return _strict(args, outcome.skipped)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="locum", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", metavar="DIR", type=Path, default=Path("."),
                        help="the project folder (default: the current directory)")
    parser.add_argument("--wait", metavar="SECONDS", type=float, default=None,
                        help="how long a command that writes waits for another Locum command that holds the "
                             "project lock (default: $LOCUM_LOCK_WAIT, else 30); then it exits 2 naming it")
    parser.add_argument("--version", action="version", version=f"locum {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("extract", help="cut source articles into segments: source/*.md -> locales/*.pot",
                       description="Write locales/<slug>.pot for every source/<slug>.md. Unchanged "
                                   "articles leave their template byte-for-byte unchanged.")
    p.set_defaults(run=_cmd_extract)

    p = sub.add_parser("update", help="merge templates into every language catalog (msgmerge semantics)",
                       description="Merge each locales/<slug>.pot into locales/<lang>/LC_MESSAGES/<slug>.po "
                                   "for every catalog language, creating missing catalogs. Kept "
                                   "translations stay, changed text becomes a fuzzy suggestion, removed "
                                   "entries become obsolete (#~). No translation is ever deleted.")
    p.add_argument("--locale", metavar="L",
                   help="only this catalog (es, es_US) or output locale (es-US: its whole chain)")
    p.set_defaults(run=_cmd_update)

    p = sub.add_parser("check", help="run the safety and quality checks (glossary, numbers, links, …)",
                       description="Check every translated entry: blocking errors (glossary, numbers and "
                                   "units, URLs, e-mails, phone numbers, Markdown, raw HTML) and warnings "
                                   "(untranslated, length, whitespace, end punctuation). Exit 1 on any "
                                   "error, or any warning with --strict.")
    p.add_argument("--locale", metavar="L", help="only this catalog (es) or output locale (es-US)")
    p.add_argument("--article", metavar="S", help="only this article slug (or 'site' for the page chrome)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text lines path:line: severity [check] message (default), or a JSON array")
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.add_argument("--annotate", action="store_true",
                   help="write each finding into its entry as a '# (locum) check: message' translator "
                        "comment (and remove fixed ones), so translators see them in their PO editor")
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser("translate", help="prefill untranslated entries as fuzzy (translation memory or MT)",
                       description="Fill untranslated entries only, always as fuzzy with a '# mt: provider "
                                   "date' or '# tm: score% catalog' comment, so nothing is published before "
                                   "review. Locked and do-not-translate terms, numbers, URLs and link targets "
                                   "are masked before text leaves the machine. Keys come from environment "
                                   "variables (LIBRE_API_KEY, DEEPL_API_KEY, MICROSOFT_API_KEY), never files.")
    p.add_argument("--locale", metavar="L", required=True, help="catalog (es) or output locale (es-US)")
    p.add_argument("--article", metavar="S", help="only this article")
    p.add_argument("--provider", default="memory",
                   choices=("memory", "libre", "google", "deepl", "microsoft", "mymemory"),
                   help="memory (default, offline: other catalogs of the same language) or an MT engine")
    p.add_argument("--url", metavar="URL", help="LibreTranslate server (default: $LOCUM_LIBRE_URL)")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=30.0,
                   help="engines: the most one request may take, in all: connecting, the whole answer, and "
                        "the retries of 429/5xx with their back-off (default 30). Worst case: a dead or "
                        "stalled server ends the run (exit 1) at most SECONDS after the last answer it gave")
    p.add_argument("--refresh", action="store_true",
                   help="engines: ignore the cache, ask again and overwrite the cached answers")
    p.add_argument("--threshold", metavar="N", type=int, default=75,
                   help="memory: lowest fuzzy-match score to use, in percent (default 75)")
    p.add_argument("--dry-run", action="store_true", help="show what would be filled; send and write nothing")
    p.set_defaults(run=_cmd_translate)

    p = sub.add_parser("review", help="the reviewer's commands: pending, approve, reject, packet, verify, "
                                      "allowed-signers",
                       description="An approval is a record in the entry's translator comments, signed with the "
                                   "reviewer's SSH key (ssh-keygen -Y sign format) over their e-mail, the UTC "
                                   "time, the meaning, the catalog and the text; editing either side makes the "
                                   "segment stale. Reviewers and their public keys are declared in "
                                   "locales/locum.toml.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("pending", help="list segments waiting for review, with their findings")
    a.add_argument("--locale", metavar="L", required=True, help="catalog (es) or output locale (es-US)")
    a.add_argument("--article", metavar="S", help="only this article")
    a = actions.add_parser("approve", help="approve segments by id, or every clean one of an article")
    a.add_argument("--locale", metavar="L", required=True, help="catalog (es) or output locale (es-US)")
    a.add_argument("--reviewer", metavar="EMAIL", required=True, help="a reviewer declared for the catalog")
    a.add_argument("--id", metavar="ID", nargs="+", help="segment ids from 'locum review pending'")
    a.add_argument("--article", metavar="S", help="with --all-clean: the article to approve")
    a.add_argument("--all-clean", action="store_true",
                   help="approve every pending, stale or unverified segment without findings (never a suggestion "
                        "nor a forged record: those need --id)")
    a.add_argument("--accept-suggestion", action="store_true",
                   help="approve machine or memory suggestions (fuzzy) exactly as they came; the record names "
                        "their origin")
    a.add_argument("--key", metavar="FILE", type=Path,
                   help="your OpenSSH Ed25519 private key (default: a key of yours in the running ssh-agent)")
    a = actions.add_parser("reject", help="send a segment back to the translator (marks it fuzzy)")
    a.add_argument("--locale", metavar="L", required=True, help="catalog (es) or output locale (es-US)")
    a.add_argument("--reviewer", metavar="EMAIL", required=True, help="a reviewer declared for the catalog")
    a.add_argument("--id", metavar="ID", nargs=1, required=True, help="the segment id")
    a.add_argument("--reason", required=True, help="what the translator should change")
    a.add_argument("--key", metavar="FILE", type=Path,
                   help="your OpenSSH Ed25519 private key (default: a key of yours in the running ssh-agent)")
    a = actions.add_parser("verify", help="check every approval record's signature: approved, stale, unverified, "
                                          "forged (exit 1 on a forged one)")
    a.add_argument("--locale", metavar="L", help="only this catalog (es) or output locale (es-US)")
    a = actions.add_parser("allowed-signers", help="write an OpenSSH allowed-signers file of the reviewers' keys, "
                                                   "for 'ssh-keygen -Y verify'")
    a.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    a = actions.add_parser("packet", help="write a printable HTML review packet of one article")
    a.add_argument("--locale", metavar="L", required=True, help="catalog (es) or output locale (es-US)")
    a.add_argument("--article", metavar="S", required=True, help="the article slug")
    a.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    _review_server_parsers(actions)
    p.set_defaults(run=_cmd_review)

    p = sub.add_parser("stats", help="progress per locale and article",
                       description="Segments, translated, fuzzy, approved, stale (approval no longer "
                                   "matches the text) and with check errors, per catalog and article.")
    p.add_argument("--locale", metavar="L", help="only this catalog or output locale's chain")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_stats)

    p = sub.add_parser("compile", help="the publish gate: write .mo files holding only publishable entries",
                       description="Write <slug>.mo beside every <slug>.po, holding only entries that pass "
                                   "the gate: translated, not fuzzy, approved by a declared reviewer for "
                                   "exactly this text, and free of check errors.")
    p.add_argument("--locale", metavar="L", help="only this catalog or output locale's chain")
    p.set_defaults(run=_cmd_compile)

    def build_options(p):
        p.add_argument("--preview", action="store_true",
                       help="build every page into .cache/preview/ (never output/), marked not reviewed "
                            "and noindex; missing segments show the source text, marked 'not yet translated'")
        p.add_argument("--strict", action="store_true", help="exit 1 when any page was skipped at the gate")

    p = sub.add_parser("build", help="render the site into output/ from compiled catalogs",
                       description="Render output/<locale>/<slug>/index.html for every output locale and "
                                   "article whose every shown segment passes the gate; skipped pages are "
                                   "listed on the console and in audit/build-report.json. The site is "
                                   "built in a staging folder and swapped in at the end.")
    build_options(p)
    p.set_defaults(run=_cmd_build)

    p = sub.add_parser("publish", help="extract, update, check, compile and build in one go",
                       description="Run extract, update, check, compile and build in order; stops at the "
                                   "first stage that fails. Entries with check errors are held back by the "
                                   "gate, so their pages are skipped for that locale and listed.")
    build_options(p)
    p.set_defaults(run=_cmd_publish)
    from workflow.exchange.commands import add_parsers as exchange_parsers
    exchange_parsers(sub)
    return parser


def _review_server_parsers(actions) -> None:
    """``review server-key``, ``passwd`` and ``serve``."""
    store = dict(metavar="DIR", type=Path, help="the server's store: accounts, sessions, audit log and key "
                                                "(default: $LOCUM_REVIEW_STORE, else .review/ in the project)")
    a = actions.add_parser("server-key", help="create the review server's signing key if missing and print the "
                                              "public line for [review_server] key in locales/locum.toml")
    a.add_argument("--store", **store)
    a = actions.add_parser("passwd", help="set a declared reviewer's password for the review server (prompts twice)")
    a.add_argument("email", metavar="EMAIL", help="a reviewer declared in locales/locum.toml")
    a.add_argument("--store", **store)
    a.add_argument("--password-stdin", action="store_true", help="read the password from one line of standard input")
    a = actions.add_parser("serve", help="run the review server: reviewers sign in and approve, reject and edit in "
                                         "a browser (put a TLS reverse proxy in front of it for a team)")
    a.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    a.add_argument("--port", type=int, default=8400, help="port (default 8400)")
    a.add_argument("--store", **store)
    a.add_argument("--insecure-cookies", action="store_true",
                   help="session cookies without Secure, for plain http on localhost (never behind a proxy)")


def run() -> None:
    """The ``locum`` program: :func:`main`, then exit without tearing the interpreter down.

    After a publish the process holds hundreds of thousands of small objects
    (manifests, stamps) that the interpreter would free one by one; the
    system takes the memory back at once. Everything is written and closed
    when ``main`` returns, so the output streams are flushed and the process
    ends.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:         # `locum … | head`: the reader left, as it may
        pass
    os._exit(code)


READ_ONLY = {("review", "pending"), ("review", "packet"), ("review", "verify"), ("review", "allowed-signers"),
             ("review", "server-key"), ("review", "passwd"), ("review", "serve"),     # (serve locks each action)
             ("stats", None), ("export", None)}


def _locked(config, args):
    """The project lock for every command that writes into the project (see :mod:`workflow.lock`)."""
    from workflow.lock import project_lock
    action = getattr(args, "action", None)
    if (args.command, action) in READ_ONLY:
        return contextlib.nullcontext()
    command = " ".join(["locum", args.command, *([action] if action else [])])
    return project_lock(config.root, command, args.wait, notify=lambda text: print(text, file=sys.stderr))


def _only_conflicts(exc: LocumError) -> bool:
    """A file someone saved meanwhile was left alone: the work found a problem (exit 1), not bad input."""
    errors = exc.errors if isinstance(exc, ErrorList) else [exc]
    return all(isinstance(e, ConflictError) for e in errors)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``locum`` with ``argv``; returns the exit status instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        config = load_config(args.project.resolve())
        serving = (args.command, getattr(args, "action", None)) == ("review", "serve")
        with _locked(config, args), (contextlib.nullcontext() if serving else one_save()):   # a server saves as it goes
            return args.run(config, args)
    except LocumError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_PROBLEMS if _only_conflicts(exc) else EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; files already replaced are complete, nothing is half-written", file=sys.stderr)
        return 130

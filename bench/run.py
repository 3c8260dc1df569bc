"""``make bench``: Locum's publish against GNU gettext on a seeded synthetic 1,000-article project.

Every measurement runs ``python -m workflow`` (or the GNU tools) as a child
of ``bench/peak.py``, a small process that reports its wall time and peak
RSS (``os.wait4``).
Each run generates the project afresh (``bench/corpus.py``), lets Locum
extract and update it, plays the translators (``corpus.translate``), and
then measures, on the same files:

* the GNU reference: ``msgmerge --previous`` of every ``.po`` against its
  ``.pot`` plus ``msgfmt --check`` of every ``.po`` to a ``.mo``;
* ``locum check`` over everything, from scratch (no ``.cache/``);
* a full ``locum publish`` from a clean state (no ``output/``, ``.cache/``,
  ``.mo`` or audit files): extract, update, check, compile and build;
* the build stage alone from a clean ``output/``, and its floor
  (``bench/floor.py``: Markdown parse + render + write of the same pages,
  no catalogs);
* a no-op ``locum publish`` (right after a publish); a publish after one
  ``.po`` entry was edited and approved; a publish after one source
  paragraph changed;
* ``locum translate --provider memory`` of one language's untranslated
  entries, against the memory of its approved ones;

and, once, ``bench/memory_bench.py``: lookups per second against a
100,000-entry memory. The tables give medians of ``--runs`` runs and the
ratios the targets are stated in.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import approve, generate, translate  # noqa: E402

from workflow.catalogs import read_catalog, write_catalog  # noqa: E402


def measure(project: Path, *args: str, ok: tuple[int, ...] = (0,), env: dict | None = None) -> tuple[float, float]:
    """Run one locum command; return (seconds, peak RSS in MB)."""
    return run([sys.executable, "-m", "workflow", "--project", str(project), *args], ok, env)


def run(command: list[str], ok: tuple[int, ...] = (0,), env: dict | None = None) -> tuple[float, float]:
    """Run one command; return (seconds, peak RSS in MB) as bench/peak.py measures them."""
    seconds, peak, _ = spawn([command], ok, env)
    return seconds, peak


def spawn(commands: list[list[str]], ok: tuple[int, ...] = (0,), env: dict | None = None,
          stdout=subprocess.DEVNULL) -> tuple[float, float, bytes]:
    """Run ``commands`` one after the other through bench/peak.py: (seconds, peak RSS in MB, their stdout).

    Commands started straight from this process would inherit its size into
    their peak RSS (see bench/peak.py), so a small process starts them.
    """
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "result.json"
        proc = subprocess.run([sys.executable, str(HERE / "peak.py"), str(result)], input=json.dumps(commands).encode(),
                              stdout=stdout, stderr=subprocess.PIPE, cwd=HERE.parent, env={**os.environ, **(env or {})})
        if proc.returncode != 0 or not result.exists():
            sys.exit(f"bench/peak.py failed:\n{proc.stderr.decode()[-3000:]}")
        measured = json.loads(result.read_text(encoding="utf-8"))
    if measured["code"] not in ok:
        sys.exit(f"{' '.join(measured['failed'])} failed (exit {measured['code']}):\n{proc.stderr.decode()[-3000:]}")
    return measured["seconds"], measured["peak_mb"], proc.stdout or b""


def gnu_reference(project: Path) -> tuple[float, float]:
    """GNU gettext on the same catalogs: msgmerge --previous of every .po, then msgfmt --check of each."""
    scratch = project.parent / "gnu-scratch"
    scratch.mkdir(exist_ok=True)
    commands = []
    for po in sorted((project / "locales").glob("*/LC_MESSAGES/*.po")):
        pot = project / "locales" / f"{po.stem}.pot"
        commands += [["msgmerge", "--quiet", "--previous", "-o", str(scratch / "merged.po"), str(po), str(pot)],
                     ["msgfmt", "--check", "-o", str(scratch / "out.mo"), str(po)]]
    seconds, peak, _ = spawn(commands)
    return seconds, peak


def clean(project: Path) -> None:
    """Back to the state before any publish: no output, caches, compiled catalogs or audit sidecars."""
    for folder in ("output", ".cache"):
        shutil.rmtree(project / folder, ignore_errors=True)
    for path in (project / "locales").glob("*/LC_MESSAGES/*"):
        if path.suffix == ".mo" or path.name.endswith(".audit.json"):
            path.unlink()


def edit_one_entry(project: Path) -> None:
    """A translator fixes one Spanish entry of one article, and a reviewer approves it."""
    path = project / "locales" / "es" / "LC_MESSAGES" / "article-0003.po"
    po = read_catalog(path)
    entry = next(e for e in po if e.msgstr and not e.obsolete)
    entry.msgstr = entry.msgstr + " (revisado)"
    approve(entry, "es")
    write_catalog(po, path)


def edit_one_paragraph(project: Path) -> None:
    """An author rewords one paragraph (its segment becomes a fuzzy suggestion in every catalog)."""
    path = project / "source" / "article-0007.md"
    text = path.read_text(encoding="utf-8")
    marker = "\n\n# Synthetic article 7\n\n"
    path.write_text(text.replace(marker, marker + "An edited opening paragraph about back pain.\n\n", 1),
                    encoding="utf-8")


def untranslated(project: Path, catalog: str) -> tuple[int, int]:
    """(untranslated entries, approved translations) of one language: the translate workload and its memory."""
    todo = memory = 0
    for path in (project / "locales" / catalog / "LC_MESSAGES").glob("*.po"):
        for entry in read_catalog(path):
            if entry.obsolete:
                continue
            if entry.translated():
                memory += 1
            elif not entry.fuzzy:
                todo += 1
    return todo, memory


def floor(project: Path) -> tuple[float, float, int]:
    """(seconds, peak MB, pages) of bench/floor.py on the project."""
    out = project.parent / "floor-output"
    shutil.rmtree(out, ignore_errors=True)
    seconds, peak, text = spawn([[sys.executable, str(HERE / "floor.py"), str(project), str(out)]],
                                stdout=subprocess.PIPE)
    shutil.rmtree(out, ignore_errors=True)
    return seconds, peak, int(text.decode().split()[0])


def memory_rate(entries: int) -> tuple[float, float]:
    """(lookups per second, peak MB) from bench/memory_bench.py against ``entries`` memory entries."""
    _, peak, out = spawn([[sys.executable, str(HERE / "memory_bench.py"), "--entries", str(entries),
                           "--verify", "0"]], stdout=subprocess.PIPE)
    rate = re.search(r"all lookups \(segments/s\)\s+([\d,]+)", out.decode())
    return float(rate.group(1).replace(",", "")), peak


ROWS = {
    "gnu": "GNU reference: msgmerge --previous + msgfmt --check of every catalog",
    "check": "locum check, every catalog, from scratch",
    "publish": "locum publish, from a clean state",
    "build": "locum build alone, clean output/",
    "floor": "build floor: Markdown parse + render + write, no catalogs (bench/floor.py, 1 process)",
    "noop": "locum publish, nothing changed",
    "entry": "locum publish after one .po entry was edited and approved",
    "paragraph": "locum publish after one source paragraph changed",
    "translate": "locum translate --provider memory --locale pl",
}


def one_run(project: Path, articles: int, seed: int, samples: dict, facts: dict) -> None:
    generate(project, articles, seed)
    for stage in ("extract", "update"):
        measure(project, stage)
    facts["filled"] = translate(project, seed=seed)
    samples["gnu"].append(gnu_reference(project))
    clean(project)
    samples["check"].append(measure(project, "check", ok=(0, 1)))      # 1: findings, not a failure
    clean(project)
    samples["publish"].append(measure(project, "publish"))
    report = json.loads((project / "audit" / "build-report.json").read_text(encoding="utf-8"))
    facts["pages"] = len(report["published"])
    facts["skipped"] = len(report["skipped"])
    shutil.rmtree(project / "output")
    samples["build"].append(measure(project, "build"))
    seconds, peak, pages = floor(project)
    facts["floor pages"] = pages
    samples["floor"].append((seconds, peak))
    measure(project, "publish")             # the bare build replaced output/: let publish settle first
    samples["noop"].append(measure(project, "publish"))
    edit_one_entry(project)
    samples["entry"].append(measure(project, "publish"))
    edit_one_paragraph(project)
    samples["paragraph"].append(measure(project, "publish"))
    facts["translate todo"], facts["translate memory"] = untranslated(project, "pl")
    samples["translate"].append(measure(project, "translate", "--locale", "pl", "--provider", "memory", ok=(0, 1)))
    facts["templates"] = len(list((project / "locales").glob("*.pot")))
    facts["catalogs"] = len(list((project / "locales").glob("*/LC_MESSAGES/*.po")))
    facts["segments"] = sum(len(read_catalog(p)) for p in (project / "locales").glob("*.pot"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the project (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs to take the median of (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory-entries", type=int, default=100_000,
                        help="size of bench/memory_bench.py's memory (default 100000; 0 to skip)")
    parser.add_argument("--dir", type=Path, default=HERE / "out" / "project")
    args = parser.parse_args()
    if not shutil.which("msgmerge"):
        sys.exit("bench: GNU gettext (msgmerge, msgfmt) is needed for the reference: apt-get install gettext")

    samples: dict[str, list[tuple[float, float]]] = {key: [] for key in ROWS}
    facts: dict = {}
    for number in range(args.runs):
        print(f"run {number + 1}/{args.runs}: {args.articles} articles (seed {args.seed}) in {args.dir} …",
              file=sys.stderr, flush=True)
        one_run(args.dir, args.articles, args.seed, samples, facts)
        print("  " + ", ".join(f"{key} {samples[key][-1][0]:.2f} s" for key in ROWS), file=sys.stderr, flush=True)
    rate, rate_peak = memory_rate(args.memory_entries) if args.memory_entries else (float("nan"), 0.0)

    def median(key: str) -> float:
        return statistics.median(s for s, _ in samples[key])

    print(f"\n{args.articles} articles, {facts['templates']} templates ({facts['segments']:,} segments), "
          f"{facts['catalogs']:,} catalogs, {facts['filled']:,} entries translated and approved; "
          f"{facts['pages']:,} pages published, {facts['skipped']} held back by the gate.\n"
          f"Median of {args.runs} run(s); {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, workers: {os.environ.get('LOCUM_WORKERS', 'every core')}.\n")
    print("| measurement | median s | min s | max s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for key, label in ROWS.items():
        secs = [s for s, _ in samples[key]]
        print(f"| {label} | {statistics.median(secs):.2f} | {min(secs):.2f} | {max(secs):.2f} | "
              f"{max(m for _, m in samples[key]):.0f} |")
    if args.memory_entries:
        print(f"| bench/memory_bench.py: {args.memory_entries:,}-entry memory, 2,000 lookups | "
              f"{rate:,.0f} segments/s | | | {rate_peak:.0f} |")

    full = median("publish")
    build_rate = facts["pages"] / median("build")
    floor_rate = facts["floor pages"] / median("floor")
    peak = max(m for key in ROWS if key not in ("gnu", "floor") for _, m in samples[key])
    translate_rate = facts["translate todo"] / median("translate")
    ratios = [
        ("full publish / GNU reference", f"{full / median('gnu'):.2f}", "≤ 1.00", full <= median("gnu")),
        ("build pages/s / floor pages/s", f"{build_rate:.0f} / {floor_rate:.0f} = {build_rate / floor_rate:.2f}",
         "≥ 0.50", build_rate >= floor_rate / 2),
        ("no-op publish / full publish", f"{median('noop') / full:.2%}", "≤ 1%", median("noop") <= full * 0.01),
        ("one-entry publish / full publish", f"{median('entry') / full:.2%}", "≤ 2%", median("entry") <= full * 0.02),
        ("one-paragraph publish / full publish", f"{median('paragraph') / full:.2%}", "≤ 2%",
         median("paragraph") <= full * 0.02),
        ("peak RSS of any locum run", f"{peak:.0f} MB", "≤ 300 MB", peak <= 300),
        (f"memory lookups against {args.memory_entries:,} entries", f"{rate:,.0f} segments/s", "≥ 500",
         rate >= 500 if args.memory_entries else None),
        (f"translate --provider memory end to end ({facts['translate todo']:,} entries, "
         f"{facts['translate memory']:,}-entry memory)", f"{translate_rate:,.0f} segments/s", "(no target)", None),
    ]
    print("\n| target | measured | goal | met |")
    print("| --- | ---: | ---: | :---: |")
    for label, value, goal, met in ratios:
        print(f"| {label} | {value} | {goal} | {'—' if met is None else 'yes' if met else 'NO'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

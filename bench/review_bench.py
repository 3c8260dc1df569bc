"""The review server under load: article view and approve latency with many reviewers at once, on loopback.

    python bench/review_bench.py [--reviewers 20] [--segments 200]

Generates a project with one article of ``--segments`` segments translated
into Spanish and waiting for review (nothing approved), ``--reviewers``
reviewers declared for Spanish with passwords in the server's store, and
the server's key under ``[review_server]``. Starts ``locum review serve``
on 127.0.0.1 in a child process. A reviewer is an httpx client in a
thread: it logs in, then for each of its share of the segments (distinct
from everyone else's) loads the article view and approves that segment
with the page's CSRF token and the text digest it showed (``seen``). First
one reviewer alone approves ``--alone`` segments (the baseline: no
waiting), then ``--reviewers`` reviewers at once approve the rest. Every
view and every approve is timed. An approve that
is not a 303 redirect is an error, except a 409 conflict, counted apart.
At the end the catalog is judged as ``locum review`` judges it: every
approval must be there, verified, made through the server. The CPU seconds
the server and this process (the clients) spent in each phase, per view and
approve, are printed too (from /proc): on a machine shared with other work
they move less than the latencies do.
"""

from __future__ import annotations

import argparse
import html
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import httpx2 as httpx  # noqa: E402
from corpus import rendered, sentence  # noqa: E402

from workflow.catalogs import read_catalog, write_catalog  # noqa: E402

PASSWORD = "bench reviewer password"
SLUG = "long-article"
CONFIG = """\
[project]
source_language = "en"
site_name = "Review Bench"
base_url = "https://bench.example.org"

[markets.gb]
name = "United Kingdom"

[locales."en-GB"]
market = "gb"
chain = []

[locales."es-GB"]
market = "gb"
chain = ["es"]
"""
GLOSSARY = """\
term,status,note,es
duloxetine,locked,Generic drug name,duloxetina
paracetamol,locked,,paracetamol
ibuprofen,locked,,ibuprofeno
"""


def email(number: int) -> str:
    return f"reviewer{number:02d}@example.org"


def locum(root: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "workflow", "--project", str(root), *args], check=True,
                   stdout=subprocess.DEVNULL, cwd=HERE.parent)


def generate(root: Path, store: Path, reviewers: int, segments: int, seed: int) -> None:
    """The project: one article of ``segments`` segments (title and description included), all translated."""
    from workflow import sshsig
    from workflow.server.store import Store

    for folder in (root, store):
        if folder.exists():
            shutil.rmtree(folder)
    (root / "source").mkdir(parents=True)
    rng = random.Random(seed)
    blocks = [("## " + sentence(rng).rstrip(".")) if n % 10 == 0 else sentence(rng) for n in range(segments - 2)]
    body = "\n\n".join(dict.fromkeys(blocks))          # (a repeated block would be one segment)
    (root / "source" / f"{SLUG}.md").write_text(
        f"---\ntitle: A long article\ndescription: Many paragraphs to review.\npublished: 2026-11-01\n---\n\n"
        f"{body}\n", encoding="utf-8")
    with Store(store) as keys:
        signer = keys.server_signer(create=True)
    people = "".join(f'\n[[reviewers]]\nname = "Reviewer {n:02d}"\nemail = "{email(n)}"\ncatalogs = ["es"]\n'
                     for n in range(reviewers))
    key = sshsig.public_line(signer.key, "locum-review-server")
    (root / "locales").mkdir()
    (root / "locales" / "locum.toml").write_text(f'{CONFIG}{people}\n[review_server]\nkey = "{key}"\n',
                                                 encoding="utf-8")
    (root / "locales" / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    locum(root, "extract")
    locum(root, "update")
    path = root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    po = read_catalog(path)
    for entry in po:
        entry.msgstr = rendered(entry.msgid, "es")
    write_catalog(po, path)
    with Store(store) as accounts:
        for n in range(reviewers):
            accounts.set_password(email(n), PASSWORD)


FORM = re.compile(r'<form\b[^>]*\bclass="([^"]*)"[^>]*>(.*?)</form>', re.S)
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')


class Page:
    """The hidden fields of each segment's approve form (by segment id), and the page's CSRF token.

    Regular expressions, not an HTML parser: parsing a 440 KB page in
    Python takes about 0.1 s, and 20 client threads doing that would steal
    the CPU the server is being measured on.

    >>> page = Page('<form class="approve" method="post"><input type="hidden" name="csrf" value="t">'
    ...             '<input name="id" value="0a1b2c3d"><input name="seen" value="x&amp;y"></form>')
    >>> page.csrf, page.approve["0a1b2c3d"]["seen"]
    ('t', 'x&y')
    """

    def __init__(self, text: str):
        self.approve: dict[str, dict[str, str]] = {}
        self.csrf = ""
        for classes, body in FORM.findall(text):
            fields = {}
            for tag in INPUT.findall(body):
                found = dict(ATTRIBUTE.findall(tag))
                if "name" in found:
                    fields[found["name"]] = html.unescape(found.get("value", ""))
            self.csrf = self.csrf or fields.get("csrf", "")
            if "approve" in classes.split() and "id" in fields:
                self.approve[fields["id"]] = fields


def segment_page(text: str, segment: str) -> Page:
    """The forms of one segment's section (each carries the CSRF token), found without scanning the whole
    page: twenty client threads scanning 440 KB each (9 ms) share one interpreter, and the time a thread
    waits for the others would be counted as the server's.

    >>> page = segment_page('<section data-id="0a1b2c3d"><form class="approve"><input name="csrf" value="t">'
    ...                     '<input name="id" value="0a1b2c3d"></form></section>', "0a1b2c3d")
    >>> page.csrf, page.approve["0a1b2c3d"]["id"]
    ('t', '0a1b2c3d')
    """
    start = text.find(f'data-id="{segment}"')
    end = text.find("</section>", start)
    return Page(text[start:end] if 0 <= start < end else "")


class Reviewer:
    """One simulated reviewer: an httpx client keeping its own cookies (the server may mark them Secure)."""

    def __init__(self, base: str, address: str):
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, url, headers={"Cookie": header} if header else {}, **kwargs)
        self.client.cookies.clear()
        for line in response.headers.get_list("set-cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in line.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response

    def log_in(self) -> None:
        form = Page(self.request("GET", "/login").text)
        response = self.request("POST", "/login", data={"email": self.address, "password": PASSWORD,
                                                        "csrf": form.csrf})
        if response.status_code != 303:
            raise RuntimeError(f"{self.address}: login answered {response.status_code}")


def work(reviewer: Reviewer, ids: list[str], start: threading.Barrier, results: dict) -> None:
    """Log in, wait for everyone, then view the article and approve one segment, for each of ``ids``."""
    try:
        reviewer.log_in()
        reviewer.request("GET", f"/c/es/{SLUG}")                  # warm-up, not measured
    finally:
        start.wait()
    for segment in ids:
        began = time.perf_counter()
        response = reviewer.request("GET", f"/c/es/{SLUG}")
        results["view"].append(time.perf_counter() - began)
        fields = segment_page(response.text, segment).approve.get(segment)
        if response.status_code != 200 or not fields:
            results["errors"].append(f"view {response.status_code}, segment {segment} found: {bool(fields)}")
            continue
        began = time.perf_counter()
        response = reviewer.request("POST", f"/c/es/{SLUG}/approve", data=fields)
        results["approve"].append(time.perf_counter() - began)
        if response.status_code == 409:
            results["conflicts"] += 1
        elif response.status_code != 303:
            results["errors"].append(f"approve {segment}: {response.status_code}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(root: Path, store: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``locum review serve`` on a free loopback port; returns the process and its base URL once it answers."""
    port = free_port()
    with open(log, "wb") as sink:
        server = subprocess.Popen([sys.executable, "-m", "workflow", "--project", str(root), "review", "serve",
                                   "--host", "127.0.0.1", "--port", str(port), "--store", str(store)],
                                  stdout=sink, stderr=subprocess.STDOUT, cwd=HERE.parent)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    sys.exit(f"review_bench: the server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0.95: p95) by the nearest-rank method.

    >>> percentile(list(range(1, 21)), 0.95), percentile([3.0], 0.95)
    (19, 3.0)
    """
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def judged(root: Path) -> tuple[int, int]:
    """(segments of the article, of them approved by a verified record made through the server)."""
    from workflow.config import load_config
    from workflow.review import load_items

    items, _ = load_items(load_config(root), "es", SLUG)
    kept = [i for i in items if i.verdict.state == "approved" and getattr(i.verdict.record, "via", "") == "review-server"]
    return len(items), len(kept)


def cpu_seconds(pid: int | None = None) -> float | None:
    """CPU seconds (user + system, every thread) of process ``pid`` from /proc, or of this process; None where
    there is no /proc."""
    if pid is None:
        return sum(os.times()[:2])
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase(base: str, reviewers: int, ids: list[str], server: int | None = None) -> tuple[dict, float]:
    """``reviewers`` threads at once, each approving its share of ``ids``: (results, wall seconds). ``results``
    also has the CPU seconds the ``server`` process and this one (the clients) spent meanwhile."""
    results: dict = {"view": [], "approve": [], "errors": [], "conflicts": 0}
    start = threading.Barrier(reviewers + 1)
    threads = [threading.Thread(target=work, args=(Reviewer(base, email(n)), ids[n::reviewers], start, results))
               for n in range(reviewers)]
    for thread in threads:
        thread.start()
    start.wait()        # after every login (Argon2), which is not what is measured
    cpu = (cpu_seconds(server) if server else None, cpu_seconds())
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    ended = (cpu_seconds(server) if server else None, cpu_seconds())
    results["cpu"] = tuple(None if a is None or b is None else b - a for a, b in zip(cpu, ended))
    return results, wall


def run(args: argparse.Namespace) -> int:
    root, store = args.dir / "project", args.dir / "store"
    print(f"review_bench: generating {args.segments} segments, {args.reviewers} reviewers in {args.dir} …",
          file=sys.stderr, flush=True)
    generate(root, store, args.reviewers, args.segments, args.seed)
    from workflow.config import load_config
    from workflow.review import load_items

    items, _ = load_items(load_config(root), "es", SLUG)
    ids = [i.id for i in items]
    server, base = start_server(root, store, args.dir / "server.log")
    try:
        alone, _ = phase(base, 1, ids[:args.alone], server.pid)
        together, wall = phase(base, args.reviewers, ids[args.alone:], server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    total, kept = judged(root)
    report(args, alone, together, wall, total, kept)
    errors = alone["errors"] + together["errors"]
    return 1 if errors or kept != len(ids) - alone["conflicts"] - together["conflicts"] else 0


def report(args, alone: dict, together: dict, wall: float, total: int, kept: int) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{total} segments in one article on loopback (`locum review serve`, one process); "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load}, "
          f"Python {platform.python_version()}. First one reviewer alone approves {args.alone} segments, then "
          f"{args.reviewers} reviewers at once approve the other {total - args.alone}, each its own share.\n")
    print("| measurement | requests | median ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for results, who in ((alone, "1 reviewer alone"), (together, f"{args.reviewers} reviewers at once")):
        for key, label in (("view", f"article view (GET, {total} segments)"), ("approve", "approve (POST → 303)")):
            values = results[key]
            if values:
                print(f"| {label}, {who} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                      f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |")
    errors = alone["errors"] + together["errors"]
    print(f"\n| outcome | count |\n| --- | ---: |\n| approves asked | {total} |\n"
          f"| errors (not 303, not 409) | {len(errors)} |\n"
          f"| conflicts (409) | {alone['conflicts'] + together['conflicts']} |\n"
          f"| verified server approvals in the .po afterwards | {kept} |\n"
          f"| wall time, {args.reviewers} reviewers at once | {wall:.1f} s "
          f"({len(together['approve']) / wall:.1f} approves/s) |")
    print("\n" + "\n".join(cpu_line(results, who) for results, who in
                           ((alone, "1 reviewer alone"), (together, f"{args.reviewers} reviewers at once"))))
    print(f"\n{target_line(together, args.reviewers, args.target_ms)}")
    for error in errors[:10]:
        print(f"error: {error}", file=sys.stderr)


def cpu_line(results: dict, who: str) -> str:
    """The CPU one view and one approve cost, server and clients apart: on a shared machine, a steadier
    figure than the latencies, which also count the time the clients and other work held the cores.

    >>> cpu_line({"approve": [0.1] * 10, "cpu": (0.05, 0.02)}, "1 reviewer alone")
    'CPU per view + approve, 1 reviewer alone: server 5.0 ms, clients (this process) 2.0 ms'
    """
    count = len(results["approve"])
    server, clients = results.get("cpu", (None, None))
    shown = [f"{seconds / count * 1000:.1f} ms" if seconds is not None and count else "unknown"
             for seconds in (server, clients)]
    return f"CPU per view + approve, {who}: server {shown[0]}, clients (this process) {shown[1]}"


def target_line(together: dict, reviewers: int, limit_ms: float) -> str:
    """Whether the article view and the approve both kept p95 under ``limit_ms`` with everyone at once.

    >>> target_line({"view": [0.05, 0.08], "approve": [0.2]}, 20, 100)
    'target, 20 reviewers at once, p95 < 100 ms for the article view (80 ms) and for an approve (200 ms): not met'
    """
    p95 = {key: percentile(together[key], 0.95) * 1000 if together[key] else math.inf for key in ("view", "approve")}
    met = all(value < limit_ms for value in p95.values())
    return (f"target, {reviewers} reviewers at once, p95 < {limit_ms:g} ms for the article view ({p95['view']:.0f} ms) "
            f"and for an approve ({p95['approve']:.0f} ms): {'met' if met else 'not met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviewers", type=int, default=20, help="concurrent simulated reviewers (default 20)")
    parser.add_argument("--segments", type=int, default=200, help="segments of the article (default 200)")
    parser.add_argument("--alone", type=int, default=10,
                        help="segments one reviewer approves alone first, for a baseline (default 10)")
    parser.add_argument("--target-ms", type=float, default=100,
                        help="the p95 both must stay under with everyone at once (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=HERE / "out" / "review")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())

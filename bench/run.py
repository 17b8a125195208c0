"""PostBBS benchmark: one database per run, seeded with N posts, timed in-process and under load.

    .venv/bin/python bench/run.py --db sqlite
    bash .ci/with-postgres .venv/bin/python bench/run.py --db postgres
    .venv/bin/python bench/run.py --db sqlite --posts 2000 --comments 500 --requests 50 \
        --duration 2                                   # a quick smoke run

It sets up a fresh database with the production settings (postbbs/settings.py, DEBUG off),
seeds it (bench/seed.py), times the pages with Django's test client, then serves the site with
the production server (postbbs/serve.py) and loads it with wrk on 127.0.0.1. The Markdown table
goes to stdout and to bench/results-<db>.md, for the README.

SQLite: a new file in a temporary folder (never the project's db.sqlite3). PostgreSQL: the
DATABASE_URL that .ci/with-postgres exports; the run refuses a database that has posts.
"""

import argparse
import gc
import http.client
import importlib.metadata
import itertools
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import unquote_plus

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, Python puts bench/ first on the path; the project root is what we import.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SERVERS = ("granian", "gunicorn")
CONNECTIONS = 8
MIN_SAMPLES = 20  # the fewest timed requests per page when its time budget runs out
BLOCK = 50  # timed requests per page in each turn
SEARCH_RARE = "/?q=%EC%A0%9C%EC%A3%BC+%EC%9A%B0%ED%8E%B8%EB%AC%BC%EB%A5%98&target=title"
SEARCH_SHORT = "/?q=%EC%9A%B0%ED%91%9C&target=title_body"  # 우표
LOAD_ARTICLES = 1000  # distinct articles wrk cycles through, spread over the whole board
TARGETS = (  # (name, limit): medians in-process
    ("last page / page 1", 1.2),
    ("listing / floor", 4.0),
    ("article / floor", 5.0),
)


class BenchError(Exception):
    pass


@dataclass
class LoadResult:
    rps: float = 0.0
    p50: float = 0.0  # ms
    p99: float = 0.0
    requests: int = 0
    error: str | None = None


@dataclass
class Page:
    key: str
    label: str
    shown: str  # the URL as the table shows it
    paths: list[str]
    fresh: bool = False  # a new visitor (no cookies) for every request
    load_paths: list[str] | None = None  # None: not measured under load
    queries: int | None = None
    samples: list[float] = field(default_factory=list)  # ms
    error: str | None = None
    load: dict[str, LoadResult] = field(default_factory=dict)

    def cut(self, requests):
        return bool(self.samples) and len(self.samples) < requests

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples else None

    @property
    def p99(self):
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]  # nearest rank


def say(*parts):
    print(*parts, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--posts", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--comments", type=int, default=200_000, help="default 200,000")
    parser.add_argument(
        "--requests", type=int, default=300, help="timed requests per page (default 300)"
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of wrk per URL; 0 skips the load test"
    )
    servers = parser.add_mutually_exclusive_group()
    servers.add_argument("--server", choices=SERVERS, help="the server under load (granian)")
    servers.add_argument("--servers", help="several, comma-separated: granian,gunicorn")
    parser.add_argument(
        "--page-budget",
        type=float,
        default=40,
        help="seconds at most per page in-process; a slow page stops early (default 40)",
    )
    parser.add_argument("--workers", type=int, help="server workers (default: postbbs.serve's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: serve's)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the data")
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded database and print where it is"
    )
    args = parser.parse_args(argv)
    names = args.servers.split(",") if args.servers else [args.server or "granian"]
    args.servers = [name.strip() for name in names if name.strip()]
    for name in args.servers:
        if name not in SERVERS:
            parser.error(f"unknown server {name!r}: choose from {', '.join(SERVERS)}")
    if args.posts < 1 or args.comments < 0 or args.requests < 1 or args.duration < 0:
        parser.error("--posts and --requests must be positive, the others not negative")
    return args


# Setup ---------------------------------------------------------------------------------


def configure(args, tmp):
    """The environment that postbbs/settings.py reads, before Django is imported."""
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise BenchError(
                "--db postgres needs DATABASE_URL: run it under "
                "`bash .ci/with-postgres .venv/bin/python bench/run.py --db postgres`"
            )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="postbbs.settings",  # the production settings, not the tests'
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        HTTPS="false",  # plain HTTP on the loopback, whatever a local .env says
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        # One client does every search: lift its limit (each search still counts itself).
        SEARCH_LIMIT_PER_10S="1000000000",
        SEARCH_LIMIT_PER_MINUTE="1000000000",
    )


def setup_django(args, tmp):
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    database = settings.DATABASES["default"]
    if args.db == "sqlite":
        # Belt and braces: the developer's db.sqlite3 must never be the one we seed.
        name = Path(database["NAME"]).resolve()
        if tmp.resolve() not in name.parents:
            raise BenchError(f"refusing to use {name}: not the benchmark's temporary file")
    elif database["ENGINE"] != "django.db.backends.postgresql":
        raise BenchError(f"DATABASE_URL is not PostgreSQL: {database['ENGINE']}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def database_version(args):
    from django.db import connection

    if args.db == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{kb / 1024**2:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "RAM unknown"
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"nproc {nproc}, {model}, {memory}"


# In-process ----------------------------------------------------------------------------


def spread(total, count, rng):
    """``count`` numbers in 1..total, one from each equal slice, in random order."""
    count = min(count, total)
    numbers = [min(total, 1 + int((k + rng.random()) * total / count)) for k in range(count)]
    rng.shuffle(numbers)
    return numbers


def pages_to_measure(args, warmup):
    from django.urls import reverse

    from board import services

    board = services.default_board()
    last = board.num_pages
    middle = max(1, last // 2)
    rng = random.Random(args.seed + 1)
    articles = [
        reverse("board:post-detail", kwargs={"number": n})
        for n in spread(board.post_count, warmup + 1 + args.requests, rng)
    ]
    load_articles = [
        reverse("board:post-detail", kwargs={"number": n})
        for n in spread(board.post_count, LOAD_ARTICLES, rng)
    ]
    return [
        Page("floor", "floor", "/healthz", ["/healthz"], load_paths=["/healthz"]),
        Page("first", "listing, page 1", "/", ["/"], load_paths=["/"]),
        Page(
            "middle",
            f"listing, page {middle:,}",
            f"/?page={middle}",
            [f"/?page={middle}"],
            load_paths=[f"/?page={middle}"],
        ),
        Page("last", f"listing, last page ({last:,})", f"/?page={last}", [f"/?page={last}"]),
        Page(
            "article",
            "article, new visitor",
            f"/<number>/ ×{len(articles)}",
            articles,
            fresh=True,
            load_paths=load_articles,
        ),
        # Search (issue 5): a rare 3+ character term over titles (PostgreSQL: the trigram
        # index; SQLite: one window), and a common 2-character term over titles and bodies
        # (both databases: one window of 10,000 posts at most).
        Page("search", "search, title, rare term", unquote_plus(SEARCH_RARE), [SEARCH_RARE]),
        Page(
            "search_short",
            "search, title+body, 2 chars",
            unquote_plus(SEARCH_SHORT),
            [SEARCH_SHORT],
        ),
    ]


def timed_get(client, page, path):
    if page.fresh:
        # A new visitor: no "viewed" cookie, so the view counts, with its UPDATE. Not a new
        # Client: its first request loads the middleware (WhiteNoise scans the static files),
        # ~18 ms that a running server never pays.
        client.cookies = SimpleCookie()
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        where = f" → {response['Location']}" if response.has_header("Location") else ""
        raise BenchError(f"GET {path} returned {response.status_code}{where}")
    return elapsed


def failed(page, exc):
    """The app failed on this page: record it, and go on measuring the others."""
    page.error = f"{type(exc).__name__}: {exc}"
    say(f"  {page.label}: FAILED\n{traceback.format_exc()}")


def measure_in_process(pages, requests, warmup, budget):
    """Warm each page up and count its queries, then time the pages in turns, a block of
    requests each (floor, page 1, ..., article, floor, ...): a burst of other work on this
    2-core machine then slows every page alike, not one page's whole series, and the ratios
    stay fair. Within a block a page runs hot, as a one-page series would: mixing single
    requests would double the floor's cost (its code falls out of the CPU caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The listings' client and the new visitors' (whose cookies are cleared every time).
    clients = {False: Client(HTTP_USER_AGENT=UA), True: Client(HTTP_USER_AGENT=UA)}
    paths = {page.key: itertools.cycle(page.paths) for page in pages}

    def get(page):
        return timed_get(clients[page.fresh], page, next(paths[page.key]))

    active = []
    for page in pages:
        try:
            started = time.monotonic()
            for _ in range(warmup):
                get(page)
                if time.monotonic() - started > budget / 4:
                    break
            # Forces the debug cursor for this one request only; DEBUG stays off.
            with CaptureQueriesContext(connection) as queries:
                get(page)
            page.queries = len(queries.captured_queries)
            active.append(page)
        except Exception as exc:
            failed(page, exc)
    gc.collect()  # every series starts from the same heap, not the warm-ups' garbage
    spent = dict.fromkeys(paths, 0.0)
    while active:
        for page in list(active):
            started = time.monotonic()
            try:
                get(page)  # not timed: the block's first request finds the caches cold
                for _ in range(min(BLOCK, requests - len(page.samples))):
                    page.samples.append(get(page))
                    # A page that has become slow (a regression at scale) stops at its time
                    # budget, with enough samples for a median: `make bench` still ends in time.
                    used = spent[page.key] + time.monotonic() - started
                    if used > 2 * budget or (used > budget and len(page.samples) >= MIN_SAMPLES):
                        active.remove(page)
                        break
            except Exception as exc:
                failed(page, exc)
                active.remove(page)
                continue
            spent[page.key] += time.monotonic() - started
            if page in active and len(page.samples) >= requests:
                active.remove(page)
    for page in pages:
        if page.error:
            continue
        cut = f"  ({len(page.samples)} of {requests}: time budget)" if page.cut(requests) else ""
        say(
            f"  {page.label:<28} {page.queries} queries  median {page.median:7.2f} ms"
            f"  p99 {page.p99:7.2f} ms{cut}"
        )


# Under load ----------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_split():
    """(server CPUs, wrk CPU) for taskset, or (None, None) when pinning is not possible."""
    if not shutil.which("taskset") or not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return ",".join(map(str, cpus[:-1])), str(cpus[-1])


def get(port, path, timeout=5.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": UA})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def server_settings(argv):
    def after(flag):
        return argv[argv.index(flag) + 1] if flag in argv else "?"

    if "--blocking-threads" in argv:
        return f"{after('--workers')} workers × {after('--blocking-threads')} blocking threads"
    return f"{after('--workers')} workers × {after('--threads')} threads (gthread)"


class Server:
    """The production server in its own process group, stopped with everything it spawned."""

    def __init__(self, name, args, cpus, log_path):
        from postbbs import serve

        self.name, self.port, self.log_path = name, free_port(), log_path
        argv = serve.command(name, "127.0.0.1", self.port, args.workers, args.threads)
        self.settings = server_settings(argv)
        self.version = importlib.metadata.version(name)
        if cpus:
            argv = ["taskset", "-c", cpus, *argv]
        self.argv = argv
        self.proc = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: Ctrl-C here does not half-kill it
            )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if get(self.port, "/healthz", timeout=2) == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"{self.name} did not answer /healthz in 60 s:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self):
        if self.proc is None:
            return
        group = self.proc.pid  # the session leader's pid is its group's id
        for sig, patience in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break  # the whole group is gone already
            if self.wait_group(group, patience):
                break
        self.proc = None

    def wait_group(self, group, patience):
        """True once the master is reaped and none of its workers is left."""
        deadline = time.monotonic() + patience
        try:
            self.proc.wait(patience)
        except subprocess.TimeoutExpired:
            return False
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output):
    result = LoadResult()
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise BenchError(f"wrk printed no Requests/sec:\n{output}")
    result.rps = float(match.group(1))
    for name, percent in (("p50", "50"), ("p99", "99")):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        if match:
            setattr(result, name, float(match.group(1)) * UNITS[match.group(2)])
    match = re.search(r"(\d+) requests in", output)
    result.requests = int(match.group(1)) if match else 0
    problems = []
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        problems.append(f"{match.group(1)} non-2xx/3xx")
    match = re.search(r"Socket errors: (.*)", output)
    if match:
        problems.append(f"socket errors: {match.group(1).strip()}")
    result.error = "; ".join(problems) or None
    return result


def wrk_script(paths, tmp, key):
    """A Lua script that cycles wrk through many URLs (each a new visitor: wrk keeps no
    cookies, so every article request counts a view, as the in-process runs do)."""
    script = tmp / f"wrk-{key}.lua"
    listed = ",\n".join(f'  "{p}"' for p in paths)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\nend\n"
    )
    return script


def run_wrk(port, paths, duration, cpu, script):
    # The browser User-Agent: wrk's own (none) would be taken for a crawler, not counted.
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    argv += ["-H", f"User-Agent: {UA}"]
    if script:
        argv += ["-s", str(script)]
    argv.append(f"http://127.0.0.1:{port}{paths[0]}")
    if cpu:
        argv = ["taskset", "-c", cpu, *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def load_page(server, page, args, tmp, wrk_cpu):
    status = get(server.port, page.load_paths[0])
    if status != 200:
        raise BenchError(f"GET {page.load_paths[0]} returned {status}")
    script = wrk_script(page.load_paths, tmp, page.key) if len(page.load_paths) > 1 else None
    # A short unrecorded run first: every worker has its connection and warm caches.
    run_wrk(server.port, page.load_paths, min(2, max(1, args.duration // 5)), wrk_cpu, script)
    return run_wrk(server.port, page.load_paths, args.duration, wrk_cpu, script)


def measure_under_load(pages, args, tmp, cpus, wrk_cpu):
    """Yields each server once measured (and stopped)."""
    for name in args.servers:
        server = Server(name, args, cpus, tmp / f"{name}.log")
        say(f"  {name} {server.version} on 127.0.0.1:{server.port}: {' '.join(server.argv)}")
        try:
            server.start()
        except BenchError as exc:
            server.stop()
            say(f"    FAILED: {exc}")
            for page in pages:
                if page.load_paths:
                    page.load[name] = LoadResult(error=f"the server did not start: {exc}")
            yield server
            continue
        try:
            for page in pages:
                if not page.load_paths:
                    continue
                try:
                    result = load_page(server, page, args, tmp, wrk_cpu)
                except (BenchError, OSError, subprocess.SubprocessError) as exc:
                    result = LoadResult(error=f"{type(exc).__name__}: {exc}")
                    say(f"    {page.label}: FAILED {result.error}\n{server.log_tail()}")
                page.load[name] = result
                if result.rps:
                    note = f"  ({result.error})" if result.error else ""
                    say(
                        f"    {page.label:<28} {result.rps:8,.0f} req/s"
                        f"  p50 {result.p50:6.2f} ms  p99 {result.p99:6.2f} ms{note}"
                    )
        finally:
            server.stop()
        yield server


# Report --------------------------------------------------------------------------------


def ms(value):
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(page, floor):
    if page.median is None or not floor.median:
        return None
    return page.median / floor.median


def target_lines(pages):
    by_key = {page.key: page for page in pages}
    floor, first, last = by_key["floor"], by_key["first"], by_key["last"]
    listings = [by_key[k] for k in ("first", "middle", "last") if by_key[k].median is not None]
    slowest = max(listings, key=lambda p: p.median) if listings else None
    values = {
        "last page / page 1": (
            last.median / first.median if last.median and first.median else None,
            "",
        ),
        "listing / floor": (
            ratio(slowest, floor) if slowest else None,
            f" (the slowest listing page: {slowest.label})" if slowest else "",
        ),
        "article / floor": (ratio(by_key["article"], floor), ""),
    }
    lines = []
    for name, limit in TARGETS:
        value, detail = values[name]
        if value is None:
            lines.append(f"- {name} ≤ {limit:g}: **not measured** (a page failed)")
        elif value <= limit:
            lines.append(f"- {name} = {value:.2f} ≤ {limit:g}{detail}: **met**")
        else:
            lines.append(
                f"- {name} = {value:.2f} > {limit:g}{detail}: **missed** by "
                f"{value - limit:.2f} ({value / limit - 1:.0%} over)"
            )
    return lines


def bar_chart(pages):
    floor = pages[0]
    rows = [(page, ratio(page, floor)) for page in pages]
    top = max((r for _, r in rows if r), default=1.0)
    # A round unit per '#', so the longest bar is at most 60 characters.
    unit = next(u for u in (0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100) if top / u <= 60)
    width = math.ceil(top / unit)
    lines = [f"Median time relative to the floor (/healthz = 1×); each # is {unit:g}×"]
    for page, value in rows:
        if value is None:
            lines.append(f"{page.label:<28} {'(failed)':<{width}}")
            continue
        bar = "#" * max(1, round(value / unit))
        lines.append(f"{page.label:<28} {bar:<{width}} {value:5.1f}×  {ms(page.median)} ms")
    return lines


def report(ctx, pages, servers):
    article = next(page for page in pages if page.key == "article")
    lines = [
        f"### {ctx['database']}: {ctx['posts']:,} posts",
        "",
        f"{ctx['database']} · N = {ctx['posts']:,} posts (2 pinned notices), "
        f"{ctx['comments']:,} comments, seeded in {ctx['seed_time']:.0f} s · "
        f"machine: {ctx['machine']} · Python {platform.python_version()}, "
        f"Django {importlib.metadata.version('django')} · {date.today().isoformat()}",
        "",
        f"In-process: Django's test client with the production settings (DEBUG off), median "
        f"and p99 of {ctx['requests']} requests per page after {ctx['warmup']} warm-up "
        f"requests, the pages taking turns in blocks of {BLOCK}; queries counted with "
        f"CaptureQueriesContext. "
        f"The article row is {len(article.paths)} different articles spread over 1..N, "
        f"each by a new visitor (its view-count UPDATE included).",
    ]
    if servers:
        described = "; ".join(f"{s.name} {s.version}, {s.settings}" for s in servers)
        pinning = (
            f"server pinned to CPU {ctx['server_cpus']}, wrk to CPU {ctx['wrk_cpu']} (taskset)"
            if ctx["wrk_cpu"]
            else "no CPU pinning (taskset or a second CPU missing)"
        )
        if ctx["database"].startswith("PostgreSQL"):
            pinning += "; PostgreSQL not pinned"
        lines += [
            "",
            f"Under load: {described}; `wrk -t1 -c{CONNECTIONS} -d{ctx['duration']}s "
            f"--latency` on 127.0.0.1, {pinning}. The article load cycles through "
            f"{len(article.load_paths or [])} articles.",
        ]
    header = ["page", "URL", "queries", "median ms", "p99 ms", "× floor"]
    align = ["---", "---", "--:", "--:", "--:", "--:"]
    for s in servers:
        header += [f"{s.name} req/s", f"{s.name} p50 / p99 ms"]
        align += ["--:", "--:"]
    lines += ["", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    floor = pages[0]
    for page in pages:
        value = ratio(page, floor)
        cells = [
            page.label,
            f"`{page.shown}`",
            "—" if page.queries is None else str(page.queries),
            "**failed**" if page.error else ms(page.median),
            ms(page.p99),
            "—" if value is None else f"{value:.1f}",
        ]
        for s in servers:
            result = page.load.get(s.name)
            if result is None:
                cells += ["—", "—"]
            elif not result.rps:
                cells += ["**failed**", "—"]
            else:
                flag = " ⚠" if result.error else ""
                cells += [f"{result.rps:,.0f}{flag}", f"{ms(result.p50)} / {ms(result.p99)}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Targets (in-process medians):", *target_lines(pages)]
    problems = [f"- {p.label}: {p.error}" for p in pages if p.error]
    problems += [
        f"- {p.label}: {len(p.samples)} of {ctx['requests']} requests timed: the page's "
        f"{ctx['budget']:g} s budget ran out"
        for p in pages
        if p.cut(ctx["requests"])
    ]
    problems += [
        f"- {p.label} under {name}: {r.error}"
        for p in pages
        for name, r in p.load.items()
        if r.error
    ]
    if problems:
        lines += ["", "Errors and notes:", *problems]
    lines += ["", "```text", *bar_chart(pages), "```", "", ctx["timings"]]
    return "\n".join(lines) + "\n"


# Main ----------------------------------------------------------------------------------


def phase(name):
    say(f"\n== {name}")
    return time.monotonic()


def main(argv=None):
    args = parse_args(argv)
    if args.duration and not shutil.which("wrk"):
        raise BenchError("wrk not found (apt-get install wrk), or pass --duration 0")
    # SIGTERM (make killed, CI timeout) unwinds like Ctrl-C: the server is stopped, tmp removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix=f"postbbs-bench-{args.db}-"))
    keep = False
    try:
        t = phase(f"setup: {args.db} in {tmp}")
        configure(args, tmp)
        setup_django(args, tmp)
        database = database_version(args)
        setup_time = time.monotonic() - t
        say(f"  {database}: migrated, static files collected in {setup_time:.1f} s")

        from bench import search_bench
        from bench import seed as seeding

        t = phase(f"seed: {args.posts:,} posts, {args.comments:,} comments")
        try:
            seed_timings = seeding.seed(
                posts=args.posts, comments=args.comments, seed=args.seed, out=say
            )
        except seeding.SeedError as exc:
            raise BenchError(str(exc)) from exc
        seed_time = time.monotonic() - t
        say(
            "  done in {:.1f} s ({}); counts checked".format(
                seed_time, ", ".join(f"{k} {v:.1f} s" for k, v in seed_timings.items())
            )
        )

        warmup = max(10, args.requests // 10)
        t = phase(f"in-process: {args.requests} requests per page after {warmup} warm-up")
        pages = pages_to_measure(args, warmup)
        measure_in_process(pages, args.requests, warmup, args.page_budget)
        searches = search_bench.measure(args, warmup, measure_in_process, Page)
        from bench import removal  # removing and restoring articles, beside a listing page

        removal_lines = removal.measure(say)
        inproc_time = time.monotonic() - t

        servers, load_time = [], 0.0
        server_cpus, wrk_cpu = cpu_split()
        if args.duration:
            t = phase(
                f"under load: wrk -t1 -c{CONNECTIONS} -d{args.duration}s, "
                + (
                    f"server on CPU {server_cpus}, wrk on CPU {wrk_cpu}"
                    if wrk_cpu
                    else "no pinning"
                )
            )
            from django.db import connections

            connections.close_all()  # the servers have the database to themselves
            servers = list(measure_under_load(pages, args, tmp, server_cpus, wrk_cpu))
            load_time = time.monotonic() - t

        total = time.monotonic() - started
        timings = (
            f"Run time: setup {setup_time:.0f} s, seed {seed_time:.0f} s, in-process "
            f"{inproc_time:.0f} s, load {load_time:.0f} s; total {total // 60:.0f} min "
            f"{total % 60:.0f} s."
        )
        ctx = {
            "database": database,
            "posts": args.posts,
            "comments": args.comments,
            "seed_time": seed_time,
            "machine": machine(),
            "requests": args.requests,
            "budget": args.page_budget,
            "warmup": warmup,
            "duration": args.duration,
            "server_cpus": server_cpus,
            "wrk_cpu": wrk_cpu,
            "timings": timings,
        }
        text = report(ctx, pages, servers) + searches + "\n".join(removal_lines) + "\n"
        out = HERE / f"results-{args.db}.md"
        out.write_text(text)
        say("\n" + text)
        say(f"(written to {out.relative_to(ROOT)})")
        if args.keep:
            keep = True
            if args.db == "sqlite":
                say(f"Kept: {tmp / 'bench.sqlite3'} (DATABASE_URL={os.environ['DATABASE_URL']})")
            else:
                say(
                    f"Kept {os.environ['DATABASE_URL']}, for as long as its cluster runs "
                    "(.ci/with-postgres removes it when the command ends)."
                )
        failed = any(p.error for p in pages) or any(
            not r.rps for p in pages for r in p.load.values()
        )
        return 1 if failed else 0
    finally:
        if not keep:
            if "django.db" in sys.modules:  # close the SQLite file before removing it
                from django.db import connections

                connections.close_all()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        sys.exit(f"bench: {exc}")
    except KeyboardInterrupt:
        sys.exit("bench: interrupted")

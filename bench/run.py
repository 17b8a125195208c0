"""PostBBS benchmark: one database per run, seeded with N posts, timed in-process and under load.

    .venv/bin/python bench/run.py --db sqlite
    bash .ci/with-postgres .venv/bin/python bench/run.py --db postgres
    .venv/bin/python bench/run.py --db sqlite --posts 2000 --comments 500 --requests 50 \
        --duration 2                                   # a quick smoke run

It sets up a fresh database with the production settings (postbbs/settings.py, DEBUG off),
seeds it (bench/seed.py), times the pages with Django's test client, then serves the site with
the production server (postbbs/serve.py) and loads it with wrk on 127.0.0.1. The Markdown table
goes to stdout and to bench/results-<db>.md, for the README. This file is the command line and
the setup; the parts: bench/seed.py and bench/writers.py (the bulk seed), bench/inprocess.py (the
test-client timings), bench/search_bench.py and bench/removal.py (searches, removal and restore),
bench/load.py (the servers under wrk), bench/report.py (the tables and the chart).

SQLite: a new file in a temporary folder (never the project's db.sqlite3). PostgreSQL: the
DATABASE_URL that .ci/with-postgres exports; the run refuses a database that has posts.
"""

import argparse
import os
import secrets
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, Python puts bench/ first on the path; the project root is what we import.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import import_section  # noqa: E402 (after the path above)
from bench.common import BenchError, say  # noqa: E402
from bench.inprocess import measure_in_process, pages_to_measure  # noqa: E402
from bench.load import CONNECTIONS, cpu_split, measure_under_load  # noqa: E402
from bench.report import report  # noqa: E402

SERVERS = ("granian", "gunicorn")


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
        "--import-articles",
        type=int,
        default=100_000,
        help="articles of each generated site (XE, Gnuboard) imported after the pages "
        "(default 100,000; 2 comments each)",
    )
    parser.add_argument(
        "--import-members", type=int, default=5000, help="its members (default 5,000)"
    )
    parser.add_argument(
        "--skip-import", action="store_true", help="leave out the import benchmark (MariaDB)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded database and print where it is"
    )
    args = parser.parse_args(argv)
    names = args.servers.split(",") if args.servers else [args.server or "granian"]
    args.servers = [name.strip() for name in names if name.strip()]
    for name in args.servers:
        if name not in SERVERS:
            parser.error(f"unknown server {name!r}: choose from {', '.join(SERVERS)}")
    if args.import_articles < 1 or args.import_members < 1:
        parser.error("--import-articles and --import-members must be positive")
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


# Main ----------------------------------------------------------------------------------


def phase(name):
    say(f"\n== {name}")
    return time.monotonic()


def main(argv=None):
    args = parse_args(argv)
    if args.duration and not shutil.which("wrk"):
        raise BenchError("wrk not found (apt-get install wrk), or pass --duration 0")
    if not args.skip_import:
        import_section.check()
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
        searches = search_bench.measure(args, warmup)
        from bench import removal  # removing and restoring articles, beside a listing page

        removal_lines = removal.measure(say)
        from bench import breakdown  # where the listing's and the article's time goes

        removal_lines += breakdown.measure(pages, say)
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

        import_lines, import_time = [], 0.0
        if not args.skip_import:
            t = phase(f"import: an XE and a Gnuboard site of {args.import_articles:,} articles")
            import_lines = import_section.measure(args, tmp, database)
            import_time = time.monotonic() - t

        total = time.monotonic() - started
        timings = (
            f"Run time: setup {setup_time:.0f} s, seed {seed_time:.0f} s, in-process "
            f"{inproc_time:.0f} s, load {load_time:.0f} s, import {import_time:.0f} s; "
            f"total {total // 60:.0f} min {total % 60:.0f} s."
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
        text = (
            report(ctx, pages, servers) + searches + "\n".join(removal_lines + import_lines) + "\n"
        )
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

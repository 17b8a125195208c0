"""Load with faults: many concurrent clients against the production server on PostgreSQL,
mixing reads, article views and comments, with nothing wrong, with a worker killed (kill -9)
mid-run, and with PostgreSQL restarted mid-run. Afterwards every comment that got a success
response must be stored exactly once and the view counts must match the views served.

    .venv/bin/python bench/faults.py                       # 64 clients, 60 s a run (make bench)
    .venv/bin/python bench/faults.py --clients 16 --duration 6 --modes none,kill-worker

It starts its own throwaway PostgreSQL cluster (bench/cluster.py; fsync off: the figures are
about correctness under faults, not durability) and its own server; traffic goes to 127.0.0.1
only.
"""

import argparse
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cluster import Cluster, free_port  # noqa: E402 (after the path, run as a script)
from bench.fault_traffic import Tally, worker  # noqa: E402

MODES = ["none", "kill-worker", "restart-db"]


def site_env(database_url, tmp):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        DJANGO_SETTINGS_MODULE="postbbs.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        SIGNUP_LIMIT_PER_HOUR="100000",
        CONN_MAX_AGE="60",
    )
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    return env


def prepare(env, users):
    """Migrate, load the source page, collect static files, and make signed-in sessions."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "--noinput"], ["loadsource"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *args, "-v0"], env=env, cwd=ROOT, check=True)
    script = (
        "from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, "
        "BACKEND_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "User = get_user_model()\n"
        f"for n in range({users}):\n"
        "    user = User.objects.create_user(f'loader{n}', password=None)\n"
        "    s = SessionStore()\n"
        "    s[SESSION_KEY] = str(user.pk)\n"
        "    s[BACKEND_SESSION_KEY] = 'board.auth.BoardBackend'\n"
        "    s[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "    s.create()\n"
        "    print('SESSION', s.session_key)\n"
    )
    out = subprocess.run(
        [*manage, "shell", "-c", script], env=env, cwd=ROOT, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    return [line.split()[1] for line in out.stdout.splitlines() if line.startswith("SESSION ")]


def sql(database_url, query, params=()):
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as conn:
        return conn.execute(query, params).fetchall()


def start_server(env, port, workers, threads):
    from postbbs.serve import command

    argv = command(server="granian", port=port, workers=workers, threads=threads)
    process = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def wait_until_serving(port, seconds=30):
    """After a fault the board answers by itself again: the listing, not just /healthz."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    return False


def worker_pids(server):
    """The server's worker processes (granian's children)."""
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in out.split()]


def run(mode, *, clients=64, duration=60, workers=2, threads=8, seed=1, out=print):
    """One run; returns a dict of figures and the list of problems found (empty = passed)."""
    tmp = Path(tempfile.mkdtemp(prefix="postbbs-faults."))
    # Room for the clients' connections and the workers' across a restart.
    cluster = Cluster("board", settings={"max_connections": 200}, prefix="postbbs-faults-pg.")
    server = None
    try:
        cluster.create()  # in the try: a half-made cluster is removed too
        env = site_env(cluster.url, tmp)
        sessions = prepare(env, clients)
        rows = sql(cluster.url, "SELECT number, views FROM board_post ORDER BY number")
        views_before = dict(rows)
        numbers = sorted(views_before)
        port = free_port()
        server = start_server(env, port, workers, threads)
        tally = Tally()
        stop_at = time.monotonic() + duration
        rng = random.Random(seed)
        threads_ = [
            threading.Thread(
                target=worker,
                args=(
                    n,
                    f"http://127.0.0.1:{port}",
                    sessions[n],
                    numbers,
                    stop_at,
                    tally,
                    random.Random(rng.random()),
                ),
                daemon=True,
            )
            for n in range(clients)
        ]
        started = time.monotonic()
        for t in threads_:
            t.start()
        fault = ""
        if mode != "none":
            time.sleep(duration / 2)
            if mode == "kill-worker":
                victims = worker_pids(server)
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                    fault = f"killed worker {victims[0]} at {time.monotonic() - started:.1f} s"
            elif mode == "restart-db":
                cluster.stop()
                time.sleep(min(3, duration / 6))
                cluster.start()
                fault = f"PostgreSQL restarted at {duration / 2:.1f} s"
        for t in threads_:
            t.join(duration + 60)
        elapsed = time.monotonic() - started
        recovered = wait_until_serving(port)
        # Let the server settle (reconnect) before reading what it stored.
        problems = check(cluster.url, tally, views_before, mode)
        if not recovered:
            problems.append("the board did not answer 200 again within 30 s")
        five = sum(c for s, c in tally.statuses.items() if s >= 500)
        if five != tally.statuses[503]:
            problems.append(f"{five - tally.statuses[503]} server errors other than 503")
        figures = {
            "mode": mode,
            "clients": clients,
            "seconds": round(elapsed, 1),
            "requests": tally.requests,
            "req/s": round(tally.requests / elapsed),
            "2xx": sum(c for s, c in tally.statuses.items() if 200 <= s < 300),
            "3xx": sum(c for s, c in tally.statuses.items() if 300 <= s < 400),
            "4xx": sum(c for s, c in tally.statuses.items() if 400 <= s < 500),
            "503": tally.statuses[503],
            "other 5xx": five - tally.statuses[503],
            "no answer": sum(tally.errors.values()),
            "comments ok": len(tally.comments_ok),
            "views ok": sum(tally.views_ok.values()),
            "fault": fault or "-",
        }
        return figures, problems
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)


def check(database_url, tally, views_before, mode):
    problems = []
    deadline = time.monotonic() + 30
    while True:
        try:
            stored = sql(database_url, "SELECT body FROM board_comment")
            break
        except Exception:  # the database may still be coming back
            if time.monotonic() > deadline:
                return ["the database did not come back within 30 s"]
            time.sleep(0.5)
    bodies = Counter(body for (body,) in stored)
    duplicated = [b for b, c in bodies.items() if c > 1]
    if duplicated:
        problems.append(f"{len(duplicated)} comments stored twice")
    missing = [b for b in tally.comments_ok if bodies[b] != 1]
    if missing:
        problems.append(f"{len(missing)} comments answered with success are not stored")
    unexpected = set(bodies) - set(tally.comments_ok) - set(tally.comments_unknown)
    if unexpected:
        problems.append(f"{len(unexpected)} comments stored that were never sent or refused")
    counts = sql(
        database_url,
        "SELECT p.number, p.comment_count, COUNT(c.id) FILTER (WHERE NOT c.is_removed) "
        "FROM board_post p LEFT JOIN board_comment c ON c.post_id = p.id GROUP BY p.id",
    )
    wrong = [n for n, kept, real in counts if kept != real]
    if wrong:
        problems.append(f"comment counts off on articles {wrong}")
    after = dict(sql(database_url, "SELECT number, views FROM board_post"))
    for number, before in views_before.items():
        delta = after[number] - before
        low = tally.views_ok[number]
        high = low + tally.views_unknown[number]
        if not low <= delta <= high:
            problems.append(f"article {number}: views rose {delta}, expected {low}..{high}")
    five = sum(c for s, c in tally.statuses.items() if s >= 500)
    if mode == "none" and (five or tally.errors):
        problems.append(f"{five} server errors and {sum(tally.errors.values())} unanswered")
    if mode == "kill-worker" and five:
        problems.append(f"{five} server errors after a worker was killed")
    return problems


def table(results):
    columns = list(results[0][0])
    lines = [
        "| " + " | ".join([*columns, "verdict"]) + " |",
        "|" + "---|" * (len(columns) + 1),
    ]
    for figures, problems in results:
        verdict = "**passed**" if not problems else "**failed**: " + "; ".join(problems)
        lines.append("| " + " | ".join(str(figures[c]) for c in columns) + f" | {verdict} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--output", default=str(ROOT / "bench" / "results-faults.md"))
    args = parser.parse_args(argv)
    results = []
    for mode in args.modes.split(","):
        print(f"{mode}: {args.clients} clients for {args.duration:g} s ...", flush=True)
        figures, problems = run(mode, clients=args.clients, duration=args.duration)
        print(f"  {figures}\n  {problems or 'passed'}", flush=True)
        results.append((figures, problems))
    text = (
        f"### Load with faults: {args.clients} clients, {args.duration:g} s a run, granian "
        f"2 workers, PostgreSQL (fsync off)\n\n{table(results)}\n"
    )
    print("\n" + text)
    Path(args.output).write_text(text)
    return 0 if all(not problems for _, problems in results) else 1


if __name__ == "__main__":
    sys.exit(main())

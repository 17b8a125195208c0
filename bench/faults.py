"""Load with faults: many concurrent clients against the production server on PostgreSQL,
mixing reads, article views and comments, with nothing wrong, with a worker killed (kill -9)
mid-run, and with PostgreSQL restarted mid-run. Afterwards every comment that got a success
response must be stored exactly once and the view counts must match the views served.

    .venv/bin/python bench/faults.py                       # 64 clients, 60 s a run (make bench)
    .venv/bin/python bench/faults.py --clients 16 --duration 6 --modes none,kill-worker

It starts its own throwaway PostgreSQL cluster (fsync off: the figures are about correctness
under faults, not durability) and its own server; traffic goes to 127.0.0.1 only.
"""

import argparse
import contextlib
import http.client
import http.cookiejar
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
MODES = ["none", "kill-worker", "restart-db"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args, **kwargs):
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, cwd="/", check=True, capture_output=True, **kwargs)


class Cluster:
    """A throwaway PostgreSQL cluster that can be restarted mid-run."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="postbbs-faults-pg."))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A",
             "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )  # fmt: skip
        self.start()
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "postgres", "board"],
            check=True,
        )  # fmt: skip
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/board"

    def start(self):
        options = (
            f"-k {self.dir} -h 127.0.0.1 -p {self.port} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
             str(self.dir / "server.log"), "-w", "-t", "30", "-o", options, "start"]
        )  # fmt: skip

    def stop(self):
        as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w",
                     "stop"])  # fmt: skip

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


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


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    comments_ok: list = field(default_factory=list)  # bodies answered with success
    comments_unknown: list = field(default_factory=list)  # no answer: stored or not
    views_ok: Counter = field(default_factory=Counter)  # new-visitor views answered 200
    views_unknown: Counter = field(default_factory=Counter)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, base, session_key=None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirect]
        self.opener = urllib.request.build_opener(*handlers)
        if session_key:
            self.set_cookie("sessionid", session_key)

    def set_cookie(self, name, value):
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                None, False, None, None, {},
            )
        )  # fmt: skip

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"User-Agent": UA}
        if data is not None:
            headers["Referer"] = self.base + path
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def worker(n, base, session_key, numbers, stop_at, tally, rng):
    reader = Client(base, session_key)
    seen = set()  # articles this signed-in reader has viewed: its first view counts
    last_comment = 0.0
    sent = 0
    while time.monotonic() < stop_at:
        roll = rng.random()
        number = rng.choice(numbers)
        outcome = None
        kind = None
        first_look = False
        try:
            if roll < 0.35:
                kind = "listing"
                outcome = reader.request(f"/?page={rng.randint(1, 2)}")
            elif roll < 0.80:
                kind = "view"
                visitor = Client(base)  # a new visitor: this view must count once
                outcome = visitor.request(f"/{number}/")
                again = visitor.request(f"/{number}/")  # and coming back must not
                with tally.lock:
                    tally.statuses[again] += 1
                    tally.requests += 1
            elif time.monotonic() - last_comment > 11:  # the limit is one per 10 s
                kind = "comment"
                sent += 1
                body = f"부하 시험 댓글 {n}-{sent}-{secrets.token_hex(4)}"
                first_look = number not in seen
                seen.add(number)
                page = reader.request(f"/{number}/")  # the page, for its CSRF cookie
                with tally.lock:
                    tally.requests += 1
                    tally.statuses[page] += 1
                    if first_look:
                        first_look = False
                        if page == 200:
                            tally.views_ok[number] += 1
                        else:
                            tally.views_unknown[number] += 1
                outcome = reader.request(
                    f"/{number}/comments/",
                    {"body": body, "csrfmiddlewaretoken": reader.cookie("csrftoken") or ""},
                )
                last_comment = time.monotonic()
            else:
                kind = "listing"
                outcome = reader.request("/")
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            # No answer (a killed worker's connections): the request may or may not have run.
            with tally.lock:
                tally.errors[type(error).__name__] += 1
                tally.requests += 1
                if kind == "view":
                    tally.views_unknown[number] += 1
                elif kind == "comment":
                    tally.comments_unknown.append(body)
                    if first_look:  # the page itself went unanswered
                        tally.views_unknown[number] += 1
            time.sleep(0.05)
            continue
        with tally.lock:
            tally.requests += 1
            tally.statuses[outcome] += 1
            if kind == "view":
                if outcome == 200:
                    tally.views_ok[number] += 1
                elif outcome >= 500:
                    tally.views_unknown[number] += 1
            elif kind == "comment":
                if outcome == 302:
                    tally.comments_ok.append(body)
                elif outcome >= 500:
                    tally.comments_unknown.append(body)


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
    cluster = Cluster()
    server = None
    try:
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

"""Real production servers on loopback, each against its own fresh database.

These tests run `python -m postbbs.serve` (the same command as `make serve`) in subprocesses,
so they use the production settings: DEBUG off, whitenoise's manifest, persistent connections.
"""

import contextlib
import http.cookiejar
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench.cluster import free_port, pg_bin
from postbbs.serve import command

ROOT = Path(__file__).resolve().parents[2]
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def production_environ(**overrides):
    """This process's environment without what the test run itself sets for in-process tests
    (the browser tests' async-unsafe switch, the test cluster's DATABASE_URL, caches)."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    return {**env, "DJANGO_SETTINGS_MODULE": "postbbs.settings", **overrides}


TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "CACHE_URL", "REDIS_URL"}


class Database:
    """A fresh database for one test: an SQLite file, or a new database in the test cluster."""

    def __init__(self, tmp_path):
        base = os.environ.get("DATABASE_URL", "")
        self.vendor = "postgresql" if base.startswith("postgres") else "sqlite"
        if self.vendor == "sqlite":
            self.path = tmp_path / "board.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            parts = urllib.parse.urlsplit(base)
            self.admin_url = parts._replace(path="/postgres").geturl()
            self.name = f"srv_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = parts._replace(path=f"/{self.name}").geturl()

    def scalar(self, sql, params=()):
        if self.vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as conn:
                return conn.execute(sql, params).fetchone()[0]
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchone()[0]

    def drop(self):
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


@pytest.fixture
def site_env(database, tmp_path):
    """The production environment of one site, migrated, with the source page loaded."""
    env = production_environ(
        DATABASE_URL=database.url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "--noinput"], ["loadsource"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *args, "-v0"], env=env, cwd=ROOT, check=True)
    return env


class Server:
    def __init__(self, env, workers=2, threads=4, server="granian"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = command(server=server, port=self.port, workers=workers, threads=threads)
        self.process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stdout.read()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer /healthz within 30 s")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_server():
    servers = []

    def start(env, **kwargs):
        server = Server(env, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def postgres_binaries():
    """PostgreSQL's server binaries (PG_BIN), for the tests that start their own cluster."""
    if not (pg_bin() / "pg_ctl").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's server binaries are missing; .ci/run installs them")
        pytest.skip("PostgreSQL's server binaries are not installed")


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway Redis on loopback (Debian's redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing; .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


class Visitor:
    """One browser: its own cookies, a browser user agent, no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect
        )

    def request(self, url, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(
            url, data=body, headers={"User-Agent": BROWSER_UA, **(headers or {})}
        )
        try:
            # Generous: real password hashing of dozens of parallel sign-ups on 2 busy cores.
            with self.opener.open(req, timeout=90) as response:
                return (
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read().decode(errors="replace"),
                )
        except urllib.error.HTTPError as error:
            return (
                error.code,
                {k.lower(): v for k, v in error.headers.items()},
                error.read().decode(errors="replace"),
            )

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), None)

    def post_form(self, server_url, page_path, action_path, data):
        """Load the page for its CSRF cookie, then post the form with the token, as a browser."""
        self.request(server_url + page_path)
        token = self.cookie("csrftoken")
        return self.request(
            server_url + action_path,
            {**data, "csrfmiddlewaretoken": token},
            headers={"Referer": server_url + page_path},
        )

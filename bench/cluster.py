"""Free loopback ports and throwaway PostgreSQL clusters: the tests, the benchmark and the fault
runs all use these.

    with Cluster() as cluster:                  # initdb, start on a free port, createdb
        ... cluster.url ...                     # postgres://postgres@127.0.0.1:<port>/postbbs
    # stopped and deleted here

    python3 bench/cluster.py [--] COMMAND [ARGS...]   # what .ci/with-postgres runs

The command runs with DATABASE_URL set to a fresh cluster's database, which is removed when it
ends; the exit status is the command's. Standard library only, so any python3 runs this file
before the virtualenv exists; the server binaries come from PG_BIN (Debian's PostgreSQL 15 by
default). The cluster runs with fsync off: it is for tests and benchmarks, never for data that
matters.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_PG_BIN = "/usr/lib/postgresql/15/bin"
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin():
    return Path(os.environ.get("PG_BIN", DEFAULT_PG_BIN))


def as_postgres(argv):
    """initdb refuses to run as root: as root, the server's own commands run as postgres."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    subprocess.run(argv, cwd="/", check=True, capture_output=True)


class Cluster:
    """A throwaway cluster in a temporary folder, started on a free port; ``stop`` and
    ``start`` restart it on the same port (the fault runs do so mid-run)."""

    def __init__(self, database="postbbs", *, settings=None, prefix="postbbs-pg."):
        self.bin = pg_bin()
        self.database = database
        self.settings = {**FAST, **(settings or {})}
        self.prefix = prefix
        self.dir = None
        self.port = None
        self.url = None

    def create(self):
        self.dir = Path(tempfile.mkdtemp(prefix=self.prefix, dir="/tmp"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        as_postgres(
            [str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A",
             "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )  # fmt: skip
        self.start()
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "postgres", self.database],
            check=True, capture_output=True,
        )  # fmt: skip
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"
        return self

    def start(self):
        options = [f"-k {self.dir} -h 127.0.0.1 -p {self.port}"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        as_postgres(
            [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
             str(self.dir / "server.log"), "-w", "-t", "30", "-o", " ".join(options), "start"]
        )  # fmt: skip

    def stop(self):
        as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w",
                     "stop"])  # fmt: skip

    def remove(self):
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def version(self):
        out = subprocess.run(
            [str(self.bin / "postgres"), "--version"], check=True, capture_output=True, text=True
        ).stdout
        return out.split()[2]

    def __enter__(self):
        try:
            return self.create()
        except BaseException:
            self.remove()  # half made (initdb or the start failed): nothing left behind
            raise

    def __exit__(self, *exc):
        self.remove()


def run_with_cluster(argv):
    """Run ``argv`` with DATABASE_URL on a fresh cluster; returns its exit status as a shell
    would (128 + the signal that killed it)."""
    child = None

    def terminate(*_):
        # make killed, a CI timeout: the command gets the signal, then the cluster goes.
        if child is None:
            sys.exit(143)
        child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, terminate)
    try:
        cluster = Cluster().__enter__()
    except subprocess.CalledProcessError as error:
        output = (error.stderr or error.stdout or b"").decode(errors="replace")
        print(f"{' '.join(error.cmd)} failed:\n{output}", file=sys.stderr)
        return 1
    try:
        print(
            f"PostgreSQL {cluster.version()} on port {cluster.port}: {' '.join(argv)}", flush=True
        )
        try:
            child = subprocess.Popen(argv, env={**os.environ, "DATABASE_URL": cluster.url})
        except OSError as error:
            print(f"{argv[0]}: {error.strerror}", file=sys.stderr)
            return 127
        while True:
            try:
                status = child.wait()
                break
            except KeyboardInterrupt:
                continue  # Ctrl-C reached the command too: wait for it to end, then clean up
        return 128 - status if status < 0 else status
    finally:
        cluster.remove()


def main(argv):
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: .ci/with-postgres COMMAND [ARGS...]")
    return run_with_cluster(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

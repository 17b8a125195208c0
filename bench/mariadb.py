"""Throwaway MariaDB servers: the XE/Rhymix/Gnuboard import tests and benchmarks read their
source databases from one of these (issue 13).

    with MariaDB() as server:                   # install a data folder, start on a free port
        server.sql("CREATE DATABASE xe CHARACTER SET utf8")
        server.add_reader("ro", "ro-pass", "xe")  # a SELECT-only user on 127.0.0.1
        ... server.url("ro", "ro-pass", "xe") ...  # mysql://ro:ro-pass@127.0.0.1:<port>/xe
    # stopped and deleted here

    python3 bench/mariadb.py [--] COMMAND [ARGS...]   # COMMAND runs with MARIADB_URL set

Debian's mariadb-server (10.11) binaries, never a system instance: the server reads no option
file (--no-defaults), listens on loopback only, and lives in a temporary folder removed on exit,
also after a failure or Ctrl-C. Like the old hosts of XE and Gnuboard sites it defaults to
latin1 and a lax sql_mode (their tables declare their own charset); times are KST. Standard
library only, like bench/cluster.py; the server is for tests, never for data that matters.
"""

import contextlib
import ctypes
import ctypes.util
import getpass
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cluster import free_port

SBIN = Path("/usr/sbin")


def binary(name):
    """A MariaDB program, or None: mariadbd is in /usr/sbin, often outside a user's PATH."""
    found = shutil.which(name) or shutil.which(name, path=str(SBIN))
    return Path(found) if found else None


def die_with_parent():
    """In the server's process before exec: the kernel stops it if the process that started it
    dies without cleaning up (kill -9), so no server outlives its tests."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def available():
    return all(binary(name) for name in ("mariadbd", "mariadb-install-db", "mariadb"))


class MariaDB:
    """A throwaway server in a temporary folder, on a free loopback port; root connects through
    the Unix socket without a password."""

    def __init__(self, *, prefix="postbbs-mariadb."):
        self.prefix = prefix
        self.dir = None
        self.port = None
        self.process = None

    @property
    def socket(self):
        return str(self.dir / "mysqld.sock")

    def create(self, timeout=30):
        self.dir = Path(tempfile.mkdtemp(prefix=self.prefix, dir="/tmp"))
        self.port = free_port()
        user = getpass.getuser()  # mariadbd refuses root unless told --user=root
        subprocess.run(
            [str(binary("mariadb-install-db")), "--no-defaults", f"--datadir={self.dir}/data",
             f"--user={user}", "--auth-root-authentication-method=normal", "--skip-test-db",
             "--skip-name-resolve"],
            check=True, capture_output=True, cwd=self.dir,
        )  # fmt: skip
        self.process = subprocess.Popen(
            [str(binary("mariadbd")), "--no-defaults", f"--user={user}",
             f"--datadir={self.dir}/data", f"--socket={self.socket}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--pid-file={self.dir}/mysqld.pid",
             f"--log-error={self.dir}/error.log", "--skip-name-resolve", "--skip-log-bin",
             # Its temporary tables in its own folder: a long sort's file in the shared /tmp
             # vanished under a 100,000-article import (another cleaner of /tmp, or a server).
             f"--tmpdir={self.dir}",
             "--default-time-zone=+09:00", "--character-set-server=latin1",
             "--collation-server=latin1_swedish_ci", "--sql-mode=NO_ENGINE_SUBSTITUTION",
             "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0",
             "--skip-innodb-doublewrite"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir,
            # Its own session: a Ctrl-C reaches the tests, whose clean-up stops the server.
            start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"MariaDB did not start:\n{self.log()}")
            time.sleep(0.05)
        return self

    def ping(self):
        if not os.path.exists(self.socket):
            return False
        return self.sql("SELECT 1", check=False).returncode == 0

    def log(self):
        with contextlib.suppress(OSError):
            return (self.dir / "error.log").read_text(errors="replace")[-4000:]
        return ""

    def sql(self, statements, *, database=None, check=True):
        """Run SQL as root through the mariadb client (no driver needed)."""
        argv = [str(binary("mariadb")), "--no-defaults", f"--socket={self.socket}", "-uroot",
                "--batch", "--skip-column-names", "--default-character-set=utf8mb4"]  # fmt: skip
        if database:
            argv.append(database)
        return subprocess.run(
            argv, input=statements, check=check, capture_output=True, text=True, cwd=self.dir
        )

    def add_reader(self, user, password, database):
        """A user that may only read ``database``, connecting over TCP from 127.0.0.1, as the
        import's --db URL would."""
        self.sql(
            f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}';\n"
            f"GRANT SELECT ON `{database}`.* TO '{user}'@'127.0.0.1';"
        )

    def drop_reader(self, user):
        self.sql(f"DROP USER IF EXISTS '{user}'@'127.0.0.1';")

    def url(self, user, password, database):
        return f"mysql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def root_url(self):
        """root over TCP without a password (no database), as a benchmark's MARIADB_URL."""
        self.sql(
            "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';\n"
            "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
        )
        return f"mysql://root@127.0.0.1:{self.port}/"

    def root_params(self, database=None):
        """Keyword arguments for pymysql.connect as root (Unix socket, no password)."""
        params = {"unix_socket": self.socket, "user": "root", "charset": "utf8mb4"}
        if database:
            params["database"] = database
        return params

    def remove(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # a clean shutdown of mariadbd
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        try:
            return self.create()
        except BaseException:
            self.remove()  # half made: nothing left behind
            raise

    def __exit__(self, *exc):
        self.remove()


def run_with_mariadb(argv):
    """Run ``argv`` with MARIADB_URL (root over TCP, no database) on a fresh server; returns its
    exit status as a shell would."""
    child = None

    def terminate(*_):
        if child is None:
            sys.exit(143)
        child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, terminate)
    try:
        server = MariaDB().__enter__()
    except (subprocess.CalledProcessError, RuntimeError) as error:
        print(f"MariaDB failed to start: {error}", file=sys.stderr)
        return 1
    try:
        url = server.root_url()
        print(f"MariaDB on port {server.port}: {' '.join(argv)}", flush=True)
        try:
            child = subprocess.Popen(argv, env={**os.environ, "MARIADB_URL": url})
        except OSError as error:
            print(f"{argv[0]}: {error.strerror}", file=sys.stderr)
            return 127
        while True:
            try:
                status = child.wait()
                break
            except KeyboardInterrupt:
                continue  # Ctrl-C reached the command too: wait for it, then clean up
        return 128 - status if status < 0 else status
    finally:
        server.remove()


def main(argv):
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: python3 bench/mariadb.py COMMAND [ARGS...]")
    if not available():
        sys.exit("MariaDB is not installed: apt-get install mariadb-server")
    return run_with_mariadb(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

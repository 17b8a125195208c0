"""bench/cluster.py: the throwaway PostgreSQL clusters of the tests, the benchmark, the fault runs
and .ci/with-postgres."""

import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from bench.cluster import Cluster, free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("postgres_binaries")


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_free_port_is_free_to_listen_on():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_cluster_serves_an_empty_database_survives_a_restart_and_is_deleted_after():
    with Cluster("scratch", settings={"max_connections": 50}) as cluster:
        folder, port = cluster.dir, cluster.port
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("scratch",)
            assert conn.execute("SHOW max_connections").fetchone() == ("50",)
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
        cluster.stop()
        assert refused(port)
        cluster.start()  # same port: the fault runs' server reconnects to the same URL
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert not folder.exists()
    assert refused(port)


def test_cluster_that_fails_to_start_leaves_nothing_behind():
    prefix = "postbbs-test-broken."
    with (
        pytest.raises(subprocess.CalledProcessError),
        Cluster(settings={"max_connections": "many"}, prefix=prefix),
    ):
        pass
    assert list(Path("/tmp").glob(prefix + "*")) == []


def test_with_postgres_gives_the_command_a_database_and_returns_its_status():
    script = "import os, sys; print('URL', os.environ['DATABASE_URL']); sys.exit(3)"
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "with-postgres"), sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    url = next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("URL "))
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.path) == ("postgres", "127.0.0.1", "/postbbs")
    assert refused(parts.port)  # the cluster is gone with the command

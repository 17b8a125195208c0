"""`make bench`'s import benchmark (bench/xe_import.py) runs end to end on a tiny generated XE
site, so that it cannot rot between the rare full runs."""

import contextlib
import os
import secrets
from urllib.parse import urlsplit

import pytest

from bench import xe_import


@contextlib.contextmanager
def target_database(tmp_path):
    """Where the benchmark imports to: like make bench, a database of its own, on the engine
    this run tests (a new SQLite file, or a new database in the PostgreSQL cluster)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'import.sqlite3'}"
        return
    psycopg = pytest.importorskip("psycopg")
    name = f"import_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
        try:
            yield urlsplit(url)._replace(path=f"/{name}").geturl()
        finally:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")


def test_import_benchmark_imports_a_tiny_xe_site_and_prints_its_table(mariadb, tmp_path, capfd):
    source = f"xe_bench_{secrets.token_hex(4)}"
    try:
        with target_database(tmp_path) as url:
            result = xe_import.measure(
                mariadb.root_url(), url, articles=200, members=20, source=source
            )
    finally:
        mariadb.sql(f"DROP DATABASE IF EXISTS `{source}`;")
    printed = capfd.readouterr().out
    assert (result["articles"], result["comments"], result["members"]) == (200, 400, 20)
    assert result["seconds"] > 0
    assert result["peak_mb"] > 0
    header = "| articles | comments | members | seconds | articles/s | comments/s | peak MB |"
    assert header in printed
    assert "| 200 | 400 | 20 |" in printed
    assert "Import finished." in printed

"""`make bench`'s import benchmark (bench/xe_import.py) runs end to end on a tiny generated XE
site and a Gnuboard one, so that it cannot rot between the rare full runs."""

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


@pytest.mark.parametrize(("kind", "site"), [("xe", "XE 1.x"), ("gnuboard", "Gnuboard5")])
def test_import_benchmark_imports_a_tiny_site_and_prints_its_table(
    mariadb, tmp_path, capfd, kind, site
):
    source = f"{kind}_bench_{secrets.token_hex(4)}"
    try:
        with target_database(tmp_path) as url:
            result = xe_import.measure(
                mariadb.root_url(), url, articles=200, members=20, source=source, kind=kind
            )
    finally:
        mariadb.sql(f"DROP DATABASE IF EXISTS `{source}`;")
    printed = capfd.readouterr().out
    assert (result["articles"], result["comments"], result["members"]) == (200, 400, 20)
    assert result["seconds"] > 0
    assert result["peak_mb"] > 0
    header = (
        "| site | articles | comments | members | seconds | articles/s | comments/s | peak MB |"
    )
    assert header in printed
    assert f"| {site} | 200 | 400 | 20 |" in printed
    assert "Import finished." in printed  # the importer's own summary and progress passed through

"""A throwaway MariaDB holding the XE, Rhymix or Gnuboard database an import test reads
(bench/mariadb.py): one server per test session, a fresh database and a SELECT-only user per
test."""

import os
import secrets
from dataclasses import dataclass

import pymysql
import pytest

from bench.mariadb import MariaDB, available


@pytest.fixture(scope="session")
def mariadb():
    if not available():
        if os.environ.get("CI") == "true":
            pytest.fail("MariaDB is missing; .ci/run installs it (mariadb-server)")
        pytest.skip("MariaDB is not installed (apt-get install mariadb-server)")
    with MariaDB() as server:
        yield server


@dataclass
class LegacyDatabase:
    server: MariaDB
    name: str
    reader_user: str
    reader_password: str

    @property
    def url(self):
        """The import's --db: the SELECT-only user over TCP."""
        return self.server.url(self.reader_user, self.reader_password, self.name)

    def load(self, script):
        """Run an SQL script as root in this database (a schema file, fixture rows)."""
        self.server.sql(script, database=self.name)

    def connect_as_root(self, **options):
        return pymysql.connect(**self.server.root_params(self.name), **options)

    def connect_as_reader(self, **options):
        params = {
            "host": "127.0.0.1",
            "port": self.server.port,
            "user": self.reader_user,
            "password": self.reader_password,
            "database": self.name,
            "charset": "utf8mb4",
        }
        return pymysql.connect(**{**params, **options})


@pytest.fixture
def legacy_db(mariadb):
    """An empty database (utf8 by default, as XE created its own) that only its test uses, and
    a user who may only read it."""
    token = secrets.token_hex(6)
    database = LegacyDatabase(mariadb, f"legacy_{token}", f"ro_{token}", secrets.token_hex(8))
    mariadb.sql(f"CREATE DATABASE `{database.name}` CHARACTER SET utf8 COLLATE utf8_general_ci;")
    mariadb.add_reader(database.reader_user, database.reader_password, database.name)
    yield database
    mariadb.drop_reader(database.reader_user)
    mariadb.sql(f"DROP DATABASE IF EXISTS `{database.name}`;")

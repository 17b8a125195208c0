"""The import benchmark of `make bench` (issue 13): a generated XE site imported with
``manage.py import_xe`` from a throwaway MariaDB (bench/mariadb.py) into a database of its own,
never the seeded one, so the page figures are not disturbed (SQLite: a new file; PostgreSQL: a
new database in the same cluster). The timing itself is bench/xe_import.py's."""

import os
import subprocess
from urllib.parse import urlsplit

from bench import xe_import
from bench.common import BenchError, say
from bench.mariadb import MariaDB, available

IMPORT_DB = "postbbs_import"


def check():
    """Before a long run: say how to install MariaDB rather than fail at the end."""
    if not available():
        raise BenchError(
            "the import benchmark needs MariaDB (apt-get install mariadb-server), "
            "or pass --skip-import"
        )


def target(db, tmp):
    if db == "sqlite":
        return f"sqlite:///{tmp / 'import.sqlite3'}"
    from django.db import connection

    with connection.cursor() as cursor:  # autocommit: CREATE DATABASE outside a transaction
        cursor.execute(f"DROP DATABASE IF EXISTS {IMPORT_DB}")
        cursor.execute(f"CREATE DATABASE {IMPORT_DB}")
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{IMPORT_DB}").geturl()


def measure(args, tmp, database):
    """Runs the import; returns the report's section (Markdown lines)."""
    url = target(args.db, tmp)
    say(
        f"  generating an XE site of {args.import_articles:,} articles, "
        f"{args.import_articles * 2:,} comments, {args.import_members:,} members in MariaDB"
    )
    try:
        with MariaDB() as server:
            result = xe_import.measure(
                server.root_url(), url, articles=args.import_articles, members=args.import_members
            )
    except (subprocess.CalledProcessError, RuntimeError) as error:
        raise BenchError(f"the import benchmark failed: {error}") from error
    return [
        "",
        f"### Import: an XE site into {database}",
        "",
        f"`manage.py import_xe` from a generated XE 1.x site (one board, 2 comments an "
        f"article, every other one a reply) in a throwaway MariaDB (bench/mariadb.py, on the "
        f"same machine) into a database of its own. Seconds: the whole import (members, "
        f"articles, comments); both rates divide by them. Peak memory: the RSS high-water "
        f"mark (getrusage ru_maxrss) of the importing process, {result['before_mb']:.0f} MB "
        f"before the import began (bench/xe_import.py, bench/import_section.py).",
        "",
        *xe_import.table(result),
    ]

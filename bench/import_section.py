"""The import benchmark of `make bench` (issue 13): a generated XE site and a Gnuboard5 one,
imported with ``manage.py import_xe`` and ``import_gnuboard`` from a throwaway MariaDB
(bench/mariadb.py), each into a database of its own, never the seeded one, so the page figures
are not disturbed (SQLite: a new file; PostgreSQL: a new database in the same cluster). The
timing itself is bench/xe_import.py's."""

import os
import subprocess
from urllib.parse import urlsplit

from bench import xe_import
from bench.common import BenchError, say
from bench.mariadb import MariaDB, available

IMPORT_DB = "postbbs_import"
KINDS = ("xe", "gnuboard")


def check():
    """Before a long run: say how to install MariaDB rather than fail at the end."""
    if not available():
        raise BenchError(
            "the import benchmark needs MariaDB (apt-get install mariadb-server), "
            "or pass --skip-import"
        )


def target(db, tmp, kind):
    if db == "sqlite":
        return f"sqlite:///{tmp / f'import-{kind}.sqlite3'}"
    from django.db import connection

    name = f"{IMPORT_DB}_{kind}"
    with connection.cursor() as cursor:  # autocommit: CREATE DATABASE outside a transaction
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def measure(args, tmp, database):
    """Runs the imports (XE, then Gnuboard), each into a database of its own; returns the
    report's section (Markdown lines)."""
    results = []
    try:
        with MariaDB() as server:
            for kind in KINDS:
                say(
                    f"  {xe_import.SITES[kind]}: generating {args.import_articles:,} articles, "
                    f"{args.import_articles * 2:,} comments, {args.import_members:,} members in "
                    "MariaDB, then importing them"
                )
                results.append(
                    xe_import.measure(
                        server.root_url(),
                        target(args.db, tmp, kind),
                        articles=args.import_articles,
                        members=args.import_members,
                        source=f"{kind}_bench",
                        kind=kind,
                    )
                )
    except (subprocess.CalledProcessError, RuntimeError) as error:
        raise BenchError(f"the import benchmark failed: {error}") from error
    return [
        "",
        f"### Import: an XE and a Gnuboard site into {database}",
        "",
        "`manage.py import_xe` and `import_gnuboard` from generated sites (one board, 2 "
        "comments an article, every other one a reply) in a throwaway MariaDB (bench/mariadb.py, "
        "on the same machine), each into a database of its own. Seconds: the whole import "
        "(members, articles, comments); both rates divide by them. Peak memory: the RSS "
        "high-water mark (getrusage ru_maxrss) of the importing process, "
        + " and ".join(f"{r['before_mb']:.0f}" for r in results)
        + " MB before the import began (bench/xe_import.py, bench/import_section.py).",
        "",
        *xe_import.table(*results),
    ]

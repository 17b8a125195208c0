"""Online backups and restores of the board's database and uploaded images.

SQLite: the sqlite3 online-backup API, which copies a consistent snapshot while the site keeps
serving. PostgreSQL: pg_dump's custom format, restored with pg_restore. Uploaded images go into
a tar.gz beside the database file.

A backup holds everything a reader or an attacker would want (accounts with their password
hashes, e-mail addresses, removed comments), so its folder is created 0700 and every file 0600
whatever the umask. Sessions are left out: a live session key in a copied backup logs in as
its user (an admin's too), and a restored board only asks people to log in again.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection

PAGES_PER_STEP = 256
# Tables whose rows never go into a backup (their structure does).
LEFT_OUT = ["django_session"]


def private_folder(folder):
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # mkdir's mode yields to the umask, and an existing folder keeps its own


def private_file(path):
    """Create (or empty) ``path`` readable and writable by its owner only, before any byte of
    the backup is written into it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # a file that existed keeps its mode through os.open
    return path


def pages(progress):
    """sqlite3's backup progress callback, as a line of pages copied."""

    def report(status, remaining, total):
        done = total - remaining
        progress(f"  database  {done:>8,} / {total:,} pages  {done * 100 // max(total, 1):3d}%")

    return report


def pg_tool(name):
    """pg_dump/pg_restore from PG_BIN, the server's folder, or PATH."""
    for folder in (os.environ.get("PG_BIN"), "/usr/lib/postgresql/15/bin"):
        if folder and (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install postgresql-client or set PG_BIN")
    return found


def pg_args():
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup(folder, stamp, progress=print):
    """Write the database (and images) into ``folder``; returns the files written."""
    folder = Path(folder)
    private_folder(folder)
    written = []
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = private_file(folder / f"postbbs-{stamp}.sqlite3")

        with sqlite3.connect(target) as dest:
            connection.connection.backup(dest, pages=PAGES_PER_STEP, progress=pages(progress))
            for table in LEFT_OUT:
                dest.execute(f'DELETE FROM "{table}"')
        # VACUUM rewrites the file, so the deleted rows are not left behind in free pages.
        dest.execute("VACUUM")
        dest.close()
        written.append(target)
    elif connection.vendor == "postgresql":
        target = private_file(folder / f"postbbs-{stamp}.pgdump")
        args, env = pg_args()
        progress("  database  pg_dump (custom format)")
        skip = [f"--exclude-table-data={table}" for table in LEFT_OUT]
        subprocess.run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", *skip, "--file", str(target),
             *args],
            env=env,
            check=True,
        )  # fmt: skip
        written.append(target)
    else:
        raise RuntimeError(f"no backup method for {connection.vendor}")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        archive = private_file(folder / f"postbbs-{stamp}-media.tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(media, arcname="media")
        progress(f"  images    {archive.name}")
        written.append(archive)
    return written


def restore(path, progress=print):
    """Replace the database's content with the backup at ``path`` (and its images, if any)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    connection.ensure_connection()
    if path.suffix == ".sqlite3":
        if connection.vendor != "sqlite":
            raise RuntimeError("an SQLite backup restores into an SQLite database")

        with sqlite3.connect(path) as source:
            source.backup(connection.connection, pages=PAGES_PER_STEP, progress=pages(progress))
        source.close()
    elif path.suffix == ".pgdump":
        if connection.vendor != "postgresql":
            raise RuntimeError("a pg_dump backup restores into a PostgreSQL database")
        args, env = pg_args()
        connection.close()  # pg_restore drops and recreates the tables this connection uses
        progress("  database  pg_restore --clean")
        subprocess.run(
            [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             *args, str(path)],
            env=env,
            check=True,
        )  # fmt: skip
    else:
        raise RuntimeError(f"not a PostBBS backup: {path.name}")
    archive = path.with_name(path.name.rsplit(".", 1)[0] + "-media.tar.gz")
    if archive.is_file():
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if not member.name.startswith("media/") or ".." in member.name:
                    continue
                member.name = member.name.removeprefix("media/")
                tar.extract(member, media, filter="data")
        progress(f"  images    {archive.name}")

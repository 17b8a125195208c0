"""The seed's bulk writers (bench/seed.py): SQLite gets executemany in large transactions,
PostgreSQL gets COPY with its secondary indexes rebuilt afterwards; both print progress."""

import math
import sqlite3
import time
from itertools import islice

from django.db import connection


class Progress:
    """A line every 5%: rows so far, rows per second, and the time left."""

    def __init__(self, label, total, out):
        self.label, self.total, self.out = label, total, out
        self.start = time.monotonic()

    def __call__(self, done):
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = done / elapsed
        eta = (self.total - done) / rate if rate else 0
        self.out(
            f"  {self.label:<8} {done:>11,} / {self.total:,} {done / self.total:4.0%}"
            f" {rate:>10,.0f} rows/s  {elapsed:5.1f}s  ETA {eta:4.0f}s"
        )


def chunks(total):
    """Sizes of the 5% steps (each one transaction on SQLite, one progress line)."""
    step = max(1, math.ceil(total / 20))
    for start in range(0, total, step):
        yield min(step, total - start)


class SQLiteWriter:
    def __init__(self, path):
        # Our own connection, alone on the file: leaving WAL needs no other connection open.
        self.con = sqlite3.connect(path, isolation_level=None)
        # A throwaway file: no fsync and an in-memory journal while loading (a crash here only
        # loses the benchmark's data), a large page cache for the index inserts.
        for pragma in (
            "PRAGMA journal_mode=MEMORY",
            "PRAGMA synchronous=OFF",
            "PRAGMA cache_size=-262144",
            "PRAGMA temp_store=MEMORY",
        ):
            self.con.execute(pragma)

    def write(self, table, columns, rows, total, progress):
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        done = 0
        for size in chunks(total):
            self.con.execute("BEGIN")
            self.con.executemany(sql, islice(rows, size))
            self.con.execute("COMMIT")
            done += size
            progress(done)

    def close(self):
        # Back to the settings' mode (WAL is stored in the file); synchronous is per connection.
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.close()


class PostgresWriter:
    def __init__(self, out):
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg 3: Django's connection, in autocommit
        self.out = out

    def write(self, table, columns, rows, total, progress):
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        with self.raw.cursor() as cursor:
            # Load first, index after: the search's trigram (GIN) indexes take rows one by one
            # at ~15,000 a second, and are built in bulk many times faster. Constraints (the
            # primary key, unique numbers) stay, so the load is still checked.
            indexes = secondary_indexes(cursor, table)
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        done = 0
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
        ):
            for size in chunks(total):
                for row in islice(rows, size):
                    copy.write_row(row)
                done += size
                progress(done)
        with self.raw.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for name, definition in indexes:
                started = time.monotonic()
                cursor.execute(definition)
                self.out(f"  index {name}: rebuilt in {time.monotonic() - started:.1f} s")
            cursor.execute("RESET maintenance_work_mem")

    def close(self):
        pass


def secondary_indexes(cursor, table):
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
        "ORDER BY i.relname",
        [table],
    )
    return cursor.fetchall()

"""What every import of an old site shares (XE and Rhymix in ``xe``, Gnuboard5 in
``gnuboard``): the source database opened read-only, rows streamed in batches and decoded
explicitly, old dates, the keys of what is already here, the progress line and the closing
summary.

An import runs in batches: each batch's objects and their LegacyKey rows are committed in one
transaction, so an interrupted run continues where it stopped, and a second run finds every
key and writes nothing.

The pieces, for an importer of another kind of site (board/legacy/xe.py uses them all):
- ``Source(url, prefix)``: ``query``/``scalar`` for small reads, ``stream`` for big ones (lists
  of ``batch`` dicts, text decoded by each column's charset), ``has(table[, column])``;
- ``Run``: the options, ``summary`` (``Summary``: imported / existing / skip(key, reason) /
  remark / note), ``keys`` (``Keys``: ``found(kind, keys)`` and ``add(kind, keys, objects)``),
  ``batch()`` (one transaction) and ``progress(label, total)``;
- ``dry_run_guard`` around the whole import, ``own_timestamps`` around a bulk_create that keeps
  old dates, ``GuestAuthors`` for authors without accounts;
- ``settle_listing`` and ``settle_comments`` once a board's articles and comments are in;
- ``kst``, ``decode``, ``html_to_text``.
"""

import html
import ipaddress
import re
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import nh3
import pymysql
import pymysql.cursors
from django.db import connection, reset_queries, transaction

from board import services
from board.models import Author, Board, Post

from .keys import LegacyKey

BATCH = 1000
KST = ZoneInfo("Asia/Seoul")

# A MySQL column's character set -> the Python codec its bytes are in. latin1 (the old hosts'
# default) and binary columns hold whatever the site wrote through them: guessed per value.
CODECS = {"utf8": "utf-8", "utf8mb3": "utf-8", "utf8mb4": "utf-8", "euckr": "cp949",
          "cp949": "cp949", "ascii": "ascii"}  # fmt: skip


class SourceError(Exception):
    """The source cannot be read as asked (a bad URL, a missing table)."""


def parse_mysql_url(url):
    """``mysql://USER:PASSWORD@HOST:PORT/DBNAME`` as keyword arguments for pymysql.connect."""
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if parts.scheme not in ("mysql", "mariadb") or not database or not parts.hostname:
        raise SourceError(f"not a mysql://USER:PASSWORD@HOST:PORT/DBNAME address: {url!r}")
    return {
        "host": parts.hostname,
        "port": parts.port or 3306,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": database,
    }


def decode(value, codec):
    """Bytes from the source as text: in the column's own charset; EUC-KR (cp949, its
    superset) when the bytes say so (an old site's Korean in a latin1 or wrongly declared
    column). Returns (text, how): how is None, "cp949" or "replaced"."""
    if value is None or not isinstance(value, bytes | bytearray):
        return value, None
    for attempt in (codec or "utf-8", "cp949"):
        try:
            text = value.decode(attempt)
        except UnicodeDecodeError:
            continue
        return text, (None if attempt == (codec or "utf-8") else "cp949")
    return value.decode(codec or "utf-8", errors="replace"), "replaced"


def kst(stamp):
    """An old ``YYYYMMDDHHMMSS`` (local Korean time, as XE and Rhymix store dates) as an aware
    datetime; None when empty or not a date."""
    stamp = (stamp or "").strip()
    if not re.fullmatch(r"\d{14}", stamp) or stamp.startswith("0000"):
        return None
    try:
        return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=KST)
    except ValueError:
        return None


def address(value):
    """A writer's address as the old site stored it (XE ``ipaddress``, Gnuboard ``wr_ip``), if
    it is one: kept for moderators (Comment.ip_address); None when empty or not an address."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def html_to_text(markup):
    """An old comment's HTML as the plain text PostBBS comments are: line breaks kept, tags
    dropped, entities decoded once."""
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>", "\n", markup or "")
    text = html.unescape(nh3.clean(markup, tags=set(), strip_comments=True))
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class Source:
    """A MySQL/MariaDB database read with a SELECT-only user, in a read-only session, each
    text column decoded by its own charset (information_schema), never by the connection's."""

    def __init__(self, url, prefix):
        self.params = parse_mysql_url(url)
        self.prefix = prefix
        self.database = self.params["database"]
        self.decoded = defaultdict(int)  # how many values needed EUC-KR or a replacement
        self.read_only_session = True
        self._codecs = {}
        self.connection = self.connect()

    def connect(self):
        try:
            connection = pymysql.connect(
                **self.params, charset="utf8mb4", use_unicode=False, autocommit=True
            )
        except pymysql.err.MySQLError as error:
            raise SourceError(f"cannot open the source database: {error}") from error
        with connection.cursor() as cursor:
            # Bytes exactly as stored: decoded below by each column's charset.
            cursor.execute("SET SESSION character_set_results = binary")
            try:
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
            except pymysql.err.MySQLError:
                # MySQL before 5.6.5 (old hosts) has no read-only sessions: the import only
                # ever SELECTs, and the SELECT-only user it is meant for enforces it anyway.
                self.read_only_session = False
        return connection

    def close(self):
        self.connection.close()

    def table(self, name):
        return f"`{self.prefix}{name}`"

    def columns(self, name):
        """The columns of table ``name`` (without the prefix) and their Python codecs; {} when
        the table does not exist."""
        if name not in self._codecs:
            rows = self.query(
                "SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS"
                " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
                [self.database, self.prefix + name],
                raw=True,
            )
            self._codecs[name] = {
                column.decode(): CODECS.get((charset or b"").decode()) for column, charset in rows
            }
        return self._codecs[name]

    def has(self, name, column=None):
        columns = self.columns(name)
        return bool(columns) if column is None else column in columns

    def query(self, sql, params=(), *, raw=False, table=None):
        """All rows of a small query: tuples as read (``raw``), else dicts decoded by the
        charsets of ``table``'s columns."""
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            names = [d[0] for d in cursor.description or ()]
        if raw:
            return rows
        return [self._row(names, row, table) for row in rows]

    def scalar(self, sql, params=()):
        rows = self.query(sql, params, raw=True)
        return rows[0][0] if rows else None

    def stream(self, sql, params=(), *, table=None, batch=BATCH):
        """The rows of a large query in lists of ``batch`` dicts, read through a server-side
        cursor on a connection of its own (memory stays flat; other queries go on meanwhile)."""
        connection = self.connect()
        try:
            with connection.cursor(pymysql.cursors.SSCursor) as cursor:
                cursor.execute(sql, params)
                names = [d[0] for d in cursor.description]
                while rows := cursor.fetchmany(batch):
                    yield [self._row(names, row, table) for row in rows]
        finally:
            connection.close()

    def _row(self, names, row, table):
        codecs = self.columns(table) if table else {}
        out = {}
        for name, value in zip(names, row, strict=True):
            name = name.decode() if isinstance(name, bytes) else name
            text, how = decode(value, codecs.get(name))
            if how:
                self.decoded[how] += 1
            out[name] = text
        return out


@dataclass
class Tally:
    imported: int = 0
    existing: int = 0
    skipped: int = 0
    reasons: dict = field(default_factory=lambda: defaultdict(list))


class Summary:
    """What an import did, per kind: imported, already there, skipped (each skip with why),
    and notes; printed as a table at the end."""

    KINDS = ("boards", "categories", "articles", "comments", "members")

    def __init__(self, kinds=KINDS):
        # Another kind (Gnuboard's "files") gets its row on first use.
        self.tallies = defaultdict(Tally, {kind: Tally() for kind in kinds})
        self.notes = []
        self.remarks = defaultdict(list)  # imported, but with something to say: why -> keys

    def imported(self, kind, count=1):
        self.tallies[kind].imported += count

    def existing(self, kind, count=1):
        self.tallies[kind].existing += count

    def skip(self, kind, key, reason):
        self.tallies[kind].skipped += 1
        self.tallies[kind].reasons[reason].append(str(key))

    def note(self, text):
        self.notes.append(text)

    def remark(self, reason, key):
        self.remarks[reason].append(str(key))

    def table(self, *, dry_run=False):
        lines = [
            "Dry run: read and checked, nothing written." if dry_run else "Import finished.",
            f"{'':<12}{'imported':>10}{'already':>10}{'skipped':>10}",
        ]
        for kind, tally in self.tallies.items():
            lines.append(
                f"{kind:<12}{tally.imported:>10,}{tally.existing:>10,}{tally.skipped:>10,}"
            )
        for kind, tally in self.tallies.items():
            for reason, keys in tally.reasons.items():
                lines.append(f"skipped {kind} ({reason}): {len(keys)}: {shown(keys)}")
        for reason, keys in self.remarks.items():
            lines.append(f"imported with a note ({reason}): {len(keys)}: {shown(keys)}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def shown(keys, limit=10):
    more = f" … (+{len(keys) - limit})" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


class Progress:
    """A line on stderr every 5%: rows so far, rows per second, the time left (the style of
    bench/writers.py)."""

    def __init__(self, label, total, out=None):
        self.label, self.total = label, total
        self.out = out or (lambda line: print(line, file=sys.stderr, flush=True))
        self.start = time.monotonic()
        self.done = 0
        self.shown = -1

    def add(self, count):
        self.done += count
        step = int(self.done * 20 / self.total) if self.total else 20
        if step == self.shown:
            return
        self.shown = step
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0
        share = self.done / self.total if self.total else 1
        self.out(
            f"  {self.label:<10} {self.done:>11,} / {self.total:,} {share:4.0%}"
            f" {rate:>10,.0f} rows/s  {elapsed:5.1f}s  ETA {eta:4.0f}s"
        )


class Keys:
    """The LegacyKey rows of one source: what was imported before (looked up a batch at a
    time) and the new rows to write with their objects."""

    FIELD = {"member": "user", "file": "attachment"}

    def __init__(self, source):
        self.source = source

    def field(self, kind):
        return self.FIELD.get(kind, kind) + "_id"

    def found(self, kind, keys):
        """{old key: id of what it became} for those of ``keys`` already imported."""
        keys = [str(key) for key in keys]
        if not keys:
            return {}
        rows = LegacyKey.objects.filter(source=self.source, kind=kind, key__in=keys)
        return dict(rows.values_list("key", self.field(kind)))

    def add(self, kind, keys, objects):
        """Write a LegacyKey row for each old key and the object it became (in the caller's
        transaction)."""
        LegacyKey.objects.bulk_create(
            LegacyKey(source=self.source, kind=kind, key=str(key), **{self.field(kind): obj.pk})
            for key, obj in zip(keys, objects, strict=True)
        )


class Interrupted(Exception):
    """Raised by a test's hook to stop an import between two batches."""


class Run:
    """One import: its options, summary and the hook called after each committed batch (a
    test interrupts there)."""

    def __init__(self, *, source, dry_run=False, batch_size=BATCH, after_batch=None, progress=None):
        self.source_name = source
        self.batch_size = batch_size
        self.keys = Keys(source)
        self.dry_run = dry_run
        self.summary = Summary()
        self.after_batch = after_batch
        self.progress_out = progress
        self.batches = 0

    @contextmanager
    def batch(self):
        """One batch: its objects and their keys committed together (in a dry run, a savepoint
        of the outer transaction that is rolled back at the end)."""
        with transaction.atomic():
            yield
        reset_queries()  # with DEBUG on, Django would keep every query of the run in memory
        self.batches += 1
        if self.after_batch is not None:
            self.after_batch(self.batches)

    def progress(self, label, total):
        return Progress(label, total, self.progress_out)


@contextmanager
def dry_run_guard(dry_run):
    """Around a whole import: a dry run writes inside one transaction that is rolled back, so
    every check (constraints included) runs and nothing stays."""
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def own_timestamps(*models):
    """Let bulk_create keep the old site's dates in auto_now/auto_now_add fields (Django would
    put the import's time there). Only for the duration of an import command."""
    changed = []
    for model in models:
        for f in model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(f, flag, False):
                    setattr(f, flag, False)
                    changed.append((f, flag))
    try:
        yield
    finally:
        for f, flag in changed:
            setattr(f, flag, True)


class GuestAuthors:
    """Authors without an account, one per name (a guest's nickname, "익명"): found or made
    a batch of names at a time, remembered for the rest of the run."""

    def __init__(self):
        self.known = {}

    def ids(self, names):
        """{name: Author id} for ``names`` (made where missing, in the caller's batch)."""
        missing = set(names) - set(self.known)
        if missing:
            existing = Author.objects.filter(user=None, name__in=missing).order_by("-pk")
            self.known.update(existing.values_list("name", "pk"))
            new = [Author(name=name) for name in missing - set(self.known)]
            Author.objects.bulk_create(new)
            self.known.update((author.name, author.pk) for author in new)
        return {name: self.known[name] for name in names}


def settle_listing(board, last_number, added):
    """After a board's articles are in (numbered 1… in the old order, listed ones with ``seq``
    = number): its positions, blocks and counters as board.services keeps them, rebuilt
    set-based, when this run added articles or an interrupted one left them behind; nothing
    is written otherwise."""
    board.refresh_from_db()
    count = Post.objects.filter(board=board).listed().count()
    # Never lower: articles written here since an earlier run have the numbers above.
    last_number = max(board.last_number, last_number)
    if not added and board.post_count == count and board.last_number == last_number:
        return
    if board.last_number != last_number:
        Board.objects.filter(pk=board.pk).update(last_number=last_number)
    services.rebuild_positions(board.pk)


# The articles of a board whose comment counters disagree with its comment rows.
COUNTS_DIFFER = """
    SELECT p.id FROM board_post p WHERE p.board_id = %s AND (
      p.comment_count <> (SELECT COUNT(*) FROM board_comment c
                          WHERE c.post_id = p.id AND NOT c.is_removed)
      OR p.comment_rows <> (SELECT COUNT(*) FROM board_comment c WHERE c.post_id = p.id))
"""


def settle_comments(board, added):
    """Post.comment_count (visible comments) and comment_rows (every row), set-based, on the
    board's articles where they differ (only looked for when this run added none)."""
    with connection.cursor() as cursor:
        if not added:
            cursor.execute(COUNTS_DIFFER + " LIMIT 1", [board.pk])
            if cursor.fetchone() is None:
                return
        cursor.execute(
            f"""UPDATE board_post SET
              comment_count = (SELECT COUNT(*) FROM board_comment c
                               WHERE c.post_id = board_post.id AND NOT c.is_removed),
              comment_rows = (SELECT COUNT(*) FROM board_comment c
                              WHERE c.post_id = board_post.id)
            WHERE id IN ({COUNTS_DIFFER})""",
            [board.pk],
        )


def remark_unknown_staff(db, summary, staff, *, column):
    """Say which names given to --staff are no member of the old site (``column`` of its
    member table: XE's user_id, Gnuboard's mb_id)."""
    if not staff:
        return
    named = ", ".join(["%s"] * len(staff))
    rows = db.query(
        f"SELECT {column} FROM {db.table('member')} WHERE {column} IN ({named})",
        sorted(staff),
        table="member",
    )
    for name in sorted(set(staff) - {row[column] for row in rows}):
        summary.remark("named in --staff but no such member", name)

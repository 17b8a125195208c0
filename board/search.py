"""Searching the board as Korean boards do: by title+body, title, body, author or comment.

Results come newest first, 20 at a time, by seeking on ``seq`` (no COUNT, no OFFSET). Every
request, on every target and database, examines one window of at most WINDOW consecutive
positions (COMMENT_WINDOW for comments; so at most that many posts, whatever gaps ``seq``
has) and offers to continue with older ones, like Gnuboard's "다음 검색": no request scans a
million rows. On PostgreSQL the window is read through the listing index (bitmap scans, hence
the trigram indexes, are off for the search statement: a frequent trigram made them recheck
most of the board), and a ``statement_timeout`` is the last guard (on SQLite, a progress
handler watching the clock). Searches are rate-limited per client address in the database,
so the limit holds across processes and hosts.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from time import monotonic

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.lookups import In, IsNull
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .listing import Row
from .models import Author, Comment, Post, SearchRate

PAGE = 20
# Positions examined per request. Measured (bench/search_bench.py, 1,000,000 posts): a window
# with no match at all, the worst case, stays within 25x a listing page on both databases.
WINDOW = 10_000
# A comment search reads every comment of each post in its window, and the newest posts have
# the most: on PostgreSQL a window of 10,000 with no match took 28x a listing page (bench).
COMMENT_WINDOW = 2_500
# An author search first takes the matching authors' ids from the (much smaller) author
# table; a name matching more authors than this is matched row by row inside the window.
AUTHOR_IDS = 200
PROGRESS_STEPS = 10_000  # SQLite: virtual-machine steps between two looks at the clock
ROW_FIELDS = [
    "pk", "number", "seq", "title", "comment_count", "has_image", "has_file", "is_notice",
    "published_at", "views", "author__name", "is_secret",
]  # fmt: skip


class TooSlow(Exception):
    """PostgreSQL stopped the search at SEARCH_STATEMENT_TIMEOUT_MS."""


class Throttled(Exception):
    def __init__(self, seconds, limit, retry_after):
        super().__init__(seconds, limit, retry_after)
        self.seconds, self.limit, self.retry_after = seconds, limit, retry_after


def matching(q, target):
    # A secret article's body and comments are its readers' only: a search never matches them
    # (its title and author are in the listing for everyone). An article hidden by reports
    # shows neither title nor body until a moderator decides, so its words find nothing
    # either (its author's name is shown: an author search still lists it, masked).
    title = Q(title__icontains=q, is_hidden=False)
    body = Q(body__icontains=q, is_secret=False, is_hidden=False)
    if target == "title":
        return title
    if target == "body":
        return body
    if target == "author":
        return Q(author__name__icontains=q)
    if target == "comment":
        comments = Comment.objects.filter(post=OuterRef("pk"), is_removed=False, is_hidden=False)
        first = Subquery(comments.filter(body__icontains=q).order_by().values("pk")[:1])
        # A subquery per article (not EXISTS, which PostgreSQL turns into a join that reads
        # every comment of the board), and only where the row counts visible comments.
        return Q(comment_count__gt=0, is_secret=False) & Q(IsNull(first, False))
    return title | body


def condition(q, target):
    if target == "author":
        ids = list(
            Author.objects.filter(name__icontains=q)
            .order_by()
            .values_list("pk", flat=True)[: AUTHOR_IDS + 1]
        )
        if len(ids) <= AUTHOR_IDS:
            # "+ 0" keeps the author index out of the plan: it would read every article of
            # these authors, where the window's range on the listing index reads at most
            # WINDOW.
            return Q(In(F("author_id") + 0, ids))
    return matching(q, target)


@dataclass
class Results:
    q: str
    target: str
    rows: list
    older: int | None = None  # "before" cursor of the next (older) page
    newer: int | None = None  # "after" cursor of the previous (newer) page
    searched_down_to: int | None = None  # the window ended here with fewer than a page

    def url(self, **cursor):
        return "?" + urlencode({"q": self.q, "target": self.target, **cursor})

    @property
    def older_url(self):
        return self.url(before=self.older) if self.older else None

    @property
    def newer_url(self):
        return self.url(after=self.newer) if self.newer else None


def top_position(board):
    """The newest listed position, as a subquery: an index seek on (board, seq). Never
    ``post_count``: positions may have gaps."""
    listed = Post.objects.filter(board=board).listed()
    return Subquery(listed.order_by("-seq").values("seq")[:1])


def window(target):
    """How many consecutive positions one request examines for ``target``."""
    return COMMENT_WINDOW if target == "comment" else WINDOW


def window_query(board, q, target, before=None, after=None, top=None):
    """One window's rows, in the order to read them, each with the board's top position
    (``top`` when the caller knows it, else a subquery in the same statement)."""
    top = top_position(board) if top is None else Value(top)
    posts = Post.objects.filter(condition(q, target), board=board).listed().annotate(top=top)
    size = window(target)
    if after is not None:  # a newer page: (after, after + size], oldest first
        return posts.filter(seq__gt=after, seq__lte=after + size).order_by("seq")
    if before is None:  # the first page: the newest positions
        posts = posts.filter(seq__gt=F("top") - size)
    else:
        posts = posts.filter(seq__lt=before, seq__gte=before - size)
    return posts.order_by("-seq")


@contextmanager
def guarded(board):
    """On PostgreSQL, run the search in a transaction whose statements stop after
    SEARCH_STATEMENT_TIMEOUT_MS and read the window through the listing index; yields the
    board's top position, read in the same statement (None on SQLite, which has no
    statement timeout: a progress handler stops the search there after as long)."""
    if connection.vendor == "sqlite":
        with sqlite_deadline():
            yield None
        return
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # No bitmap scans (so no trigram index, which a frequent trigram turns into
                # a recheck of most of the board) and no sequential scans: the window's range
                # on the listing index is left. No JIT: a disabled scan's nominal cost (the
                # small author table's) would otherwise buy 25 ms of compiling. Each statement
                # planned for its own words and window, never on a plan kept from earlier
                # searches (prepared statements, postbbs/settings.py), on which a deep
                # one-letter search read its whole window (59–84 ms against 10–13 at 100,000
                # posts). The settings end with the transaction.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true), "
                    "set_config('enable_bitmapscan', 'off', true), "
                    "set_config('enable_seqscan', 'off', true), "
                    "set_config('jit', 'off', true), "
                    "set_config('plan_cache_mode', 'force_custom_plan', true), "
                    f"(SELECT MAX(seq) FROM {Post._meta.db_table} WHERE board_id = %s)",
                    [str(int(settings.SEARCH_STATEMENT_TIMEOUT_MS)), board.pk],
                )
                top = cursor.fetchone()[-1] or 0
            yield top
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled
            raise TooSlow from exc
        raise


@contextmanager
def sqlite_deadline():
    connection.ensure_connection()
    raw = connection.connection
    deadline = monotonic() + settings.SEARCH_STATEMENT_TIMEOUT_MS / 1000
    # SQLite calls this every PROGRESS_STEPS steps of its VM; a true answer interrupts.
    raw.set_progress_handler(lambda: monotonic() > deadline, PROGRESS_STEPS)
    try:
        yield
    except OperationalError as exc:
        if "interrupted" in str(exc):
            raise TooSlow from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


def search(board, q, target, before=None, after=None):
    with guarded(board) as top:
        return _search(board, q, target, before, after, top)


def _search(board, q, target, before, after, top):
    scope = window_query(board, q, target, before, after, top)
    found = list(
        scope.values_list(*ROW_FIELDS, "listing_only", "upvotes", "is_hidden", "top")[: PAGE + 1]
    )
    if found:
        top = found[0][-1]
    elif top is None:  # nothing in the window: the top still decides the links
        top = Post.objects.filter(board=board).listed().order_by("-seq").values("seq")[:1]
        top = next(iter(top), {"seq": 0})["seq"]
    rows = [
        Row(*values[:-4], listing_only=values[-4], upvotes=values[-3]) for values in found[:PAGE]
    ]
    for row, values in zip(rows, found, strict=False):
        if values[-2]:  # hidden by readers' reports (board.reports): the title is masked
            row.title = _("신고로 가려진 글")
    size = window(target)

    if after is not None:
        rows.reverse()
        more_newer = len(found) > PAGE or after + size < top
        older = rows[-1].seq if rows else after + 1
        newer = (rows[0].seq if len(found) > PAGE else after + size) if more_newer else None
        return Results(q, target, rows, older=older, newer=newer)

    start = top + 1 if before is None else min(before, top + 1)
    results = Results(q, target, rows, newer=start - 1 if start <= top else None)
    low = (before if before is not None else top + 1) - size  # the lowest position examined
    if len(found) > PAGE:
        results.older = rows[-1].seq
    elif low > 1:
        results.older = results.searched_down_to = min(low, top + 1)
    return results


def throttle(address, now=None):
    """Count one search from ``address`` in each window of SEARCH_RATE_LIMITS and refuse it
    (Throttled) past a limit. One upsert per request, atomic on both databases (the row's
    count + 1 is computed by the database, as an F() update is), so the count is exact
    under parallel requests from any number of processes."""
    limits = settings.SEARCH_RATE_LIMITS
    if not limits:
        return
    now = int(time.time() if now is None else now)
    address = address[:64]
    table = connection.ops.quote_name(SearchRate._meta.db_table)
    values = ", ".join(["(%s, %s, %s, 1)"] * len(limits))
    params = []
    for seconds, _limit in limits:
        params += [address, seconds, now - now % seconds]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("address", "seconds", "start", "count") VALUES {values} '
            f'ON CONFLICT ("address", "seconds", "start") '
            f'DO UPDATE SET "count" = {table}."count" + 1 RETURNING "seconds", "count"',
            params,
        )
        counts = dict(cursor.fetchall())
    longest = max(seconds for seconds, _limit in limits)
    if counts.get(longest) == 1:  # a new window for this address: drop everyone's old ones
        SearchRate.objects.filter(start__lt=now - longest).delete()
    over = [(s, limit) for s, limit in limits if counts.get(s, 0) > limit]
    if over:
        seconds, limit = max(over, key=lambda pair: pair[0] - now % pair[0])
        raise Throttled(seconds, limit, retry_after=seconds - now % seconds)

"""Removing and restoring an article on the seeded board, beside a listing page.

Staff remove an article with ``services.remove_post`` and bring it back with
``services.restore_post``: each must cost at most TARGET times a listing page's median, whatever
the article's age, and touch a bounded number of rows (its listing block, and one row per
higher block). This times both for the oldest, a middle and the newest article (each removed
and restored REPEAT times, medians), counts the rows their UPDATEs changed, and leaves the board
as it found it.
"""

import statistics
import time

from django.conf import settings
from django.db import connection
from django.test import Client

from board import services
from board.models import BLOCK, Board, Post

TARGET = 20  # removal or restore ≤ 20 × a listing page's median
REPEAT = 7
LISTING_REQUESTS = 60
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) PostBBS-bench"


class RowCounter:
    """A connection wrapper that adds up the rows every UPDATE changed."""

    def __init__(self):
        self.rows = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("UPDATE"):
            self.rows += max(0, context["cursor"].rowcount)
        return result


def listing_median(requests=LISTING_REQUESTS):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    for _ in range(10):  # warm-up
        client.get("/")
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/")
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"the listing answered {response.status_code}")
    return statistics.median(samples) * 1000


def timed(action, post):
    counter = RowCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        done = action(post, by=None)
        elapsed = time.perf_counter() - started
    if not done:
        raise RuntimeError(f"{action.__name__} did nothing to article {post.number}")
    return elapsed * 1000, counter.rows


def articles(board):
    """The oldest, a middle and the newest listed article (not a pinned notice). The middle
    one is the first of its listing block, so its removal moves the whole block too."""
    listed = Post.objects.filter(board=board, is_notice=False).listed()
    oldest = listed.order_by("seq").first()
    newest = listed.order_by("-seq").first()
    half = (oldest.number + newest.number) // 2
    middle = listed.filter(number__gt=(half - 1) // BLOCK * BLOCK).order_by("seq")
    return [("oldest", oldest), ("middle", middle.first()), ("newest", newest)]


def measure(out=print, repeat=REPEAT):
    """Time removal and restore; returns the report's lines (markdown)."""
    board = Board.objects.get(slug=settings.BOARD_SLUG)
    out(f"  listing page 1: {LISTING_REQUESTS} requests ...")
    listing_ms = listing_median()
    results = []
    for label, post in articles(board):
        before = (post.seq, Board.objects.get(pk=board.pk).post_count)
        removals, restores = [], []
        for _ in range(repeat):
            removals.append(timed(services.remove_post, post))
            restores.append(timed(services.restore_post, post))
        after = Post.objects.filter(pk=post.pk).values_list("seq", flat=True).get()
        if (after, Board.objects.get(pk=board.pk).post_count) != before:
            raise RuntimeError(f"article {post.number} did not come back to its place")
        for name, runs in (("remove", removals), ("restore", restores)):
            median = statistics.median(ms for ms, _ in runs)
            rows = max(rows for _, rows in runs)
            results.append((name, label, post.number, median, rows))
            out(f"  {name:<7} {label:<6} #{post.number}: {median:.2f} ms, {rows:,} rows")
    return report_lines(results, listing_ms, repeat)


def report_lines(results, listing_ms, repeat):
    lines = [
        "",
        f"Removing and restoring an article (`board/services.py`, through the ORM in one "
        f"transaction each, the board row locked; median of {repeat} of each, the article "
        f"restored after every removal), beside the listing's page 1 "
        f"(median of {LISTING_REQUESTS} in-process requests: {listing_ms:.2f} ms). "
        f"Rows: those the operation's UPDATEs changed.",
        "",
        "| operation | article | median ms | × listing page | rows updated |",
        "|---|---|--:|--:|--:|",
    ]
    for name, label, number, median, rows in results:
        lines.append(
            f"| {name} | {label} (#{number:,}) | {median:.2f} | "
            f"{median / listing_ms:.1f} | {rows:,} |"
        )
    worst = max(results, key=lambda r: r[3])
    ratio = worst[3] / listing_ms
    met = ratio <= TARGET
    verdict = "**met**" if met else f"**missed** ({ratio / TARGET - 1:.0%} over)"
    lines += [
        "",
        f"- removal or restore / listing page = {ratio:.1f} {'≤' if met else '>'} {TARGET} "
        f"(the slowest: {worst[0]} of the {worst[1]} article): {verdict}",
    ]
    return lines

"""In-process timings: Django's test client with the production settings, the pages taking turns
in blocks of requests, each page's queries counted once."""

import gc
import itertools
import random
import time
import traceback
from http.cookies import SimpleCookie
from urllib.parse import unquote_plus

from bench.common import UA, BenchError, Page, say

MIN_SAMPLES = 20  # the fewest timed requests per page when its time budget runs out
BLOCK = 50  # timed requests per page in each turn
SEARCH_RARE = "/?q=%EC%A0%9C%EC%A3%BC+%EC%9A%B0%ED%8E%B8%EB%AC%BC%EB%A5%98&target=title"
SEARCH_SHORT = "/?q=%EC%9A%B0%ED%91%9C&target=title_body"  # 우표
LOAD_ARTICLES = 1000  # distinct articles wrk cycles through, spread over the whole board


def spread(total, count, rng):
    """``count`` numbers in 1..total, one from each equal slice, in random order."""
    count = min(count, total)
    numbers = [min(total, 1 + int((k + rng.random()) * total / count)) for k in range(count)]
    rng.shuffle(numbers)
    return numbers


def pages_to_measure(args, warmup):
    from django.urls import reverse

    from board import services

    board = services.default_board()
    last = board.num_pages
    middle = max(1, last // 2)
    rng = random.Random(args.seed + 1)
    articles = [
        reverse("board:post-detail", kwargs={"number": n})
        for n in spread(board.post_count, warmup + 1 + args.requests, rng)
    ]
    load_articles = [
        reverse("board:post-detail", kwargs={"number": n})
        for n in spread(board.post_count, LOAD_ARTICLES, rng)
    ]
    return [
        Page("floor", "floor", "/healthz", ["/healthz"], load_paths=["/healthz"]),
        Page("first", "listing, page 1", "/", ["/"], load_paths=["/"]),
        Page(
            "middle",
            f"listing, page {middle:,}",
            f"/?page={middle}",
            [f"/?page={middle}"],
            load_paths=[f"/?page={middle}"],
        ),
        Page("last", f"listing, last page ({last:,})", f"/?page={last}", [f"/?page={last}"]),
        *category_pages(board),
        Page(
            "article",
            "article, new visitor",
            f"/<number>/ ×{len(articles)}",
            articles,
            fresh=True,
            load_paths=load_articles,
        ),
        # Search (issue 5): a rare 3+ character term over titles (PostgreSQL: the trigram
        # index; SQLite: one window), and a common 2-character term over titles and bodies
        # (both databases: one window of 10,000 posts at most).
        Page("search", "search, title, rare term", unquote_plus(SEARCH_RARE), [SEARCH_RARE]),
        Page(
            "search_short",
            "search, title+body, 2 chars",
            unquote_plus(SEARCH_SHORT),
            [SEARCH_SHORT],
        ),
    ]


def category_pages(board):
    """The largest category's first and last page (issue 11: within 1.2x of each other)."""
    category = board.categories.order_by("-post_count").first()
    if category is None:
        return []
    first = f"/?category={category.pk}"
    last = f"{first}&page={category.num_pages}"
    return [
        Page("cat_first", "category, page 1", first, [first]),
        Page("cat_last", f"category, last page ({category.num_pages:,})", last, [last]),
    ]


def timed_get(client, page, path):
    if page.fresh:
        # A new visitor: no "viewed" cookie, so the view counts, with its UPDATE. Not a new
        # Client: its first request loads the middleware (WhiteNoise scans the static files),
        # ~18 ms that a running server never pays.
        client.cookies = SimpleCookie()
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        where = f" → {response['Location']}" if response.has_header("Location") else ""
        raise BenchError(f"GET {path} returned {response.status_code}{where}")
    return elapsed


def failed(page, exc):
    """The app failed on this page: record it, and go on measuring the others."""
    page.error = f"{type(exc).__name__}: {exc}"
    say(f"  {page.label}: FAILED\n{traceback.format_exc()}")


def measure_in_process(pages, requests, warmup, budget):
    """Warm each page up and count its queries, then time the pages in turns, a block of
    requests each (floor, page 1, ..., article, floor, ...): a burst of other work on this
    2-core machine then slows every page alike, not one page's whole series, and the ratios
    stay fair. Within a block a page runs hot, as a one-page series would: mixing single
    requests would double the floor's cost (its code falls out of the CPU caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The listings' client and the new visitors' (whose cookies are cleared every time).
    clients = {False: Client(HTTP_USER_AGENT=UA), True: Client(HTTP_USER_AGENT=UA)}
    paths = {page.key: itertools.cycle(page.paths) for page in pages}

    def get(page):
        return timed_get(clients[page.fresh], page, next(paths[page.key]))

    active = []
    for page in pages:
        try:
            started = time.monotonic()
            for _ in range(warmup):
                get(page)
                if time.monotonic() - started > budget / 4:
                    break
            # Forces the debug cursor for this one request only; DEBUG stays off.
            with CaptureQueriesContext(connection) as queries:
                get(page)
            page.queries = len(queries.captured_queries)
            active.append(page)
        except Exception as exc:
            failed(page, exc)
    gc.collect()  # every series starts from the same heap, not the warm-ups' garbage
    spent = dict.fromkeys(paths, 0.0)
    while active:
        for page in list(active):
            started = time.monotonic()
            try:
                get(page)  # not timed: the block's first request finds the caches cold
                for _ in range(min(BLOCK, requests - len(page.samples))):
                    page.samples.append(get(page))
                    # A page that has become slow (a regression at scale) stops at its time
                    # budget, with enough samples for a median: `make bench` still ends in time.
                    used = spent[page.key] + time.monotonic() - started
                    if used > 2 * budget or (used > budget and len(page.samples) >= MIN_SAMPLES):
                        active.remove(page)
                        break
            except Exception as exc:
                failed(page, exc)
                active.remove(page)
                continue
            spent[page.key] += time.monotonic() - started
            if page in active and len(page.samples) >= requests:
                active.remove(page)
    for page in pages:
        if page.error:
            continue
        cut = f"  ({len(page.samples)} of {requests}: time budget)" if page.cut(requests) else ""
        say(
            f"  {page.label:<28} {page.queries} queries  median {page.median:7.2f} ms"
            f"  p99 {page.p99:7.2f} ms{cut}"
        )

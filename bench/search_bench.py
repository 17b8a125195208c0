"""Search timings on the seeded board: each search's median against a listing page's.

bench/run.py calls ``measure`` after its own in-process timings. Every search here examines at
most ``board.search.WINDOW`` posts (one window of positions; ``COMMENT_WINDOW`` for comment
searches), so the target is the same for
all of them: a median within TARGET times the median of the first listing page, measured in
the same turns. The searches are the ones the issue names: frequent 1-2 character terms,
frequent trigrams ("다 우", common words of the seeded text), rare and absent terms, author and
comment searches, on the first page and on a deep ``before`` cursor (the middle of the board).
``explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the worst search, unbounded as it was before
windows and as it runs now.
"""

from urllib.parse import urlencode

from bench.common import Page
from bench.inprocess import measure_in_process
from bench.report import ms

TARGET = 25  # × the listing page's median
REQUESTS = 100  # timed requests per search at most (run.py's --requests if lower)
ABSENT = "찾을 수 없는 말"  # matches nothing: the whole window is read, the worst case
SEARCHES = [  # (label, q, target, deep)
    ("1 char, frequent", "다", "title_body", False),
    ("1 char, frequent, deep", "다", "title_body", True),
    ("1 char, title", "우", "title", False),
    ("2 chars", "우표", "title_body", False),
    ("trigram '다 우'", "다 우", "title_body", False),
    ("trigram '다 우', deep", "다 우", "title_body", True),
    ("frequent word", "우체국", "title_body", False),
    ("frequent word, body", "관계자", "body", False),
    ("rare-ish, title", "제주 우편물류", "title", False),
    ("absent", ABSENT, "title_body", False),
    ("absent, deep", ABSENT, "title_body", True),
    ("author, frequent", "기자", "author", False),
    ("author, deep", "편집부", "author", True),
    ("comment, frequent", "감사", "comment", False),
    ("comment, absent", ABSENT, "comment", False),
    ("comment, absent, deep", ABSENT, "comment", True),
]
WORST = ("다 우", "title_body")


def search_path(q, target, before=None):
    params = {"q": q, "target": target}
    if before:
        params["before"] = before
    return "/?" + urlencode(params)


def pages():
    """The listing page (the reference) and one page per search."""
    from board import services
    from board.models import Post

    board = services.default_board()
    top = Post.objects.filter(board=board).listed().order_by("-seq").values("seq")[0]["seq"]
    deep = top // 2
    found = [Page("listing", "listing, page 1", "/", ["/"])]
    for i, (label, q, target, is_deep) in enumerate(SEARCHES):
        path = search_path(q, target, deep if is_deep else None)
        shown = f"q={q} target={target}" + (f" before={deep}" if is_deep else "")
        found.append(Page(f"search{i}", label, shown, [path]))
    return found


def measure(args, warmup):
    """Time the searches in turns with the listing page; return the Markdown section."""
    from board import search

    requests = min(args.requests, REQUESTS)
    found = pages()
    print(f"\n== search: {len(found) - 1} searches, {requests} requests each", flush=True)
    measure_in_process(found, requests, min(warmup, 10), args.page_budget)
    return table(found, search.WINDOW, search.COMMENT_WINDOW) + explain()


def table(found, window, comment_window):
    listing = found[0]
    lines = [
        "",
        f"#### Search (window: {window:,} positions a request, {comment_window:,} for comments)",
        "",
        f"Each search's median against the listing page's ({ms(listing.median)} ms), measured "
        f"in the same turns; target ≤ {TARGET}× on every search.",
        "",
        "| search | query | queries | median ms | p99 ms | × listing | target |",
        "|---|---|--:|--:|--:|--:|---|",
    ]
    worst = 0.0
    for page in found[1:]:
        if page.error or page.median is None or not listing.median:
            lines.append(f"| {page.label} | `{page.shown}` | — | **failed** | — | — | — |")
            worst = float("inf")
            continue
        times = page.median / listing.median
        worst = max(worst, times)
        met = "met" if times <= TARGET else "**missed**"
        lines.append(
            f"| {page.label} | `{page.shown}` | {page.queries} | {ms(page.median)} | "
            f"{ms(page.p99)} | {times:.1f} | {met} |"
        )
    verdict = "**met**" if worst <= TARGET else "**missed**"
    lines += ["", f"Slowest search / listing = {worst:.1f} ≤ {TARGET}: {verdict}", ""]
    return "\n".join(lines)


def explain():
    """EXPLAIN (ANALYZE, BUFFERS) of the worst search: unbounded (before) and windowed (now)."""
    from django.db import connection

    from board import search, services
    from board.models import Post

    board = services.default_board()
    q, target = WORST
    fields = search.ROW_FIELDS
    if connection.vendor != "postgresql":
        with search.guarded(board) as top:
            scope = search.window_query(board, q, target, top=top)
            plan = scope.values_list(*fields, "top")[: search.PAGE + 1].explain()
        return f"\nSQLite's plan for `q={q} target={target}`:\n\n```text\n{plan}\n```\n"
    before = Post.objects.filter(search.matching(q, target), board=board).listed()
    before = before.order_by("-seq").values_list(*fields)[: search.PAGE + 1]
    old = before.explain(analyze=True, buffers=True)
    with search.guarded(board) as top:
        scope = search.window_query(board, q, target, top=top)
        new = scope.values_list(*fields, "top")[: search.PAGE + 1].explain(
            analyze=True, buffers=True
        )
    return (
        f"\nEXPLAIN (ANALYZE, BUFFERS) of `q={q} target={target}`, first page.\n\n"
        f"Before (the whole board through the trigram indexes):\n\n```text\n{old}\n```\n\n"
        f"Now (one window through the listing index):\n\n```text\n{new}\n```\n"
    )

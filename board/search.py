"""Searching the board as Korean boards do: by title+body, title, body, author or comment.

Results come newest first, 20 at a time, by seeking on ``seq`` (no COUNT, no OFFSET). Where an
index serves the match (PostgreSQL's trigram indexes, for queries of 3+ characters) the whole
board is searched at once. Elsewhere (SQLite; 1–2 character queries) a request examines at
most WINDOW posts and offers to continue with older ones, like Gnuboard's "다음 검색", so no
request scans a million rows.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.http import urlencode

from .listing import Row
from .models import Comment, Post

PAGE = 20
WINDOW = 10_000
ROW_FIELDS = [
    "pk", "number", "seq", "title", "comment_count", "has_image", "is_notice", "published_at",
    "views", "author__name",
]  # fmt: skip


def matching(q, target):
    if target == "title":
        return Q(title__icontains=q)
    if target == "body":
        return Q(body__icontains=q)
    if target == "author":
        return Q(author__name__icontains=q)
    if target == "comment":
        comments = Comment.objects.filter(post=OuterRef("pk"), is_removed=False)
        return Q(Exists(comments.filter(body__icontains=q)))
    return Q(title__icontains=q) | Q(body__icontains=q)


def indexed(q):
    return connection.vendor == "postgresql" and len(q) >= 3


@dataclass
class Results:
    q: str
    target: str
    rows: list
    older: int | None = None  # "before" cursor of the next (older) page
    newer: int | None = None  # "after" cursor of the previous (newer) page
    searched_down_to: int | None = None  # windowed search: the oldest position examined

    def url(self, **cursor):
        return "?" + urlencode({"q": self.q, "target": self.target, **cursor})

    @property
    def older_url(self):
        return self.url(before=self.older) if self.older else None

    @property
    def newer_url(self):
        return self.url(after=self.newer) if self.newer else None


def search(board, q, target, before=None, after=None):
    posts = Post.objects.filter(matching(q, target), board=board, seq__isnull=False)
    windowed = not indexed(q)
    top = board.top_seq + 1  # positions have gaps: above the newest listed one
    if after is not None:
        # A newer page: the first PAGE matches above `after`, shown newest first.
        scope = posts.filter(seq__gt=after)
        if windowed:
            scope = scope.filter(seq__lt=after + WINDOW)
        found = list(scope.order_by("seq").values_list(*ROW_FIELDS)[: PAGE + 1])
        more_newer = len(found) > PAGE or (windowed and after + WINDOW < top)
        found = found[:PAGE][::-1]
        rows = [Row(*values) for values in found]
        older = rows[-1].seq if rows else after + 1
        newer = (rows[0].seq if rows else after + WINDOW - 1) if more_newer else None
        return Results(q, target, rows, older=older, newer=newer)

    start = min(before or top, top)
    scope = posts.filter(seq__lt=start)
    low = max(0, start - WINDOW) if windowed else 0
    if windowed:
        scope = scope.filter(seq__gt=low)
    found = list(scope.order_by("-seq").values_list(*ROW_FIELDS)[: PAGE + 1])
    rows = [Row(*values) for values in found[:PAGE]]
    results = Results(q, target, rows, newer=start - 1 if start < top else None)
    if len(found) > PAGE:
        results.older = rows[-1].seq
    elif windowed and low > 0:
        results.older = low + 1
        results.searched_down_to = low + 1
    return results

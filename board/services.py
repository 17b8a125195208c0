"""Operations that change several rows: one place, used by the views, the admin and commands.

Counters are updated with single ``F()`` expressions inside the transaction that makes the
change, so they stay exact under concurrent requests (no read-modify-write).
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import Board, Comment, Post

# Crawlers and link previewers do not count as readers (Naver's Yeti and Daum's Daumoa too).
CRAWLER_RE = re.compile(
    r"bot|crawl|spider|slurp|yeti|daumoa|mediapartners|facebookexternalhit|bingpreview|"
    r"preview|archiver|httpclient|curl|wget|python-|java/|go-http|okhttp",
    re.IGNORECASE,
)


def default_board():
    return Board.objects.get(slug=settings.BOARD_SLUG)


@transaction.atomic
def publish_new_post(post):
    """Save a new post with the board's next number and the next listing position."""
    # The UPDATE locks the board row until commit, so concurrent writers get distinct numbers.
    Board.objects.filter(pk=post.board_id).update(
        last_number=F("last_number") + 1, post_count=F("post_count") + 1
    )
    counters = Board.objects.values("last_number", "post_count").get(pk=post.board_id)
    post.number = counters["last_number"]
    post.seq = counters["post_count"]
    post.save(force_insert=True)
    return post


def create_post(*, board, author, title, body="", **fields):
    return publish_new_post(Post(board=board, author=author, title=title, body=body, **fields))


def is_crawler(user_agent):
    return not user_agent or bool(CRAWLER_RE.search(user_agent))


def count_view(post):
    """Add one view, atomically; the in-memory post shows the count including it."""
    Post.objects.filter(pk=post.pk).update(views=F("views") + 1)
    post.views += 1


@transaction.atomic
def save_new_comment(comment):
    """Save a new comment and raise its article's comment count in the same transaction."""
    comment.save(force_insert=True)
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
    comment.post.comment_count += 1
    return comment


def add_comment(*, post, author, body):
    return save_new_comment(Comment(post=post, author=author, body=body))

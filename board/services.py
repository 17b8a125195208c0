"""Operations that change several rows: one place, used by the views, the admin and commands.

Counters are updated with single ``F()`` expressions inside the transaction that makes the
change, so they stay exact under concurrent requests (no read-modify-write). Removal is soft
and recorded in the admin's history (LogEntry) with who, when and why.
"""

import re

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection, transaction
from django.db.models import F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import content, models, reading
from .limits import RateLimited, client_ip  # noqa: F401  (others call services.client_ip)
from .models import Attachment, Author, Board, Comment, ListingBlock, Post

# Crawlers and link previewers do not count as readers (Naver's Yeti and Daum's Daumoa too).
CRAWLER_RE = re.compile(
    r"bot|crawl|spider|slurp|yeti|daumoa|mediapartners|facebookexternalhit|bingpreview|"
    r"preview|archiver|httpclient|curl|wget|python-|java/|go-http|okhttp",
    re.IGNORECASE,
)


def default_board():
    return reading.board(settings.BOARD_SLUG)


def board(slug=None):
    """The board at address name ``slug``, the default board for None (Board.DoesNotExist)."""
    return reading.board(slug or settings.BOARD_SLUG)


def record(user, obj, message):
    """One line in the admin's history of ``obj``: who did what, and when."""
    if user is not None and user.is_authenticated:
        LogEntry.objects.log_actions(user.pk, [obj], CHANGE, change_message=message)


def author_for(user):
    """The author profile of a login account, made from its name on first use."""
    author = Author.objects.filter(user=user).first()
    if author is None:
        # A full name may be first + last name (150 each): keep what fits the column.
        name = (user.get_full_name() or user.get_username())[: Author.name.field.max_length]
        author, _created = Author.objects.get_or_create(user=user, defaults={"name": name})
    return author


# Articles -----------------------------------------------------------------------------


def render_post(post):
    """Rebuild the reader's HTML, the image flag and the file flag from the body and the
    attached images and files."""
    images = list(post.images.all()) if post.pk else []
    post.body_html = content.render_body(post.body, post.body_format, images)
    post.has_image = bool(images) or "<img" in post.body_html
    post.has_file = post.attachments.exists() if post.pk else False


def _list_at_top(post):
    """Give a post the board's next number and the top listing position."""
    # The UPDATE locks the board row until commit, so concurrent writers get distinct numbers.
    # Every block row of the board changes only under this lock.
    Board.objects.filter(pk=post.board_id).update(
        last_number=F("last_number") + 1, post_count=F("post_count") + 1
    )
    counters = Board.objects.values("last_number", "post_count").get(pk=post.board_id)
    post.number = counters["last_number"]
    start = _block_start(post.number)
    block = ListingBlock.objects.filter(board_id=post.board_id, start=start)
    count = block.values_list("count", flat=True).first()
    if count is None:  # the first post of its block: every other listed post is below it
        ListingBlock.objects.create(
            board_id=post.board_id, start=start, count=1, below=counters["post_count"] - 1
        )
        count = 0
    else:
        block.update(count=F("count") + 1)
    post.seq = start + count + 1
    Board.objects.filter(pk=post.board_id).update(top_seq=post.seq)


def _block_start(number):
    return (number - 1) // models.BLOCK * models.BLOCK


def _refresh_top(board_id):
    """Store the position of rank ``post_count`` (the newest listed post), 0 when none."""
    block = ListingBlock.objects.filter(board=OuterRef("pk"), below__lt=OuterRef("post_count"))
    top = block.order_by("-below", "-start").annotate(
        top=F("start") + OuterRef("post_count") - F("below")
    )
    Board.objects.filter(pk=board_id).update(top_seq=Coalesce(Subquery(top.values("top")[:1]), 0))


def rebuild_positions(board_id, using=None):
    """Recompute a board's positions and block rows from scratch, in set-based SQL: after
    loading a fixture or a migration. The listed posts (seq not NULL) stay listed, in number
    order; the counters follow. SQLite 3.33+ or PostgreSQL (window functions, UPDATE … FROM)."""
    block = int(models.BLOCK)
    db = using or connection
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.features.has_select_for_update:  # as every writer does (SQLite locks the file)
            cursor.execute("SELECT id FROM board_board WHERE id = %s FOR UPDATE", [board_id])
        cursor.execute(
            f"""UPDATE board_post SET seq = r.start + r.place
            FROM (SELECT id, (number - 1) / {block} * {block} AS start,
                         ROW_NUMBER() OVER (PARTITION BY (number - 1) / {block}
                                            ORDER BY number) AS place
                  FROM board_post WHERE board_id = %s AND seq IS NOT NULL) r
            WHERE board_post.id = r.id AND board_post.seq <> r.start + r.place""",
            [board_id],
        )
        cursor.execute("DELETE FROM board_listingblock WHERE board_id = %s", [board_id])
        cursor.execute(
            f"""INSERT INTO board_listingblock (board_id, start, count, below)
            SELECT %s, start, n, SUM(n) OVER (ORDER BY start) - n
            FROM (SELECT (number - 1) / {block} * {block} AS start, COUNT(*) AS n
                  FROM board_post WHERE board_id = %s AND seq IS NOT NULL
                  GROUP BY (number - 1) / {block}) per_block""",
            [board_id, board_id],
        )
        cursor.execute(
            """UPDATE board_board SET
                post_count = (SELECT COUNT(*) FROM board_post
                              WHERE board_id = %s AND seq IS NOT NULL),
                top_seq = COALESCE((SELECT MAX(seq) FROM board_post WHERE board_id = %s), 0)
            WHERE id = %s""",
            [board_id, board_id, board_id],
        )


def _refresh_schedule(board_id):
    due = Post.objects.filter(board_id=board_id).scheduled().aggregate(at=Min("published_at"))
    Board.objects.filter(pk=board_id).update(next_publish_at=due["at"])


@transaction.atomic
def publish_new_post(post):
    """Save a new article: listed at once, or scheduled when its time is in the future."""
    render_post(post)
    if post.published_at <= timezone.now():
        _list_at_top(post)
        post.save(force_insert=True)
    else:
        post.save(force_insert=True)
        _refresh_schedule(post.board_id)
    return post


# What an edit may write: never the counters, the number or the listing state, which other
# requests change meanwhile with F() updates (a full save would put back stale values).
EDITABLE = ["title", "body", "body_format", "author", "published_at", "is_notice"]


@transaction.atomic
def update_post(post, fields=EDITABLE):
    """Save an edited article (and its images), keeping its number, place and counters."""
    render_post(post)
    post.save(update_fields=[*fields, "body_html", "has_image", "has_file", "updated_at"])
    if post.number is None and not post.is_removed:
        _refresh_schedule(post.board_id)


def publish_due_posts(board):
    """List the scheduled articles whose time has come, oldest first. Returns the board."""
    if board.next_publish_at is None or board.next_publish_at > timezone.now():
        return board
    with transaction.atomic():
        # Lock the board row: of two readers arriving together, one publishes, one waits.
        Board.objects.select_for_update().filter(pk=board.pk).first()
        due = Post.objects.filter(board=board, published_at__lte=timezone.now()).scheduled()
        for post in due.order_by("published_at", "pk"):
            _list_at_top(post)
            post.save(update_fields=["number", "seq"])
        _refresh_schedule(board.pk)
    return Board.objects.get(pk=board.pk)


def _lock_and_refresh(post):
    """Lock the board row (as numbering and publishing do), then read the post's listing state
    afresh: the caller's copy may be stale (an admin list, a double submit, a publish since)."""
    Board.objects.select_for_update().filter(pk=post.board_id).first()
    fresh = Post.objects.values("seq", "number", "is_removed").get(pk=post.pk)
    post.seq, post.number, post.is_removed = fresh["seq"], fresh["number"], fresh["is_removed"]


@transaction.atomic
def remove_post(post, *, by):
    """Hide an article from readers (soft): it leaves the listing, its number stays."""
    _lock_and_refresh(post)
    if post.is_removed:
        return False
    Post.objects.filter(pk=post.pk).update(
        is_removed=True, removed_by=by, removed_at=timezone.now(), seq=None
    )
    if post.seq is not None:
        # Close the gap inside its block only; the blocks above just have one fewer below.
        start = _block_start(post.number)
        Post.objects.filter(
            board_id=post.board_id, seq__gt=post.seq, seq__lte=start + models.BLOCK
        ).update(seq=F("seq") - 1)
        _count_in_block(post.board_id, start, -1)
        _refresh_top(post.board_id)
    post.is_removed, post.removed_by, post.seq = True, by, None
    if post.number is None:  # it was waiting for its time: the schedule loses it
        _refresh_schedule(post.board_id)
    record(by, post, _("글 삭제"))
    return True


def _count_in_block(board_id, start, delta):
    """One listed post more (+1) or fewer (-1) in the block at ``start``: its count, the
    ``below`` of every higher block and the board's total change together."""
    blocks = ListingBlock.objects.filter(board_id=board_id)
    blocks.filter(start=start).update(count=F("count") + delta)
    blocks.filter(start__gt=start).update(below=F("below") + delta)
    Board.objects.filter(pk=board_id).update(post_count=F("post_count") + delta)


def _ensure_block(board_id, start):
    """The block row for ``start``, made if missing (a block whose posts were all removed
    before a rebuild has none): ``below`` is what the nearest lower block holds and has below."""
    if ListingBlock.objects.filter(board_id=board_id, start=start).exists():
        return
    lower = (
        ListingBlock.objects.filter(board_id=board_id, start__lt=start)
        .order_by("-start")
        .values("below", "count")
        .first()
    )
    below = lower["below"] + lower["count"] if lower else 0
    ListingBlock.objects.create(board_id=board_id, start=start, count=0, below=below)


@transaction.atomic
def restore_post(post, *, by):
    """Bring a removed article back to its place in the listing (by its number)."""
    _lock_and_refresh(post)
    if not post.is_removed:
        return False
    seq = None
    if post.number is not None:
        # Its place: after the listed posts of its block with smaller numbers (at most
        # BLOCK - 1 rows to look at); the block's posts above it move up by one.
        start = _block_start(post.number)
        in_block = Post.objects.filter(
            board_id=post.board_id, seq__gt=start, seq__lte=start + models.BLOCK
        )
        below = (
            in_block.filter(number__lt=post.number)
            .order_by("-seq")
            .values_list("seq", flat=True)
            .first()
        )
        seq = below + 1 if below is not None else start + 1
        in_block.filter(seq__gte=seq).update(seq=F("seq") + 1)
        _ensure_block(post.board_id, start)
        _count_in_block(post.board_id, start, +1)
    Post.objects.filter(pk=post.pk).update(
        is_removed=False, removed_by=None, removed_at=None, seq=seq
    )
    if seq is not None:
        _refresh_top(post.board_id)
    post.is_removed, post.removed_by, post.removed_at, post.seq = False, None, None, seq
    if post.number is None:  # back to waiting for its time
        _refresh_schedule(post.board_id)
    record(by, post, _("글 복구"))
    return True


# Views ---------------------------------------------------------------------------------


def count_download(attachment):
    """Add one download, atomically; the in-memory row shows the count including it."""
    Attachment.objects.filter(pk=attachment.pk).update(downloads=F("downloads") + 1)
    attachment.downloads += 1


def is_crawler(user_agent):
    return not user_agent or bool(CRAWLER_RE.search(user_agent))


# Written once: compiling the ORM's UPDATE cost more than running it, on every article view.
COUNT_VIEW_SQL = "UPDATE board_post SET views = views + 1 WHERE id = %s"


def count_view(post):
    """Add one view, atomically; the in-memory post shows the count including it."""
    with connection.cursor() as cursor:
        cursor.execute(COUNT_VIEW_SQL, [post.pk])
    post.views += 1


# Comments ------------------------------------------------------------------------------


def can_moderate(user):
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    flag = getattr(user, "is_moderator", None)  # loaded with the user by board.auth
    return flag if flag is not None else user.has_perm("board.moderate_comment")


def can_remove(user, comment):
    if not user.is_authenticated:
        return False
    return comment.author_user_id == user.pk or can_moderate(user)


@transaction.atomic
def save_new_comment(comment):
    """Save a new comment and raise its article's comment count in the same transaction."""
    comment.save(force_insert=True)
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
    comment.post.comment_count += 1
    return comment


def add_comment(*, post, author, body):
    return save_new_comment(Comment(post=post, author=author, body=body))


@transaction.atomic
def post_comment(*, post, user, body):
    """A signed-in reader's comment, rate-limited; a repeated submission returns the first."""
    author = author_for(user)
    # Lock the author row so two submissions from one reader are checked one after the other.
    Author.objects.select_for_update().filter(pk=author.pk).first()
    now = timezone.now()
    recent = Comment.objects.filter(author=author)
    duplicate = recent.filter(
        post=post, body=body, created_at__gte=now - timezone.timedelta(seconds=60)
    ).first()
    if duplicate is not None:
        return duplicate
    for seconds, limit in settings.COMMENT_RATE_LIMITS:
        since = now - timezone.timedelta(seconds=seconds)
        if recent.filter(created_at__gte=since).count() >= limit:
            raise RateLimited(seconds, limit)
    return add_comment(post=post, author=author, body=body)


@transaction.atomic
def remove_comment(comment, *, by, reason=""):
    """Soft removal: the row stays with who, when and why; the visible count drops by one."""
    changed = Comment.objects.filter(pk=comment.pk, is_removed=False).update(
        is_removed=True, removed_by=by, removed_at=timezone.now(), removal_reason=reason[:200]
    )
    if changed:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
        record(by, comment, _("댓글 삭제: %(reason)s") % {"reason": reason or "-"})
    return bool(changed)


@transaction.atomic
def restore_comment(comment, *, by):
    changed = Comment.objects.filter(pk=comment.pk, is_removed=True).update(
        is_removed=False, removed_by=None, removed_at=None, removal_reason=""
    )
    if changed:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
        record(by, comment, _("댓글 복구"))
    return bool(changed)

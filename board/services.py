"""Operations that change several rows: one place, used by the views, the admin and commands.

Counters are updated with single ``F()`` expressions inside the transaction that makes the
change, so they stay exact under concurrent requests (no read-modify-write). Removal is soft
and recorded in the admin's history (LogEntry) with who, when and why.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from . import content, models, reading, suspension
from .limits import RateLimited, client_ip  # noqa: F401  (others call services.client_ip)
from .models import (
    PATH_WIDTH,
    Attachment,
    Author,
    Board,
    Category,
    CategoryBlock,
    Comment,
    Decision,
    ListingBlock,
    Post,
    Report,
    Vote,
)

# Crawlers and link previewers do not count as readers (Naver's Yeti and Daum's Daumoa too).
CRAWLER_RE = re.compile(
    r"bot|crawl|spider|slurp|yeti|daumoa|mediapartners|facebookexternalhit|bingpreview|"
    r"preview|archiver|httpclient|curl|wget|python-|java/|go-http|okhttp",
    re.IGNORECASE,
)


def default_board():
    return board()


def board(slug=None):
    """The board at address name ``slug``, the default board for None (Board.DoesNotExist)."""
    return reading.board(slug or settings.BOARD_SLUG)


def record(user, obj, message):
    """One line in the admin's history of ``obj``: who did what, and when."""
    if user is not None and user.is_authenticated:
        LogEntry.objects.log_actions(user.pk, [obj], CHANGE, change_message=message)


def author_name(user):
    """The name a login account's author profile is made with."""
    # A full name may be first + last name (150 each): keep what fits the column.
    return (user.get_full_name() or user.get_username())[: Author.name.field.max_length]


def author_for(user):
    """The author profile of a login account, made from its name on first use."""
    author = Author.objects.filter(user=user).first()
    if author is None:
        name = author_name(user)
        author, _created = Author.objects.get_or_create(user=user, defaults={"name": name})
    return author


# Articles -----------------------------------------------------------------------------


def render_post(post, images=None):
    """Rebuild the reader's HTML, the image flag and the file flag from the body and the
    attached images and files (``images``: those a preview places instead of the stored)."""
    if images is None:
        images = list(post.images.all()) if post.pk else []
    post.body_html = content.render_body(post.body, post.body_format, images)
    post.has_image = bool(images) or "<img" in post.body_html
    post.has_file = post.attachments.exists() if post.pk else False


# Listings ------------------------------------------------------------------------------


@dataclass
class Listing:
    """The positions of one listing: a board's (Post.seq, ListingBlock, Board.post_count) or a
    category's (Post.cat_seq, CategoryBlock, Category.post_count). Both are kept the same way:
    a post's block is its number's, its place inside the block is by number, and a change
    rewrites at most its own block's positions and a row per higher block."""

    seq: str  # the post's position field
    posts: QuerySet  # the posts it may list
    blocks: QuerySet  # its block rows
    owner: QuerySet  # the one row holding its post_count
    key: dict  # what a new block row belongs to
    # What else its owner's row changes with its count (the board's top position)
    counted: Callable[[int], dict] = lambda delta: {}

    def positions(self, low, high):
        """Its posts at positions low < seq <= high."""
        return self.posts.filter(**{f"{self.seq}__gt": low, f"{self.seq}__lte": high})


def board_listing(board_id):
    return Listing(
        "seq",
        Post.objects.filter(board_id=board_id),
        ListingBlock.objects.filter(board_id=board_id),
        Board.objects.filter(pk=board_id),
        {"board_id": board_id},
        _top_after,
    )


def category_listing(category_id):
    return Listing(
        "cat_seq",
        Post.objects.filter(category_id=category_id),
        CategoryBlock.objects.filter(category_id=category_id),
        Category.objects.filter(pk=category_id),
        {"category_id": category_id},
    )


def _place(listing, start, number):
    """The position of the post numbered ``number`` entering its block at ``start``: after the
    listed posts of the block with smaller numbers (at most BLOCK - 1 rows to look at)."""
    in_block = listing.positions(start, start + models.BLOCK).filter(number__lt=number)
    below = in_block.order_by(f"-{listing.seq}").values_list(listing.seq, flat=True).first()
    return below + 1 if below is not None else start + 1


def _moves(listing, delta, inner):
    """What moving a post's positions by ``delta`` writes: its place in ``listing`` and, when
    it is also in ``inner`` (its category's listing, inside the board's), its place there."""
    moves = {listing.seq: F(listing.seq) + delta}
    if inner is not None:
        # The category's posts above it in the block are the board's posts above it in the
        # same block that are in the category: one UPDATE writes each moved row once.
        kept = F(inner.seq)
        moves[inner.seq] = Case(
            When(Q(**inner.key), then=kept + delta), default=kept, output_field=IntegerField()
        )
    return moves


def _enter(listing, number, inner=None):
    """Make room for the post numbered ``number`` at its place in its block (those above it
    move up by one), in ``listing`` and, if given, in ``inner`` (see _moves). Returns its
    positions in both (None for no ``inner``)."""
    start = _block_start(number)
    position = _place(listing, start, number)
    inner_position = _place(inner, start, number) if inner is not None else None
    in_block = listing.positions(position - 1, start + models.BLOCK)
    in_block.update(**_moves(listing, +1, inner))
    for entered in [x for x in (listing, inner) if x is not None]:
        _ensure_block(entered, start)
        _count_in_block(entered, start, +1)
    return position, inner_position


def _leave(listing, number, position, inner=None):
    """Take the post numbered ``number`` out of ``position`` (and out of ``inner``, see _moves):
    the gap closes inside its block only; the blocks above just have one fewer below."""
    start = _block_start(number)
    listing.positions(position, start + models.BLOCK).update(**_moves(listing, -1, inner))
    for left in [x for x in (listing, inner) if x is not None]:
        _count_in_block(left, start, -1)


def _list_at_top(post):
    """Give a post the board's next number and the top listing position (and its place in
    its category's listing)."""
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
    if post.category_id is not None:
        post.cat_seq, _ = _enter(category_listing(post.category_id), post.number)


def _block_start(number):
    return (number - 1) // models.BLOCK * models.BLOCK


def _top_after(delta):
    """The board row's ``top_seq`` in the UPDATE that changes its ``post_count`` by ``delta``
    (the new count's rank: the newest listed post's position, 0 when none), once its blocks
    are up to date."""
    count = OuterRef("post_count") + delta
    block = ListingBlock.objects.filter(board=OuterRef("pk"), below__lt=count)
    top = block.order_by("-below", "-start").annotate(top=F("start") + count - F("below"))
    return {"top_seq": Coalesce(Subquery(top.values("top")[:1]), 0)}


def rebuild_positions(board_id, using=None, categories=True):
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
        if categories:  # (migration 0009 runs before categories exist)
            _rebuild_category_positions(cursor, board_id, block)


def _rebuild_category_positions(cursor, board_id, block):
    """As above, for every category of the board: positions by number inside the blocks of
    the same numbers, one block row per category and block, and the categories' counts."""
    listed = "board_id = %s AND seq IS NOT NULL AND category_id IS NOT NULL"
    cursor.execute(
        f"""UPDATE board_post SET cat_seq = r.start + r.place
        FROM (SELECT id, (number - 1) / {block} * {block} AS start,
                     ROW_NUMBER() OVER (PARTITION BY category_id, (number - 1) / {block}
                                        ORDER BY number) AS place
              FROM board_post WHERE {listed}) r
        WHERE board_post.id = r.id
          AND (board_post.cat_seq IS NULL OR board_post.cat_seq <> r.start + r.place)""",
        [board_id],
    )
    cursor.execute(
        """UPDATE board_post SET cat_seq = NULL WHERE board_id = %s AND cat_seq IS NOT NULL
        AND (seq IS NULL OR category_id IS NULL)""",
        [board_id],
    )
    categories = "SELECT id FROM board_category WHERE board_id = %s"
    cursor.execute(
        f"DELETE FROM board_categoryblock WHERE category_id IN ({categories})", [board_id]
    )
    cursor.execute(
        f"""INSERT INTO board_categoryblock (category_id, start, count, below)
        SELECT category_id, start, n,
               SUM(n) OVER (PARTITION BY category_id ORDER BY start) - n
        FROM (SELECT category_id, (number - 1) / {block} * {block} AS start, COUNT(*) AS n
              FROM board_post WHERE {listed}
              GROUP BY category_id, (number - 1) / {block}) per_block""",
        [board_id],
    )
    cursor.execute(
        """UPDATE board_category SET post_count = (SELECT COUNT(*) FROM board_post
            WHERE board_post.category_id = board_category.id AND seq IS NOT NULL)
        WHERE board_id = %s""",
        [board_id],
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
EDITABLE = [
    "title", "body", "body_format", "author", "published_at", "category", "is_notice", "is_secret"
]  # fmt: skip


@transaction.atomic
def update_post(post, fields=EDITABLE):
    """Save an edited article (and its images), keeping its number, place and counters; a
    listed article given another category moves from one category's listing to the other's."""
    render_post(post)
    if "category" in fields and post.pk is not None:
        category_id = post.category_id
        stored = _lock_and_refresh(post)
        if stored != category_id and post.seq is not None:
            if post.cat_seq is not None:
                _leave(category_listing(stored), post.number, post.cat_seq)
            post.cat_seq = None
            if category_id is not None:
                post.cat_seq, _ = _enter(category_listing(category_id), post.number)
            fields = [*fields, "cat_seq"]
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
            post.save(update_fields=["number", "seq", "cat_seq"])
        _refresh_schedule(board.pk)
    return Board.objects.get(pk=board.pk)


def _lock_and_refresh(post):
    """Lock the board row (as numbering and publishing do), then read the post's listing state
    afresh: the caller's copy may be stale (an admin list, a double submit, a publish since).
    Returns the stored category's id (an edit's may differ)."""
    Board.objects.select_for_update().filter(pk=post.board_id).first()
    fresh = Post.objects.values(
        "seq", "cat_seq", "category_id", "number", "is_removed", "report_count"
    ).get(pk=post.pk)
    post.seq, post.cat_seq = fresh["seq"], fresh["cat_seq"]
    post.number, post.is_removed = fresh["number"], fresh["is_removed"]
    post.report_count = fresh["report_count"]
    return fresh["category_id"]


@transaction.atomic
def remove_post(post, *, by):
    """Hide an article from readers (soft): it leaves the listing, its number stays."""
    category_id = _lock_and_refresh(post)
    if post.is_removed:
        return False
    Post.objects.filter(pk=post.pk).update(
        is_removed=True, removed_by=by, removed_at=timezone.now(), seq=None, cat_seq=None
    )
    if post.seq is not None:
        # Its category's listing (if any) loses it in the same moves: a listed post's cat_seq
        # is set exactly when it has a category.
        category = category_listing(category_id) if post.cat_seq is not None else None
        _leave(board_listing(post.board_id), post.number, post.seq, category)
    post.is_removed, post.removed_by, post.seq, post.cat_seq = True, by, None, None
    if post.number is None:  # it was waiting for its time: the schedule loses it
        _refresh_schedule(post.board_id)
    if post.report_count:  # the count of open reports, read with the lock above
        _close_reports(by, post=post)
    record(by, post, _("글 삭제"))
    return True


def _close_reports(by, reason="", *, post=None, comment=None):
    """An item removed outside the report queue (its page, the desk, the admin) takes its open
    reports with it, decided as removed by whoever removed it: the queue keeps no reports a
    moderator would have to dismiss by hand. The queue's own decision closes them first."""
    from . import reports  # reports imports services: here, not at the top

    reports.close(action=Decision.Action.REMOVE, by=by, reason=reason, post=post, comment=comment)


def _count_in_block(listing, start, delta):
    """One listed post more (+1) or fewer (-1) in the block at ``start``: its count, the
    ``below`` of every higher block and the listing's total change together."""
    # One statement for both (one round trip fewer per listing); its own block's ``below``
    # and the higher blocks' ``count`` keep their values.
    listing.blocks.filter(start__gte=start).update(
        count=F("count") + Case(When(start=start, then=delta), default=0),
        below=F("below") + Case(When(start__gt=start, then=delta), default=0),
    )
    listing.owner.update(post_count=F("post_count") + delta, **listing.counted(delta))


def _ensure_block(listing, start):
    """The block row for ``start``, made if missing (a block whose posts were all removed
    before a rebuild has none, a category's first article in it): ``below`` is what the
    nearest lower block holds and has below."""
    if listing.blocks.filter(start=start).exists():
        return
    lower = listing.blocks.filter(start__lt=start).order_by("-start").values("below", "count")
    lower = lower.first()
    below = lower["below"] + lower["count"] if lower else 0
    listing.blocks.model.objects.create(**listing.key, start=start, count=0, below=below)


@transaction.atomic
def restore_post(post, *, by):
    """Bring a removed article back to its place in the listing (by its number)."""
    category_id = _lock_and_refresh(post)
    if not post.is_removed:
        return False
    seq = cat_seq = None
    if post.number is not None:  # back to its place by number (a scheduled one waits)
        category = category_listing(category_id) if category_id is not None else None
        seq, cat_seq = _enter(board_listing(post.board_id), post.number, category)
    Post.objects.filter(pk=post.pk).update(
        is_removed=False, removed_by=None, removed_at=None, seq=seq, cat_seq=cat_seq
    )
    post.is_removed, post.removed_by, post.removed_at = False, None, None
    post.seq, post.cat_seq = seq, cat_seq
    if post.number is None:  # back to waiting for its time
        _refresh_schedule(post.board_id)
    record(by, post, _("글 복구"))
    return True


# Views ---------------------------------------------------------------------------------


def can_read(user, post, author_user_id):
    """Whether ``user`` may open ``post``: anyone, unless it is secret; then its author's
    account (``author_user_id``) and staff only."""
    if not post.is_secret:
        return True
    return user.is_authenticated and (user.is_staff or user.pk == author_user_id)


def count_download(attachment):
    """Add one download, atomically; the in-memory row shows the count including it."""
    Attachment.objects.filter(pk=attachment.pk).update(downloads=F("downloads") + 1)
    attachment.downloads += 1


def is_crawler(user_agent):
    return not user_agent or bool(CRAWLER_RE.search(user_agent))


# Written once: compiling the ORM's UPDATE cost more than running it, on every article view.
COUNT_VIEW_SQL = "UPDATE board_post SET views = views + 1 WHERE id = %s"
# The same as its own transaction on PostgreSQL, whose commit does not wait for the disk:
# synchronous_commit is off for this transaction alone (set_config's true), 4.0 ms a view on
# this machine's disk, 0.1 ms without. A crash may lose the last fraction of a second of views
# (acceptable for a counter), never an article or a comment: their commits still wait.
COUNT_VIEW_ASYNC_SQL = """
WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
UPDATE board_post SET views = views + 1 FROM async_commit WHERE id = %s
"""


def count_view(post):
    """Add one view, atomically; the in-memory post shows the count including it."""
    # Not inside a caller's transaction, which may write what must not be lost.
    own_commit = connection.vendor == "postgresql" and connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute(COUNT_VIEW_ASYNC_SQL if own_commit else COUNT_VIEW_SQL, [post.pk])
    post.views += 1


# Comments ------------------------------------------------------------------------------


def can_moderate(user, board=None):
    """Site-wide moderators moderate every board; a board's moderator group, that board."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    flag = getattr(user, "is_moderator", None)  # loaded with the user by board.auth
    if flag if flag is not None else user.has_perm("board.moderate_comment"):
        return True
    if board is None or board.moderators_id is None:
        return False
    return user.groups.filter(pk=board.moderators_id).exists()


def can_remove(user, comment, board=None, moderator=None):
    """Its author may remove a comment, and a moderator of its board (``moderator``: already
    known, for a page of comments)."""
    if not user.is_authenticated:
        return False
    if comment.author_user_id == user.pk:
        return True
    return moderator if moderator is not None else can_moderate(user, board)


def writable_boards(user):
    """The boards a staff member may write in: those without an editors group, and those
    whose group they are in (a superuser: all)."""
    boards = Board.objects.all()
    if user.is_superuser:
        return boards
    return boards.filter(Q(editors=None) | Q(editors__in=user.groups.all()))


class ReplyRefused(Exception):
    """A reply to no comment of this article, or to a removed one; the argument is the
    reader's message."""


def thread_place(parent, max_depth):
    """The parent a reply to ``parent`` really answers, and its path: ``parent`` itself, or
    when that would nest deeper than ``max_depth``, its ancestor at the deepest allowed level
    (read from the path, no query); (None, "") when the board takes no replies."""
    if parent is None or max_depth == 0:
        return None, ""
    if parent.depth < max_depth:
        return parent.pk, parent.path
    path = parent.path[: PATH_WIDTH * max_depth]
    return int(path[-PATH_WIDTH:]), path


@transaction.atomic
def save_new_comment(comment):
    """Save a new comment and raise its article's comment count in the same transaction.
    A reply's place in its thread (parent, depth, path) is set here, from ``comment.parent``."""
    parent_id, prefix = thread_place(comment.parent, comment.post.board.reply_depth)
    comment.parent_id = parent_id
    comment.depth = len(prefix) // PATH_WIDTH
    comment.save(force_insert=True)
    # The path ends with the comment's own id, known only once it is saved.
    comment.path = f"{prefix}{comment.pk:0{PATH_WIDTH}d}"
    Comment.objects.filter(pk=comment.pk).update(path=comment.path)
    Post.objects.filter(pk=comment.post_id).update(
        comment_count=F("comment_count") + 1, comment_rows=F("comment_rows") + 1
    )
    comment.post.comment_count += 1
    comment.post.comment_rows += 1
    return comment


def add_comment(*, post, author, body, parent=None, ip_address=None):
    comment = Comment(post=post, author=author, body=body, parent=parent, ip_address=ip_address)
    return save_new_comment(comment)


def reply_parent(post, parent_id):
    """The comment of ``post`` that a reader's reply answers (None: the article itself);
    ReplyRefused when there is no such comment or it is removed."""
    if parent_id is None:
        return None
    found = Comment.objects.filter(pk=parent_id, post=post)
    parent = found.only("pk", "depth", "path", "is_removed").first()
    if parent is None:
        raise ReplyRefused(_("답글을 달 댓글이 이 글에 없습니다."))
    if parent.is_removed:
        raise ReplyRefused(_("삭제된 댓글에는 답글을 달 수 없습니다."))
    return parent


@transaction.atomic
def post_comment(*, post, user, body, parent_id=None, ip_address=None):
    """A signed-in reader's comment, or reply to the comment ``parent_id`` of the same article,
    rate-limited; a repeated submission returns the first. A suspended reader: Suspended.
    ``ip_address``: where it came from (client_ip), kept for moderators."""
    suspension.check(user)
    parent = reply_parent(post, parent_id)
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
    return add_comment(post=post, author=author, body=body, parent=parent, ip_address=ip_address)


@transaction.atomic
def remove_comment(comment, *, by, reason=""):
    """Soft removal: the row stays with who, when and why; the visible count drops by one."""
    changed = Comment.objects.filter(pk=comment.pk, is_removed=False).update(
        is_removed=True, removed_by=by, removed_at=timezone.now(), removal_reason=reason[:200]
    )
    if changed:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
        if Report.objects.open().filter(comment=comment).exists():
            _close_reports(by, reason, comment=comment)
        record(by, comment, _("댓글 삭제: %(reason)s") % {"reason": reason or "-"})
    return bool(changed)


def can_restore(user, comment, board=None, moderator=None):
    """A moderator of its board restores a removed comment, except one its own writer removed:
    that was the writer's choice (``comment.removed_by_author``)."""
    if comment.removed_by_author:
        return False
    return moderator if moderator is not None else can_moderate(user, board)


@transaction.atomic
def restore_comment(comment, *, by):
    """Bring back a removed comment, never one its writer removed (whoever asks: the page,
    the admin's bulk action). Returns whether it came back."""
    removed_by_writer = Q(removed_by__isnull=False, removed_by=F("author__user"))
    changed = (
        Comment.objects.filter(pk=comment.pk, is_removed=True)
        .exclude(removed_by_writer)
        .update(is_removed=False, removed_by=None, removed_at=None, removal_reason="")
    )
    if changed:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
        record(by, comment, _("댓글 복구"))
    return bool(changed)


# Votes (추천 / 비추천) ---------------------------------------------------------------------


class VoteRefused(Exception):
    """A vote the board or the item does not take; the argument is the reader's message."""


def check_vote(user, value, board, *, author_user_id, comment=None):
    """Refuse, with a Korean message, what the board does not take and one's own item (and a
    suspended reader: suspension.Suspended)."""
    suspension.check(user)
    if value == Vote.DOWN and not board.allow_downvotes:
        raise VoteRefused(_("이 게시판은 비추천을 받지 않습니다."))
    if comment is not None:
        if not board.comment_votes:
            raise VoteRefused(_("이 게시판은 댓글 추천을 받지 않습니다."))
        if comment.is_removed:
            raise VoteRefused(_("삭제된 댓글은 추천할 수 없습니다."))
    if author_user_id is not None and author_user_id == user.pk:
        if comment is not None:
            raise VoteRefused(_("자기 댓글은 추천할 수 없습니다."))
        raise VoteRefused(_("자기 글은 추천할 수 없습니다."))


COUNTERS = {Vote.UP: "upvotes", Vote.DOWN: "downvotes"}


@transaction.atomic
def vote(user, value, *, post=None, comment=None):
    """The reader's vote on an article or a comment, toggled: the same vote again takes it
    back, the other one switches it. The item's counters move by F() updates in the same
    transaction. Returns the reader's vote now (Vote.UP, Vote.DOWN or 0). The caller has
    checked the vote is allowed (check_vote)."""
    model, item = (Post, post) if comment is None else (Comment, comment)
    key = {"post": post} if comment is None else {"comment": comment}
    counters = model.objects.filter(pk=item.pk)
    mine = Vote.objects.filter(user=user, **key)
    existing = mine.select_for_update().first()
    if existing is None:
        _check_vote_rate(user)
        try:
            with transaction.atomic():
                Vote.objects.create(user=user, value=value, **key)
        except IntegrityError:
            # The same click arriving twice at once (a double click): the first one counts.
            return mine.values_list("value", flat=True).first() or 0
        counters.update(**{COUNTERS[value]: F(COUNTERS[value]) + 1})
        return value
    if existing.value == value:
        existing.delete()
        counters.update(**{COUNTERS[value]: F(COUNTERS[value]) - 1})
        return 0
    mine.update(value=value, created_at=timezone.now())
    counters.update(
        **{COUNTERS[value]: F(COUNTERS[value]) + 1, COUNTERS[-value]: F(COUNTERS[-value]) - 1}
    )
    return value


def _check_vote_rate(user):
    """At most so many new votes within each window (settings.VOTE_RATE_LIMITS), as comments
    are limited: counted from the votes stored (a vote taken back no longer counts)."""
    now = timezone.now()
    recent = Vote.objects.filter(user=user)
    for seconds, limit in settings.VOTE_RATE_LIMITS:
        since = now - timezone.timedelta(seconds=seconds)
        if recent.filter(created_at__gte=since).count() >= limit:
            raise RateLimited(seconds, limit)

"""An article and its comments as a reader opens them: two constant statements (a third for
the files of an article that has any).

The article page is the site's most visited page after the listing. Built with the ORM, its two
reads cost more to compile (joins, the rank subquery, the moderator flags' EXISTS) than the
database spends answering them: about half the page's time. As in ``board.listing``, the SQL
is written once here. The article comes back as a real ``Post`` (``Model.from_db``, as the ORM
builds it: the body's source and the audit columns are deferred), the comments as rows.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.urls import reverse

from .listing import NavBoard, aware
from .models import Board, Category, Post


def columns(model, *names):
    """``names``' columns in the model's field order, the order ``from_db`` expects them."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


BOARD_FIELDS = columns(
    Board, "id", "slug", "name", "description", "moderators_id", "post_count", "last_number"
)
BOARD_FIELDS += columns(Board, "top_seq")
BOARD_FIELDS += columns(Board, "next_publish_at")
BOARD_FIELDS += columns(Board, "allow_downvotes", "show_votes", "comment_votes")
BOARD_FIELDS += columns(Board, "reply_depth")
BOARD_FIELDS += columns(Board, "comments_per_page", "comments_newest_first")
POST_FIELDS = columns(
    Post, "id", "board_id", "number", "seq", "title", "body_html", "author_id", "published_at"
)
# (In the model's order: Model.from_db fills the fields in that order.)
POST_FIELDS += columns(
    Post,
    *("views", "comment_count", "comment_rows", "has_image", "has_file", "listing_only"),
    "category_id",
    *("cat_seq", "is_notice"),
)
POST_FIELDS += columns(Post, "is_secret", "is_removed", "upvotes", "downvotes")
POST_FIELDS += columns(Post, "is_hidden")
CATEGORY_FIELDS = columns(Category, "id", "board_id", "name", "position", "post_count")
BOARD_SQL = f"SELECT {', '.join(BOARD_FIELDS)} FROM board_board WHERE slug = %s"

# The listed article ``number`` of the board ``slug``, its board, its category, its author's
# name and staff mark, and its rank (1 = oldest listed): its position less its block's start,
# plus the listed posts below the block (a seek on the block index, as
# Post.objects.with_rank()); and the same within its category; and the number and title of
# the listed article it answers (a Gnuboard 답글 post, Post.answers).
ARTICLE_SQL = f"""
SELECT {", ".join(f"b.{name}" for name in BOARD_FIELDS)},
       {", ".join(f"p.{name}" for name in POST_FIELDS)},
       {", ".join(f"c.{name}" for name in CATEGORY_FIELDS)},
       a.name, u.is_staff, a.user_id,
       p.seq + (SELECT k.below - k.start FROM board_listingblock k
                WHERE k.board_id = p.board_id AND k.start < p.seq
                ORDER BY k.start DESC LIMIT 1),
       p.cat_seq + (SELECT k.below - k.start FROM board_categoryblock k
                    WHERE k.category_id = p.category_id AND k.start < p.cat_seq
                    ORDER BY k.start DESC LIMIT 1),
       o.number, o.title
FROM board_board b
JOIN board_post p ON p.board_id = b.id
JOIN board_author a ON a.id = p.author_id
LEFT JOIN auth_user u ON u.id = a.user_id
LEFT JOIN board_category c ON c.id = p.category_id
LEFT JOIN board_post o ON o.id = p.answers_id AND o.seq IS NOT NULL AND NOT o.is_hidden
WHERE b.slug = %s AND p.number = %s AND p.seq IS NOT NULL
"""

# Whether the user in column ``column`` may moderate comments: directly or through a group
# (as board.auth.is_moderator).
MODERATOR_SQL = """(EXISTS (SELECT 1 FROM auth_user_user_permissions up
    JOIN auth_permission m ON m.id = up.permission_id
    JOIN django_content_type t ON t.id = m.content_type_id
    WHERE up.user_id = {column} AND m.codename = 'moderate_comment' AND t.app_label = 'board')
 OR EXISTS (SELECT 1 FROM auth_user_groups ug
    JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
    JOIN auth_permission m ON m.id = gp.permission_id
    JOIN django_content_type t ON t.id = m.content_type_id
    WHERE ug.user_id = {column} AND m.codename = 'moderate_comment' AND t.app_label = 'board'))"""

# One comment page of an article: its comments in thread order (comment_thread_idx: each
# thread under its root, replies under their parent), removed ones too (they keep their
# place, and their replies'), with the author's name, user and marks, the remover's name and
# the reply depth. The page's first path is found by an OFFSET over the index alone (bounded
# by this one article's comments), then the page is a seek from it: only the page's rows are
# joined (docs/comment-pages.md has the plans and timings at 5,000 comments).
COMMENTS_SQL = f"""
SELECT c.id, c.body, c.created_at, c.is_removed, c.removed_at, c.removal_reason,
       c.removed_by_id, r.username, a.name, a.user_id,
       COALESCE(u.is_staff, FALSE), {MODERATOR_SQL.format(column="a.user_id")},
       c.upvotes, c.downvotes, c.depth, c.is_hidden
FROM board_comment c
JOIN board_author a ON a.id = c.author_id
LEFT JOIN auth_user u ON u.id = a.user_id
LEFT JOIN auth_user r ON r.id = c.removed_by_id
WHERE c.post_id = %s AND c.path >= (
    SELECT d.path FROM board_comment d WHERE d.post_id = %s ORDER BY d.path LIMIT 1 OFFSET %s)
ORDER BY c.path
LIMIT %s
"""


def boards():
    """The site's boards for the navigation bar of a page that reads no listing (search,
    accounts, errors): one query. Listing and article pages get them with their rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, slug FROM board_board ORDER BY id")
        return [NavBoard(*values) for values in cursor.fetchall()]


BOARD_AND_CATEGORY_SQL = f"""
SELECT {", ".join(f"b.{name}" for name in BOARD_FIELDS)},
       {", ".join(f"c.{name}" for name in CATEGORY_FIELDS)}
FROM board_board b LEFT JOIN board_category c ON c.board_id = b.id AND c.id = %s
WHERE b.slug = %s
"""


def board_and_category(slug, category_id):
    """The board ``slug`` (Board.DoesNotExist if none) and its category ``category_id`` (None
    if it has no such category): one query, on every category listing."""
    with connection.cursor() as cursor:
        cursor.execute(BOARD_AND_CATEGORY_SQL, [category_id, slug])
        found = cursor.fetchone()
    if found is None:
        raise Board.DoesNotExist(slug)
    split = len(BOARD_FIELDS)
    return _board(found[:split]), _category(found[split:])


def _category(values):
    if values[0] is None:
        return None
    return Category.from_db(connection.alias, CATEGORY_FIELDS, values)


def board(slug):
    """The board ``slug`` (Board.DoesNotExist if there is none): one query, on every listing."""
    with connection.cursor() as cursor:
        cursor.execute(BOARD_SQL, [slug])
        found = cursor.fetchone()
    if found is None:
        raise Board.DoesNotExist(slug)
    return _board(found)


def _board(values):
    board = Board.from_db(connection.alias, BOARD_FIELDS, values)
    board.next_publish_at = aware(board.next_publish_at)
    board.allow_downvotes = bool(board.allow_downvotes)
    board.show_votes, board.comment_votes = bool(board.show_votes), bool(board.comment_votes)
    board.comments_newest_first = bool(board.comments_newest_first)
    return board


def article(slug, number):
    """The listed article ``number`` of board ``slug`` with its board, or None: one query."""
    with connection.cursor() as cursor:
        cursor.execute(ARTICLE_SQL, [slug, number])
        found = cursor.fetchone()
    if found is None:
        return None
    split = len(BOARD_FIELDS)
    board = _board(found[:split])
    post = Post.from_db(connection.alias, POST_FIELDS, found[split : split + len(POST_FIELDS)])
    split += len(POST_FIELDS)
    post.category = _category(found[split : split + len(CATEGORY_FIELDS)])
    split += len(CATEGORY_FIELDS)
    post.published_at = aware(post.published_at)
    # SQLite's 0 and 1, as the ORM's converters would give them.
    post.has_image, post.has_file = bool(post.has_image), bool(post.has_file)
    post.listing_only = bool(post.listing_only)
    post.is_notice, post.is_secret = bool(post.is_notice), bool(post.is_secret)
    post.is_removed, post.is_hidden = bool(post.is_removed), bool(post.is_hidden)
    post.board = board
    post.author_name, staff, post.author_user_id, post.rank, post.cat_rank = found[split:-2]
    post.answers_number, post.answers_title = found[-2:]
    post.author_is_staff = bool(staff)
    return post


@dataclass(slots=True)
class CommentRow:
    pk: int
    body: str
    created_at: datetime
    is_removed: bool
    removed_at: datetime | None
    removal_reason: str
    removed_by_id: int | None
    removed_by_name: str | None
    author_name: str
    author_user_id: int | None
    author_is_staff: bool
    author_is_moderator: bool
    upvotes: int = 0
    downvotes: int = 0
    depth: int = 0  # 0: an answer to the article; n: a reply n levels down its thread
    is_hidden: bool = False  # hidden by readers' reports until a moderator decides
    removable: bool = False
    restorable: bool = False
    my_vote: int = 0  # the signed-in reader's own vote (Vote.UP, Vote.DOWN, 0)
    # The removed comments right after this removed one, shown with it as one line (views).
    folded: list = field(default_factory=list)

    @property
    def removed_by_author(self):
        """Removed by its own writer (a reader sees "삭제된 댓글"), not by a moderator."""
        return self.removed_by_id is not None and self.removed_by_id == self.author_user_id


def comments(post_id, page=1, per_page=50):
    """Comment page ``page`` (1 = the first in thread order) of the article: one query."""
    with connection.cursor() as cursor:
        cursor.execute(COMMENTS_SQL, [post_id, post_id, (page - 1) * per_page, per_page])
        found = cursor.fetchall()
    rows = []
    for values in found:
        row = CommentRow(*values)
        row.created_at, row.removed_at = aware(row.created_at), aware(row.removed_at)
        row.is_removed, row.is_hidden = bool(row.is_removed), bool(row.is_hidden)
        row.author_is_staff, row.author_is_moderator = (
            bool(row.author_is_staff),
            bool(row.author_is_moderator),
        )
        rows.append(row)
    return rows


# A comment's article as the reader pages need it to check who may see it, its board's
# comment pages, and the comment's place in thread order (0 = first): the comments before it
# in the same article, a range on comment_thread_idx bounded by that one article.
COMMENT_PLACE_SQL = """
SELECT p.id, p.seq, p.number, p.is_secret, a.user_id, b.slug, b.comments_per_page,
       b.comments_newest_first, p.comment_rows,
       (SELECT COUNT(*) FROM board_comment d WHERE d.post_id = c.post_id AND d.path < c.path)
FROM board_comment c
JOIN board_post p ON p.id = c.post_id
JOIN board_board b ON b.id = p.board_id
JOIN board_author a ON a.id = p.author_id
WHERE c.id = %s
"""


@dataclass(slots=True)
class CommentPlace:
    post_id: int
    seq: int | None
    number: int | None
    is_secret: bool
    author_user_id: int | None
    board_slug: str
    per_page: int
    newest_first: bool
    comment_rows: int
    before: int  # comments before it in thread order

    @property
    def is_listed(self):
        return self.seq is not None

    @property
    def page(self):
        return self.before // self.per_page + 1

    @property
    def first_page(self):
        """The page its article opens on (Board.first_comment_page)."""
        if not self.newest_first:
            return 1
        return max(1, -(-self.comment_rows // self.per_page))


def comment_place(pk):
    """Where comment ``pk`` is (CommentPlace), or None if there is no such comment: one query."""
    with connection.cursor() as cursor:
        cursor.execute(COMMENT_PLACE_SQL, [pk])
        found = cursor.fetchone()
    if found is None:
        return None
    place = CommentPlace(*found)
    place.is_secret, place.newest_first = bool(place.is_secret), bool(place.newest_first)
    return place


# A reader's own votes on an article and on its comments (the unique indexes' seeks).
MY_VOTES_SQL = """
SELECT v.post_id, v.comment_id, v.value FROM board_vote v
WHERE v.user_id = %s AND v.post_id = %s
UNION ALL
SELECT v.post_id, v.comment_id, v.value FROM board_vote v
JOIN board_comment c ON c.id = v.comment_id
WHERE v.user_id = %s AND c.post_id = %s
"""


def my_votes(user_id, post_id):
    """The reader's vote on the article (0 if none) and on its comments, {comment id: vote}:
    one query, only for a signed-in reader."""
    with connection.cursor() as cursor:
        cursor.execute(MY_VOTES_SQL, [user_id, post_id, user_id, post_id])
        found = cursor.fetchall()
    article = next((value for post, _comment, value in found if post is not None), 0)
    return article, {comment: value for post, comment, value in found if post is None}


# An article's files in the order they were attached (the post's foreign-key index).
ATTACHMENTS_SQL = """
SELECT id, name, size, downloads FROM board_attachment WHERE post_id = %s ORDER BY id
"""


@dataclass(slots=True)
class AttachmentRow:
    pk: int
    name: str
    size: int
    downloads: int

    @property
    def url(self):
        # Not remembered (board.addresses): one address per file would crowd out the rest.
        return reverse("board:attachment", kwargs={"pk": self.pk})


def attachments(post_id):
    """The article's files, first attached first: one query (only when ``has_file``)."""
    with connection.cursor() as cursor:
        cursor.execute(ATTACHMENTS_SQL, [post_id])
        return [AttachmentRow(*values) for values in cursor.fetchall()]

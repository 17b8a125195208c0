"""The listing's rows: one raw query.

This is the hottest path of the site (every listing page and every article page). Compiling
the ORM query and building model instances took ~0.7 ms here, while the indexed range seek
takes ~0.04 ms, so the statement is written once and its rows are plain dataclasses. Their HTML
is the template includes/listing.html.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils.translation import gettext as _

from . import addresses

# The page's ranks low..high, every notice, and on an article page its older and newer
# neighbours, with the author's name: one statement whose parts are each a seek on their own
# index. (Written as one WHERE with OR, SQLite walked the whole listing index instead.) The
# first column says which part a row came from. The body is never read. An article hidden by
# readers' reports (board.reports) keeps its place with its title masked (NULL, see fetch_rows).
COLUMNS = """
SELECT {part}, p.id, p.number, p.seq, CASE WHEN p.is_hidden THEN NULL ELSE p.title END,
       p.comment_count, p.has_image, p.has_file,
       p.is_notice, p.published_at, p.views, a.name, p.is_secret, c.name, p.upvotes,
       p.answers_id IS NOT NULL,
       p.listing_only
FROM board_post p JOIN board_author a ON a.id = p.author_id
LEFT JOIN board_category c ON c.id = p.category_id
"""
PAGE, NOTICE, OLDER, NEWER, BOARD, CATEGORY = range(6)
# The position of a rank (params: rank, board, rank): a seek on block_rank_idx for the block
# with the greatest ``below`` under it; gaps between blocks hold no post, so a range of
# positions from one rank's to another's is exactly the ranks between them.
SEQ_OF_RANK = """(SELECT b.start + %s - b.below FROM board_listingblock b
 WHERE b.board_id = %s AND b.below < %s ORDER BY b.below DESC, b.start DESC LIMIT 1)"""
RANGE_SQL = (
    COLUMNS.format(part=PAGE)
    + f"WHERE p.board_id = %s AND p.seq >= {SEQ_OF_RANK} AND p.seq <= {SEQ_OF_RANK}"
)
# A category's listing: the same, on its own positions and blocks (post_category_idx,
# catblock_rank_idx).
CAT_SEQ_OF_RANK = """(SELECT b.start + %s - b.below FROM board_categoryblock b
 WHERE b.category_id = %s AND b.below < %s ORDER BY b.below DESC, b.start DESC LIMIT 1)"""
CATEGORY_RANGE_SQL = (
    COLUMNS.format(part=PAGE)
    + f"WHERE p.category_id = %s AND p.cat_seq >= {CAT_SEQ_OF_RANK}"
    + f" AND p.cat_seq <= {CAT_SEQ_OF_RANK}"
)
NOTICES_SQL = (
    COLUMNS.format(part=NOTICE) + "WHERE p.board_id = %s AND p.is_notice AND p.seq IS NOT NULL"
)


def neighbours_sql(owner, seq):
    """The nearest listed positions under and over the article's (positions have gaps), in
    the listing of ``owner`` (its column: board_id or category_id) by ``seq``."""
    return [
        f"SELECT * FROM ({COLUMNS.format(part=part)} WHERE p.{owner} = %s AND p.{seq} {op} %s "
        f"ORDER BY p.{seq}{order} LIMIT 1) {name}"
        for part, op, order, name in ((OLDER, "<", " DESC", "older"), (NEWER, ">", "", "newer"))
    ]


NEIGHBOURS_SQL = neighbours_sql("board_id", "seq")
CATEGORY_NEIGHBOURS_SQL = neighbours_sql("category_id", "cat_seq")


# The site's boards for the navigation bar, in the same statement (a listing stays two queries,
# an article four): their id, name and address name in the columns of a post's id, title and
# author name.
BOARDS_SQL = (
    f"SELECT {BOARD}, b.id, NULL, NULL, b.name, NULL, NULL, NULL, NULL, NULL, NULL, b.slug, "
    "NULL, NULL, NULL, NULL, NULL FROM board_board b"
)
# The board's categories for the listing's filter: id, order and name in a post's id, seq
# and title columns.
CATEGORIES_SQL = (
    f"SELECT {CATEGORY}, c.id, NULL, c.position, c.name, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL FROM board_category c WHERE c.board_id = %s"
)


def aware(value):
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(slots=True)
class Row:
    pk: int
    number: int
    seq: int
    title: str
    comment_count: int
    has_image: bool
    has_file: bool
    is_notice: bool
    published_at: datetime
    views: int
    author_name: str
    is_secret: bool = False
    category_name: str | None = None
    upvotes: int = 0  # 추천 수, shown when the board has the column (Board.show_votes)
    is_answer: bool = False  # a Gnuboard 답글 post (Post.answers): marked before its title
    # Kept from the source's listing alone (Post.listing_only): its image mark is the source's.
    listing_only: bool = False
    pinned: bool = False  # one of the notices pinned above the page's rows


# Where the boards' and categories' parts put their values: in the columns of a row's title,
# author name and position.
TITLE, AUTHOR, SEQ = (Row.__slots__.index(name) for name in ("title", "author_name", "seq"))


@dataclass(slots=True)
class NavBoard:
    """A board in the navigation bar."""

    id: int
    name: str
    slug: str

    @property
    def url(self):
        return addresses.board(self.slug)


@dataclass(slots=True)
class CategoryLink:
    """A category in the listing's filter."""

    id: int
    name: str


@dataclass(slots=True)
class Rows:
    """One listing statement's result: the page (newest first), the notices, the neighbours,
    the site's boards."""

    page: list
    notices: list
    boards: list
    categories: list
    older: Row | None = None
    newer: Row | None = None


def listing_statement(board, page, around=None, category=None):
    """The SQL and parameters of ``fetch_rows``."""
    if category is None:
        low, high = board.rank_range(page)
        parts = [RANGE_SQL]
        params = [board.pk, low, board.pk, low, high, board.pk, high]
    else:
        low, high = category.rank_range(page)
        parts = [CATEGORY_RANGE_SQL]
        params = [category.pk, low, category.pk, low, high, category.pk, high]
    parts += [NOTICES_SQL, BOARDS_SQL, CATEGORIES_SQL]
    params += [board.pk, board.pk]
    if around is not None:
        owner = board if category is None else category
        parts += NEIGHBOURS_SQL if category is None else CATEGORY_NEIGHBOURS_SQL
        params += [owner.pk, around, owner.pk, around]
    return " UNION ALL ".join(parts), params


def fetch_rows(board, page, around=None, category=None):
    """The rows of listing ``page`` (of the board, or of one of its categories), the notices,
    the boards and categories to link to and, given a position ``around`` (in that listing),
    the listed posts just older and newer than it: one query."""
    sql, params = listing_statement(board, page, around, category)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = Rows(page=[], notices=[], boards=[], categories=[])
    order = {}
    for part, *values in found:
        if part == BOARD:
            result.boards.append(NavBoard(values[0], values[TITLE], values[AUTHOR]))
            continue
        if part == CATEGORY:
            result.categories.append(CategoryLink(values[0], values[TITLE]))
            order[values[0]] = values[SEQ]
            continue
        row = Row(*values)
        if row.title is None:
            row.title = _("신고로 가려진 글")
        # SQLite hands back naive UTC datetimes and 0/1 for booleans; PostgreSQL real ones.
        row.published_at = aware(row.published_at)
        row.has_image, row.has_file = bool(row.has_image), bool(row.has_file)
        row.is_notice, row.is_secret = bool(row.is_notice), bool(row.is_secret)
        row.is_answer = bool(row.is_answer)
        row.listing_only = bool(row.listing_only)
        if part == PAGE:
            result.page.append(row)
        elif part == NOTICE:
            row.pinned = True
            result.notices.append(row)
        elif part == OLDER:
            result.older = row
        else:
            result.newer = row
    result.page.sort(key=lambda r: -r.seq)
    result.notices.sort(key=lambda r: -r.seq)
    result.boards.sort(key=lambda b: b.id)
    result.categories.sort(key=lambda c: (order[c.id], c.id))
    return result

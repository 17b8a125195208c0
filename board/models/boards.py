"""Boards, their categories, and the blocks their listings are cut into."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import addresses
from . import BLOCK, Paging

# The deepest a board may nest replies, and the width of one id in Comment.path: a
# BigAutoField's largest id has 19 digits, so fixed-width segments sort as numbers.
REPLY_DEPTH_MAX = 10
PATH_WIDTH = 19
# Comments a comment page may hold (Board.comments_per_page): XE's default is 50.
COMMENTS_PER_PAGE_MIN, COMMENTS_PER_PAGE_MAX = 10, 500

# Top-level addresses the site uses itself: a board may not take them as its address name.
RESERVED_SLUGS = frozenset(
    {
        "accounts", "admin", "comments", "feed", "files", "language", "media", "moderation",
        "preview", "static",
    }
)  # fmt: skip


def validate_board_slug(value):
    if value.isdigit():
        raise ValidationError(_("숫자만으로 된 주소 이름은 글 번호와 겹칩니다."))
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(_("사이트가 쓰는 주소입니다: %(slug)s"), params={"slug": value})


class Board(Paging, models.Model):
    slug = models.SlugField(
        _("주소 이름"),
        unique=True,
        validators=[validate_board_slug],
        help_text=_("게시판 주소: /주소이름/ (영문, 숫자, -, _)"),
    )
    name = models.CharField(_("이름"), max_length=100)
    description = models.TextField(_("게시판 설명"), blank=True)
    # Besides the site-wide 모더레이터 and 편집자: who moderates this board's comments, and who
    # alone may write in it (empty: every staff member who may write articles).
    moderators = models.ForeignKey(
        "auth.Group",
        verbose_name=_("게시판 모더레이터"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("이 그룹의 회원은 이 게시판의 댓글을 지우고 되살릴 수 있습니다."),
    )
    editors = models.ForeignKey(
        "auth.Group",
        verbose_name=_("게시판 편집자"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("정하면 이 그룹의 운영진만 이 게시판에 글을 씁니다."),
    )
    # Counters kept in the same transaction as each change (board.services), never counted.
    post_count = models.PositiveIntegerField(_("목록에 보이는 글 수"), default=0, editable=False)
    last_number = models.PositiveIntegerField(_("마지막 글 번호"), default=0, editable=False)
    # The newest listed post's position (0 when none): the search's upper end without a query.
    top_seq = models.PositiveIntegerField(_("맨 위 목록 위치"), default=0, editable=False)
    # The earliest scheduled article still waiting; readers' pages publish it once it is due.
    next_publish_at = models.DateTimeField(
        _("다음 예약 게시 시각"), null=True, blank=True, editable=False
    )
    # Votes (추천): readers always recommend articles; the rest is the board's choice.
    allow_downvotes = models.BooleanField(_("비추천 허용"), default=False)
    show_votes = models.BooleanField(
        _("목록에 추천 수 표시"), default=False, help_text=_("목록에 추천 칸을 둡니다.")
    )
    comment_votes = models.BooleanField(_("댓글 추천 허용"), default=False)
    # How deep replies (대댓글) nest: 0 = none; a reply below the deepest level answers there.
    reply_depth = models.PositiveSmallIntegerField(
        _("답글 깊이"),
        default=3,
        validators=[MaxValueValidator(REPLY_DEPTH_MAX)],
        help_text=_("댓글에 답글을 몇 단계까지 달 수 있는지 (0: 답글 없음)"),
    )
    # Comment pages (XE's cpage): every comment in thread order, removed ones included.
    comments_per_page = models.PositiveSmallIntegerField(
        _("댓글 쪽당 개수"),
        default=50,
        validators=[
            MinValueValidator(COMMENTS_PER_PAGE_MIN),
            MaxValueValidator(COMMENTS_PER_PAGE_MAX),
        ],
    )
    comments_newest_first = models.BooleanField(
        _("최신 댓글 쪽 먼저"),
        default=False,
        help_text=_("글을 열면 마지막 댓글 쪽을 보여 줍니다. 쪽 안의 순서는 그대로입니다."),
    )
    # Reports (신고): an item reported by this many distinct readers is hidden until a
    # moderator decides (board.reports).
    report_hide_threshold = models.PositiveSmallIntegerField(
        _("신고 자동 가림 기준"),
        default=5,
        help_text=_("이만큼의 독자가 신고하면 관리자가 처리할 때까지 가립니다 (0: 끔)."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("게시판")
        verbose_name_plural = _("게시판")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return addresses.board(self.slug)

    def get_page_url(self, page, category=None):
        """Page ``page`` of the listing, or of the category with id ``category``."""
        return addresses.listing_page(self.get_absolute_url(), page, category)

    def get_article_url(self, number):
        return addresses.article(self.get_absolute_url(), number)

    def comment_pages(self, post):
        """How many comment pages ``post`` has (at least one), from its counter."""
        return max(1, -(-post.comment_rows // self.comments_per_page))

    def first_comment_page(self, post):
        """The comment page an article opens on: the first, or the last (newest first)."""
        return self.comment_pages(post) if self.comments_newest_first else 1

    def get_feed_url(self, kind):
        """``kind`` "rss" or "atom": this board's feed."""
        return addresses.for_board(f"feed-{kind}", self.slug)


class Category(Paging, models.Model):
    """A board's category (분류): an article has at most one; readers filter the listing by
    it. Its listing has positions of its own (Post.cat_seq, CategoryBlock), kept as the
    board's are, so any of its pages is a range seek too."""

    board = models.ForeignKey(
        Board, verbose_name=_("게시판"), on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("분류 이름"), max_length=50)
    position = models.PositiveSmallIntegerField(_("순서"), default=0)
    # Listed articles in the category, kept with every change (board.services), never counted.
    post_count = models.PositiveIntegerField(_("목록에 보이는 글 수"), default=0, editable=False)

    class Meta:
        ordering = ["board", "position", "pk"]
        verbose_name = _("분류")
        verbose_name_plural = _("분류")
        constraints = [
            models.UniqueConstraint(fields=["board", "name"], name="category_board_name_unique"),
        ]

    def __str__(self):
        return self.name


class Block(models.Model):
    """Block ``start // BLOCK`` of a listing's numbers: its listed posts sit at positions
    start+1 … start+count, and ``below`` listed posts are in lower blocks. Rank R is then at
    start + (R - below) in the block with the greatest ``below`` < R (the highest such block:
    blocks sharing a ``below`` are empty but the last)."""

    start = models.PositiveIntegerField(_("블록 시작"))
    count = models.PositiveIntegerField(_("목록에 보이는 글 수"), default=0)
    below = models.PositiveIntegerField(_("아래 블록의 글 수"), default=0)

    class Meta:
        abstract = True


class ListingBlock(Block):
    """A block of a board's listing (Post.seq)."""

    # Keyed by its board and start, not by an id: a removal rewrites every higher block row of
    # the listing, each through every index of the table, and an id's index served no query.
    pk = models.CompositePrimaryKey("board", "start")
    # No index of its own: both indexes below start with the board.
    board = models.ForeignKey(
        Board, verbose_name=_("게시판"), on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["board", "start"]
        verbose_name = _("목록 블록")
        verbose_name_plural = _("목록 블록")
        # The rank's seek: the greatest ``below`` under a rank, the highest block first.
        indexes = [models.Index(fields=["board", "below", "start"], name="block_rank_idx")]

    def __str__(self):
        return f"{self.board_id}: {self.start + 1}…{self.start + BLOCK}"


class CategoryBlock(Block):
    """A block of a category's listing (Post.cat_seq): blocks of the same numbers as the
    board's, holding only the category's articles."""

    pk = models.CompositePrimaryKey("category", "start")  # as ListingBlock's
    category = models.ForeignKey(
        Category, verbose_name=_("분류"), on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["category", "start"]
        verbose_name = _("분류 목록 블록")
        verbose_name_plural = _("분류 목록 블록")
        indexes = [models.Index(fields=["category", "below", "start"], name="catblock_rank_idx")]

    def __str__(self):
        return f"{self.category_id}: {self.start + 1}…{self.start + BLOCK}"

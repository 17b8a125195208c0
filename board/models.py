"""The board's data: boards, authors, posts and comments.

The listing is designed for a million posts: every post that readers can see has a position
``seq`` kept by ``board.services``, and the board row carries ``post_count``. The numbers are
cut into blocks of ``BLOCK``; inside block k the listed posts sit at k*BLOCK+1, k*BLOCK+2, … in
number order, and a ``ListingBlock`` row holds the block's count and the listed posts below it.
A reader's rank (1 = oldest) maps to a position through one block row, so a page is a range
seek on the ``(board, seq)`` index: the first and the last page cost the same, with no
``COUNT(*)`` and no ``OFFSET``, and removing or restoring a post moves at most one block.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import addresses

PAGE_SIZE = 20
# Numbers per listing block: a removal or restore rewrites at most BLOCK - 1 positions plus one
# row per block above it (under 2,500 rows at a million posts instead of a million). 500, not
# 1,000: on PostgreSQL a moved post costs far more than a block row (its seq is indexed, so
# the update goes through every index of board_post, then the trigram GIN ones too); measured at
# a million posts, removing the oldest took 110-150 ms with 1,000 and 70-80 ms with 500 or 250.
# Re-measured with categories (two block rows per block number) after migration 0019: a moved
# post ~19 us, a block number ~9 us, so 500 is within a few percent of the best size.
BLOCK = 500


class Paging:
    """The pages of a listing of ``post_count`` listed posts, 20 a page, newest first: a
    board's and a category's."""

    @property
    def num_pages(self):
        return max(1, -(-self.post_count // PAGE_SIZE))

    def page_of(self, rank):
        """The listing page (1 = newest) that shows the post of rank ``rank`` (1 = oldest)."""
        return (self.post_count - rank) // PAGE_SIZE + 1

    def rank_range(self, page):
        """The ranks (1 = oldest listed post) shown on ``page``, as (lowest, highest)."""
        high = self.post_count - (page - 1) * PAGE_SIZE
        return max(1, high - PAGE_SIZE + 1), high


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


class Author(models.Model):
    # As long as a user name (150): an account's name is copied here on first use.
    name = models.CharField(_("이름"), max_length=150)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("계정"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("글쓴이")
        verbose_name_plural = _("글쓴이")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("board:post-list")


class PostQuerySet(models.QuerySet):
    def listed(self):
        """Posts readers can see in the listing (they have a position)."""
        return self.filter(seq__isnull=False)

    def with_rank(self):
        """Annotate ``rank`` (1 = oldest listed post): its block's ``below`` plus its place in
        the block, in the same query (the block row is a seek on its unique index)."""
        block = ListingBlock.objects.filter(board=OuterRef("board"), start__lt=OuterRef("seq"))
        offset = block.order_by("-start").annotate(offset=F("below") - F("start"))
        return self.annotate(rank=F("seq") + Subquery(offset.values("offset")[:1]))

    def for_listing(self):
        """Only what a listing row shows: no body, the author's name in the same query."""
        return self.select_related("author").defer("body", "created_at", "updated_at")

    def scheduled(self):
        """Articles waiting for their publish time (not listed, not removed, never numbered)."""
        return self.filter(seq__isnull=True, number__isnull=True, is_removed=False)


class Post(models.Model):
    class Format(models.TextChoices):
        TEXT = "text", _("일반 텍스트 (줄마다 문단)")
        HTML = "html", _("HTML (허용된 태그만)")

    # No index of its own: every index below starts with the board.
    board = models.ForeignKey(
        Board,
        verbose_name=_("게시판"),
        on_delete=models.PROTECT,
        related_name="posts",
        db_index=False,
    )
    # Given when the article goes live, so the numbers follow the listing's order.
    number = models.PositiveIntegerField(_("번호"), null=True, blank=True, editable=False)
    # Listing position (order = number order, with gaps between blocks; see ListingBlock);
    # NULL while a post is not listed.
    seq = models.PositiveIntegerField(_("목록 위치"), null=True, editable=False)
    title = models.CharField(_("제목"), max_length=200)
    body = models.TextField(
        _("본문"),
        blank=True,
        help_text=_("그림은 [image:1], [image:2]처럼 첨부 순서로 넣습니다."),
    )
    body_format = models.CharField(
        _("본문 형식"), max_length=4, choices=Format.choices, default=Format.TEXT
    )
    # The body as readers get it: sanitised, images placed. Made on every save.
    body_html = models.TextField(_("본문 HTML"), blank=True, editable=False)
    author = models.ForeignKey(
        Author, verbose_name=_("글쓴이"), on_delete=models.PROTECT, related_name="posts"
    )
    published_at = models.DateTimeField(
        _("게시 시각"),
        default=timezone.now,
        help_text=_("미래 시각이면 그때까지 독자에게 보이지 않습니다."),
    )
    created_at = models.DateTimeField(_("작성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)
    views = models.PositiveIntegerField(_("조회 수"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("댓글 수"), default=0, editable=False)
    # Every comment row, removed ones too (they keep their place on the comment pages):
    # the number of comment pages without a COUNT. Raised with each new comment, never lowered
    # by a removal (services.save_new_comment).
    comment_rows = models.PositiveIntegerField(_("댓글 자리 수"), default=0, editable=False)
    has_image = models.BooleanField(_("이미지 있음"), default=False, editable=False)
    has_file = models.BooleanField(_("첨부 파일 있음"), default=False, editable=False)
    # Kept from the source board's listing alone (fixtures/source_page.json): no body, a date
    # without its time of day, and an image mark for an image that was never brought here.
    listing_only = models.BooleanField(_("목록 정보만 있음"), default=False, editable=False)
    category = models.ForeignKey(
        Category,
        verbose_name=_("분류"),
        null=True,
        blank=True,
        # A category in use stays: its articles' positions hang on it (board.services).
        on_delete=models.PROTECT,
        related_name="posts",
    )
    # The position in its category's listing (NULL: no category, or not listed).
    cat_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    is_notice = models.BooleanField(_("공지"), default=False)
    # A secret article (비밀글): listed with its title, opened only by its author's account and
    # staff (services.can_read); its body, images and comments appear nowhere else.
    is_secret = models.BooleanField(
        _("비밀글"), default=False, help_text=_("글쓴이(계정이 있을 때)와 운영진만 열어 봅니다.")
    )
    is_removed = models.BooleanField(_("삭제됨"), default=False, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("삭제한 사람"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # post_removed_by_idx, over removed articles only
    )
    removed_at = models.DateTimeField(_("삭제 시각"), null=True, blank=True, editable=False)
    # Kept with each vote in its transaction (services.vote), never counted.
    upvotes = models.PositiveIntegerField(_("추천 수"), default=0, editable=False)
    downvotes = models.PositiveIntegerField(_("비추천 수"), default=0, editable=False)
    # Open reports (board.reports), kept by F() updates; hidden once they reach the board's
    # threshold, until a moderator decides.
    report_count = models.PositiveIntegerField(_("처리 전 신고 수"), default=0, editable=False)
    is_hidden = models.BooleanField(_("신고로 가려짐"), default=False, editable=False)
    # The article a Gnuboard 답글 post answers (imported; PostBBS writes none itself).
    answers = models.ForeignKey(
        "self",
        verbose_name=_("원글"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        editable=False,
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-number", "-pk"]
        verbose_name = _("글")
        verbose_name_plural = _("글")
        constraints = [
            models.UniqueConstraint(fields=["board", "number"], name="post_board_number_unique"),
        ]
        indexes = [
            # The listing's range seek. Deliberately without views/comment_count, so the
            # counters' frequent updates never touch this index.
            models.Index(fields=["board", "seq"], name="post_listing_idx"),
            models.Index(
                fields=["board", "seq"],
                name="post_notice_idx",
                condition=Q(is_notice=True),
            ),
            models.Index(
                fields=["board", "published_at"],
                name="post_scheduled_idx",
                condition=Q(seq__isnull=True),
            ),
            # A category listing's range seek.
            models.Index(
                fields=["category", "cat_seq"],
                name="post_category_idx",
                condition=Q(cat_seq__isnull=False),
            ),
            # For deleting an account (SET NULL). Partial: a listed article's row, which a
            # removal or restore moves in its block, gets no entry here.
            models.Index(
                fields=["removed_by"],
                name="post_removed_by_idx",
                condition=Q(removed_by__isnull=False),
            ),
            # For deleting an answered article (SET NULL): only 답글 posts have an entry.
            models.Index(
                fields=["answers"],
                name="post_answers_idx",
                condition=Q(answers__isnull=False),
            ),
        ]

    def __str__(self):
        # No number until it is listed: "-. title" read as a broken sentence in the admin.
        if self.number is None:
            if self.is_removed:  # removed before its time: no longer waiting for it
                return _("[삭제됨] %(title)s") % {"title": self.title}
            return _("[예약] %(title)s") % {"title": self.title}
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        if self.seq is None:  # not (or no longer) public: staff see it through the preview
            return reverse("board:post-preview", kwargs={"pk": self.pk})
        return self.board.get_article_url(self.number)

    def published_when(self):
        """When it was published, as readers are told: the date alone for an article kept
        from the source's listing, which gives no time of day (its stored midnight is not one)."""
        local = timezone.localtime(self.published_at)
        return f"{local:%Y.%m.%d}" if self.listing_only else f"{local:%Y.%m.%d %H:%M}"

    published_when.short_description = _("게시 시각")
    published_when.admin_order_field = "published_at"

    @property
    def is_listed(self):
        return self.seq is not None

    @property
    def is_new(self):
        return timezone.now() - self.published_at < timezone.timedelta(hours=24)


def image_path(image, filename):
    return f"posts/{timezone.now():%Y/%m}/{filename}"


class PostImage(models.Model):
    post = models.ForeignKey(
        Post, verbose_name=_("글"), on_delete=models.CASCADE, related_name="images"
    )
    # Indexed: every image request finds its row by the file name (file_views.media_file).
    image = models.ImageField(_("그림"), upload_to=image_path, db_index=True)
    caption = models.CharField(_("설명"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("올린 시각"), auto_now_add=True)

    class Meta:
        ordering = ["post", "pk"]
        verbose_name = _("그림")
        verbose_name_plural = _("그림")

    def __str__(self):
        return self.caption or self.image.name

    def get_absolute_url(self):
        return self.image.url


def attachment_path(attachment, filename):
    """A generated name: the uploader's never reaches the file system (it is kept in
    ``Attachment.name``), so two files named alike never collide."""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file readers download from the article (board.file_views.attachment_download)."""

    post = models.ForeignKey(
        Post, verbose_name=_("글"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("파일"), upload_to=attachment_path)
    # The uploader's file name, given back in the download's Content-Disposition.
    name = models.CharField(_("파일 이름"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("크기(바이트)"), default=0, editable=False)
    # Raised by an F() update on each download, never read-modify-write.
    downloads = models.PositiveIntegerField(_("내려받은 수"), default=0, editable=False)
    uploaded_at = models.DateTimeField(_("올린 시각"), auto_now_add=True)

    class Meta:
        ordering = ["post", "pk"]
        verbose_name = _("첨부 파일")
        verbose_name_plural = _("첨부 파일")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("board:attachment", kwargs={"pk": self.pk})


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_removed=False)


class Comment(models.Model):
    # Indexed by comment_thread_idx (post, path), which also orders an article's comments.
    post = models.ForeignKey(
        Post,
        verbose_name=_("글"),
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,
    )
    author = models.ForeignKey(
        Author, verbose_name=_("글쓴이"), on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(_("내용"))
    created_at = models.DateTimeField(_("작성 시각"), default=timezone.now)
    # Removal is soft: the row stays, with who removed it, when and why.
    is_removed = models.BooleanField(_("삭제됨"), default=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("삭제한 사람"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("삭제 시각"), null=True, blank=True)
    removal_reason = models.CharField(_("삭제 사유"), max_length=200, blank=True)
    upvotes = models.PositiveIntegerField(_("추천 수"), default=0, editable=False)
    downvotes = models.PositiveIntegerField(_("비추천 수"), default=0, editable=False)
    report_count = models.PositiveIntegerField(_("처리 전 신고 수"), default=0, editable=False)
    is_hidden = models.BooleanField(_("신고로 가려짐"), default=False, editable=False)
    # Where a reader's comment came from (limits.client_ip), for moderators only (the desk, the
    # admin): never shown to readers. NULL for comments written before it was kept.
    ip_address = models.GenericIPAddressField(_("작성 IP"), null=True, blank=True, editable=False)
    # A reply (대댓글) answers ``parent``; NULL answers the article. Kept by
    # services.save_new_comment: ``depth`` (0 = an answer to the article) and ``path``, the
    # ids from the thread's root down to this comment, each zero-padded to PATH_WIDTH, so
    # that ordering by it gives each thread under its root, replies in time order under their
    # parent, depth first (XE's head, arrange).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("답글을 단 댓글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        editable=False,
    )
    depth = models.PositiveSmallIntegerField(_("답글 깊이"), default=0, editable=False)
    path = models.CharField(
        _("스레드 위치"),
        max_length=PATH_WIDTH * (REPLY_DEPTH_MAX + 1),
        default="",
        editable=False,
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("댓글")
        verbose_name_plural = _("댓글")
        permissions = [("moderate_comment", _("모든 댓글을 지우고 되살릴 수 있음"))]
        indexes = [
            models.Index(fields=["post", "path"], name="comment_thread_idx"),
            # The moderators' desk finds one address's comments without reading them all.
            models.Index(fields=["ip_address"], name="comment_ip_idx"),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:30]}"

    def get_absolute_url(self):
        # Not the article's address with #comment-N: the comment may be on another comment
        # page. This one answers with the page that holds it (views.comment_link).
        return reverse("board:comment", kwargs={"pk": self.pk})

    @property
    def author_user_id(self):
        return self.author.user_id

    @property
    def removed_by_author(self):
        return self.removed_by_id is not None and self.removed_by_id == self.author_user_id


class Vote(models.Model):
    """One account's 추천 (+1) or 비추천 (-1) of one article or one comment (services.vote).
    The database holds one per account and item, whatever requests arrive together."""

    UP, DOWN = 1, -1

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("계정"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # both unique indexes below start with the account
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("댓글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    value = models.SmallIntegerField(_("추천"), choices=[(UP, _("추천")), (DOWN, _("비추천"))])
    created_at = models.DateTimeField(_("추천 시각"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("추천")
        verbose_name_plural = _("추천")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post"], condition=Q(post__isnull=False), name="vote_user_post"
            ),
            models.UniqueConstraint(
                fields=["user", "comment"],
                condition=Q(comment__isnull=False),
                name="vote_user_comment",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="vote_one_item",
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value"),
        ]

    def __str__(self):
        item = f"post {self.post_id}" if self.post_id else f"comment {self.comment_id}"
        return f"{self.user_id} → {item}: {self.value:+d}"


class SignupRecord(models.Model):
    """One account made from one address: the sign-up limit counts these (board.limits)."""

    address = models.CharField(_("주소"), max_length=45)
    created_at = models.DateTimeField(_("가입 시각"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("가입 기록")
        verbose_name_plural = _("가입 기록")
        indexes = [models.Index(fields=["address", "created_at"], name="signup_address_idx")]

    def __str__(self):
        return f"{self.address} {self.created_at:%Y-%m-%d %H:%M}"


class ResetRequest(models.Model):
    """One password-reset mail asked for, counted under its client address and under its
    (hashed) email address by the reset limits (board.limits.reserve_reset)."""

    key = models.CharField(_("기준"), max_length=80)
    created_at = models.DateTimeField(_("요청 시각"), default=timezone.now)

    class Meta:
        verbose_name = _("비밀번호 재설정 요청")
        verbose_name_plural = _("비밀번호 재설정 요청")
        indexes = [models.Index(fields=["key", "created_at"], name="reset_key_idx")]

    def __str__(self):
        return f"{self.key} {self.created_at:%Y-%m-%d %H:%M}"


class SearchRate(models.Model):
    """Searches from one client address in one fixed time window (board.search.throttle).
    In the database, not the cache: the default setup has no shared cache."""

    address = models.CharField(_("주소"), max_length=64)
    seconds = models.PositiveIntegerField(_("구간 길이(초)"))
    start = models.BigIntegerField(_("구간 시작(유닉스 시각)"))
    count = models.PositiveIntegerField(_("검색 수"), default=0)

    class Meta:
        ordering = ["-start", "address"]
        verbose_name = _("검색 횟수")
        verbose_name_plural = _("검색 횟수")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "seconds", "start"], name="search_rate_unique"
            ),
        ]
        # Old windows are deleted by their start.
        indexes = [models.Index(fields=["start"], name="search_rate_start_idx")]

    def __str__(self):
        return f"{self.address} {self.seconds}s@{self.start}: {self.count}"


class Decision(models.Model):
    """A moderator's decision on the open reports of one item (board.reports.decide): who,
    when, what and why. The reports it closed point to it."""

    class Action(models.TextChoices):
        REMOVE = "remove", _("삭제")
        DISMISS = "dismiss", _("기각")
        SUSPEND = "suspend", _("삭제하고 글쓴이 이용 정지")

    post = models.ForeignKey(
        Post,
        verbose_name=_("글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("댓글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    action = models.CharField(_("처리"), max_length=10, choices=Action.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("처리한 사람"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("사유"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("처리 시각"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("신고 처리")
        verbose_name_plural = _("신고 처리")

    def __str__(self):
        # In the admin's titles and messages: Korean, as staff read it.
        item = f"{_('글')} {self.post_id}" if self.post_id else f"{_('댓글')} {self.comment_id}"
        return f"{item}: {self.get_action_display()}"


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(decision__isnull=True)


class Report(models.Model):
    """One reader's report (신고) of one article or one comment: the database holds one per
    account and item, as it does votes."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("스팸/광고")
        ABUSE = "abuse", _("욕설/비방")
        ILLEGAL = "illegal", _("불법")
        OTHER = "other", _("기타")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("신고한 사람"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # both unique indexes below start with the reporter
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("댓글"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The item's board, copied: a board moderator's queue is a filter on it, with no join.
    board = models.ForeignKey(
        Board, verbose_name=_("게시판"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("신고 사유"), max_length=10, choices=Reason.choices)
    text = models.CharField(_("설명"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("신고 시각"), default=timezone.now)
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("처리"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("신고")
        verbose_name_plural = _("신고")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=Q(post__isnull=False),
                name="report_user_post",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="report_user_comment",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="report_one_item",
            ),
        ]
        indexes = [
            # The queue: open reports, of some boards.
            models.Index(
                fields=["board", "created_at"],
                name="report_open_idx",
                condition=Q(decision__isnull=True),
            ),
        ]

    def __str__(self):
        item = f"{_('글')} {self.post_id}" if self.post_id else f"{_('댓글')} {self.comment_id}"
        return f"{self.reporter_id} → {item}: {self.get_reason_display()}"


class SuspensionQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(until__isnull=True) | Q(until__gt=now), lifted_at__isnull=True, starts_at__lte=now
        )


class Suspension(models.Model):
    """An account's suspension (이용 정지): no login, no comments, votes or reports, until
    ``until`` (NULL: until lifted). Rows stay once over or lifted: the account's history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("계정"),
        on_delete=models.CASCADE,
        related_name="suspensions",
    )
    reason = models.CharField(_("사유"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("시작 시각"), default=timezone.now)
    until = models.DateTimeField(_("끝나는 시각"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("정지한 사람"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("해제 시각"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("해제한 사람"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("이용 정지")
        verbose_name_plural = _("이용 정지")

    def __str__(self):
        return f"{self.user_id}: {self.starts_at:%Y-%m-%d} → {self.until or '∞'}"

    @property
    def is_active(self):
        now = timezone.now()
        return (
            self.lifted_at is None
            and self.starts_at <= now
            and (self.until is None or self.until > now)
        )


# The move-in's models live with the importers (board/legacy/); Django finds models here.
from .legacy.keys import LegacyKey  # noqa: E402, F401

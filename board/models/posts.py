"""Articles, their authors, images and attached files."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .boards import Board, Category, ListingBlock


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

"""Comments and replies, and the votes (추천) on articles and comments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .boards import PATH_WIDTH, REPLY_DEPTH_MAX
from .posts import Author, Post


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

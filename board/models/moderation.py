"""Reports (신고), moderators' decisions on them, and suspensions (이용 정지)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .boards import Board
from .comments import Comment
from .posts import Post


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

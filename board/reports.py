"""Reports (신고), the moderators' queue, auto-hide and decisions.

A signed-in reader reports an article or a comment once (the database's unique constraints,
as for votes). Each item keeps its open reports' count (``report_count``, F() updates); when it
reaches the board's ``report_hide_threshold`` the item is hidden (``is_hidden``) in the same
transaction, until a moderator decides. A decision (remove, dismiss, remove and suspend the
author) closes the item's open reports with one conditional UPDATE: of two moderators acting
at once, the second finds nothing open and is told so, and nothing is applied twice.

Reporters are never named to anyone but the admin: the article page, the reported author's
pages and the queue show reasons and texts, not who reported.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services, suspension
from .limits import RateLimited
from .models import Comment, Decision, Post, Report

# Report texts shown per item in the queue (the newest are left for the admin).
TEXTS_SHOWN = 10
QUEUE_PAGE_SIZE = 20


class ReportRefused(Exception):
    """A report the item does not take; the argument is the reader's message."""


class AlreadyDecided(Exception):
    """Another moderator decided on the item's reports first."""


def _item(post, comment):
    """The item's model, row and the keyword naming it on a Report or a Decision."""
    if comment is not None:
        return Comment, comment, {"comment": comment}
    return Post, post, {"post": post}


def check_report(user, *, author_user_id, post=None, comment=None):
    """Refuse, with a Korean message, a suspended reader, one's own item, a removed one, and a
    second report of the same item."""
    suspension.check(user)
    if author_user_id is not None and author_user_id == user.pk:
        if comment is not None:
            raise ReportRefused(_("자기 댓글은 신고할 수 없습니다."))
        raise ReportRefused(_("자기 글은 신고할 수 없습니다."))
    _model, item, key = _item(post, comment)
    if item.is_removed:
        raise ReportRefused(_("삭제된 항목은 신고할 수 없습니다."))
    if Report.objects.filter(reporter=user, **key).exists():
        raise ReportRefused(_("이미 신고했습니다."))


@transaction.atomic
def report(user, *, reason, text="", post=None, comment=None):
    """Record the reader's report (the caller has run check_report); the item's open count
    rises and, at the board's threshold of distinct readers, the item is hidden."""
    model, item, key = _item(post, comment)
    board = (post or comment.post).board
    _check_rate(user)
    try:
        with transaction.atomic():
            Report.objects.create(
                reporter=user, board_id=board.pk, reason=reason, text=text[:500], **key
            )
    except IntegrityError:
        # The same report arriving twice at once (a double click): the first one counts.
        raise ReportRefused(_("이미 신고했습니다.")) from None
    rows = model.objects.filter(pk=item.pk)
    rows.update(report_count=F("report_count") + 1)
    threshold = board.report_hide_threshold
    if threshold:
        # The row is locked by the update above: one report of several at once hides it.
        rows.filter(report_count__gte=threshold, is_hidden=False).update(is_hidden=True)


def _check_rate(user):
    """At most so many reports within each window (settings.REPORT_RATE_LIMITS), counted from
    the reports stored, so every process sees the same count."""
    # Lock the account's row: one reader's reports arriving together are counted one by one.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    mine = Report.objects.filter(reporter=user)
    for seconds, limit in settings.REPORT_RATE_LIMITS:
        since = now - timezone.timedelta(seconds=seconds)
        if mine.filter(created_at__gte=since).count() >= limit:
            raise RateLimited(seconds, limit)


def close(*, action, by, reason="", post=None, comment=None):
    """Close the item's open reports with a decision (who, what, why) and show the item again
    (open count and hidden mark reset). The decision, or None when no report was open any more
    (another moderator's decision came first): then nothing is kept. Used by decide, and by
    services when an item is removed outside the queue."""
    model, item, key = _item(post, comment)
    decision = Decision.objects.create(action=action, moderator=by, reason=reason[:200], **key)
    # The conditional UPDATE decides the race: a second moderator's waits for the first's
    # transaction, then finds no open report and takes its own decision back.
    if not Report.objects.open().filter(**key).update(decision=decision):
        decision.delete()
        return None
    model.objects.filter(pk=item.pk).update(report_count=0, is_hidden=False)
    item.report_count, item.is_hidden = 0, False
    return decision


@transaction.atomic
def decide(*, action, by, reason="", post=None, comment=None, days=None):
    """A moderator's decision on the item's open reports: remove it (soft, as everywhere),
    dismiss them (the item stays, shown again if it was hidden), or remove it and suspend its
    author for ``days`` (None: until lifted). AlreadyDecided if no report is open any more."""
    item = comment if comment is not None else post
    reason = reason[:200]
    decision = close(action=action, by=by, reason=reason, post=post, comment=comment)
    if decision is None:
        raise AlreadyDecided(_("이미 처리된 신고입니다."))
    if action in (Decision.Action.REMOVE, Decision.Action.SUSPEND):
        if comment is not None:
            services.remove_comment(comment, by=by, reason=reason)
        else:
            services.remove_post(post, by=by)
    if action == Decision.Action.SUSPEND and item.author.user is not None:
        suspension.suspend(item.author.user, by=by, days=days, reason=reason)
    label = Decision.Action(action).label
    services.record(by, item, _("신고 처리 (%(action)s): %(reason)s") % {
        "action": label, "reason": reason or "-"
    })  # fmt: skip
    return decision


# The queue ------------------------------------------------------------------------------


def open_reports(user):
    """The open reports ``user`` moderates: every board's for a site-wide moderator, else
    those of the boards whose moderators group they are in."""
    found = Report.objects.open()
    if services.can_moderate(user):
        return found
    return found.filter(board__moderators__user=user)


def groups(user):
    """The open reports per item, most reported first, then the oldest first report."""
    return (
        open_reports(user)
        .values("post_id", "comment_id")
        .annotate(count=Count("id"), first=Min("created_at"))
        .order_by("-count", "first", "post_id", "comment_id")
    )


def fill(user, page):
    """Each group of ``page`` with its item (article or comment, its author and board), its
    reasons tallied and its first texts: four queries, whatever the number of reports."""
    rows = list(page)
    post_ids = [row["post_id"] for row in rows if row["post_id"]]
    comment_ids = [row["comment_id"] for row in rows if row["comment_id"]]
    posts = Post.objects.select_related("board", "author__user").in_bulk(post_ids)
    comments = Comment.objects.select_related("post__board", "author__user").in_bulk(comment_ids)
    mine = open_reports(user).filter(Q(post_id__in=post_ids) | Q(comment_id__in=comment_ids))
    tallies = mine.values("post_id", "comment_id", "reason").annotate(n=Count("id"))
    texts = (
        mine.annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("post_id"), F("comment_id")],
                order_by=[F("created_at")],
            )
        )
        .filter(place__lte=TEXTS_SHOWN)
        .values("post_id", "comment_id", "reason", "text", "created_at")
    )
    by_item = {}
    for row in rows:
        row["post"] = posts.get(row["post_id"])
        row["comment"] = comments.get(row["comment_id"])
        row["reasons"], row["reports"] = [], []
        by_item[row["post_id"], row["comment_id"]] = row
    labels = dict(Report.Reason.choices)
    for tally in tallies:
        row = by_item[tally["post_id"], tally["comment_id"]]
        row["reasons"].append((labels.get(tally["reason"], tally["reason"]), tally["n"]))
    for found in texts:
        found["reason_label"] = labels.get(found["reason"], found["reason"])
        by_item[found["post_id"], found["comment_id"]]["reports"].append(found)
    return rows

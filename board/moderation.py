"""The moderator's desk (운영 데스크): which comments a moderator sees and acts on, and the
desk's bulk removals and suspensions. The views (board.desk) only ask these.

A site-wide moderator (services.can_moderate) answers for every board; a board's moderators
group, for that board alone: they see and remove its comments only. Suspending an account is
for those who may suspend (suspension.may_suspend), never oneself.
"""

import ipaddress

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services, suspension
from .models import Author, Board, Comment

# Comments a desk page lists, newest first.
PAGE_SIZE = 30
# "Remove this account's comments of the last N days": the periods offered.
RECENT_DAYS = [1, 3, 7, 30]


class NotYours(PermissionDenied):
    """Comments on a board the moderator does not moderate (or that do not exist)."""


def boards(user):
    """The boards ``user`` moderates, as a list (one query): all for a site-wide moderator."""
    if not user.is_authenticated or not user.is_active:
        return []
    found = Board.objects.all()
    if not services.can_moderate(user):
        found = found.filter(moderators__user=user)
    return list(found)


def comments(user, moderated=None):
    """The comments ``user`` may see and act on at the desk (``moderated``: their boards,
    when already known)."""
    found = Comment.objects.all()
    if services.can_moderate(user):
        return found
    moderated = boards(user) if moderated is None else moderated
    return found.filter(post__board__in=[board.pk for board in moderated])


def address_filter(value):
    """A filter on the writer's address: an exact address, or a prefix the form has checked
    ends in "." or ":" (a bare "10.0.1" would match 10.0.10.x and 10.0.100.x as well)."""
    try:
        return Q(ip_address=str(ipaddress.ip_address(value)))
    except ValueError:
        return Q(ip_address__startswith=value)


def newest(user, moderated, *, board=None, author="", address="", state="", before=None):
    """One desk page of comments, newest first (a keyset on the id, never OFFSET or COUNT):
    the rows and the ``before`` of the next page (None on the last)."""
    found = comments(user, moderated)
    if board:
        found = found.filter(post__board_id=board)
    if author:
        # Resolved in a subquery, so the comments are read through their author index.
        writers = Author.objects.filter(Q(name=author) | Q(user__username=author))
        found = found.filter(author__in=writers.values("pk"))
    if address:
        found = found.filter(address_filter(address))
    if state == "live":
        found = found.filter(is_removed=False)
    elif state == "removed":
        found = found.filter(is_removed=True)
    if before:
        found = found.filter(pk__lt=before)
    found = found.select_related("post__board", "author__user", "removed_by").order_by("-pk")
    rows = list(found[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].pk if more else None)


def account_named(name):
    """The one account a desk filter names (its user name, or its author name when only one
    account has it), or None."""
    if not name:
        return None
    found = get_user_model().objects.filter(Q(username=name) | Q(author__name=name))
    found = list(found.distinct()[:2])
    return found[0] if len(found) == 1 else None


def may_suspend_account(moderator, account):
    """Who suspends from the desk: those who may suspend (suspension.may_suspend: not a board's
    own moderators), anyone but themselves."""
    return suspension.may_suspend(moderator) and account.pk != moderator.pk


@transaction.atomic
def remove_selected(moderator, ids, reason=""):
    """Remove the comments ``ids``, each like every removal (who, when, why, the article's
    count, the admin's history). NotYours, and nothing removed, if any of them is not on a
    board the moderator moderates. Returns how many were removed now (not those already)."""
    ids = set(ids)
    found = list(comments(moderator).filter(pk__in=ids).select_related("author"))
    if len(found) != len(ids):
        raise NotYours
    return sum(services.remove_comment(comment, by=moderator, reason=reason) for comment in found)


@transaction.atomic
def remove_recent(moderator, account, days, reason=""):
    """Remove every comment ``account`` wrote in the last ``days`` days on the boards the
    moderator moderates; how many were removed."""
    since = timezone.now() - timezone.timedelta(days=days)
    found = comments(moderator).filter(
        author__user=account, created_at__gte=since, is_removed=False
    )
    reason = reason or _("최근 %(days)d일 댓글 한꺼번에 삭제") % {"days": days}
    rows = found.select_related("author").order_by("pk")
    return sum(services.remove_comment(comment, by=moderator, reason=reason) for comment in rows)


def suspend(moderator, account, *, days, reason=""):
    """Suspend ``account`` from the desk (suspension.suspend); PermissionDenied for whoever
    may not."""
    if not may_suspend_account(moderator, account):
        raise PermissionDenied
    return suspension.suspend(account, by=moderator, days=days, reason=reason)

"""Suspended accounts (이용 정지): no login, no comments, votes or reports while it lasts.

Who may suspend: site-wide moderators (the board.moderate_comment permission), staff and
superusers, anyone, from the admin (Suspension) or a report; a board's own moderators only the
author of an item reported on their board, with the queue's "remove and suspend"
(board.reports.decide), since they answer for that board alone. Lifting is for the former.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Suspension

# The periods a moderator picks from, in days; None: until lifted.
PERIODS = [1, 3, 7, 30, None]


class Suspended(PermissionDenied):
    """A suspended account tried to log in, comment, vote or report; the argument is the
    reader's message."""


def active(user):
    """The account's suspension in force, the one that lasts longest, or None."""
    if user is None or not user.is_authenticated:
        return None
    found = Suspension.objects.active().filter(user=user)
    # An indefinite one (NULL) first, then the latest end: one query.
    return found.order_by(F("until").desc(nulls_first=True)).first()


def message(suspension):
    if suspension.until is None:
        return _("이용이 정지된 계정입니다 (기한 없음).")
    until = timezone.localtime(suspension.until).strftime("%Y-%m-%d %H:%M")
    return _("이용이 정지된 계정입니다 (%(until)s까지).") % {"until": until}


def check(user):
    """Raise Suspended, with the reader's message, if ``user`` is suspended now."""
    suspension = active(user)
    if suspension is not None:
        raise Suspended(message(suspension))


def may_suspend(user):
    """Site-wide moderators, staff and superusers suspend any account and lift suspensions."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    flag = getattr(user, "is_moderator", None)  # loaded with the user by board.auth
    return flag if flag is not None else user.has_perm("board.moderate_comment")


def suspend(user, *, by, days, reason=""):
    """Suspend ``user`` for ``days`` days from now (None: until lifted), recorded."""
    from . import services  # services checks suspensions: imported here, not at the top

    now = timezone.now()
    until = now + timezone.timedelta(days=days) if days is not None else None
    with transaction.atomic():
        suspension = Suspension.objects.create(
            user=user, starts_at=now, until=until, suspended_by=by, reason=reason[:200]
        )
        services.record(by, user, _("이용 정지: %(reason)s") % {"reason": reason or "-"})
    return suspension


def lift(suspension, *, by):
    """End a suspension now; False when it was already lifted (two moderators at once)."""
    from . import services

    with transaction.atomic():
        changed = Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=by
        )
        if changed:
            services.record(by, suspension.user, _("이용 정지 해제"))
    return bool(changed)

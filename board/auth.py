import unicodedata

import confusables
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from .models import Author, Board, Post


def is_moderator(user_field):
    """An expression: whether the user in ``user_field`` may moderate comments (directly or
    through a group), to load in the same query as the user or as a comment's author."""
    perm = Permission.objects.filter(content_type__app_label="board", codename="moderate_comment")
    return Exists(perm.filter(user=OuterRef(user_field))) | Exists(
        perm.filter(group__user=OuterRef(user_field))
    )


def moderates_a_board(user_field):
    """An expression: whether the user in ``user_field`` is in some board's moderators group
    (the header's way to the desk), loaded with the user as is_moderator is."""
    return Exists(Board.objects.filter(moderators__user=OuterRef(user_field)))


class BoardBackend(ModelBackend):
    """Django's model backend, loading the moderator flag in the same query as the user.

    The article page asks whether the reader may moderate; without this it costs two more
    queries (the user's and the groups' permissions) on every signed-in page view.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        user = (
            user_model._default_manager.annotate(
                is_moderator=is_moderator("pk"), moderates_a_board=moderates_a_board("pk")
            )
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class LoginGuard(AxesDatabaseHandler):
    """django-axes's database handler with the board's lockout policy (README, "Safe under abuse").

    - A user name from one address (the pair) is locked after AXES_FAILURE_LIMIT failures.
    - An address is locked after LOGIN_ADDRESS_FAILURE_LIMIT failures against any names.
    - A user name that failed from several addresses lately (LOGIN_THROTTLE) is refused, while
      that lasts, to the addresses that failed for it; its owner on a clean address still gets in.
    A success resets only its own pair. Axes's reset would clear everything the address did
    (so a guesser could log in to an account of their own between guesses), and one lock on the
    user name alone would let anyone lock out anyone, staff included.
    """

    def get_failures(self, request, credentials=None):
        # Axes compares this number with AXES_FAILURE_LIMIT both when a login is tried and when
        # it decides whether the failure just recorded locks: the other two rules report the
        # limit when they refuse, and say which rule it was to the lockout page.
        username = get_client_username(request, credentials)
        ip = request.axes_ip_address
        pair_filter = Q(username=username, ip_address=ip)
        window, addresses = settings.LOGIN_THROTTLE
        recent = request.axes_attempt_time - timezone.timedelta(seconds=window)
        counts = AccessAttempt.objects.filter(
            Q(ip_address=ip) | Q(username=username),
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(
            pair=Sum("failures_since_start", filter=pair_filter, default=0),
            address=Sum("failures_since_start", filter=Q(ip_address=ip), default=0),
            recent=Count(
                "ip_address",
                distinct=True,
                filter=Q(username=username, attempt_time__gte=recent),
            ),
        )
        limit = get_failure_limit(request, credentials)
        if counts["pair"] >= limit:
            request.login_refusal = "pair"
        elif counts["address"] >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.login_refusal = "address"
        elif counts["pair"] and counts["recent"] >= addresses:
            request.login_refusal = "throttle"
        else:
            return counts["pair"]
        return max(counts["pair"], limit)

    def reset_user_attempts(self, request, credentials=None):
        """On success, forget only this user name's failures from this address."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def name_key(name):
    """A name as it looks: width and compatibility forms folded (NFKC), case folded."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def impersonated_name(name):
    """The staff or moderator account or article author ``name`` could be taken for, else None.

    Comments show only a name, so a reader named `еditor` (Cyrillic е) beside staff `editor`,
    or `아주` beside the source board's author, would speak for them. The look-alike test is
    Unicode's confusables table (the ``confusables`` package), after NFKC and case folding.
    """
    user_model = get_user_model()
    # Staff and moderators: the accounts that carry a mark beside their names.
    staff = user_model._default_manager.filter(Q(is_staff=True) | is_moderator("pk"))
    authors = Author.objects.filter(
        Exists(Post.objects.filter(author=OuterRef("pk")))
        | Q(user__is_staff=True)
        | is_moderator("user")
    )
    # Their full names too: an author profile made later takes the full name (author_for).
    full_names = (
        f"{first} {last}".strip()
        for first, last in staff.values_list("first_name", "last_name")
        if first or last
    )
    protected = {
        *staff.values_list(user_model.USERNAME_FIELD, flat=True),
        *full_names,
        *authors.values_list("name", flat=True),
    }
    key = name_key(name)
    for other in sorted(protected):
        if confusables.is_confusable(key, name_key(other)):
            return other
    return None

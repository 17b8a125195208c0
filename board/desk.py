"""The moderators' desk: the desk page (open reports, the newest comments of the boards one
moderates, bulk removal and suspension), readers' report forms, the open-report queue and its
decisions, and the suspended accounts (board.moderation, board.reports and board.suspension
hold the rules)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import moderation, reports, services, suspension
from .comment_views import suspended
from .forms import (
    PERIOD_CHOICES,
    RECENT_CHOICES,
    DecisionForm,
    DeskAccountForm,
    DeskFilterForm,
    DeskRemoveForm,
    ReportForm,
)
from .limits import RateLimited
from .models import Board, Comment, Decision, Post, Suspension
from .views import (
    SecretPost,
    comment_landing,
    front_for_default_board,
    public_post,
    readable_comment,
    secret_post,
)

SUSPENSIONS_PAGE_SIZE = 50
# Report groups the desk shows above its comments (the queue has them all).
DESK_REPORT_GROUPS = 3


def refused(request, message, status=403):
    context = {
        "error_code": status,
        "error_title": _("신고할 수 없습니다"),
        "error_text": message,
        "kept_text": request.POST.get("text", "") if request.method == "POST" else "",
    }
    return render(request, "error_page.html", context, status=status)


def report_view(request, *, author_user_id, back, post=None, comment=None):
    """GET shows the report form, POST records the report and goes back to the item."""
    try:
        reports.check_report(
            request.user, author_user_id=author_user_id, post=post, comment=comment
        )
    except suspension.Suspended as refusal:
        kept = request.POST.get("text", "") if request.method == "POST" else ""
        return suspended(request, refusal, kept_text=kept)
    except reports.ReportRefused as refusal:
        return refused(request, refusal.args[0])
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                reports.report(request.user, post=post, comment=comment, **form.cleaned_data)
            except reports.ReportRefused as refusal:
                return refused(request, refusal.args[0])
            except RateLimited as limit:
                seconds, count = limit.args
                message = _(
                    "신고가 너무 잦습니다 (%(seconds)d초에 %(count)d번까지). 잠시 후 다시 하세요."
                )
                return refused(request, message % {"seconds": seconds, "count": count}, 429)
            messages.success(request, _("신고를 접수했습니다. 운영진이 살펴보겠습니다."))
            return redirect(back)
    context = {"form": form, "post": post, "comment": comment, "back": back}
    return render(request, "board/report_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@front_for_default_board
def report_post(request, number, slug=None):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        post = public_post(request, slug, number)
    except SecretPost:
        return secret_post(request)
    back = post.get_absolute_url()
    return report_view(request, author_user_id=post.author_user_id, back=back, post=post)


@require_http_methods(["GET", "HEAD", "POST"])
def report_comment(request, pk):
    if not request.user.is_authenticated:
        # Decided before the lookup: the same answer whether or not the comment exists.
        return redirect_to_login(request.get_full_path())
    try:
        comment = readable_comment(request, pk)
    except SecretPost:
        return secret_post(request)
    back = comment_landing(comment.pk)  # straight to the comment page holding it
    author_user_id = comment.author.user_id
    return report_view(request, author_user_id=author_user_id, back=back, comment=comment)


def moderates_any(user):
    """Whether ``user`` moderates some board (site-wide, or through a board's group)."""
    if not user.is_authenticated:
        return False
    if services.can_moderate(user):
        return True
    return user.is_active and Board.objects.filter(moderators__user=user).exists()


def parse_page(raw):
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else 1


@require_safe
def queue(request):
    """The open reports the moderator answers for, grouped by item, most reported first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not moderates_any(request.user):
        raise PermissionDenied
    paginator = Paginator(reports.groups(request.user), reports.QUEUE_PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page")))
    context = {
        "page": page,
        "groups": reports.fill(request.user, page.object_list),
        "form": DecisionForm(),
        "may_suspend": suspension.may_suspend(request.user),
    }
    return render(request, "board/report_queue.html", context)


@require_POST
def decide(request, kind, pk):
    """A moderator's decision on one item's open reports, from the queue."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("board:report-queue"))
    if kind not in ("post", "comment"):
        raise Http404
    if kind == "post":
        item = get_object_or_404(Post.objects.select_related("board", "author__user"), pk=pk)
        board, key = item.board, {"post": item}
    else:
        found = Comment.objects.select_related("post__board", "author__user")
        item = get_object_or_404(found, pk=pk)
        board, key = item.post.board, {"comment": item}
    if not services.can_moderate(request.user, board):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = {
            "error_code": 400,
            "error_title": _("처리할 수 없습니다"),
            "error_text": _("처리 방법이나 사유를 다시 확인해 주세요."),
        }
        return render(request, "error_page.html", context, status=400)
    data = form.cleaned_data
    author = item.author.user
    # A board's own moderators never suspend staff or a site-wide moderator.
    suspending = data["action"] == Decision.Action.SUSPEND and author is not None
    if suspending and suspension.may_suspend(author) and not suspension.may_suspend(request.user):
        raise PermissionDenied
    try:
        reports.decide(
            action=data["action"], by=request.user, reason=data["reason"], days=data["days"], **key
        )
    except reports.AlreadyDecided as already:
        messages.error(request, already.args[0])
    else:
        messages.success(request, _("신고를 처리했습니다."))
    return redirect("board:report-queue")


@require_safe
def suspensions(request):
    """The accounts suspended now, each with its lift button (site-wide moderators, staff)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not suspension.may_suspend(request.user):
        raise PermissionDenied
    found = Suspension.objects.active().select_related("user", "suspended_by")
    paginator = Paginator(found.order_by("-starts_at", "-pk"), SUSPENSIONS_PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page")))
    return render(request, "board/suspensions.html", {"page": page})


@require_POST
def lift(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("board:suspensions"))
    if not suspension.may_suspend(request.user):
        raise PermissionDenied
    found = get_object_or_404(Suspension.objects.select_related("user"), pk=pk)
    if suspension.lift(found, by=request.user):
        messages.success(request, _("이용 정지를 풀었습니다."))
    else:
        messages.error(request, _("이미 풀린 이용 정지입니다."))
    return redirect("board:suspensions")


# The desk page ------------------------------------------------------------------------------


@require_safe
def desk(request):
    """Where a moderator starts the day: the open reports, then the newest comments of the
    boards they moderate, filtered, with bulk actions (desk_action)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    moderated = moderation.boards(request.user)
    if not moderated:
        raise PermissionDenied
    form = DeskFilterForm(request.GET, boards=moderated)
    rows, before, account = [], None, None
    if form.is_valid():
        rows, before = moderation.newest(request.user, moderated, **form.cleaned_data)
        account = moderation.account_named(form.cleaned_data["author"])
    older = None
    if before is not None:
        query = request.GET.copy()
        query["before"] = before
        older = query.urlencode()
    first_page = None
    if request.GET.get("before"):
        query = request.GET.copy()
        query.pop("before")
        first_page = query.urlencode()
    groups = reports.groups(request.user)
    context = {
        "form": form,
        "rows": rows,
        "older": older,
        "first_page": first_page,
        "account": account,
        "may_suspend": account is not None
        and moderation.may_suspend_account(request.user, account),
        "may_suspend_any": suspension.may_suspend(request.user),
        "recent_choices": RECENT_CHOICES,
        "period_choices": PERIOD_CHOICES,
        "open_count": reports.open_reports(request.user).count(),
        "groups": reports.fill(request.user, groups[:DESK_REPORT_GROUPS]),
        "back": request.get_full_path(),  # where the actions come back to
    }
    return render(request, "board/desk.html", context)


def desk_back(request):
    """Back to the desk page the action came from (its filters kept), checked to be the desk."""
    back = request.POST.get("next", "")
    desk_url = reverse("board:desk")
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    return back if safe and back.startswith(desk_url) else desk_url


@require_POST
def desk_action(request):
    """The desk's bulk actions: remove the ticked comments, remove an account's recent
    comments, suspend an account. Post/Redirect/Get, with a message saying what was done."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("board:desk"))
    if not moderates_any(request.user):
        raise PermissionDenied
    back = desk_back(request)
    action = request.POST.get("action")
    if action == "remove":
        form = DeskRemoveForm(request.POST)
    elif action == "remove_recent":
        form = DeskAccountForm(request.POST, periods=RECENT_CHOICES)
    elif action == "suspend":
        if not suspension.may_suspend(request.user):
            raise PermissionDenied
        form = DeskAccountForm(request.POST)
    else:
        form = None
    if form is None or not form.is_valid():
        errors = [error for field in form.errors.values() for error in field] if form else []
        messages.error(request, errors[0] if errors else _("처리할 일을 다시 골라 주세요."))
        return redirect(back)
    data = form.cleaned_data
    if action == "remove":
        reason = data["reason"] or _("운영 데스크에서 삭제")
        done = moderation.remove_selected(request.user, data["comment"], reason)
        messages.success(request, removed_message(done, len(set(data["comment"]))))
        return redirect(back)
    account = get_object_or_404(get_user_model(), pk=data["account"])
    name = account.get_username()
    if action == "remove_recent":
        done = moderation.remove_recent(request.user, account, data["days"], data["reason"])
        if done:
            text = ngettext(
                "%(name)s 계정이 최근 %(days)d일 동안 쓴 댓글 %(count)d개를 삭제했습니다.",
                "%(name)s 계정이 최근 %(days)d일 동안 쓴 댓글 %(count)d개를 삭제했습니다.",
                done,
            )
        else:
            text = _("%(name)s 계정이 최근 %(days)d일 동안 쓴 댓글 가운데 삭제할 댓글이 없습니다.")
        messages.success(request, text % {"name": name, "days": data["days"], "count": done})
    else:
        moderation.suspend(request.user, account, days=data["days"], reason=data["reason"])
        messages.success(request, _("%(name)s 계정의 이용을 정지했습니다.") % {"name": name})
    return redirect(back)


def removed_message(done, chosen):
    if not done:
        return _("고른 댓글은 모두 이미 삭제되어 있어 새로 삭제한 댓글이 없습니다.")
    already = chosen - done
    if already:
        return ngettext(
            "댓글 %(done)d개를 삭제했습니다 (%(already)d개는 이미 삭제되어 있었습니다).",
            "댓글 %(done)d개를 삭제했습니다 (%(already)d개는 이미 삭제되어 있었습니다).",
            done,
        ) % {"done": done, "already": already}
    return ngettext("댓글 %(done)d개를 삭제했습니다.", "댓글 %(done)d개를 삭제했습니다.", done) % {
        "done": done
    }

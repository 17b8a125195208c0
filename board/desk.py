"""The moderators' desk: readers' report forms, the open-report queue and its decisions, and
the suspended accounts (board.reports, board.suspension hold the rules)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import reports, services, suspension
from .comment_views import suspended
from .forms import DecisionForm, ReportForm
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

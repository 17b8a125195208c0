"""What signed-in readers and moderators do on an article: comment, vote, remove and restore
comments. Each answers back at the article (or the comment page holding the comment)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import addresses, services, suspension
from .forms import CommentForm, RemovalForm
from .models import Comment, Vote
from .views import (
    SecretPost,
    article_context,
    comment_landing,
    front_for_default_board,
    public_post,
    readable_comment,
    safe_next,
    secret_post,
)


@require_POST
@front_for_default_board
def comment_create(request, number, slug=None):
    if not request.user.is_authenticated:
        # Back to the article's comment box after logging in: the comment's own address takes
        # only POST (a signed-out reader here is usually one whose session ended).
        board_path = addresses.board(slug or settings.BOARD_SLUG)
        return redirect_to_login(addresses.article(board_path, number) + "#comment-form")
    try:
        post = public_post(request, slug, number)
    except SecretPost:
        return secret_post(request)
    # A reply's form keeps its own ids: it is shown again under its comment, beside the other.
    form = CommentForm(request.POST, auto_id="reply_%s" if request.POST.get("parent") else "id_%s")
    status, reply_to = 400, None
    if form.is_valid():
        try:
            comment = services.post_comment(
                post=post,
                user=request.user,
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data["parent"],
                ip_address=services.client_ip(request) or None,
            )
        except suspension.Suspended as refused:
            return suspended(request, refused, kept_text=form.cleaned_data["body"])
        except services.ReplyRefused as refused:
            form = CommentForm(request.POST)
            form.is_valid()
            form.add_error(None, refused.args[0])
        except services.RateLimited as limit:
            seconds, count = limit.args
            form.add_error(
                None,
                _("댓글이 너무 잦습니다 (%(seconds)d초에 %(count)d개까지). 잠시 후 다시 쓰세요.")
                % {"seconds": seconds, "count": count},
            )
            status, reply_to = 429, form.cleaned_data["parent"]
        else:
            # On the comment page that holds the new comment.
            return redirect(comment_landing(comment.pk))
    elif "parent" not in form.errors:
        # An empty or too long reply: back under the comment it answers, if it can take one.
        reply_to = form.cleaned_data.get("parent")
    context = article_context(request, post, form=form, reply_to=reply_to)
    return render(request, "board/post_detail.html", context, status=status)


def suspended(request, refused, kept_text=""):
    """A suspended reader's comment, vote or report: a 403 saying until when, with the text
    they wrote shown to copy (it is not stored)."""
    context = {
        "error_code": 403,
        "error_title": _("이용이 정지된 계정입니다"),
        "error_text": refused.args[0],
        "kept_text": kept_text,
    }
    return render(request, "error_page.html", context, status=403)


VOTE_VALUES = {"up": Vote.UP, "down": Vote.DOWN}


def vote_refused(request, message, status=403):
    context = {"error_code": status, "error_title": _("추천할 수 없습니다"), "error_text": message}
    return render(request, "error_page.html", context, status=status)


def cast_vote(request, board, *, author_user_id, post=None, comment=None):
    """Check and record the reader's vote (services.vote); None when done, else the answer."""
    value = VOTE_VALUES.get(request.POST.get("vote"))
    if value is None:
        return vote_refused(request, _("추천인지 비추천인지 알 수 없습니다."), status=400)
    try:
        services.check_vote(
            request.user, value, board, author_user_id=author_user_id, comment=comment
        )
        services.vote(request.user, value, post=post, comment=comment)
    except suspension.Suspended as refused:
        return suspended(request, refused)
    except services.VoteRefused as refused:
        return vote_refused(request, str(refused))
    except services.RateLimited as limit:
        seconds, count = limit.args
        message = _("추천이 너무 잦습니다 (%(seconds)d초에 %(count)d번까지). 잠시 후 다시 하세요.")
        return vote_refused(request, message % {"seconds": seconds, "count": count}, status=429)
    return None


@require_POST
@front_for_default_board
def post_vote(request, number, slug=None):
    """추천 / 비추천 of a listed article, toggled; back to the article's votes."""
    if not request.user.is_authenticated:
        # Back to the article after logging in (the vote's own address takes only POST).
        board_path = addresses.board(slug or settings.BOARD_SLUG)
        return redirect_to_login(addresses.article(board_path, number))
    try:
        post = public_post(request, slug, number)
    except SecretPost:
        return secret_post(request)
    refused = cast_vote(request, post.board, author_user_id=post.author_user_id, post=post)
    return refused or redirect(f"{post.get_absolute_url()}#votes")


@require_POST
def comment_vote(request, pk):
    """추천 / 비추천 of a comment, where its board takes them; back to the comment."""
    if not request.user.is_authenticated:
        # Back to the comment after logging in (its address finds the page that holds it).
        return redirect_to_login(reverse("board:comment", kwargs={"pk": pk}))
    try:
        comment = readable_comment(request, pk)
    except SecretPost:
        return secret_post(request)
    board = comment.post.board
    refused = cast_vote(request, board, author_user_id=comment.author.user_id, comment=comment)
    return refused or redirect(comment_landing(comment.pk))


def moderation_view(request, pk, *, action):
    """GET shows a confirmation, POST acts and returns to the comment (django-contrib-comments)."""
    if not request.user.is_authenticated:
        # Decided before the lookup: the same answer whether or not the comment exists.
        return redirect_to_login(request.get_full_path())
    comment = get_object_or_404(Comment.objects.select_related("post__board", "author"), pk=pk)
    board = comment.post.board
    allowed = (
        services.can_remove(request.user, comment, board)
        if action == "remove"
        else services.can_restore(request.user, comment, board)
    )
    if not allowed:
        raise PermissionDenied
    post = comment.post
    shown = post.is_listed or request.user.is_staff
    # The way back: the comment on its article, or the listing when the article is hidden
    # (its preview address would name it to a reader).
    if not shown:
        fallback = reverse("board:post-list")
    elif post.is_listed and request.method == "POST":
        fallback = comment_landing(comment.pk)  # straight to the comment page that holds it
    else:  # its lasting address (to that page, or staff's preview): no query to confirm
        fallback = comment.get_absolute_url()
    back = safe_next(request, fallback)
    form = RemovalForm(request.POST if request.method == "POST" else None)
    # A writer removing their own comment owes nobody a reason: only a moderator is asked.
    own = comment.author.user_id == request.user.pk
    if request.method == "POST" and form.is_valid():
        if action == "remove":
            reason = "" if own else form.cleaned_data["reason"]
            services.remove_comment(comment, by=request.user, reason=reason)
            messages.success(request, _("댓글을 삭제했습니다."))
        else:
            services.restore_comment(comment, by=request.user)
            messages.success(request, _("댓글을 되살렸습니다."))
        return redirect(back)
    context = {
        "comment": comment,
        # A removed or not yet published article's title stays hidden from readers.
        "post_title": post.title if shown else None,
        "action": action,
        "ask_reason": not own,
        "form": form,
        "next": back,
    }
    return render(request, "board/comment_confirm.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def comment_remove(request, pk):
    return moderation_view(request, pk, action="remove")


@require_http_methods(["GET", "HEAD", "POST"])
def comment_restore(request, pk):
    return moderation_view(request, pk, action="restore")

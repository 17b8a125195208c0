"""Reader pages. The listing is 2 queries and an article 4, whatever the board's size."""

import sys
import warnings
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from PIL import Image as PILImage

from . import addresses, feeds, limits, listing, reading, search, services, suspension
from .forms import CommentForm, RemovalForm, SearchForm, SignupForm
from .models import Attachment, Board, Comment, Post, PostImage, Vote

VIEWED_COOKIE = "viewed"
VIEWED_SALT = "postbbs.viewed"
VIEWED_KEEP = 300  # the most recent articles remembered per visitor


def parse_page(raw):
    """The requested page as an int >= 1, or None when the parameter is junk."""
    if raw is None:
        return 1
    try:
        page = int(raw)
    except (TypeError, ValueError):
        return None
    return page if page >= 1 else None


def listing_context(board, page, rows, category=None):
    """The context of one listing query's rows: pinned notices, then the page's rows (of the
    board, or of one category)."""
    category_id = category.pk if category else None
    return {
        "board": board,
        "category": category,
        "rows": rows,
        "page": page,
        "list_url": board.get_page_url(page, category_id),
        # What each row's link carries: this page, the way back from the article.
        "row_query": addresses.listing_query(page, category_id),
    }


def front_for_default_board(view):
    """The default board's pages live at the site's front (/, /125/) as they always did: its
    own address name's (/news/, /news/125/) redirect there for good, one URL per page."""

    @wraps(view)
    def wrapper(request, *args, slug=None, **kwargs):
        if slug == settings.BOARD_SLUG:
            match = request.resolver_match
            url = reverse(f"{match.namespace}:{match.url_name}", kwargs=kwargs)
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        return view(request, *args, slug=slug, **kwargs)

    return wrapper


def board_or_404(slug, category_id=None):
    """The board at ``slug`` (None: the default board) with its scheduled articles published,
    and its category ``category_id`` (None: the whole board); 404 if either is missing."""
    slug = slug or settings.BOARD_SLUG
    try:
        board, category = reading.board_and_category(slug, category_id)
        published = services.publish_due_posts(board)
        if published is not board:  # articles just published: the counters moved
            board, category = reading.board_and_category(slug, category_id)
    except Board.DoesNotExist:
        raise Http404 from None
    if category_id is not None and category is None:
        raise Http404
    return board, category


def parse_category(raw):
    """The requested category's id, None for the whole board, or False when it is junk."""
    if raw is None:
        return None
    number = parse_page(raw)
    return number if number is not None else False


@require_safe
@front_for_default_board
def post_list(request, slug=None):
    category_id = parse_category(request.GET.get("category"))
    page = parse_page(request.GET.get("page"))
    board, category = board_or_404(slug, category_id or None)
    if "q" in request.GET:
        return search_results(request, board)
    if page is None or category_id is False:
        return redirect(board.get_page_url(1, category_id or None))
    shown = category or board
    if page > shown.num_pages:
        return redirect(board.get_page_url(shown.num_pages, category_id))
    rows = listing.fetch_rows(board, page, category=category)
    request.nav_boards = rows.boards  # the navigation bar's, read with the rows
    context = listing_context(board, page, rows, category)
    return render(request, "board/post_list.html", context)


def search_results(request, board):
    form = SearchForm(request.GET)
    context = {
        "board": board,
        "search_q": request.GET.get("q", ""),
        "search_target": request.GET.get("target", ""),
    }
    if not form.is_valid() or not form.cleaned_data["q"]:
        if form.errors:
            context["search_error"] = next(iter(form.errors.values()))[0]
            return render(request, "board/search.html", context, status=400)
        context["search_error"] = _("검색어를 입력하세요.")
        return render(request, "board/search.html", context)
    data = form.cleaned_data
    try:
        search.throttle(services.client_ip(request))
        results = search.search(board, data["q"], data["target"], data["before"], data["after"])
    except search.Throttled as limit:
        message = _(
            "검색이 너무 잦습니다 (%(seconds)d초에 %(count)d번까지). "
            "%(retry)d초 뒤에 다시 찾아 주세요."
        ) % {"seconds": limit.seconds, "count": limit.limit, "retry": limit.retry_after}
        response = search_refused(request, context, message, status=429)
        response["Retry-After"] = str(limit.retry_after)
        return response
    except search.TooSlow:  # the statement timeout stopped it: a clear answer, not a 500
        message = _(
            "검색이 너무 오래 걸려 멈췄습니다. 검색어를 더 길게 쓰거나 검색 대상을 좁혀 주세요."
        )
        return search_refused(request, context, message, status=503)
    # The way back from an article: this very page of results, older or newer.
    back = results.url(**{k: data[k] for k in ("before", "after") if data[k] is not None})
    context.update(results=results, back_query=back)
    return render(request, "board/search.html", context)


def search_refused(request, context, message, status):
    context.update(search_error=message)
    return render(request, "board/search.html", context, status=status)


def viewed_numbers(request):
    raw = request.get_signed_cookie(VIEWED_COOKIE, default="", salt=VIEWED_SALT)
    return [n for n in raw.split(".") if n.isdigit()]


def public_post(request, slug, number):
    """The listed article ``number`` of the board at ``slug`` (None: the default board), or
    404 (board.reading: no ORM compiling); a secret one that this reader may not open, 403."""
    post = reading.article(slug or settings.BOARD_SLUG, number)
    if post is None:
        raise Http404
    if not services.can_read(request.user, post, post.author_user_id):
        raise SecretPost
    return post


class SecretPost(PermissionDenied):
    """A secret article opened by someone other than its author or staff."""


def secret_post(request):
    context = {
        "error_code": 403,
        "error_title": _("비밀글입니다"),
        "error_text": _("글쓴이와 운영진만 볼 수 있는 글입니다. 글쓴이라면 로그인해 주세요."),
    }
    return render(request, "error_page.html", context, status=403)


ARTICLE_KEEPS = ("category", "page", "q", "target", "before", "after")
COMMENT_PAGE_WINDOW = 10  # comment page numbers shown at once, as the listing's


def article_query(request, cpage, first_page):
    """The query string of this article view on comment page ``cpage``: the listing (or
    search) it came from, and ``cpage`` unless it is the page the article opens on."""
    keep = [(key, request.GET[key]) for key in ARTICLE_KEEPS if request.GET.get(key)]
    if cpage != first_page:
        keep.append(("cpage", cpage))
    return f"?{urlencode(keep)}" if keep else ""


def comment_page_links(request, article_url, cpage, num_pages, first_page):
    """The comment page links (the listing's look, blocks of ten), or None for one page."""
    if num_pages <= 1:
        return None

    def page_url(number):
        return f"{article_url}{article_query(request, number, first_page)}#comments"

    start = (cpage - 1) // COMMENT_PAGE_WINDOW * COMMENT_PAGE_WINDOW + 1
    end = min(start + COMMENT_PAGE_WINDOW - 1, num_pages)
    return {
        "page": cpage,
        "pages": [(n, page_url(n)) for n in range(start, end + 1)],
        "first_url": page_url(1) if cpage > 1 else None,
        "prev_url": page_url(cpage - 1) if cpage > 1 else None,
        "next_url": page_url(cpage + 1) if cpage < num_pages else None,
        "last_url": page_url(num_pages) if cpage < num_pages else None,
    }


def comment_address(place, pk):
    """Comment ``pk``'s place on its article (a listed one): the comment page that holds it,
    the article's own address when that is the page it opens on."""
    article_url = addresses.article(addresses.board(place.board_slug), place.number)
    query = f"?cpage={place.page}" if place.page != place.first_page else ""
    return f"{article_url}{query}#comment-{pk}"


def comment_landing(pk):
    """Where a reader goes back to comment ``pk`` after acting on it: one query."""
    return comment_address(reading.comment_place(pk), pk)


@require_safe
def comment_link(request, pk):
    """A comment's lasting address (Comment.get_absolute_url): to the comment page holding it,
    on the same terms as its article. A removed or scheduled article's comment: staff go to
    the preview, anyone else gets the same 404 as for no comment at all."""
    place = reading.comment_place(pk)
    if place is None:
        raise Http404
    if not place.is_listed:
        if request.user.is_staff and request.user.has_perm("board.view_post"):
            return redirect(reverse("board:post-preview", kwargs={"pk": place.post_id}))
        raise Http404
    if not services.can_read(request.user, place, place.author_user_id):
        return secret_post(request)
    return redirect(comment_address(place, pk))


def reply_target(value, comments):
    """The comment that ``?reply=`` asks to answer, if it is one of ``comments`` and not
    removed: the reply form goes under it."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    return next((c.pk for c in comments if c.pk == int(value) and not c.is_removed), None)


def article_context(request, post, form=None, reply_to=None):
    """Everything the article page shows below the article: comments, neighbours, listing.
    ``reply_to``: the comment a posted reply answered, whose form (``form``) goes under it."""
    board = services.publish_due_posts(post.board)
    # Came from its category's listing: that listing below it, with the neighbours in it.
    category = post.category
    if post.cat_seq is None or parse_category(request.GET.get("category")) != post.category_id:
        category = None
    shown = category or board
    # The page the reader came from, else the page that holds this article.
    page = parse_page(request.GET.get("page", ""))
    if page is None or page > shown.num_pages:
        page = shown.page_of(post.cat_rank if category else post.rank)
    around = post.cat_seq if category else post.seq
    rows = listing.fetch_rows(board, page, around=around, category=category)
    request.nav_boards = rows.boards
    # One comment page (?cpage=, else the page the board opens on; a junk or too high one
    # shown as that page, as for ?page=: post_detail redirects such a GET first).
    first_page, num_cpages = board.first_comment_page(post), board.comment_pages(post)
    cpage = parse_page(request.GET.get("cpage", ""))
    if cpage is None or cpage > num_cpages:
        cpage = first_page
    # The authors' staff and moderator marks come in the same query as the comments.
    comments = reading.comments(post.pk, cpage, board.comments_per_page)
    user = request.user
    moderator = services.can_moderate(user, board) if comments or post.is_hidden else False
    # A signed-in reader's own votes (the buttons they pressed): one more query, not needed
    # on their own article unless its comments take votes.
    post.my_vote, comment_votes = 0, {}
    own = user.pk == post.author_user_id
    if user.is_authenticated and (board.comment_votes or not own):
        post.my_vote, comment_votes = reading.my_votes(user.pk, post.pk)
    for comment in comments:
        comment.removable = services.can_remove(user, comment, moderator=moderator)
        comment.my_vote = comment_votes.get(comment.pk, 0)
    # The reply form, under the comment it answers (found among the comments: no query).
    reply_form = None
    if user.is_authenticated and board.reply_depth:
        if reply_to is not None:  # a posted reply, shown again with its errors
            if reply_target(str(reply_to), comments) is not None:
                reply_form, form = form, None
        else:
            reply_to = reply_target(request.GET.get("reply"), comments)
            if reply_to is not None:
                reply_form = CommentForm(initial={"parent": reply_to}, auto_id="reply_%s")
    context = listing_context(board, page, rows, category)
    # The neighbours are the category's: going to one stays in it.
    context["neighbour_query"] = addresses.listing_query(1, category.pk) if category else ""
    back = SearchForm(request.GET) if request.GET.get("q") else None
    if back is not None and back.is_valid() and back.cleaned_data["q"]:
        keep = {k: request.GET[k] for k in ("q", "target", "before", "after") if request.GET.get(k)}
        context["list_url"] = f"{board.get_absolute_url()}?{urlencode(keep)}"
    # What the comment forms and reply links carry: this comment page (and the listing).
    comment_query = article_query(request, cpage, first_page)
    context["comment_query"] = comment_query
    context["reply_url"] = f"{comment_query}{'&' if comment_query else '?'}reply="
    article_url = board.get_article_url(post.number)
    context["comment_pages"] = comment_page_links(
        request, article_url, cpage, num_cpages, first_page
    )
    canonical = request.build_absolute_uri(post.get_absolute_url())
    # A secret article tells link previews and search engines no more than the listing does.
    image = None if post.is_secret else feeds.first_image(post)
    context.update(
        description=post.title if post.is_secret else feeds.summary(post),
        canonical_url=canonical,
        og_image=request.build_absolute_uri(image) if image else None,
        post=post,
        comments=comments,
        moderator=moderator,
        older=rows.older,
        newer=rows.newer,
        form=form or (CommentForm() if user.is_authenticated else None),
        reply_form=reply_form,
        reply_to=reply_to if reply_form is not None else None,
        # Nobody votes for their own article (the server refuses it too: services.check_vote).
        can_vote=not (user.is_authenticated and own),
        # Only an article with files pays for the query that reads them.
        attachments=reading.attachments(post.pk) if post.has_file else [],
    )
    return context


@require_safe
@front_for_default_board
def post_detail(request, number, slug=None):
    try:
        post = public_post(request, slug, number)
    except SecretPost:
        return secret_post(request)
    board = post.board
    cpage = request.GET.get("cpage")
    if cpage is not None:
        # As the listing's ?page=: junk goes to the page the article opens on, a page past
        # the end to the last one; never a 500.
        number, last = parse_page(cpage), board.comment_pages(post)
        if number is None or number > last:
            number = board.first_comment_page(post) if number is None else last
            query = article_query(request, number, board.first_comment_page(post))
            return redirect(f"{board.get_article_url(post.number)}{query}")
    # Count the view first, so the header and the listing below both include it.
    seen = viewed_numbers(request)
    # Only a reader's GET is a view: HEAD is a link checker or a monitor, never a reader.
    first_view = request.method == "GET" and str(post.pk) not in seen
    if first_view and not services.is_crawler(request.headers.get("User-Agent", "")):
        services.count_view(post)

    response = render(request, "board/post_detail.html", article_context(request, post))
    if first_view:
        seen = [*seen, str(post.pk)][-VIEWED_KEEP:]
        response.set_signed_cookie(
            VIEWED_COOKIE,
            ".".join(seen),
            salt=VIEWED_SALT,
            httponly=True,
            samesite="Lax",
            secure=secure_cookies(request),
        )
    return response


def secure_cookies(request):
    return settings.HTTPS or request.is_secure()


@staff_member_required
@require_safe
def post_preview(request, pk):
    """Staff see an article before its time, or after its removal; nothing is counted."""
    if not request.user.has_perm("board.view_post"):
        raise PermissionDenied
    post = get_object_or_404(
        Post.objects.select_related("board").annotate(author_name=F("author__name")), pk=pk
    )
    board = post.board
    context = listing_context(board, 1, listing.fetch_rows(board, 1))
    context.update(
        post=post, comments=[], preview=True, older=None, newer=None, description=post.title
    )
    context["attachments"] = reading.attachments(post.pk) if post.has_file else []
    return render(request, "board/post_detail.html", context)


def may_see(request, post):
    """Whether this request may see ``post``'s files: anyone's while it is listed, staff's
    before that (scheduled) and after its removal; a secret article's, only its author's and
    staff's (``post.author`` loaded with it)."""
    if not services.can_read(request.user, post, post.author.user_id):
        return False
    if post.is_listed:  # removal takes an article out of the listing
        return True
    return request.user.is_staff and request.user.has_perm("board.view_post")


def file_cache_control(post):
    """A hidden or secret article's file never stays in a shared cache, and a public one is
    checked again on every request: once its article is removed, it is for staff only."""
    return "public, no-cache" if post.is_listed and not post.is_secret else "private, no-store"


@require_safe
def media_file(request, path):
    """An uploaded image, served only while its article may be seen: to anyone once the
    article is listed, to staff before that (scheduled) and after its removal. Anyone else
    gets the same 404 as for a file that does not exist, so nothing reveals an embargoed
    photo; a file that belongs to no image is a 404 too, whatever its name or length."""
    if "\x00" in path:
        raise Http404  # PostgreSQL refuses NUL in a string: no such file either way
    image = PostImage.objects.select_related("post__author").filter(image=path).first()
    if image is None:
        raise Http404
    post = image.post
    if not may_see(request, post):
        raise Http404
    try:
        file = image.image.storage.open(image.image.name, "rb")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            kind = PILImage.open(file).format  # the header's word, not the file name's
        file.seek(0)
    except Exception as error:  # missing, unreadable or not an image at all
        raise Http404 from error
    content_type = PILImage.MIME.get(kind)
    if content_type is None:
        file.close()
        raise Http404
    response = FileResponse(file, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = file_cache_control(post)
    return response


@require_safe
def attachment_download(request, pk):
    """An attached file, always as a download under its original name, never shown by the
    site. Served on the same terms as images (media_file): the same 404 for a file of a
    hidden article as for none at all. Each GET counts one download; HEAD counts nothing."""
    found = Attachment.objects.select_related("post__author").only(
        "name", "file", "downloads", "post__seq", "post__is_secret", "post__author__user_id"
    )
    attachment = found.filter(pk=pk).first()
    if attachment is None or not may_see(request, attachment.post):
        raise Http404
    try:
        file = attachment.file.storage.open(attachment.file.name, "rb")
    except Exception as error:  # missing or unreadable
        raise Http404 from error
    if request.method == "GET":
        services.count_download(attachment)
    # A neutral type: the name's extension never decides how a browser treats the bytes.
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = file_cache_control(attachment.post)
    return response


@login_required
@require_POST
@front_for_default_board
def comment_create(request, number, slug=None):
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
            )
        except suspension.Suspended as refused:
            return suspended(request, refused)
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


def suspended(request, refused):
    """A suspended reader's comment, vote or report: a 403 saying until when."""
    context = {
        "error_code": 403,
        "error_title": _("이용이 정지된 계정입니다"),
        "error_text": refused.args[0],
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
    found = Comment.objects.select_related("post__board", "post__author", "author")
    comment = found.filter(pk=pk).first()
    # Only a listed article's comments: a removed or scheduled one is not there for readers.
    if comment is None or not comment.post.is_listed:
        raise Http404
    post = comment.post
    if not services.can_read(request.user, post, post.author.user_id):
        return secret_post(request)
    refused = cast_vote(request, post.board, author_user_id=comment.author.user_id, comment=comment)
    return refused or redirect(comment_landing(comment.pk))


def safe_next(request, fallback):
    """A `next` path on this site, or the fallback. Only absolute paths: anything else could
    be taken by redirect() for a view name, or lead off the site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


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
        else services.can_moderate(request.user, board)
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
    if request.method == "POST" and form.is_valid():
        if action == "remove":
            services.remove_comment(comment, by=request.user, reason=form.cleaned_data["reason"])
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


@require_safe
def choose_language(request, code):
    """Remember the reader's interface language in a cookie and go back. A plain link rather
    than Django's POST-only set_language, so that no page needs a CSRF token for it."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    response = redirect(safe_next(request, reverse("board:post-list")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=secure_cookies(request),
    )
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("board:post-list")
    form = SignupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            # Reserved before the slow password hashing, so parallel requests cannot pass it.
            reservation = limits.reserve_signup(limits.client_ip(request))
        except limits.RateLimited as limit:
            seconds, count = limit.args
            form.add_error(
                None,
                _("이 주소에서 가입이 너무 많습니다 (%(hours)d시간에 %(count)d명까지).")
                % {"hours": seconds // 3600, "count": count},
            )
            status = 429
        else:
            return complete_signup(request, form, reservation)
    context = {"form": form, "next": safe_next(request, "")}
    if form.errors and status == 200:
        status = 400
    return render(request, "registration/signup.html", context, status=status)


def complete_signup(request, form, reservation):
    # The password is hashed (the slow part, on purpose) before the transaction: on SQLite the
    # write lock is taken at BEGIN, and parallel sign-ups would queue behind each hash.
    try:
        user = form.save(commit=False)
        with transaction.atomic():
            user.save()
            form.save_m2m()
    except IntegrityError:
        # Another sign-up took the name between this form's check and its save.
        limits.release_signup(reservation)
        form.add_error(
            "username", get_user_model()._meta.get_field("username").error_messages["unique"]
        )
        context = {"form": form, "next": safe_next(request, "")}
        return render(request, "registration/signup.html", context, status=400)
    except Exception:
        limits.release_signup(reservation)  # no account made: the place is free again
        raise
    login(request, user, backend="board.auth.BoardBackend")
    messages.success(request, _("가입을 환영합니다, %(name)s 님.") % {"name": user.username})
    return redirect(safe_next(request, reverse("board:post-list")))


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """500, or 503 while the database cannot be reached: both pages need no database."""
    error = sys.exc_info()[1]
    request.nav_boards = []  # no navigation bar: these pages read nothing from the database
    if isinstance(error, DATABASE_DOWN):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "10"
        return response
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    context = {
        "error_code": 403,
        "error_title": _("보안 토큰이 맞지 않습니다"),
        "error_text": _(
            "페이지를 연 지 오래되었거나 쿠키가 꺼져 있습니다. 새로고침한 뒤 다시 보내 주세요."
        ),
    }
    return render(request, "error_page.html", context, status=403)

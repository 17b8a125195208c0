"""Reader pages. The listing is 2 queries and an article 4, whatever the board's size."""

from functools import wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import addresses, feeds, listing, reading, search, services
from .forms import CommentForm, SearchForm
from .models import Board, Comment, Post

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


def readable_comment(request, pk):
    """Comment ``pk`` with its article, board and authors, as a reader acting on it may see
    it: Http404 for none and for a removed or scheduled article's (not there for readers),
    SecretPost for a secret article's that this reader may not read."""
    found = Comment.objects.select_related("post__board", "post__author", "author")
    comment = found.filter(pk=pk).first()
    if comment is None or not comment.post.is_listed:
        raise Http404
    post = comment.post
    if not services.can_read(request.user, post, post.author.user_id):
        raise SecretPost
    return comment


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


def fold_removed(comments):
    """Removed comments one after another read as one line ("삭제된 댓글 3개"): the first of a
    run carries the others' ids (their anchors stay on the page) and they leave the list."""
    shown = []
    for comment in comments:
        if comment.is_removed and shown and shown[-1].is_removed:
            shown[-1].folded.append(comment.pk)
        else:
            shown.append(comment)
    return shown


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
        comment.restorable = comment.is_removed and services.can_restore(
            user, comment, moderator=moderator
        )
        comment.my_vote = comment_votes.get(comment.pk, 0)
    if not moderator:  # moderators see each removal, with who, why and a restore link
        comments = fold_removed(comments)
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
    attachments = reading.attachments(post.pk) if post.has_file else []
    return preview_page(request, post, attachments)


def preview_page(request, post, attachments, template="board/post_detail.html", **extra):
    """``post`` as readers see it, for staff (stored, or the admin's unsaved form): the
    article's own page with its board's first listing page below, no comments, nothing
    counted."""
    board = post.board
    context = listing_context(board, 1, listing.fetch_rows(board, 1))
    context.update(
        post=post, comments=[], preview=True, older=None, newer=None, description=post.title
    )
    context.update(attachments=attachments, **extra)
    return render(request, template, context)


def safe_next(request, fallback):
    """A `next` path on this site, or the fallback. Only absolute paths: anything else could
    be taken by redirect() for a view name, or lead off the site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

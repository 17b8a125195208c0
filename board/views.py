"""Reader pages: the listing and the article. Two and four queries, whatever the board's size."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from . import services
from .models import Post

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


def listing_context(board, page, rows, current=None):
    """Split one listing query's rows into pinned notices and the page's numbered rows."""
    low, high = board.seq_range(page)
    notices = sorted((p for p in rows if p.is_notice), key=lambda p: -p.seq)
    numbered = sorted((p for p in rows if low <= p.seq <= high), key=lambda p: -p.seq)
    return {
        "board": board,
        "notices": notices,
        "posts": numbered,
        "page": page,
        "list_url": board.get_page_url(page),
        "current": current,
    }


@require_safe
def post_list(request):
    board = services.default_board()
    page = parse_page(request.GET.get("page"))
    if page is None:
        return redirect("board:post-list")
    if page > board.num_pages:
        return redirect(board.get_page_url(board.num_pages))
    rows = list(Post.objects.listing_rows(board, *board.seq_range(page)))
    return render(request, "board/post_list.html", listing_context(board, page, rows))


def viewed_numbers(request):
    raw = request.get_signed_cookie(VIEWED_COOKIE, default="", salt=VIEWED_SALT)
    return [n for n in raw.split(".") if n.isdigit()]


@require_safe
def post_detail(request, number):
    post = get_object_or_404(
        Post.objects.select_related("board", "author").listed(),
        board__slug=settings.BOARD_SLUG,
        number=number,
    )
    # Count the view first, so the header and the listing below both include it.
    seen = viewed_numbers(request)
    first_view = str(post.pk) not in seen
    if first_view and not services.is_crawler(request.headers.get("User-Agent", "")):
        services.count_view(post)

    board = post.board
    # The page the reader came from, else the page that holds this article.
    page = parse_page(request.GET.get("page", ""))
    if page is None or page > board.num_pages:
        page = board.page_of(post.seq)
    neighbours = (post.seq - 1, post.seq + 1)
    rows = list(Post.objects.listing_rows(board, *board.seq_range(page), extra_seqs=neighbours))
    by_seq = {p.seq: p for p in rows}
    comments = list(post.comments.select_related("author"))

    context = listing_context(board, page, rows, current=post)
    context.update(
        post=post,
        comments=comments,
        older=by_seq.get(post.seq - 1),
        newer=by_seq.get(post.seq + 1),
    )
    response = render(request, "board/post_detail.html", context)
    if first_view:
        seen = [*seen, str(post.pk)][-VIEWED_KEEP:]
        response.set_signed_cookie(
            VIEWED_COOKIE, ".".join(seen), salt=VIEWED_SALT, httponly=True, samesite="Lax"
        )
    return response

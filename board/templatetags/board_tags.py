from django import template

register = template.Library()

WINDOW = 10  # page numbers shown at once, in blocks as on Korean boards: 1–10, 11–20, ...


@register.inclusion_tag("includes/pagination.html")
def pagination(board, page):
    num_pages = board.num_pages
    page_url = board.get_page_url
    start = (page - 1) // WINDOW * WINDOW + 1
    end = min(start + WINDOW - 1, num_pages)
    return {
        "page": page,
        "num_pages": num_pages,
        "pages": [(n, page_url(n)) for n in range(start, end + 1)],
        "first_url": page_url(1) if page > 1 else None,
        "prev_url": page_url(page - 1) if page > 1 else None,
        "next_url": page_url(page + 1) if page < num_pages else None,
        "last_url": page_url(num_pages) if page < num_pages else None,
    }


@register.filter
def minutes(duration):
    """A timedelta as whole minutes (the lockout page's wait), 0 when there is none."""
    return round(duration.total_seconds() / 60) if duration else 0

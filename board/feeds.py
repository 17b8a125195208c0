"""RSS and Atom feeds of the latest articles, a sitemap, and robots.txt."""

import html
import re
from collections.abc import Mapping

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, get_tag_uri
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import services
from .listing import SEQ_OF_RANK
from .models import PAGE_SIZE, Board, Post

FIRST_IMAGE = re.compile(r'<img [^>]*src="([^"]+)"')


def summary(post, length=160):
    """A plain-text description of an article: its body's beginning, or its title.

    Plain text, not HTML: the body's entities are decoded here, and whoever shows it escapes
    it once (the templates' autoescape, the feeds' item_description)."""
    text = " ".join(html.unescape(strip_tags(post.body_html)).split())
    return Truncator(text).chars(length) if text else post.title


def first_image(post):
    match = FIRST_IMAGE.search(post.body_html or "")
    return match.group(1) if match else None


DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


def date_only_item(item):
    """An article kept from the source's listing has a day but no time (Post.listing_only):
    its entry leaves out the RSS pubDate / Atom published, which would claim a time (its
    stored midnight), and gives the day as a Dublin Core date (2008-03-27) instead."""
    if not item.get("date_only"):
        return item, None
    # An Atom entry without an id of its own would derive one from the date: keep that one.
    unique_id = item["unique_id"] or get_tag_uri(item["link"], item["pubdate"])
    return {**item, "pubdate": None, "unique_id": unique_id}, item["date_only"]


class DateOnlyRss(Rss201rev2Feed):
    def add_item_elements(self, handler, item):
        item, day = date_only_item(item)
        super().add_item_elements(handler, item)
        if day:
            handler.addQuickElement("dc:date", day, {"xmlns:dc": DUBLIN_CORE})


class DateOnlyAtom(Atom1Feed):
    def add_item_elements(self, handler, item):
        item, day = date_only_item(item)
        super().add_item_elements(handler, item)
        if day:
            handler.addQuickElement("dc:date", day, {"xmlns:dc": DUBLIN_CORE})


class LatestPostsFeed(Feed):
    feed_type = DateOnlyRss
    description = _("최근 글")

    def get_object(self, request, slug=None):
        try:
            return services.board(slug)
        except Board.DoesNotExist:
            raise Http404 from None

    def title(self, board):
        return board.name

    def link(self, board):
        return board.get_absolute_url()

    def items(self, board):
        # The newest listed posts: a backward seek on the listing index, as many as page 1.
        # One hidden by readers' reports (board.reports) stays out until a moderator decides.
        return (
            Post.objects.filter(board=board, is_secret=False, is_hidden=False)
            .listed()
            .select_related("author", "board")
            .order_by("-seq")[:PAGE_SIZE]
        )

    def item_title(self, post):
        # RSS readers show a title as HTML, so it is sent escaped (as Django's own default
        # item_title does): a title with markup reaches them as text.
        return escape(post.title)

    def item_description(self, post):
        # Descriptions are HTML in both RSS and Atom (type="html"): the plain text, escaped.
        return escape(summary(post, 300))

    def item_author_name(self, post):
        return post.author.name

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at

    def item_extra_kwargs(self, post):
        if post.listing_only:
            return {"date_only": timezone.localdate(post.published_at).isoformat()}
        return {}


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = DateOnlyAtom
    subtitle = LatestPostsFeed.description

    def item_title(self, post):
        return post.title  # an Atom title without a type is text: readers never parse it


class ListedPosts:
    """The listed articles as a sequence the sitemap paginates by rank (oldest first), without
    COUNT(*) or OFFSET: its length is the board's counter and a slice of ranks is a range of
    positions, each end found through its block row (as the listing does)."""

    def __init__(self, board):
        self.board = board

    def __len__(self):
        return self.board.post_count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("ListedPosts supports slices only")
        start, stop, _step = index.indices(len(self))
        if start >= stop:
            return []
        board = self.board.pk
        low = RawSQL(SEQ_OF_RANK, [start + 1, board, start + 1])
        high = RawSQL(SEQ_OF_RANK, [stop, board, stop])
        posts = list(
            Post.objects.filter(board=self.board, seq__gte=low, seq__lte=high, is_secret=False)
            .only("number", "seq", "updated_at")
            .order_by("seq")
        )
        for post in posts:
            post.board = self.board  # their addresses need it: no query per article
        return posts


class PostSitemap(Sitemap):
    changefreq = "daily"
    limit = 10_000

    def __init__(self, board):
        self.board = board

    def items(self):
        return ListedPosts(self.board)

    def lastmod(self, post):
        return post.updated_at


class BoardSitemaps(Mapping):
    """Every board's articles, a sitemap section each named by the board's address name
    (sitemap-news.xml), the boards read when the sitemap is asked for."""

    __eq__ = object.__eq__  # reverse() compares the URL pattern's arguments: by identity
    __hash__ = object.__hash__

    def __getitem__(self, slug):
        board = Board.objects.filter(slug=slug).first()
        if board is None:
            raise KeyError(slug)
        return PostSitemap(board)

    def __iter__(self):
        return iter(Board.objects.order_by("pk").values_list("slug", flat=True))

    def __len__(self):
        return Board.objects.count()

    def items(self):  # the index: one query for every board, not one each
        return [(board.slug, PostSitemap(board)) for board in Board.objects.order_by("pk")]


SITEMAPS = BoardSitemaps()


@require_safe
@cache_control(max_age=86400)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /preview/",
        "Disallow: /comments/",
        "Disallow: /*?q=",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

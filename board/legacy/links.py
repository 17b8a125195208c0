"""Old links: every address of an imported XE, Rhymix or Gnuboard5 site answers a permanent
redirect (301) to the PostBBS page it became, or the site's 404 when its id was never imported.

The URL schemes and their sources are in ../shared/reference/legacy-boards.md, section 4 (XE's
and Rhymix's ``.htaccess`` and ``common/framework/Router.php``, XE ``modules/board``,
``modules/file/file.model.php``; Gnuboard ``bbs/board.php``, ``bbs/download.php``,
``lib/uri.lib.php``). The importers record what each old id became in ``LegacyKey``: "post"
document_srl or "bo_table:wr_id", "comment" comment_srl or a comment's "bo_table:wr_id",
"category" category_srl, "file" file_srl or "bo_table:wr_id:bf_no", "image" the old path under
``files/`` or ``data/``; a board's slug is its old mid or bo_table.

Ordinary requests pay nothing: ``old_links`` (a middleware) decides from the path and the query
string alone whether a request can be an old link. Only then does it hand the request to
``board.legacy.urls``, whose one catch-all view (``old_link``) finds the new address in one query
(none for a board, page, search or feed address) and runs behind the whole middleware stack, so
its 404 is the site's own page and Django's add-a-slash never turns ``/notice/1597`` into
PostBBS's article 1597.

Rules where old and new addresses meet:

- ``/N/`` and ``/<slug>/N/`` (with the final slash) are always PostBBS's own article N. A bare
  ``/N`` or ``/<slug>/N`` is an old link (XE ``/document_srl``, ``/mid/document_srl``, Gnuboard
  ``/bo_table/wr_id``) once any old site has been imported: found, it goes to its article; not
  found, it is a 404. Before any import they get their slash as every address does.
- On ``/`` PostBBS's own ``page``, ``category``, ``q`` and ``target`` stay PostBBS's; the XE
  parameters (``mid``, ``document_srl``, ``comment_srl``, ``search_keyword``, ``act``, ...) make
  it an old link. ``category`` is an XE category_srl only beside one of those or on
  ``/index.php``.
- Several imported sites may share an old id: the one whose board's slug the address names
  (``mid``, ``bo_table``, the path's first segment) wins, else the first imported.
- An old link leads where the article's own address would: a removed or unpublished article's
  (and its comments', files', images') is a 404, a secret one's goes to the article (its 403).
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from .. import addresses
from ..models import RESERVED_SLUGS, Category
from ..reading import CommentPlace
from ..views import comment_address
from .keys import LegacyKey

URLCONF = "board.legacy.urls"

# XE's query parameters that PostBBS's own listing never uses (XE modules/board/board.view.php).
XE_PARAMS = frozenset(
    {"mid", "document_srl", "comment_srl", "module", "act", "file_srl", "search_keyword", "vid"}
)
# XE's search_target (modules/board/board.class.php) and Gnuboard's sfl (bbs/list.php) as the
# PostBBS search's target; anything else searches title and body.
XE_TARGETS = {
    "title_content": "title_body",
    "title": "title",
    "content": "body",
    "comment": "comment",
    "nick_name": "author",
    "user_name": "author",
    "user_id": "author",
}
G5_TARGETS = {
    "wr_subject||wr_content": "title_body",
    "wr_subject": "title",
    "wr_content": "body",
    "wr_name,1": "author",
    "wr_name,0": "author",
    "mb_id,1": "author",
    "mb_id,0": "author",
}

SLUG = r"[A-Za-z0-9_-]+"
NUMBER = r"[0-9]+"  # its length checked by number(): junk is a 404, never a 500
# Path forms (the query string aside), each to its handler's keyword arguments.
PATHS = [
    (re.compile(rf"/(?P<srl>{NUMBER})"), "bare_article"),
    (re.compile(rf"/(?P<slug>{SLUG})/(?P<srl>{NUMBER})"), "bare_article"),
    (re.compile(rf"/(?P<slug>{SLUG})/(?P<srl>{NUMBER})/comment/(?P<comment>{NUMBER})"), "comment"),
    (re.compile(rf"/(?P<slug>{SLUG})/page/(?P<page>{NUMBER})"), "board_page"),
    (
        re.compile(
            rf"/(?P<slug>{SLUG})/category/(?P<category>{NUMBER})(?:/page/(?P<page>{NUMBER}))?"
        ),
        "category",
    ),
    (re.compile(rf"/(?P<slug>{SLUG})/(?P<kind>rss|atom)"), "feed"),
    (re.compile(rf"/rss/(?P<slug>{SLUG})"), "feed"),  # Gnuboard
    (re.compile(r"/(?P<kind>rss|atom)"), "feed"),
    # Rhymix: /files/download/link/{file_srl}/{sid}/{name}, /files/download/{file_srl}/{key}/{name}
    (re.compile(rf"/files/download/(?:link/)?(?P<srl>{NUMBER})/.*"), "download"),
    # XE's virtual sites: /{vid}/{mid}/{document_srl} (after the forms above, which it matches too)
    (re.compile(rf"/(?P<vid>{SLUG})/(?P<slug>{SLUG})/(?P<srl>{NUMBER})"), "bare_article"),
]


@dataclass
class OldLink:
    """What an old address asks for, read from its path and query string alone."""

    handler: str
    args: dict = field(default_factory=dict)


def recognise(path, query):
    """The old link that ``path`` with the query ``query`` (a QueryDict, read only for ``/``)
    is, or None for every address PostBBS answers itself. No query to the database."""
    if path in ("/", "/index.php"):
        if path == "/" and not XE_PARAMS.intersection(query):
            return None
        return OldLink("xe_query")
    if path in ("/bbs/board.php", "/bbs/download.php", "/bbs/rss.php"):
        return OldLink("gnuboard")
    # Files straight from the disk, XE's also under the folder XE was installed in.
    if "/files/attach/" in path:
        return OldLink("image", {"key": path[path.index("/files/attach/") + len("/files/") :]})
    if path.startswith(("/data/file/", "/data/editor/")):
        return OldLink("image", {"key": path[len("/data/") :]})
    if path.endswith("/"):
        return None  # PostBBS's own addresses end in a slash; old ones never do
    if path == f"/{settings.BOARD_SLUG}":  # XE's /mid for the default board: straight to /
        return OldLink("board_page", {"slug": settings.BOARD_SLUG, "page": "1"})
    for pattern, handler in PATHS:
        match = pattern.fullmatch(path)
        if match:
            args = {k: v for k, v in match.groupdict().items() if v is not None}
            # /admin/123, /files/3, /static/x/1: the site's own, whatever they answer.
            for name in ("vid", "slug"):
                if name in args and (args[name].lower() in RESERVED_SLUGS or args[name].isdigit()):
                    return None
            args.pop("vid", None)
            return OldLink(handler, args)
    return None


def old_links(get_response):
    """A middleware, before CommonMiddleware: an old link is answered by ``old_link`` (through
    its own URL configuration), everything else goes on untouched."""

    def middleware(request):
        if request.method in ("GET", "HEAD"):
            path = request.path_info
            # The query string is parsed here only for the front page's.
            query = request.GET if path == "/" and request.META.get("QUERY_STRING") else ()
            link = recognise(path, query)
            if link is not None:
                request.old_link = link
                request.urlconf = URLCONF
        return get_response(request)

    return middleware


@require_safe
def old_link(request):
    link = request.old_link
    target = HANDLERS[link.handler](request, **link.args)
    return HttpResponsePermanentRedirect(target)


# --- the values of an old address -----------------------------------------------------------


def number(value):
    """An old numeric id as its key ("1597"), or None for junk (letters, NUL, 30 digits)."""
    if value and len(value) <= 20 and value.isascii() and value.isdigit():
        return str(int(value))
    return None


def page_number(value):
    key = number(value)
    return int(key) if key and int(key) >= 1 else 1


def slug_or_none(value):
    if value and re.fullmatch(SLUG, value) and value.lower() not in RESERVED_SLUGS:
        return value
    return None


def text(value):
    """A search word or a category name as given, or None when it holds a NUL (which
    PostgreSQL refuses) or is empty."""
    if not value or "\x00" in value:
        return None
    return value


def pick(rows, slug, board_slug):
    """Of the rows one old id found (oldest import first), the one on the board ``slug``
    names, else the first."""
    if not rows:
        raise Http404
    return next((row for row in rows if slug and board_slug(row) == slug), rows[0])


# --- the lookups: one query each ------------------------------------------------------------

# An old article or comment id: its article's address, and for a comment its place in thread
# order (as reading.COMMENT_PLACE_SQL), so the redirect goes straight to the comment page
# holding it. From a one-row table, so that a miss still says whether any old site was imported
# (a bare /N is then a 404, not PostBBS's article N).
ARTICLE_SQL = """
SELECT k.id, c.id, p.id, p.seq, p.number, p.is_secret, b.slug, b.comments_per_page,
       b.comments_newest_first, p.comment_rows,
       (SELECT COUNT(*) FROM board_comment d WHERE d.post_id = c.post_id AND d.path < c.path),
       EXISTS (SELECT 1 FROM board_legacykey i WHERE i.kind = 'post')
FROM (SELECT 1 AS one) AS x
LEFT JOIN board_legacykey k ON k.kind IN ({kinds}) AND k.key IN ({keys})
LEFT JOIN board_comment c ON c.id = k.comment_id
LEFT JOIN board_post p ON p.id = COALESCE(c.post_id, k.post_id)
LEFT JOIN board_board b ON b.id = p.board_id
ORDER BY k.id
LIMIT 20
"""


@dataclass
class Found:
    comment_id: int | None
    place: CommentPlace


def find_article(kinds, keys, slug=None):
    """The article (or comment) that one of ``keys`` of ``kinds`` became, and whether any old
    article was imported at all: (Found or None, imported)."""
    sql = ARTICLE_SQL.format(
        kinds=", ".join(["%s"] * len(kinds)), keys=", ".join(["%s"] * len(keys))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kinds, *keys])
        found = cursor.fetchall()
    imported = bool(found[0][-1])
    rows = [row for row in found if row[2] is not None]
    if not rows:
        return None, imported
    row = pick(rows, slug, lambda row: row[6])
    _key, comment_id, *values, _imported = row
    place = CommentPlace(values[0], values[1], values[2], bool(values[3]), None, *values[4:])
    place.newest_first = bool(place.newest_first)
    return Found(comment_id, place), imported


def article_address(found):
    """Where an old article or comment link goes: its article, or the comment page holding the
    comment; a 404 when the article is not listed (removed, unpublished)."""
    if found is None or not found.place.is_listed:
        raise Http404
    place = found.place
    if found.comment_id is not None:
        return comment_address(place, found.comment_id)
    return addresses.article(addresses.board(place.board_slug), place.number)


def article(keys, slug=None, kinds=("post",)):
    return article_address(find_article(kinds, keys, slug)[0])


def file_address(kinds, key, slug=None):
    """An old file or image: the attached file's download or the image's address, on the same
    terms as their article's (a 404 when it is not listed)."""
    rows = list(
        LegacyKey.objects.filter(kind__in=kinds, key=key)
        .select_related("attachment__post__board", "image__post__board")
        .order_by("pk")[:20]
    )
    row = pick(rows, slug, lambda row: row.target.post.board.slug if row.target else None)
    target = row.target
    if target is None or not target.post.is_listed:
        raise Http404
    if row.image_id is not None:  # an image, under its path or its old file id
        return target.image.url
    return reverse("board:attachment", kwargs={"pk": target.pk})


def category_address(key, slug=None, page=1):
    rows = list(
        LegacyKey.objects.filter(kind=LegacyKey.Kind.CATEGORY, key=key)
        .select_related("category__board")
        .order_by("pk")[:20]
    )
    row = pick(rows, slug, lambda row: row.category.board.slug if row.category else None)
    if row.category is None:
        raise Http404
    return row.category.board.get_page_url(page, row.category.pk)


def search_address(slug, keyword, target):
    query = urlencode({"q": keyword, "target": target})
    return f"{addresses.board(slug or settings.BOARD_SLUG)}?{query}"


def board_address(slug, page=1):
    return addresses.listing_page(addresses.board(slug or settings.BOARD_SLUG), page)


# --- the handlers, by form ------------------------------------------------------------------


def xe_query(request):
    """XE's and Rhymix's query-string addresses: /index.php?mid=M&document_srl=N and the rest
    (a category_srl here is XE's: PostBBS's own ?category= alone never comes this way)."""
    get = request.GET
    mid = get.get("mid")
    slug = slug_or_none(mid)  # for an article, only a preference: XE ignores a wrong mid
    page = page_number(get.get("page"))
    for name, kinds in (("comment_srl", ("comment",)), ("document_srl", ("post",))):
        if name in get:
            key = number(get[name])
            if key is None:
                raise Http404
            return article([key], slug, kinds)
    act = get.get("act", "")
    if "file_srl" in get or act == "procFileDownload":
        key = number(get.get("file_srl"))
        if key is None:
            raise Http404
        return file_address(("file",), key)
    if mid and slug is None:
        raise Http404  # no board could have that address
    if act in ("rss", "atom"):
        return feed(request, slug=slug, kind=act)
    keyword = text(get.get("search_keyword"))
    if keyword:
        return search_address(slug, keyword, XE_TARGETS.get(get.get("search_target"), "title_body"))
    if "category" in get:
        key = number(get["category"])
        if key is None:
            raise Http404
        return category_address(key, slug, page)
    return board_address(slug, page)


def gnuboard(request):
    """Gnuboard's /bbs/board.php, /bbs/download.php and /bbs/rss.php (bbs/board.php L11: a
    comment's wr_id is its article's, at the comment)."""
    get = request.GET
    slug = slug_or_none(get.get("bo_table"))
    if slug is None:
        raise Http404
    if request.path_info == "/bbs/rss.php":
        return feed(request, slug=slug)
    if request.path_info == "/bbs/download.php":
        wr_id, no = number(get.get("wr_id")), number(get.get("no"))
        if wr_id is None or no is None:
            raise Http404
        return file_address(("file",), f"{slug}:{wr_id}:{no}", slug)
    if "wr_id" in get:
        wr_id = number(get["wr_id"])
        if wr_id is None:
            raise Http404
        return article([f"{slug}:{wr_id}"], slug, ("post", "comment"))
    page = page_number(get.get("page"))
    keyword = text(get.get("stx"))
    if keyword:
        return search_address(slug, keyword, G5_TARGETS.get(get.get("sfl"), "title_body"))
    name = text(get.get("sca"))
    if name:
        named = Category.objects.select_related("board").filter(board__slug=slug, name=name)
        named = named.first()
        if named is not None:  # an unknown name: the whole board, as Gnuboard lists nothing
            return named.board.get_page_url(page, named.pk)
    return board_address(slug, page)


def bare_article(request, srl, slug=None):
    """/N, /M/N (XE), /X/N (Gnuboard): an old article once an old site was imported, else
    PostBBS's own /N/ as the add-a-slash redirect gives it (see the module's rules)."""
    key = number(srl)
    if key is None:
        raise Http404
    keys = [key] if slug is None else [key, f"{slug}:{key}"]
    found, imported = find_article(("post",), keys, slug)
    if found is None and not imported:
        query = request.META.get("QUERY_STRING", "")
        return f"{request.path_info}/" + (f"?{query}" if query else "")
    return article_address(found)


def comment(request, slug, srl, comment):
    key = number(comment)
    if key is None:
        raise Http404
    return article([key], slug, ("comment",))


def board_page(request, slug, page):
    return board_address(slug, page_number(page))


def category(request, slug, category, page="1"):
    key = number(category)
    if key is None:
        raise Http404
    return category_address(key, slug, page_number(page))


def feed(request, slug=None, kind="rss"):
    return addresses.for_board(f"feed-{kind}", slug or settings.BOARD_SLUG)


def download(request, srl):
    key = number(srl)
    if key is None:
        raise Http404
    return file_address(("file",), key)


def image(request, key):
    """A file straight from the old site's disk: an image (or file) recorded by its path."""
    if "\x00" in key or len(key) > 255:
        raise Http404
    return file_address(("image", "file"), key)


HANDLERS = {
    "xe_query": xe_query,
    "gnuboard": gnuboard,
    "bare_article": bare_article,
    "comment": comment,
    "board_page": board_page,
    "category": category,
    "feed": feed,
    "download": download,
    "image": image,
}

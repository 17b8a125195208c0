"""Old links: every address of an imported XE, Rhymix or Gnuboard5 site answers 301 to the page
it became (board/legacy/links.py), found from the LegacyKey rows an importer writes."""

from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.utils import timezone

from board import services
from board.legacy.links import recognise
from board.models import Category
from tests.factories import (
    AttachmentFactory,
    BoardFactory,
    CommentFactory,
    LegacyKeyFactory,
    PostFactory,
    PostImageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = "페이지를 찾을 수 없습니다"  # the site's 404 page


@pytest.fixture
def site(board):
    """An XE site (board "notice", mid = slug) and a Gnuboard one (board "free") moved in beside
    the default board, with the LegacyKey rows their importers write."""
    home = PostFactory(board=board, title="첫 글")  # the default board's article 1: /1/
    notice = BoardFactory(slug="notice", name="공지사항")
    events = Category.objects.create(board=notice, name="행사")
    article = PostFactory(board=notice, category=events, title="우체국 소식")
    remark = CommentFactory(post=article)
    attachment = AttachmentFactory(post=article)
    image = PostImageFactory(post=article)
    xe = [
        ("board", "77", {"board": notice}),
        ("category", "80", {"category": events}),
        ("post", "1597", {"post": article}),
        ("post", "1600", {"post": home}),
        ("comment", "1700", {"comment": remark}),
        ("file", "1800", {"attachment": attachment}),
        ("image", "attach/images/77/597/001/photo.jpg", {"image": image}),
        ("image", "attach/images/77/597/001/우체국 사진.jpg", {"image": image}),
    ]
    free = BoardFactory(slug="free", name="자유게시판")
    chat = Category.objects.create(board=free, name="잡담")
    g5_article = PostFactory(board=free, category=chat)
    g5_comment = CommentFactory(post=g5_article)
    g5_file = AttachmentFactory(post=g5_article)
    g5_image = PostImageFactory(post=g5_article)
    g5_editor_image = PostImageFactory(post=g5_article)
    g5 = [
        ("board", "free", {"board": free}),
        ("post", "free:9", {"post": g5_article}),
        ("comment", "free:10", {"comment": g5_comment}),
        ("file", "free:9:0", {"attachment": g5_file}),
        ("image", "file/free/123_photo.jpg", {"image": g5_image}),
        ("image", "editor/2301/abc.jpg", {"image": g5_editor_image}),
    ]
    for source, rows in (("xe", xe), ("g5", g5)):
        for kind, key, target in rows:
            LegacyKeyFactory(source=source, kind=kind, key=key, **target)
    return SimpleNamespace(
        home=home,
        notice=notice,
        events=events,
        article=article,
        comment=remark,
        attachment=attachment,
        image=image,
        free=free,
        chat=chat,
        g5_article=g5_article,
        g5_comment=g5_comment,
        g5_file=g5_file,
        g5_image=g5_image,
        g5_editor_image=g5_editor_image,
    )


def placeholders(site):
    return {
        "category": site.events.pk,
        "comment": site.comment.pk,
        "attachment": site.attachment.pk,
        "image": site.image.image.url,
        "chat": site.chat.pk,
        "g5_comment": site.g5_comment.pk,
        "g5_file": site.g5_file.pk,
        "g5_image": site.g5_image.image.url,
        "g5_editor_image": site.g5_editor_image.image.url,
    }


REDIRECTS = [
    # XE and Rhymix: articles, by query and by short URL.
    ("/?document_srl=1597", "/notice/1/"),
    ("/index.php?document_srl=1597", "/notice/1/"),
    ("/index.php?mid=notice&document_srl=1597", "/notice/1/"),
    ("/index.php?mid=notice&document_srl=1597&page=3&listStyle=list", "/notice/1/"),
    ("/?mid=notice&act=dispBoardContent&document_srl=1597", "/notice/1/"),
    ("/1597", "/notice/1/"),
    ("/notice/1597", "/notice/1/"),
    ("/1600", "/1/"),  # on the default board, at the site's front
    ("/news/1600", "/1/"),
    ("/mysite/notice/1597", "/notice/1/"),  # XE's virtual site: /vid/mid/N
    ("/index.php?mid=admin&document_srl=1597", "/notice/1/"),  # a wrong mid: XE ignores it
    # Comments: straight to the comment page holding them.
    ("/?mid=notice&document_srl=1597&comment_srl=1700", "/notice/1/#comment-{comment}"),
    ("/index.php?comment_srl=1700", "/notice/1/#comment-{comment}"),
    ("/notice/1597/comment/1700", "/notice/1/#comment-{comment}"),
    # Boards and their pages.
    ("/notice", "/notice/"),
    ("/news", "/"),
    ("/index.php", "/"),
    ("/?mid=notice", "/notice/"),
    ("/index.php?mid=news", "/"),
    ("/notice/page/3", "/notice/?page=3"),
    ("/?mid=notice&page=2", "/notice/?page=2"),
    ("/index.php?mid=news&page=2", "/?page=2"),
    ("/?mid=notice&page=junk", "/notice/"),
    # Categories.
    ("/index.php?mid=notice&category=80", "/notice/?category={category}"),
    ("/?mid=notice&category=80&page=2", "/notice/?category={category}&page=2"),
    ("/index.php?category=80", "/notice/?category={category}"),
    ("/?act=dispBoardContent&category=80", "/notice/?category={category}"),
    ("/notice/category/80", "/notice/?category={category}"),
    ("/notice/category/80/page/2", "/notice/?category={category}&page=2"),
    # Searches, to the PostBBS search of the board.
    (
        "/?mid=notice&search_target=title_content&search_keyword=%ED%96%89%EC%82%AC",
        "/notice/?q=%ED%96%89%EC%82%AC&target=title_body",
    ),
    ("/?mid=notice&search_target=title&search_keyword=a", "/notice/?q=a&target=title"),
    ("/?mid=notice&search_target=content&search_keyword=a", "/notice/?q=a&target=body"),
    ("/?mid=notice&search_target=comment&search_keyword=a", "/notice/?q=a&target=comment"),
    ("/?mid=notice&search_target=nick_name&search_keyword=a", "/notice/?q=a&target=author"),
    ("/?mid=notice&search_target=user_name&search_keyword=a", "/notice/?q=a&target=author"),
    ("/?mid=notice&search_target=user_id&search_keyword=a", "/notice/?q=a&target=author"),
    ("/?mid=notice&search_target=tag&search_keyword=a", "/notice/?q=a&target=title_body"),
    ("/?search_keyword=a+b", "/?q=a+b&target=title_body"),
    # Files: XE's download, Rhymix's download addresses, files straight from the disk.
    (
        "/index.php?module=file&act=procFileDownload&file_srl=1800&sid=0f1e2d&module_srl=77",
        "/files/{attachment}/",
    ),
    ("/files/download/link/1800/0f1e2d/%EC%95%88%EB%82%B4.pdf", "/files/{attachment}/"),
    ("/files/download/1800/abcdef/%EC%95%88%EB%82%B4.pdf", "/files/{attachment}/"),
    ("/files/attach/images/77/597/001/photo.jpg", "{image}"),
    ("/xe/files/attach/images/77/597/001/photo.jpg", "{image}"),
    ("/files/attach/images/77/597/001/" + quote("우체국 사진.jpg"), "{image}"),
    # Feeds.
    ("/rss", "/feed/rss/"),
    ("/atom", "/feed/atom/"),
    ("/notice/rss", "/notice/feed/rss/"),
    ("/notice/atom", "/notice/feed/atom/"),
    ("/?mid=notice&act=rss", "/notice/feed/rss/"),
    # Gnuboard5.
    ("/bbs/board.php?bo_table=free", "/free/"),
    ("/bbs/board.php?bo_table=free&page=2", "/free/?page=2"),
    ("/bbs/board.php?bo_table=free&wr_id=9", "/free/1/"),
    ("/bbs/board.php?bo_table=free&wr_id=9&page=4&sca=&sfl=&stx=", "/free/1/"),
    ("/bbs/board.php?bo_table=free&wr_id=10", "/free/1/#comment-{g5_comment}"),
    ("/bbs/board.php?bo_table=free&sca=%EC%9E%A1%EB%8B%B4", "/free/?category={chat}"),
    ("/bbs/board.php?bo_table=free&sca=%EC%9E%A1%EB%8B%B4&page=2", "/free/?category={chat}&page=2"),
    ("/bbs/board.php?bo_table=free&sca=%EC%97%86%EC%9D%8C", "/free/"),  # no such category
    ("/bbs/board.php?bo_table=free&sfl=wr_subject&stx=a", "/free/?q=a&target=title"),
    ("/bbs/board.php?bo_table=free&sfl=wr_content&stx=a", "/free/?q=a&target=body"),
    (
        "/bbs/board.php?bo_table=free&sfl=wr_subject%7C%7Cwr_content&stx=a",
        "/free/?q=a&target=title_body",
    ),
    ("/bbs/board.php?bo_table=free&sfl=wr_name%2C1&stx=a", "/free/?q=a&target=author"),
    ("/bbs/board.php?bo_table=free&sfl=mb_id%2C0&stx=a", "/free/?q=a&target=author"),
    ("/bbs/board.php?bo_table=free&sfl=wr_10&stx=a", "/free/?q=a&target=title_body"),
    ("/bbs/download.php?bo_table=free&wr_id=9&no=0", "/files/{g5_file}/"),
    ("/data/file/free/123_photo.jpg", "{g5_image}"),
    ("/data/editor/2301/abc.jpg", "{g5_editor_image}"),
    ("/free/9", "/free/1/"),
    ("/free", "/free/"),
    ("/rss/free", "/free/feed/rss/"),
    ("/bbs/rss.php?bo_table=free", "/free/feed/rss/"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new"), REDIRECTS)
def test_old_address_redirects_for_good_to_its_new_page(client, site, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new.format(**placeholders(site))


@pytest.mark.parametrize(
    "old",
    [
        "/?document_srl=1597",
        "/notice/1597",
        "/bbs/board.php?bo_table=free&wr_id=10",
        "/files/attach/images/77/597/001/photo.jpg",
    ],
)
def test_head_answers_as_get(client, site, old):
    got, head = client.get(old), client.head(old)
    assert (head.status_code, head["Location"]) == (got.status_code, got["Location"])


def test_old_article_and_comment_links_land_on_pages_that_show_them(client, site):
    article = client.get("/?document_srl=1597", follow=True)
    assert article.status_code == 200
    assert "우체국 소식" in article.content.decode()
    comment = client.get("/notice/1597/comment/1700", follow=True)
    assert f'id="comment-{site.comment.pk}"' in comment.content.decode()


def test_old_comment_link_goes_straight_to_the_comment_page_that_holds_it(client, site):
    site.notice.comments_per_page = 10
    site.notice.save()
    later = CommentFactory.create_batch(11, post=site.article)[-1]
    LegacyKeyFactory(kind="comment", key="1750", comment=later)
    response = client.get("/?document_srl=1597&comment_srl=1750")
    assert response["Location"] == f"/notice/1/?cpage=2#comment-{later.pk}"
    assert f'id="comment-{later.pk}"' in client.get(response["Location"]).content.decode()


NOT_IMPORTED = [
    "/?document_srl=9999",
    "/index.php?mid=notice&document_srl=9999",
    "/9999",
    "/notice/9999",
    "/notice/1597/comment/9999",
    "/?comment_srl=9999",
    "/index.php?module=file&act=procFileDownload&file_srl=9999&sid=x",
    "/files/download/link/9999/x/a.pdf",
    "/files/attach/images/77/597/001/other.jpg",
    "/index.php?mid=notice&category=9999",
    "/notice/category/9999",
    "/bbs/board.php?bo_table=free&wr_id=999",
    "/bbs/download.php?bo_table=free&wr_id=9&no=7",
    "/data/file/free/none.jpg",
    "/data/editor/2301/none.jpg",
    "/free/999",
]

JUNK = [
    "/?document_srl=abc",
    "/?document_srl=1597abc",
    "/?document_srl=-1597",
    "/?document_srl=",
    "/?document_srl=1597%00",
    "/?document_srl=%00",
    "/?document_srl=123456789012345678901234567890",
    "/?comment_srl=1e3",
    "/?mid=notice%00&document_srl=1597x",
    "/?mid=no%20tice",
    "/?mid=%00",
    "/index.php?module=file&act=procFileDownload",
    "/index.php?module=file&act=procFileDownload&file_srl=%EF%BC%91",  # a full-width digit
    "/index.php?mid=notice&category=x",
    "/99999999999999999999999999999",
    "/notice/99999999999999999999",
    "/bbs/board.php",
    "/bbs/board.php?bo_table=%00",
    "/bbs/board.php?bo_table=free&wr_id=%00",
    "/bbs/download.php?bo_table=free&wr_id=9",
    "/bbs/download.php?bo_table=free&wr_id=9&no=x",
    "/files/attach/images/%00.jpg",
    "/data/editor/%00",
    "/data/file/free/" + "a" * 300 + ".jpg",
    "/data/editor/2301/%B0%A1.jpg",  # an EUC-KR name, not UTF-8
]


@pytest.mark.parametrize("old", NOT_IMPORTED + JUNK)
def test_old_id_never_imported_or_junk_is_the_sites_404(client, site, old):
    response = client.get(old)
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


@pytest.mark.parametrize(
    "old",
    [
        "/?mid=notice&search_keyword=%00",
        "/?mid=notice&search_keyword=" + "가" * 500,
        "/bbs/board.php?bo_table=free&stx=%00",
        "/bbs/board.php?bo_table=free&sca=%00",
        "/bbs/board.php?bo_table=free&stx=%B0%A1",  # EUC-KR, from an old form
        "/?mid=notice&search_keyword=%B0%A1",
        "/?mid=notice&page=99999999999999999999999",
        "/notice/page/99999999999999999999",
    ],
)
def test_junk_search_or_page_never_fails(client, site, old):
    response = client.get(old, follow=True)
    assert response.status_code < 500


def test_bare_number_is_an_old_document_once_a_site_was_imported(client, site):
    # /N without a slash: the old XE document_srl; /N/ is always PostBBS's own article N.
    assert client.get("/1597")["Location"] == "/notice/1/"
    assert client.get("/1/").status_code == 200
    assert client.get("/notice/1/").status_code == 200
    # A number no old site had is not PostBBS's article of that number either.
    assert client.get("/1").status_code == 404
    assert client.get("/notice/1").status_code == 404


def test_category_on_the_front_page_stays_postbbs_own(client, site, board):
    # XE's category_srl counts only beside mid (or on /index.php): /?category= is PostBBS's id.
    mine = Category.objects.create(board=board, name="알림")
    assert client.get(f"/?category={mine.pk}").status_code == 200


def test_bare_number_gets_its_slash_on_a_site_that_imported_nothing(client, board):
    notice = BoardFactory(slug="notice")
    PostFactory(board=board)
    PostFactory(board=notice)
    assert client.get("/1")["Location"] == "/1/"
    assert client.get("/notice/1?page=1")["Location"] == "/notice/1/?page=1"
    assert client.get("/1/").status_code == 200


def test_an_old_id_two_sites_share_goes_where_the_address_says(client, site):
    # A second XE site, imported later, whose document_srl 1597 is an article of board "old".
    old = BoardFactory(slug="old")
    other = PostFactory(board=old)
    LegacyKeyFactory(source="xe-2008", kind="post", key="1597", post=other)
    # No board named: the first site imported.
    assert client.get("/?document_srl=1597")["Location"] == "/notice/1/"
    assert client.get("/1597")["Location"] == "/notice/1/"
    # Its mid (or short URL's first segment) names the other.
    assert client.get("/index.php?mid=old&document_srl=1597")["Location"] == "/old/1/"
    assert client.get("/old/1597")["Location"] == "/old/1/"
    assert client.get("/index.php?mid=notice&document_srl=1597")["Location"] == "/notice/1/"


@pytest.fixture
def staff(db):
    return UserFactory(username="editor", is_staff=True, is_superuser=True)


def test_removed_article_old_links_are_404_like_its_own_address(client, site, staff):
    services.remove_post(site.article, by=staff)
    for old in [
        "/?document_srl=1597",
        "/notice/1597",
        "/notice/1597/comment/1700",
        "/index.php?module=file&act=procFileDownload&file_srl=1800",
        "/files/attach/images/77/597/001/photo.jpg",
    ]:
        assert client.get(old).status_code == 404, old
    assert client.get("/notice/1/").status_code == 404


def test_unpublished_article_old_link_is_404(client, site):
    later = PostFactory(board=site.notice, published_at=timezone.now() + timezone.timedelta(days=1))
    LegacyKeyFactory(kind="post", key="1598", post=later)
    assert client.get("/?document_srl=1598").status_code == 404


def test_secret_article_old_link_leads_to_the_article_and_its_403(client, site):
    secret = PostFactory(board=site.notice, is_secret=True)
    LegacyKeyFactory(kind="post", key="1599", post=secret)
    response = client.get("/?document_srl=1599")
    assert response["Location"] == f"/notice/{secret.number}/"
    assert client.get(response["Location"]).status_code == 403
    hidden = CommentFactory(post=secret)
    LegacyKeyFactory(kind="comment", key="1701", comment=hidden)
    response = client.get("/?document_srl=1599&comment_srl=1701")
    assert response["Location"] == f"/notice/{secret.number}/#comment-{hidden.pk}"
    assert client.get(response["Location"]).status_code == 403


ORDINARY = [
    "/",
    "/?page=2",
    "/?category=3&page=2",
    "/?q=%EC%9A%B0%EC%B2%B4%EA%B5%AD&target=title",
    "/125/",
    "/125/?cpage=2",
    "/news/3/",
    "/notice/",
    "/notice/?category=4",
    "/notice/3/",
    "/static/css/site.css",
    "/admin/",
    "/admin/board/post/1/change/",
    "/healthz",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemap-notice.xml",
    "/feed/rss/",
    "/notice/feed/atom/",
    "/files/3/",
    "/files/3",
    "/comments/5/",
    "/comments/5",
    "/media/posts/2026/01/photo.png",
    "/accounts/login/",
    "/preview/12",
    "/admin/board/12",
    "/static/css/12",
]


@pytest.mark.parametrize("path", ORDINARY)
def test_ordinary_addresses_are_never_taken_for_old_links(path):
    address, _, query = path.partition("?")
    assert recognise(address, QueryDict(query)) is None


def test_ordinary_pages_pay_nothing_for_old_links(client, site, django_assert_num_queries):
    # As pinned in tests/test_queries.py: a listing is 2 queries, an article 4.
    with django_assert_num_queries(2):
        assert client.get("/notice/?page=1").status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/").status_code == 200
    with django_assert_num_queries(4):  # (an article without files)
        assert client.get("/1/").status_code == 200


@pytest.mark.parametrize(
    "old",
    [
        "/?document_srl=1597",
        "/notice/1597",
        "/notice/1597/comment/1700",
        "/bbs/board.php?bo_table=free&wr_id=10",
        "/index.php?module=file&act=procFileDownload&file_srl=1800",
        "/files/attach/images/77/597/001/photo.jpg",
        "/notice/category/80",
        "/bbs/board.php?bo_table=free&sca=%EC%9E%A1%EB%8B%B4",
    ],
)
def test_an_old_link_costs_one_query(client, site, old, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(old)


def test_an_old_id_not_imported_costs_its_lookup_and_the_404_page(
    client, site, django_assert_num_queries
):
    # The lookup, then the 404 page's board bar (as on any 404).
    with django_assert_num_queries(2):
        assert client.get("/9999").status_code == 404


@pytest.mark.parametrize(
    "old", ["/?mid=notice&page=2", "/notice/page/2", "/notice/rss", "/?mid=notice&search_keyword=a"]
)
def test_an_old_board_address_costs_no_query(client, site, old, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(old).status_code == 301


def test_post_to_an_old_address_is_not_redirected(client, site):
    assert client.post("/?document_srl=1597").status_code == 405

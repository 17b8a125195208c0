"""Many boards: each at its own address, numbered on its own, all in the navigation bar; the
default board keeps the site's front and its old addresses."""

import pytest
from django.core.exceptions import ValidationError

from board.models import Board
from tests.factories import BoardFactory, PostFactory, UserFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(db):
    """A second board, 공지사항 at /notice/, with three articles of its own."""
    board = BoardFactory(slug="notice", name="공지사항", description="우체국의 알림을 모읍니다.")
    for n in range(3):
        PostFactory(board=board, title=f"공지 {n + 1}")
    return board


def titles(response):
    return [row["title"] for row in listing_rows(soup(response))]


def test_a_second_board_lists_its_own_articles_at_its_address(client, board, notices):
    PostFactory(title="소식 1")

    page = client.get("/notice/")

    assert page.status_code == 200
    assert titles(page) == ["공지 3", "공지 2", "공지 1"]
    assert [r["href"] for r in listing_rows(soup(page))] == [
        "/notice/3/",
        "/notice/2/",
        "/notice/1/",
    ]
    assert text(soup(page).select_one("h1.board-title")) == "공지사항"
    assert text(soup(page).select_one(".board-description")) == "우체국의 알림을 모읍니다."
    assert titles(client.get("/")) == ["소식 1"]


def test_numbers_are_per_board_and_an_article_opens_only_under_its_own_board(
    client, board, notices
):
    mine = PostFactory(title="소식 1")
    PostFactory(title="소식 2")

    assert mine.number == 1  # the other board's 1 to 3 do not count here
    assert text(soup(client.get("/1/")).select_one("h1")) == "소식 1"
    assert text(soup(client.get("/notice/1/")).select_one("h1")) == "공지 1"
    assert client.get("/notice/4/").status_code == 404
    assert client.get("/2/").status_code == 200
    assert client.get("/notice/2/").status_code == 200
    assert client.get("/nowhere/").status_code == 404
    assert client.get("/nowhere/1/").status_code == 404


def test_an_article_page_links_its_neighbours_and_listing_inside_its_board(client, notices):
    page = soup(client.get("/notice/2/"))

    assert page.select_one("a.post-newer")["href"] == "/notice/3/"
    assert page.select_one("a.post-older")["href"] == "/notice/1/"
    assert [r["href"] for r in listing_rows(page)] == ["/notice/3/", "/notice/2/", "/notice/1/"]
    assert page.select_one("p.board-title-small a")["href"] == "/notice/"
    assert page.select_one('link[rel="canonical"]')["href"] == "http://testserver/notice/2/"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/news/", "/"),
        ("/news/?page=2", "/?page=2"),
        ("/news/?q=%EC%9A%B0&target=title", "/?q=%EC%9A%B0&target=title"),
        ("/news/1/", "/1/"),
        ("/news/1/?page=3", "/1/?page=3"),
    ],
)
def test_the_default_boards_own_address_redirects_for_good_to_the_sites_front(
    client, board, old, new
):
    PostFactory()
    assert board.slug == "news"

    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_every_page_shows_every_board_in_the_navigation_bar_marking_the_current_one(
    client, board, notices
):
    post = PostFactory()
    pages = {
        "/": board.name,
        post.get_absolute_url(): board.name,
        "/notice/": "공지사항",
        "/notice/1/": "공지사항",
        "/notice/?q=%EA%B3%B5%EC%A7%80&target=title": "공지사항",
        "/accounts/login/": None,
    }
    for url, current in pages.items():
        nav = soup(client.get(url)).select_one("nav.board-nav")
        links = [(text(a), a["href"]) for a in nav.select("a")]
        assert links == [(board.name, "/"), ("공지사항", "/notice/")], url
        marked = [text(a) for a in nav.select('a[aria-current="page"]')]
        assert marked == ([current] if current else []), url


def test_a_search_looks_only_inside_its_board_and_links_there(client, board, notices):
    PostFactory(title="공지 아님")

    found = soup(client.get("/notice/", {"q": "공지", "target": "title"}))

    assert [r["title"] for r in listing_rows(found)] == ["공지 3", "공지 2", "공지 1"]
    assert listing_rows(found)[0]["href"].startswith("/notice/3/?q=")
    assert found.select_one("form.search-form")["action"] == "/notice/"
    assert [
        r["title"] for r in listing_rows(soup(client.get("/", {"q": "공지", "target": "title"})))
    ] == ["공지 아님"]


def test_a_comment_on_another_boards_article_returns_to_it(client, notices):
    client.force_login(UserFactory())

    response = client.post("/notice/1/comments/", {"body": "잘 읽었습니다"})

    assert response.status_code == 302
    assert response["Location"].startswith("/notice/1/#comment-")
    page = soup(client.get("/notice/1/"))
    assert [text(c.select_one(".comment-body")) for c in page.select("li.comment")] == [
        "잘 읽었습니다"
    ]


@pytest.mark.parametrize("slug", ["125", "admin", "Accounts", "media", "feed"])
def test_a_board_cannot_take_an_address_the_site_or_its_numbers_use(slug):
    with pytest.raises(ValidationError) as error:
        Board(slug=slug, name="게시판").full_clean()
    assert "slug" in error.value.message_dict


def test_another_boards_listing_and_article_take_as_few_queries_as_the_front(
    client, notices, django_assert_num_queries
):
    # The board with its counters; the rows, notices and the navigation bar's boards.
    with django_assert_num_queries(2):
        assert client.get("/notice/").status_code == 200
    # The article with its board; its view count; the listing around it; its comments.
    with django_assert_num_queries(4):
        assert client.get("/notice/2/").status_code == 200

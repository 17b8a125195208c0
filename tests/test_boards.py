"""Many boards: each at its own address, numbered on its own, all in the navigation bar; the
default board keeps the site's front and its old addresses."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

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


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("125", "숫자만으로 된 주소 이름은 글 번호와 겹칩니다."),
        ("admin", "사이트가 쓰는 주소입니다: admin"),
        ("Accounts", "사이트가 쓰는 주소입니다: Accounts"),
        ("media", "사이트가 쓰는 주소입니다: media"),
        ("feed", "사이트가 쓰는 주소입니다: feed"),
    ],
)
def test_a_board_cannot_take_an_address_the_site_or_its_numbers_use(slug, message):
    # The staff's language: an earlier request may have left another one active.
    with translation.override("ko"), pytest.raises(ValidationError) as error:
        Board(slug=slug, name="게시판").full_clean()
    assert error.value.message_dict["slug"] == [message]


def test_another_boards_listing_and_article_take_as_few_queries_as_the_front(
    client, notices, django_assert_num_queries
):
    # The board with its counters; the rows, notices and the navigation bar's boards.
    with django_assert_num_queries(2):
        assert client.get("/notice/").status_code == 200
    # The article with its board; its view count; the listing around it; its comments.
    with django_assert_num_queries(4):
        assert client.get("/notice/2/").status_code == 200


@pytest.fixture
def notice_team(notices):
    """공지사항's own moderators and editors (groups set on the board)."""
    from django.contrib.auth.models import Group

    notices.moderators = Group.objects.create(name="공지 모더레이터")
    notices.editors = Group.objects.create(name="공지 편집")
    notices.save(update_fields=["moderators", "editors"])
    return notices


def test_a_boards_moderators_remove_comments_on_that_board_only(client, board, notice_team):
    from tests.factories import CommentFactory

    here = CommentFactory(post=notice_team.posts.get(number=1), body="공지 댓글")
    elsewhere = CommentFactory(post=PostFactory(), body="소식 댓글")
    keeper = UserFactory(username="keeper")
    keeper.groups.add(notice_team.moderators)
    client.force_login(keeper)

    page = soup(client.get("/notice/1/"))
    assert len(page.select("a.comment-remove")) == 1
    assert soup(client.get(elsewhere.post.get_absolute_url())).select("a.comment-remove") == []
    assert client.get(f"/comments/{elsewhere.pk}/remove/").status_code == 403

    response = client.post(f"/comments/{here.pk}/remove/", {"reason": "광고"})

    assert response.status_code == 302
    here.refresh_from_db()
    assert here.is_removed
    assert here.removed_by == keeper


def test_an_account_made_inactive_moderates_nothing(notice_team):
    from django.contrib.auth.models import Group

    from board import services

    site_wide = UserFactory(username="site-mod")
    site_wide.groups.add(Group.objects.get(name="모더레이터"))
    of_board = UserFactory(username="board-mod")
    of_board.groups.add(notice_team.moderators)
    assert services.can_moderate(site_wide, notice_team)
    assert services.can_moderate(of_board, notice_team)

    for user in (site_wide, of_board):
        user.is_active = False
        assert not services.can_moderate(user, notice_team)


def test_staff_outside_a_boards_editors_neither_see_nor_write_its_articles(
    client, board, notice_team
):
    from django.contrib.auth.models import Group

    from tests.pages import NO_IMAGES

    writer = UserFactory(username="기자", is_staff=True)
    writer.groups.add(Group.objects.get(name="편집자"))
    client.force_login(writer)
    PostFactory(title="소식 기사")

    listed = [text(a) for a in soup(client.get("/admin/board/post/")).select("td.field-title a")]
    assert listed == ["소식 기사"]
    choices = soup(client.get("/admin/board/post/add/")).select("select#id_board option")
    assert [text(o) for o in choices if o.get("value")] == [board.name]
    notice_post = notice_team.posts.get(number=1)
    assert client.get(f"/admin/board/post/{notice_post.pk}/change/").status_code == 302

    form = {
        "board": notice_team.pk,
        "title": "몰래 쓴 공지",
        "body": "본문",
        "body_format": "text",
        "published_at_0": "2026-11-26",
        "published_at_1": "10:00:00",
        **NO_IMAGES,
    }
    assert client.post("/admin/board/post/add/", form).status_code == 200  # refused
    assert not notice_team.posts.filter(title="몰래 쓴 공지").exists()

    writer.groups.add(notice_team.editors)
    assert client.post("/admin/board/post/add/", form).status_code == 302
    assert notice_team.posts.filter(title="몰래 쓴 공지").exists()

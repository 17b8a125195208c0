import os

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import timezone

from board import services
from board.models import Post
from tests.factories import AuthorFactory, CommentFactory, PostFactory, PostImageFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db


def numbers(response):
    return [r["number"] for r in listing_rows(soup(response))]


def test_next_article_after_the_fixture_is_127_and_tops_the_listing(client, source_board):
    post = PostFactory(title="새 소식")

    assert post.number == 127
    rows = listing_rows(soup(client.get("/")))
    assert rows[0]["number"] == "127"
    assert rows[0]["title"] == "새 소식"
    assert rows[0]["new"] is True
    assert [r["number"] for r in rows[1:]] == [str(n) for n in range(126, 107, -1)]


def test_numbers_are_permanent_and_increasing(board):
    posts = PostFactory.create_batch(3)
    assert [p.number for p in posts] == [1, 2, 3]
    Post.objects.filter(pk=posts[1].pk).update(title="고친 제목")
    assert PostFactory().number == 4


def test_listing_is_newest_first_twenty_rows_a_page(client, board):
    PostFactory.create_batch(45)

    assert numbers(client.get("/")) == [str(n) for n in range(45, 25, -1)]
    assert numbers(client.get("/?page=2")) == [str(n) for n in range(25, 5, -1)]
    assert numbers(client.get("/?page=3")) == ["5", "4", "3", "2", "1"]


def test_notices_are_pinned_above_the_numbered_rows_on_every_page(client, board):
    PostFactory.create_batch(5)
    notice = PostFactory(is_notice=True, title="공지 사항입니다")
    PostFactory.create_batch(30)

    for url in ["/", "/?page=2"]:
        rows = listing_rows(soup(client.get(url)))
        assert rows[0]["notice"] is True
        assert rows[0]["number"] == "공지"
        assert rows[0]["title"] == notice.title
        assert all(not r["notice"] for r in rows[1:])
    # It keeps its number in the numbered rows too, on the page where it belongs.
    assert str(notice.number) in numbers(client.get("/?page=2"))[1:]


def test_several_notices_are_pinned_newest_first(client, board):
    older = PostFactory(is_notice=True, title="먼저 올린 공지")
    PostFactory.create_batch(3)
    newer = PostFactory(is_notice=True, title="나중에 올린 공지")

    rows = listing_rows(soup(client.get("/")))
    assert [r["title"] for r in rows if r["notice"]] == [newer.title, older.title]


def test_a_removed_notice_leaves_every_listing_page_and_article(client, board):
    PostFactory.create_batch(5)
    notice = PostFactory(is_notice=True, title="내려간 공지")
    kept = PostFactory(is_notice=True, title="남은 공지")
    posts = PostFactory.create_batch(30)
    services.remove_post(notice, by=None)

    pages = ["/", "/?page=2", posts[-1].get_absolute_url(), posts[0].get_absolute_url()]
    for url in pages:
        rows = listing_rows(soup(client.get(url)))
        assert [r["title"] for r in rows if r["notice"]] == [kept.title], url
        assert notice.title not in [r["title"] for r in rows], url


def test_comment_count_shows_in_brackets_only_when_there_are_comments(client, board):
    quiet = PostFactory()
    talked = PostFactory()
    CommentFactory.create_batch(3, post=talked)

    rows = {r["number"]: r for r in listing_rows(soup(client.get("/")))}
    assert rows[str(talked.number)]["comments"] == "[3]"
    assert rows[str(quiet.number)]["comments"] == ""


def test_new_mark_only_on_articles_under_a_day_old(client, board):
    old = PostFactory(published_at=timezone.now() - timezone.timedelta(hours=25))
    fresh = PostFactory(published_at=timezone.now() - timezone.timedelta(hours=23))

    rows = {r["number"]: r for r in listing_rows(soup(client.get("/")))}
    assert rows[str(fresh.number)]["new"] is True
    assert rows[str(old.number)]["new"] is False


def test_new_mark_goes_exactly_a_day_after_publishing(client, board, monkeypatch):
    now = timezone.now()
    day_old = PostFactory(published_at=now - timezone.timedelta(days=1))
    almost = PostFactory(
        published_at=now - timezone.timedelta(days=1) + timezone.timedelta(seconds=1)
    )
    monkeypatch.setattr(timezone, "now", lambda: now)  # the clock stops for the page

    rows = {r["number"]: r for r in listing_rows(soup(client.get("/")))}
    assert rows[str(almost.number)]["new"] is True
    assert rows[str(day_old.number)]["new"] is False


def test_each_mark_on_a_row_says_what_it_means(client, board):
    post = PostImageFactory(post__author=AuthorFactory(name="김기자")).post
    CommentFactory.create_batch(2, post=post)

    row = soup(client.get("/")).select_one("table.post-table tbody tr")
    assert row.select_one(".comment-count")["title"] == "댓글"
    assert text(row.select_one(".comment-count")) == "[2]"
    assert row.select_one(".mark-new")["title"] == "24시간 안에 올라온 글"
    image = row.select_one("img.mark-image")
    assert image["alt"] == "이미지"
    # The mark's picture is one of the site's static files.
    assert image["src"].startswith(settings.STATIC_URL)
    found = finders.find(image["src"].removeprefix(settings.STATIC_URL))
    assert os.path.isfile(found or "")
    assert text(row.select_one("td.col-author")) == "김기자"


def test_an_old_article_without_comments_or_images_shows_just_its_title(client, board):
    PostFactory(published_at=timezone.now() - timezone.timedelta(days=3), title="조용한 글")

    row = soup(client.get("/")).select_one("table.post-table tbody tr")
    assert text(row.select_one("td.col-title")) == "조용한 글"


def test_first_page_links_articles_without_a_page_parameter(client, board):
    PostFactory.create_batch(3)

    assert [r["href"] for r in listing_rows(soup(client.get("/")))] == ["/3/", "/2/", "/1/"]


def test_a_site_served_under_a_sub_path_links_inside_it_and_the_root_stays_the_root(client, board):
    PostFactory()

    # What the WSGI handler does for a request to /bbs/ (the test client does not).
    with override_script_prefix("/bbs/"):
        under = soup(client.get("/"))
    assert [r["href"] for r in listing_rows(under)] == ["/bbs/1/"]
    assert under.select_one("a.site-name")["href"] == "/bbs/"
    # The addresses the pages remember are kept per prefix.
    assert [r["href"] for r in listing_rows(soup(client.get("/")))] == ["/1/"]


def test_an_articles_address_is_the_one_its_url_pattern_gives_under_any_prefix(board):
    post = PostFactory()

    # Articles' addresses are built from the listing's (no reverse per row): urls.py decides.
    def detail():
        return reverse("board:post-detail", kwargs={"number": post.number})

    assert post.get_absolute_url() == detail() == f"/{post.number}/"
    with override_script_prefix("/bbs/"):
        assert post.get_absolute_url() == detail() == f"/bbs/{post.number}/"


def test_the_listing_table_holds_nothing_but_its_rows(client, board):
    PostFactory.create_batch(3)

    body = soup(client.get("/")).select_one("table.post-table tbody")
    assert [s for s in body.find_all(string=True, recursive=False) if s.strip()] == []
    assert len(body.find_all("tr", recursive=False)) == 3


def test_image_mark_shows_on_articles_with_images(client, board):
    plain = PostFactory()
    pictured = PostImageFactory().post

    rows = {r["number"]: r for r in listing_rows(soup(client.get("/")))}
    assert rows[str(pictured.number)]["image"] is True
    assert rows[str(plain.number)]["image"] is False


def test_empty_board_says_there_are_no_articles(client, board):
    response = client.get("/")
    assert response.status_code == 200
    assert text(soup(response).select_one("table.post-table tbody")) == "게시물이 없습니다."


def page_links(response):
    nav = soup(response).select_one("nav.pagination")
    return nav, [text(a) for a in nav.find_all("a")]


def test_page_links_show_a_window_of_ten_with_first_previous_next_last(client, board):
    PostFactory.create_batch(20 * 24 + 1)  # 25 pages

    nav, labels = page_links(client.get("/?page=12"))
    assert labels == ["« 처음", "‹ 이전", *map(str, range(11, 21)), "다음 ›", "끝 »"]
    assert text(nav.select_one('[aria-current="page"]')) == "12"
    assert nav.select_one('[rel="prev"]')["href"] == "/?page=11"
    assert nav.select_one('[rel="next"]')["href"] == "/?page=13"
    assert nav.select_one(".page-last")["href"] == "/?page=25"
    assert nav.select_one(".page-first")["href"] == "/"
    numbered = [a["href"] for a in nav.find_all("a") if text(a).isdigit()]
    assert numbered == [f"/?page={n}" for n in range(11, 21)]
    # The second page already leads back to the first.
    nav, labels = page_links(client.get("/?page=2"))
    assert labels[:2] == ["« 처음", "‹ 이전"]
    assert nav.select_one('[rel="prev"]')["href"] == "/"
    # The tenth page closes the first block, the nineteenth and twentieth the second.
    for page, block in [(10, range(1, 11)), (19, range(11, 21)), (20, range(11, 21))]:
        _nav, labels = page_links(client.get(f"/?page={page}"))
        assert labels[2:-2] == [*map(str, block)], page


def test_first_and_last_pages_have_no_links_beyond_the_ends(client, board):
    PostFactory.create_batch(41)  # 3 pages

    nav, labels = page_links(client.get("/"))
    assert labels == ["1", "2", "3", "다음 ›", "끝 »"]
    assert nav.select_one('[rel="prev"]') is None
    nav, labels = page_links(client.get("/?page=3"))
    assert labels == ["« 처음", "‹ 이전", "1", "2", "3"]
    assert nav.select_one('[rel="next"]') is None


@pytest.mark.parametrize("junk", ["abc", "0", "-3", "1.5", "", "%00", "9" * 5000, "1e3"])
def test_junk_page_parameter_goes_to_the_first_page(client, board, junk):
    PostFactory.create_batch(3)

    response = client.get("/", {"page": junk})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_page_past_the_end_goes_to_the_last_page(client, board):
    PostFactory.create_batch(41)

    response = client.get("/?page=99999999999999999999")
    assert response.status_code == 302
    assert response["Location"] == "/?page=3"
    assert numbers(client.get(response["Location"])) == ["1"]


@pytest.mark.parametrize("count", [1, 20])
def test_listing_takes_two_queries_whatever_the_rows(
    client, board, count, django_assert_num_queries
):
    PostFactory.create_batch(count)
    CommentFactory(post=Post.objects.first())
    # 1: the board row with its counters; 2: the page's rows, notices and authors.
    with django_assert_num_queries(2):
        response = client.get("/")
    assert len(listing_rows(soup(response))) == count


def test_last_page_takes_the_same_two_queries(client, board, django_assert_num_queries):
    PostFactory.create_batch(65)
    with django_assert_num_queries(2):
        response = client.get("/?page=4")
    assert numbers(response) == ["5", "4", "3", "2", "1"]


def test_boards_number_their_articles_independently(board):
    from tests.factories import BoardFactory

    other = BoardFactory()
    PostFactory.create_batch(2)
    assert PostFactory(board=other).number == 1
    assert PostFactory().number == 3

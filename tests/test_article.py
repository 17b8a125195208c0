from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from board.models import Post
from tests.conftest import BROWSER_UA
from tests.factories import CommentFactory, PostFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db


def views_of(post):
    return Post.objects.values_list("views", flat=True).get(pk=post.pk)


def test_article_listing_shows_the_page_that_holds_it_with_its_row_marked(client, board):
    posts = PostFactory.create_batch(45)
    target = posts[30]  # number 31, on page 1 (45..26)

    page = soup(client.get(target.get_absolute_url()))
    rows = listing_rows(page)

    assert [r["number"] for r in rows] == [
        *map(str, range(45, 31, -1)),
        "»",
        *map(str, range(30, 25, -1)),
    ]
    marked = rows[14]
    assert marked["title"] == target.title
    # The mark is named for screen readers and on hover.
    current = page.select_one('table.post-table tr[aria-current="true"]')
    assert current.select_one("td.col-number span")["title"] == "지금 보는 글"


def test_article_on_an_older_page_shows_that_page_below(client, board):
    posts = PostFactory.create_batch(45)
    target = posts[9]  # number 10: page 2 holds 25..6

    page = soup(client.get(target.get_absolute_url()))
    numbers = [r["number"] for r in listing_rows(page)]

    assert numbers == [*map(str, range(25, 10, -1)), "»", "9", "8", "7", "6"]
    assert text(page.select_one('nav.pagination [aria-current="page"]')) == "2"
    assert page.select_one("a.button")["href"] == "/?page=2"


def test_article_opened_from_another_page_shows_the_page_the_reader_came_from(client, board):
    posts = PostFactory.create_batch(45)

    page = soup(client.get(f"{posts[9].get_absolute_url()}?page=1"))
    numbers = [r["number"] for r in listing_rows(page)]

    assert numbers == [str(n) for n in range(45, 25, -1)]
    assert "»" not in numbers
    # The last page too.
    page = soup(client.get(f"{posts[-1].get_absolute_url()}?page=3"))
    assert [r["number"] for r in listing_rows(page)] == ["5", "4", "3", "2", "1"]


def test_listing_links_remember_the_page_for_the_way_back(client, board):
    PostFactory.create_batch(25)
    rows = listing_rows(soup(client.get("/?page=2")))
    assert rows[0]["href"] == "/5/?page=2"


def test_previous_and_next_links_go_to_the_neighbouring_articles(client, board):
    first, middle, last = PostFactory.create_batch(3)

    page = soup(client.get(middle.get_absolute_url()))
    assert page.select_one("a.post-older")["href"] == first.get_absolute_url()
    assert page.select_one("a.post-newer")["href"] == last.get_absolute_url()

    page = soup(client.get(first.get_absolute_url()))
    assert page.select_one("a.post-older") is None
    assert page.select_one("a.post-newer")["href"] == middle.get_absolute_url()


def test_neighbour_links_work_across_a_page_boundary(client, board):
    posts = PostFactory.create_batch(21)  # number 1 is alone on page 2
    page = soup(client.get(posts[1].get_absolute_url()))  # number 2: last row of page 1
    assert page.select_one("a.post-older")["href"] == posts[0].get_absolute_url()


def test_a_view_counts_once_per_visitor_and_shows_immediately(client, board):
    post = PostFactory()

    first = soup(client.get(post.get_absolute_url()))
    assert text(first.select_one(".post-views")) == "1"
    client.get(post.get_absolute_url())
    client.get(post.get_absolute_url())
    assert views_of(post) == 1

    other_visitor = Client(HTTP_USER_AGENT=BROWSER_UA)
    shown = soup(other_visitor.get(post.get_absolute_url()))
    assert text(shown.select_one(".post-views")) == "2"
    assert views_of(post) == 2


def test_a_visitor_counts_once_on_each_article(client, board):
    one, two = PostFactory.create_batch(2)
    for _ in range(2):
        client.get(one.get_absolute_url())
        client.get(two.get_absolute_url())
    assert (views_of(one), views_of(two)) == (1, 1)


def test_the_viewed_cookie_remembers_the_most_recent_articles(client, board, monkeypatch):
    monkeypatch.setattr("board.views.VIEWED_KEEP", 3)
    posts = PostFactory.create_batch(5)
    for post in posts:
        client.get(post.get_absolute_url())

    # The three most recent stay remembered: coming back to them counts nothing.
    for post in posts[2:]:
        client.get(post.get_absolute_url())
    assert [views_of(p) for p in posts] == [1, 1, 1, 1, 1]
    # The two oldest were forgotten (three kept, not one more): a return counts as a new view.
    client.get(posts[1].get_absolute_url())
    client.get(posts[0].get_absolute_url())
    assert [views_of(p) for p in posts[:2]] == [2, 2]


def test_a_forged_viewed_cookie_is_ignored(client, board):
    post = PostFactory()
    client.cookies["viewed"] = str(post.pk)  # unsigned: not from us
    client.get(post.get_absolute_url())
    assert views_of(post) == 1


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Yeti/1.1; +http://naver.me/spd)",
        "Mozilla/5.0 (compatible; Daum/4.1; +http://cs.daum.net/faq/15/4118.html) Daumoa",
        "facebookexternalhit/1.1",
        "curl/8.0",
        "",
    ],
)
def test_crawlers_do_not_count_as_views(board, agent):
    post = PostFactory()
    response = Client(HTTP_USER_AGENT=agent).get(post.get_absolute_url())
    assert response.status_code == 200
    assert views_of(post) == 0


def test_view_is_counted_by_one_atomic_update(client, board):
    post = PostFactory()
    with CaptureQueriesContext(connection) as queries:
        client.get(post.get_absolute_url())
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    # Relative to the stored count (never a value read before), so no view is lost.
    plain = updates[0].replace('"', "").replace("(", "").replace(")", "")
    assert "views = views + 1" in plain.replace("board_post.", "")


def test_unknown_article_is_a_404_page(client, board):
    PostFactory()
    response = client.get("/999/")
    assert response.status_code == 404


@pytest.mark.parametrize("junk", ["abc", "0", "-1", "99999999999999999999", "9" * 5000])
def test_junk_page_on_an_article_falls_back_to_the_page_that_holds_it(client, board, junk):
    post = PostFactory()
    response = client.get(post.get_absolute_url(), {"page": junk})
    assert response.status_code == 200
    assert [r["number"] for r in listing_rows(soup(response))] == ["»"]


def test_comments_are_shown_escaped_with_their_line_breaks(client, board):
    post = PostFactory()
    CommentFactory(post=post, body="첫 줄\n<script>alert(1)</script>")

    response = client.get(post.get_absolute_url())
    page = soup(response)
    assert text(page.select_one(".comments h2")) == "댓글 1"
    body = page.select_one(".comment-body")
    assert body.find("br") is not None
    assert body.find("script") is None
    assert "<script>alert(1)</script>" in body.get_text()


def test_a_notice_says_so_in_its_title_and_an_ordinary_article_does_not(client, board):
    notice = PostFactory(is_notice=True)
    ordinary = PostFactory()

    title = soup(client.get(notice.get_absolute_url())).select_one("h1.post-title")
    assert text(title.select_one(".badge-notice")) == "공지"
    title = soup(client.get(ordinary.get_absolute_url())).select_one("h1.post-title")
    assert title.select_one(".badge-notice") is None


def test_a_comment_shows_when_it_was_written_in_korean_time(client, board):
    post = PostFactory()
    comment = CommentFactory(post=post, created_at=datetime(2024, 5, 1, 15, 30, tzinfo=UTC))

    time = soup(client.get(post.get_absolute_url())).select_one(f"#comment-{comment.pk} time")
    assert text(time) == "2024.05.02 00:30"
    assert time["datetime"] == "2024-05-02T00:30:00+09:00"


def test_a_comment_stored_with_windows_or_old_mac_line_ends_shows_one_break_per_line(client, board):
    # The comment form normalises line ends; one written in the admin keeps the browser's \r\n.
    post = PostFactory()
    CommentFactory(post=post, body="첫 줄\r\n둘째 줄\r셋째 줄")

    body = soup(client.get(post.get_absolute_url())).select_one(".comment-body")
    assert len(body.find_all("br")) == 2
    lines = [line.strip() for line in body.get_text("|").split("|")]
    assert lines == ["첫 줄", "둘째 줄", "셋째 줄"]


@pytest.mark.parametrize("comments", [0, 50])
def test_article_page_takes_four_queries_whatever_the_comments(
    client, board, comments, django_assert_num_queries
):
    post = PostFactory()
    PostFactory.create_batch(25)
    CommentFactory.create_batch(comments, post=post)
    # 1: the article with board and author; 2: the view count update;
    # 3: the listing rows and neighbours; 4: the comments with their authors.
    with django_assert_num_queries(4):
        response = client.get(post.get_absolute_url())
    assert len(soup(response).select(".comment")) == comments


def test_head_requests_do_not_count_as_views(client, board):
    post = PostFactory()
    for _ in range(5):
        assert client.head(post.get_absolute_url()).status_code == 200
    assert views_of(post) == 0

    client.get(post.get_absolute_url())
    assert views_of(post) == 1

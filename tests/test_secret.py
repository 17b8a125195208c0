"""Secret articles (비밀글): listed with a lock and their title, opened only by their author's
account and staff; their body, images and comments appear nowhere else."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories import (
    AttachmentFactory,
    AuthorFactory,
    CommentFactory,
    PostFactory,
    PostImageFactory,
    UserFactory,
)
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db

BODY = "주민등록번호를 적어 문의합니다"


@pytest.fixture
def writer(db):
    return UserFactory(username="writer")


@pytest.fixture
def secret(board, writer):
    post = PostFactory(
        title="배송 문의",
        body=BODY,
        is_secret=True,
        author=AuthorFactory(name="문의자", user=writer),
    )
    CommentFactory(post=post, body="답변 드립니다 비밀 답변")
    return post


def test_the_listing_shows_a_secret_articles_title_with_a_lock(client, secret):
    PostFactory(title="보통 글")

    rows = soup(client.get("/")).select("table.post-table tbody tr")

    assert [text(r.select_one(".col-title a")) for r in rows] == ["보통 글", "배송 문의"]
    assert rows[0].select_one("img.mark-secret") is None
    assert rows[1].select_one("img.mark-secret")["alt"] == "비밀글"


@pytest.mark.parametrize("who", ["anonymous", "another reader"])
def test_anyone_but_its_author_and_staff_gets_a_korean_403_without_its_body(client, secret, who):
    if who != "anonymous":
        client.force_login(UserFactory(username="other"))

    response = client.get(secret.get_absolute_url())

    assert response.status_code == 403
    body = response.content.decode()
    assert "비밀글입니다" in body
    assert BODY not in body
    assert "비밀 답변" not in body
    secret.refresh_from_db()
    assert secret.views == 0  # not a view: nothing was shown


@pytest.mark.parametrize("who", ["author", "staff"])
def test_its_author_and_staff_read_it_with_its_comments(client, secret, writer, who):
    client.force_login(writer if who == "author" else UserFactory(username="ed", is_staff=True))

    page = client.get(secret.get_absolute_url())

    assert page.status_code == 200
    html = soup(page)
    assert BODY in text(html.select_one(".post-body"))
    assert "비밀 답변" in text(html.select_one("#comments"))
    assert "비밀글" in text(html.select_one("h1.post-title"))
    # Even for them, the page tells link previews nothing but the title.
    assert html.select_one('meta[name="description"]')["content"] == "배송 문의"


def test_a_reader_cannot_comment_on_a_secret_article(client, secret):
    client.force_login(UserFactory(username="other"))

    response = client.post(f"{secret.get_absolute_url()}comments/", {"body": "몰래 댓글"})

    assert response.status_code == 403
    assert secret.comments.count() == 1


@pytest.mark.parametrize(
    ("target", "q"),
    [("body", "주민등록번호"), ("title_body", "주민등록번호"), ("comment", "비밀 답변")],
)
def test_searches_never_match_a_secret_articles_body_or_comments(client, secret, target, q):
    open_post = PostFactory(title="공개 글", body="주민등록번호 안내", author=AuthorFactory())
    CommentFactory(post=open_post, body="비밀 답변 아님")

    found = listing_rows(soup(client.get("/", {"q": q, "target": target})))

    assert [r["title"] for r in found] == ["공개 글"]


def test_its_title_can_still_be_found_as_in_the_listing(client, secret):
    found = listing_rows(soup(client.get("/", {"q": "배송", "target": "title"})))
    assert [r["title"] for r in found] == ["배송 문의"]


def test_feeds_and_the_sitemap_leave_secret_articles_out(client, board, secret):
    shown = PostFactory(title="공개 글")

    rss = client.get("/feed/rss/").content.decode()
    assert "배송 문의" not in rss
    assert BODY not in rss
    assert "공개 글" in rss
    sitemap = ET.fromstring(client.get(f"/sitemap-{board.slug}.xml").content)
    locations = [
        loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert locations == [f"http://testserver{shown.get_absolute_url()}"]


def test_a_secret_articles_images_are_for_its_author_and_staff_only(client, secret, writer):
    image = PostImageFactory(post=secret)

    assert client.get(image.image.url).status_code == 404
    client.force_login(UserFactory(username="other"))
    assert client.get(image.image.url).status_code == 404
    client.force_login(writer)
    response = client.get(image.image.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_secret_article_takes_no_more_queries_than_another(
    client, secret, writer, django_assert_num_queries
):
    client.force_login(writer)
    # The article's 4 (article, view count, listing, comments), plus session and user.
    with django_assert_num_queries(6):
        assert client.get(secret.get_absolute_url()).status_code == 200


def test_a_secret_articles_files_are_for_its_author_and_staff_only(client, secret, writer):
    attachment = AttachmentFactory(post=secret)
    url = attachment.get_absolute_url()

    assert client.get(url).status_code == 404
    client.force_login(UserFactory(username="other"))
    assert client.get(url).status_code == 404
    client.force_login(writer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    attachment.refresh_from_db()
    assert attachment.downloads == 1  # only the author's

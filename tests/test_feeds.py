"""Feeds, sitemap, robots.txt and what an article tells search engines and link previews."""

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from board import feeds
from tests.factories import PostFactory, PostImageFactory
from tests.pages import soup

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_rss_feed_lists_the_latest_twenty_articles_newest_first(client, board):
    PostFactory.create_batch(25)
    response = client.get("/feed/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(response.content).findall("./channel/item")
    assert len(items) == 20
    assert items[0].findtext("link") == "http://testserver/25/"
    assert items[-1].findtext("link") == "http://testserver/6/"


def test_atom_feed_has_titles_links_and_summaries(client, board):
    post = PostFactory(title="우체국 소식", body="첫 문단입니다.\n둘째 문단")
    response = client.get("/feed/atom/")
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "우체국 소식"
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/{post.number}/"
    assert entry.findtext(f"{ATOM}summary") == "첫 문단입니다. 둘째 문단"


def test_removed_and_scheduled_articles_stay_out_of_the_feeds(client, board):
    from django.utils import timezone

    from board import services
    from tests.factories import UserFactory

    shown = PostFactory(title="보이는 글")
    removed = PostFactory(title="지운 글")
    services.remove_post(removed, by=UserFactory(is_staff=True))
    PostFactory(title="예약 글", published_at=timezone.now() + timezone.timedelta(days=1))
    titles = [
        i.findtext("title") for i in ET.fromstring(client.get("/feed/rss/").content).iter("item")
    ]
    assert titles == [shown.title]


def test_feed_summaries_are_the_first_300_characters(client, board):
    PostFactory(body="우" * 400)
    item = ET.fromstring(client.get("/feed/rss/").content).find("./channel/item")
    assert item.findtext("description") == "우" * 299 + "…"


def test_an_articles_description_is_its_first_160_characters(client, board):
    post = PostFactory(body="우" * 400)
    head = soup(client.get(post.get_absolute_url())).head
    assert head.select_one('meta[name="description"]')["content"] == "우" * 159 + "…"


def test_each_board_has_its_own_feeds_and_sitemap_section(client, board):
    from tests.factories import BoardFactory

    other = BoardFactory(slug="other")
    for n in range(3):
        PostFactory(board=other, title=f"다른 게시판 {n}")
    shown = PostFactory(title="보이는 글")

    def titles(url):
        return [i.findtext("title") for i in ET.fromstring(client.get(url).content).iter("item")]

    def locations(url):
        return [loc.text for loc in ET.fromstring(client.get(url).content).iter(f"{SITEMAP}loc")]

    assert titles("/feed/rss/") == [shown.title]
    assert titles("/other/feed/rss/") == ["다른 게시판 2", "다른 게시판 1", "다른 게시판 0"]
    assert client.get("/nowhere/feed/rss/").status_code == 404
    assert locations(f"/sitemap-{board.slug}.xml") == [f"http://testserver/{shown.number}/"]
    assert locations("/sitemap-other.xml") == [f"http://testserver/other/{n}/" for n in (1, 2, 3)]
    assert locations("/sitemap.xml") == [
        f"http://testserver/sitemap-{board.slug}.xml",
        "http://testserver/sitemap-other.xml",
    ]
    assert client.get("/sitemap-nowhere.xml").status_code == 404


@pytest.mark.parametrize("count", [3, 20])
def test_feed_and_sitemap_queries_do_not_grow_with_their_articles(
    client, board, count, django_assert_num_queries
):
    PostFactory.create_batch(count)
    # The board, then the articles with their authors in one query.
    with django_assert_num_queries(2):
        client.get("/feed/rss/")
    # The board (looked up twice by Django's view: is there such a section, and which is it;
    # its counter is the length), then one range of positions.
    with django_assert_num_queries(3):
        client.get(f"/sitemap-{board.slug}.xml")


def test_every_page_links_its_feeds_in_the_head(client, board):
    post = PostFactory()
    for url in ["/", post.get_absolute_url(), "/accounts/login/"]:
        head = soup(client.get(url)).head
        assert head.select_one('link[type="application/rss+xml"]')["href"] == "/feed/rss/"
        assert head.select_one('link[type="application/atom+xml"]')["href"] == "/feed/atom/"


def test_sitemap_index_and_sections_list_every_listed_article(client, board, monkeypatch):
    monkeypatch.setattr(feeds.PostSitemap, "limit", 10)
    PostFactory.create_batch(25)

    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert sections == [
        f"http://testserver/sitemap-{board.slug}.xml",
        f"http://testserver/sitemap-{board.slug}.xml?p=2",
        f"http://testserver/sitemap-{board.slug}.xml?p=3",
    ]

    urls = []
    for n in (1, 2, 3):
        page = ET.fromstring(client.get(f"/sitemap-{board.slug}.xml?p={n}").content)
        urls += [loc.text for loc in page.iter(f"{SITEMAP}loc")]
    assert urls == [f"http://testserver/{n}/" for n in range(1, 26)]
    assert client.get(f"/sitemap-{board.slug}.xml?p=4").status_code == 404


def test_sitemap_pages_take_no_count_and_no_offset(client, board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PostFactory.create_batch(15)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/sitemap-{board.slug}.xml?p=1")
    sql = " ".join(q["sql"].upper() for q in queries)
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    # Crawlers may keep it for a day rather than ask on every visit.
    assert response["Cache-Control"] == "max-age=86400"


def test_article_has_its_own_title_description_canonical_and_open_graph(client, board):
    post = PostFactory(
        title="빨간 우체통 정비", body="대전둔산우체국이 우체통을 정비했다.\n둘째 줄"
    )
    PostImageFactory(post=post, caption="우체통")

    head = soup(client.get(f"{post.get_absolute_url()}?page=1")).head

    assert head.title.get_text() == "빨간 우체통 정비 · PostBBS"
    description = "대전둔산우체국이 우체통을 정비했다. 둘째 줄 우체통"
    assert head.select_one('meta[name="description"]')["content"] == description
    canonical = f"http://testserver/{post.number}/"
    assert head.select_one('link[rel="canonical"]')["href"] == canonical
    og = {m["property"]: m["content"] for m in head.select("meta[property]")}
    assert og["og:type"] == "article"
    assert og["og:title"] == "빨간 우체통 정비"
    assert og["og:url"] == canonical
    assert og["og:description"] == description
    assert og["og:image"].startswith("http://testserver/media/posts/")


def test_source_article_without_body_describes_itself_by_its_title(client, source_board):
    head = soup(client.get("/126/")).head
    assert head.select_one('meta[name="description"]')["content"].startswith("우체국여직원")


MARKUP_TITLE = '<b>굵은</b> & "인용" 제목'
MARKUP_BODY = "a<b & \"c\" 'd'"


def test_rss_titles_and_descriptions_reach_feed_readers_as_text(client, board):
    PostFactory(title=MARKUP_TITLE, body=MARKUP_BODY)

    item = ET.fromstring(client.get("/feed/rss/").content).find("./channel/item")

    # RSS readers render these as HTML: once parsed as HTML they read as the text typed.
    assert soup_text(item.findtext("title")) == MARKUP_TITLE
    assert "<b>" not in item.findtext("title")
    assert soup_text(item.findtext("description")) == MARKUP_BODY


def test_atom_titles_are_text_and_summaries_html_that_read_as_typed(client, board):
    PostFactory(title=MARKUP_TITLE, body=MARKUP_BODY)

    entry = ET.fromstring(client.get("/feed/atom/").content).find(f"{ATOM}entry")

    assert entry.find(f"{ATOM}title").get("type") in (None, "text")
    assert entry.findtext(f"{ATOM}title") == MARKUP_TITLE
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert soup_text(entry.findtext(f"{ATOM}summary")) == MARKUP_BODY


def test_article_description_tags_are_escaped_once(client, board):
    post = PostFactory(title="제목", body=MARKUP_BODY)

    response = client.get(post.get_absolute_url())

    head = soup(response).head
    assert head.select_one('meta[name="description"]')["content"] == MARKUP_BODY
    og = {m["property"]: m["content"] for m in head.select("meta[property]")}
    assert og["og:description"] == MARKUP_BODY
    assert b"&amp;lt;" not in response.content


def soup_text(html):
    return BeautifulSoup(html, "html.parser").get_text()

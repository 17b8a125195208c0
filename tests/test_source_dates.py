"""The source page's listing-only articles (Post.listing_only in fixtures/source_page.json):
the source gives their day but no time, and their image mark an image never kept here. Every
place that shows them says only that."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories import UserFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db

DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
ATOM = "{http://www.w3.org/2005/Atom}"
NOT_KEPT = "원본 게시판에는 이미지가 있었으나 여기에는 보관하지 않았습니다"


def test_listing_only_article_shows_its_day_without_a_time(client, source_board):
    page = soup(client.get("/107/"))

    shown = page.select_one(".post-meta time")
    assert text(shown) == "2008.03.27"
    assert shown["datetime"] == "2008-03-27"
    assert page.select_one('meta[property="article:published_time"]')["content"] == "2008-03-27"


def test_the_kept_press_release_still_shows_its_time(client, source_board):
    shown = soup(client.get("/125/")).select_one(".post-meta time")
    assert text(shown) == "2008.04.11 23:17"


def test_rss_gives_a_listing_only_article_its_day_and_no_time(client, source_board):
    channel = ET.fromstring(client.get("/feed/rss/").content).find("channel")
    items = {
        item.findtext("link").rstrip("/").rsplit("/", 1)[-1]: item
        for item in channel.findall("item")
    }

    assert items["107"].find("pubDate") is None
    assert items["107"].findtext(DC_DATE) == "2008-03-27"
    assert items["125"].findtext("pubDate") == "Fri, 11 Apr 2008 14:17:00 +0000"
    assert items["125"].find(DC_DATE) is None


def test_atom_gives_a_listing_only_article_its_day_and_keeps_its_id(client, source_board):
    feed = ET.fromstring(client.get("/feed/atom/").content)
    entries = {
        e.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[-1]: e
        for e in feed.findall(f"{ATOM}entry")
    }

    assert entries["107"].find(f"{ATOM}published") is None
    assert entries["107"].findtext(DC_DATE) == "2008-03-27"
    assert entries["107"].findtext(f"{ATOM}id") == "http://testserver/107/"  # as before
    assert entries["125"].findtext(f"{ATOM}published") in (
        "2008-04-11T14:17:00Z",
        "2008-04-11T14:17:00+00:00",
    )


def test_admin_list_shows_a_listing_only_article_by_its_day(client, source_board):
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))

    page = soup(client.get("/admin/board/post/"))

    dates = {
        text(row.select_one(".field-number")): text(row.select_one(".field-published_when"))
        for row in page.select("#result_list tbody tr")
    }
    assert dates["107"] == "2008.03.27"
    assert dates["125"] == "2008.04.11 23:17"


def test_image_marks_of_listing_only_rows_say_the_image_is_not_kept(client, source_board):
    page = soup(client.get("/"))

    marks = page.select("img.mark-image")
    assert len(marks) == 8
    for mark in marks:
        assert "not-kept" in mark["class"]
        assert mark["alt"] == mark["title"] == NOT_KEPT
    assert [r["number"] for r in listing_rows(page) if r["image"]] == [
        "124", "120", "119", "117", "116", "112", "111", "110"
    ]  # fmt: skip


def test_listing_only_article_with_an_image_says_it_is_not_kept(client, source_board):
    said = "이 글에는 이미지가 있었으나 여기에는 보관하지 않았습니다."
    assert said in text(soup(client.get("/124/")).select_one(".post-body"))
    assert said not in text(soup(client.get("/107/")).select_one(".post-body"))


def test_search_results_mark_the_not_kept_images_too(client, source_board):
    page = soup(client.get("/", {"q": "우정", "target": "title"}))
    rows = page.select("table.post-table tbody tr")
    assert rows
    marks = page.select("img.mark-image")
    assert marks
    assert all(m["alt"] == NOT_KEPT for m in marks)

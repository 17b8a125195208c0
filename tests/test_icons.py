"""The site's icons: a favicon and app icons, static files linked from every page."""

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from tests.pages import soup

pytestmark = pytest.mark.django_db


def test_every_page_links_a_favicon_and_app_icons_that_exist(client, board):
    page = soup(client.get("/"))

    links = {(link["rel"][0], link.get("type")): link["href"] for link in page.select("link")}
    assert links[("icon", None)] == "/static/board/favicon.ico"
    assert links[("icon", "image/svg+xml")] == "/static/board/favicon.svg"
    assert links[("apple-touch-icon", None)] == "/static/board/apple-touch-icon.png"
    assert links[("manifest", None)] == "/static/board/site.webmanifest"
    for href in links.values():
        if href.startswith("/static/board/"):
            assert finders.find(href.removeprefix("/static/")), href
    with Image.open(finders.find("board/apple-touch-icon.png")) as icon:
        assert icon.size == (180, 180)
    with Image.open(finders.find("board/icon-512.png")) as icon:
        assert icon.size == (512, 512)


def test_the_favicon_is_found_where_browsers_look_for_it(client, board):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/board/favicon.ico"

"""End to end: the source page's own board, built as the 2008 XE database it came from, moves
in with ``import_xe`` and reads as the source page does."""

import html
import io
import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from board.sourcepage import parse
from tests.legacy.xe_site import XESite
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db

FIXTURE = settings.BASE_DIR / "fixtures" / "source_page.json"
SOURCE_COPY = settings.BASE_DIR / "fixtures" / "source_page.txt"


@pytest.fixture(scope="module")
def original():
    return parse(SOURCE_COPY.read_text(encoding="utf-8"))


def stamp(moment):
    return moment.strftime("%Y%m%d%H%M%S")


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "orange").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def imported(legacy_db, original, tmp_path):
    """XE 2008 (zbxe_ tables) with the board "news": the twenty rows of the source page
    (106 older filler articles below them, some with comments) imported, with the images of
    its files/ folder."""
    site = XESite(legacy_db, "xe2008", prefix="zbxe_", root=tmp_path / "xe")
    news = site.board("news", "소식", srl=52)
    rows = {
        o["pk"]: o["fields"] for o in json.loads(FIXTURE.read_text()) if o["model"] == "board.post"
    }
    # One sequence numbered everything on an XE site: documents, comments, files; gaps here.
    with_image = {int(r.number) for r in original.rows if r.has_image and r.number != "»"}
    srl = 100
    first = datetime(2007, 1, 5, 9, 30)
    for number in range(1, 127):
        srl += 3
        if number in rows:
            row = rows[number]
            moment = datetime.fromisoformat(row["published_at"]).replace(tzinfo=None)
            if number == 125:
                content = "".join(f"<p>{html.escape(line)}</p>" for line in original.body_lines)
            else:
                content = "<p>(본문은 원본 페이지에 없습니다)</p>"
            if number in with_image:  # the 2008 editor's image, under its original name
                path = f"./files/attach/images/52/{srl}/사진{number}.jpg"
                content += f'<p><img src="{path}"></p>'
                site.file(52, srl, srl + 1, f"사진{number}.jpg", jpeg(), uploaded=path)

            # XE 2008 saved titles HTML-escaped.
            site.document(news, srl, html.escape(row["title"]), content, regdate=stamp(moment),
                          readed_count=row["views"], nick_name="아주")  # fmt: skip
        else:
            moment = first + timedelta(days=2 * number)
            site.document(news, srl, f"지난 소식 {number}호", f"<p>소식 {number}</p>",
                          regdate=stamp(moment), readed_count=300 + number,
                          nick_name="아주")  # fmt: skip
            if number % 10 == 0:
                site.comment(news, srl, srl + 1, "좋은 소식이네요", nick_name="손님",
                             regdate=stamp(moment + timedelta(hours=1)))  # fmt: skip
    site.write_comment_lists()
    out = StringIO()
    call_command("import_xe", db=site.url, prefix="zbxe_", files=str(site.root), stdout=out,
                 stderr=StringIO())  # fmt: skip
    return out.getvalue()


def test_the_imported_listing_shows_rows_126_to_107_as_the_source_page(imported, client, original):
    rows = listing_rows(soup(client.get("/")))

    assert len(rows) == 20
    for shown, source in zip(rows, original.rows, strict=True):
        expected_number = "125" if source.number == "»" else source.number
        assert shown["number"] == expected_number
        assert shown["title"] == source.title
        assert shown["author"] == source.author
        assert shown["date"] == source.date
        assert shown["views"] == str(source.views)
        assert shown["image"] is source.has_image, source.title
    assert "articles           126" in imported


def test_the_press_release_reads_as_in_the_fixture(imported, client, original):
    page = soup(client.get("/125/"))

    assert text(page.select_one("h1.post-title")) == original.title
    assert text(page.select_one(".post-meta time")) == original.published == "2008.04.11 23:17"
    assert text(page.select_one(".post-author")) == "아주"
    paragraphs = [text(p) for p in page.select(".post-body p")]
    assert paragraphs == [" ".join(line.split()) for line in original.body_lines]
    assert text(page.select_one(".comments h2")) == original.comment_heading == "댓글 0"


def test_the_older_pages_hold_the_filler_with_its_comments(imported, client):
    rows = listing_rows(soup(client.get("/?page=7")))

    assert [row["number"] for row in rows] == [str(n) for n in range(6, 0, -1)]
    assert rows[-1]["title"] == "지난 소식 1호"
    commented = soup(client.get("/10/"))
    assert "좋은 소식이네요" in text(commented.select_one(".comments"))


def test_the_articles_marked_with_an_image_show_it_from_postbbs(imported, client, original):
    marked = [row for row in original.rows if row.has_image and row.number != "»"]
    assert marked
    for row in marked:
        body = soup(client.get(f"/{row.number}/")).select_one(".post-body")
        images = body.select("img")
        assert len(images) == 1, row.number
        assert "files/attach" not in str(body)
        response = client.get(images[0]["src"])
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"

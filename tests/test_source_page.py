"""The shipped fixture reads like the source page: every listing row and the press release."""

import pytest
from django.conf import settings

from board.sourcepage import parse
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db

SOURCE_COPY = settings.BASE_DIR / "fixtures" / "source_page.txt"
SHARED_SEED = settings.BASE_DIR.parent / "shared" / "seed" / "000_feefb7e14d882c42.txt"


# A fixture, not a module constant: parsed while the tests run, so a mutant of parse() (make
# mutants) is the parser these tests check.
@pytest.fixture(scope="module")
def original():
    return parse(SOURCE_COPY.read_text(encoding="utf-8"))


def test_project_copy_of_source_page_is_identical_to_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert SOURCE_COPY.read_bytes() == SHARED_SEED.read_bytes()


def test_source_page_parses_into_twenty_rows_with_the_article_marked(original):
    assert len(original.rows) == 20
    assert [r.number for r in original.rows].count("»") == 1


def test_listing_shows_every_row_of_the_source_page(client, source_board, original):
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
        assert shown["comments"] == ""
        assert shown["new"] is False


def test_image_marks_are_on_the_rows_the_source_marks(client, source_board):
    rows = listing_rows(soup(client.get("/")))
    marked = [r["number"] for r in rows if r["image"]]
    assert marked == ["124", "120", "119", "117", "116", "112", "111", "110"]


def test_article_125_shows_the_press_release_as_on_the_source_page(client, source_board, original):
    page = soup(client.get("/125/"))

    assert text(page.select_one("h1.post-title")) == original.title
    assert text(page.select_one(".post-meta time")) == original.published == "2008.04.11 23:17"
    assert text(page.select_one(".post-author")) == "아주"
    # 720 on the source page, plus this reader's view.
    assert text(page.select_one(".post-views")) == "721"
    paragraphs = [text(p) for p in page.select(".post-body p")]
    assert paragraphs == [" ".join(line.split()) for line in original.body_lines]
    assert "『2· 3· 4 우정 CS』선포식 개최" in paragraphs
    assert "※ 2·3·4 우정 CS 란?" in paragraphs
    assert "문의/경영품질팀 박래구 사무관(2195-1177)" in paragraphs
    assert paragraphs[-1] == "-출처 우정사업본부"
    assert text(page.select_one(".comments h2")) == original.comment_heading == "댓글 0"


def test_article_125_lists_the_board_below_with_its_row_marked(client, source_board, original):
    rows = listing_rows(soup(client.get("/125/")))

    assert [r["number"] for r in rows] == [r.number for r in original.rows]
    assert [r["title"] for r in rows] == [r.title for r in original.rows]
    assert [r["image"] for r in rows] == [r.has_image for r in original.rows]
    # The marked row shows the count with this reader's view, like the header above it.
    assert [r["views"] for r in rows] == [str(r.views + (r.number == "»")) for r in original.rows]


def test_article_whose_body_is_not_on_the_source_page_says_so(client, source_board, original):
    page = soup(client.get("/126/"))

    assert text(page.select_one("h1.post-title")) == original.rows[0].title
    assert "본문이 없습니다" in text(page.select_one(".post-body"))
    assert text(page.select_one(".post-meta time")).startswith("2008.04.21")


def test_fixture_loads_only_into_an_empty_database(source_board):
    from django.core.management import call_command

    from board.models import Post

    Post.objects.filter(number=125).update(title="편집된 제목")
    call_command("loadsource", verbosity=0)

    assert Post.objects.get(number=125).title == "편집된 제목"
    assert Post.objects.count() == 20

"""The admin's article and comment lists in Chromium, as an editor and a moderator use them at
1280 px and on a 390 px phone: nothing scrolls sideways (neither the page nor the list inside
it), the text columns get the width (a title line holds some twenty-five syllables at 1280),
every cell shows its text, the state column is on screen; and the date picker's heading reads
in Korean order."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from board import services
from tests.browser.conftest import PASSWORD
from tests.browser.test_visit import audit
from tests.factories import AuthorFactory, CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG_TITLE = (
    "2026년 설 연휴 기간 중 우편물 접수와 배달 일정 및 택배 서비스 운영에 관한 종합 안내 "
    "(지역별 우체국 운영 시간 포함)"
)
WIDTHS = [1280, 390]

# Every visible cell of the list: its column, box and whether its text is cut off; and
# whether the page or the list's own box scrolls sideways.
MEASURE = """() => {
  const doc = document.documentElement;
  const results = document.querySelector("#changelist-form .results");
  const box = results.getBoundingClientRect();
  const cells = [];
  const rows = document.querySelectorAll("#result_list tbody tr");
  rows.forEach((row, index) => {
    for (const cell of row.children) {
      const rect = cell.getBoundingClientRect();
      if (rect.width === 0 || getComputedStyle(cell).display === "none") continue;
      const name = [...cell.classList].find((c) => c.startsWith("field-")) || cell.className;
      const text = document.createRange();
      text.selectNodeContents(cell);
      cells.push({
        row: index, name, width: rect.width, right: rect.right,
        text: cell.textContent.trim(),
        lines: new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size,
        cut: cell.scrollWidth > cell.clientWidth + 1,
      });
    }
  });
  return {
    pageScrolls: doc.scrollWidth > window.innerWidth,
    listScrolls: results.scrollWidth > results.clientWidth + 1,
    listRight: box.right, viewport: window.innerWidth, cells,
  };
}"""


@pytest.fixture
def newsroom(news_board, moderate_comment):
    """30 articles, one with a very long title; 30 comments on one of them, some long, some
    removed by a moderator; an editor and a moderator (the groups do not outlive a browser
    test's flush: their permissions are given directly)."""
    editor = UserFactory(username="편집자", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="board",
            codename__in=["add_post", "change_post", "view_post", "view_comment"],
        )
    )
    moderator = UserFactory(username="모더", is_staff=True)
    moderator.user_permissions.add(
        moderate_comment, Permission.objects.get(codename="view_comment")
    )
    reporter = AuthorFactory(name="홍길동기자")
    for n in range(29):
        PostFactory(board=news_board, title=f"우체국 소식 {n} " + "제목이 이어집니다 " * (n % 5))
    article = PostFactory(board=news_board, title=LONG_TITLE, author=reporter)
    for n in range(30):
        comment = CommentFactory(post=article, body="좋은 기사 잘 읽었습니다. " * (1 + n % 6))
        if n % 4 == 0:
            services.remove_comment(comment, by=moderator, reason="스팸")
    return {"editor": editor, "moderator": moderator}


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("사용자 이름").fill(user.username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.locator("#user-tools")).to_contain_text(user.username)


def layout_problems(found, label):
    problems = []
    if found["pageScrolls"]:
        problems.append(f"{label}: the page scrolls sideways")
    if found["listScrolls"]:
        problems.append(f"{label}: the list scrolls sideways inside the page")
    for cell in found["cells"]:
        if cell["right"] > min(found["listRight"], found["viewport"]) + 1:
            problems.append(f"{label}: {cell['name']} is off screen")
        if cell["text"] and (cell["width"] < 16 or cell["cut"]):
            problems.append(f"{label}: {cell['name']} cut off ({cell['width']:.0f} px)")
    return problems


def widths(found):
    """The columns' widths, read on the first row."""
    return {cell["name"]: cell["width"] for cell in found["cells"] if cell["row"] == 0}


@pytest.mark.parametrize("width", WIDTHS)
def test_article_list_gives_the_title_the_width_without_sideways_scrolling(
    page, newsroom, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, newsroom["editor"])
    page.goto("/admin/board/post/")
    expect(page.locator("#result_list tbody tr")).to_have_count(30)

    found = page.evaluate(MEASURE)
    columns = widths(found)

    assert layout_problems(found, f"articles at {width}") == []
    assert max(columns, key=columns.get) == "field-title"
    assert "field-state" in columns
    if width == 1280:
        assert columns["field-title"] >= 350  # some twenty-five syllables a line
        assert {"field-published_when", "field-views", "field-comment_count"} <= set(columns)
    else:
        assert columns["field-title"] >= 150
    assert audit(page) == []
    screenshot(f"admin-posts-{width}")


@pytest.mark.parametrize("who", ["editor", "moderator"])
@pytest.mark.parametrize("width", WIDTHS)
def test_comment_list_reads_its_text_and_state_without_sideways_scrolling(
    page, newsroom, who, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, newsroom[who])
    page.goto("/admin/board/comment/")
    expect(page.locator("#result_list tbody tr")).to_have_count(30)

    found = page.evaluate(MEASURE)
    columns = widths(found)
    states = [cell for cell in found["cells"] if cell["name"] == "field-state"]

    assert layout_problems(found, f"comments at {width} as {who}") == []
    assert {cell["text"] for cell in states} == {"보임", "관리자가 삭제"}
    assert {cell["lines"] for cell in states} == {1}  # the state on one line
    assert columns["field-excerpt"] >= (250 if width == 1280 else 300)
    assert audit(page) == []
    if who == "moderator":
        screenshot(f"admin-comments-{width}")


def test_date_picker_heading_reads_year_then_month(page, newsroom):
    log_in(page, newsroom["editor"])
    page.goto("/admin/board/post/add/")
    page.locator("#calendarlink0").click()
    heading = page.locator("#calendarbox0 caption")

    expect(heading).to_have_text(re.compile(r"^\d{4}년 \d{1,2}월$"))
    shown = heading.inner_text()
    page.locator("#calendarbox0 .calendarnav-next").click()
    year, month = map(int, re.findall(r"\d+", shown))
    following = (year + month // 12, month % 12 + 1)
    expect(heading).to_have_text(f"{following[0]}년 {following[1]}월")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_article_forms_title_field_is_as_wide_as_its_body(page, newsroom, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, newsroom["editor"])
    page.goto("/admin/board/post/add/")

    title = page.locator("#id_title").bounding_box()
    body = page.locator("#id_body").bounding_box()

    # A headline of some forty syllables fits on the line it is typed in, at any width.
    assert title["width"] >= body["width"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width

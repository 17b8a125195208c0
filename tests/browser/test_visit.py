"""A reader's visit in Chromium, at desktop and phone widths, and axe-core's accessibility audit.

axe-core comes from the npm registry (`make` installs it under .npm/); AXE_PATH points at it.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from board import services
from board.models import Category
from tests.browser.conftest import PASSWORD, PROJECT_ROOT
from tests.factories import (
    AttachmentFactory,
    BoardFactory,
    CommentFactory,
    PostFactory,
    ReportFactory,
    SuspensionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(os.environ.get("AXE_PATH") or PROJECT_ROOT / ".npm/node_modules/axe-core/axe.min.js")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def full_board(news_board):
    """65 articles (4 pages), a notice, and comments and a file on the one the reader will
    open."""
    posts = [PostFactory(board=news_board, title=f"우체국 소식 {n}") for n in range(1, 61)]
    PostFactory(board=news_board, title="택배 요금 안내", body="택배 요금이 바뀝니다.")
    PostFactory.create_batch(4, board=news_board)
    PostFactory(board=news_board, title="설 연휴 우편 업무 안내", is_notice=True)
    target = services.default_board().posts.get(title="택배 요금 안내")
    CommentFactory(post=target, body="잘 알겠습니다.")
    CommentFactory(post=target, body="언제부터인가요?")
    AttachmentFactory(post=target, name="택배 요금표.hwp")
    return posts


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_reader_browses_pages_searches_reads_and_finds_the_feed(
    page, full_board, screenshot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto("/")
    rows = page.locator("table.post-table tbody tr")
    expect(rows).to_have_count(21)  # the notice and 20 numbered rows
    expect(rows.first).to_contain_text("공지")
    screenshot(f"visit-{viewport}-1-listing")

    page.get_by_role("navigation", name="쪽 이동").get_by_role("link", name="3", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?page=3")
    expect(rows.nth(1).locator(".col-number")).to_have_text("26")
    page.go_back()
    expect(rows.nth(1).locator(".col-number")).to_have_text("66")

    page.get_by_label("검색 대상").select_option("title")
    page.get_by_label("검색어").fill("택배")
    page.get_by_role("button", name="검색", exact=True).click()
    expect(page.locator(".search-summary")).to_contain_text("'택배' 검색 결과")
    expect(rows).to_have_count(1)
    screenshot(f"visit-{viewport}-2-search")

    page.get_by_role("link", name="택배 요금 안내").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("택배 요금 안내")
    expect(page.locator("#comments-heading")).to_have_text("댓글 2")
    expect(page.locator(".comment-body")).to_have_text(["잘 알겠습니다.", "언제부터인가요?"])
    expect(page.locator("tr.current .col-number")).to_have_text("»")
    screenshot(f"visit-{viewport}-3-article")

    # The way back keeps the search.
    page.get_by_role("link", name="목록", exact=True).click()
    expect(page.locator(".search-summary")).to_contain_text("'택배' 검색 결과")

    page.get_by_role("link", name="RSS").click()
    expect(page.locator("body")).to_contain_text("택배 요금 안내")
    assert page.url.endswith("/feed/rss/")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_reader_goes_to_another_board_from_the_navigation_bar(
    page, full_board, screenshot, viewport
):
    other = BoardFactory(slug="notice", name="공지사항", description="우체국의 알림과 행사 소식")
    guide = Category.objects.create(board=other, name="안내", position=1)
    events = Category.objects.create(board=other, name="행사", position=2)
    for n, category in enumerate([guide, events, guide, None, events], start=1):
        post = PostFactory(
            board=other, title=f"우편 공지 {n}", body=f"공지 본문 {n}", category=category,
            is_secret=n == 4,
        )  # fmt: skip
        if n == 3:
            AttachmentFactory(post=post, name="행사 안내문.hwp")
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto("/")
    boards = page.get_by_role("navigation", name="게시판 목록")
    expect(boards.get_by_role("link")).to_have_text(["소식", "공지사항"])

    boards.get_by_role("link", name="공지사항").click()
    assert page.url.endswith("/notice/")
    expect(page.get_by_role("heading", level=1)).to_have_text("공지사항")
    titles = page.locator("table.post-table tbody tr .col-title a")
    expect(titles).to_have_text([f"우편 공지 {n}" for n in range(5, 0, -1)])
    expect(page.locator(".row-category")).to_have_text(["[행사]", "[안내]", "[행사]", "[안내]"])
    expect(boards.locator('[aria-current="page"]')).to_have_text("공지사항")
    expect(page.locator("img.mark-secret")).to_have_count(1)
    expect(page.locator("img.mark-file")).to_have_count(1)
    screenshot(f"boards-{viewport}-1-second-board")

    page.get_by_role("navigation", name="분류").get_by_role("link", name="행사").click()
    expect(titles).to_have_text(["우편 공지 5", "우편 공지 2"])
    screenshot(f"boards-{viewport}-2-category")
    page.get_by_role("link", name="우편 공지 2").click()
    assert page.url.endswith(f"/notice/2/?category={events.pk}")
    expect(page.locator(".post-body")).to_contain_text("공지 본문 2")
    expect(page.locator("tr.current .col-number")).to_have_text("»")
    expect(titles).to_have_text(["우편 공지 5", "우편 공지 2"])
    boards.get_by_role("link", name="소식").click()
    expect(page.locator("table.post-table tbody tr")).to_have_count(21)


def test_a_reader_downloads_an_attached_file_under_its_korean_name(page, news_board, tmp_path):
    post = PostFactory(board=news_board, title="우편 요금 안내")
    AttachmentFactory(post=post, file__data=b"%PDF-1.4 fees", name="2026년 우편 요금표.pdf")
    page.goto("/")
    row = page.locator("table.post-table tbody tr").first
    expect(row.get_by_role("img", name="첨부 파일")).to_be_visible()

    row.get_by_role("link", name="우편 요금 안내").click()
    files = page.get_by_role("region", name="첨부 파일")
    expect(files.locator(".file-downloads")).to_have_text("내려받은 수 0")
    with page.expect_download() as download:
        files.get_by_role("link", name="2026년 우편 요금표.pdf").click()
    assert download.value.suggested_filename == "2026년 우편 요금표.pdf"
    saved = tmp_path / "saved.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == b"%PDF-1.4 fees"

    page.reload()
    expect(files.locator(".file-downloads")).to_have_text("내려받은 수 1")


def audit(page):
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"axe-core is missing at {AXE}; `make test` installs it")
        pytest.skip("axe-core is not installed (make .npm/node_modules/axe-core/axe.min.js)")
    # Evaluated by the driver, not injected as an inline <script> the page's CSP would block.
    page.evaluate(AXE.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({len(v['nodes'])}) {v['nodes'][0]['target']}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_pages_have_no_serious_accessibility_violations(page, full_board, live_server, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    reader = UserFactory(username="reader")
    # A site-wide moderator, so the moderators' pages are audited too, with a report and a
    # suspension on them.
    reader.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    found = services.default_board().posts.get(title="택배 요금 안내")
    article = found.get_absolute_url()
    ReportFactory(post=found, reason="other", text="광고 같습니다")
    SuspensionFactory()

    problems = {}
    for name, url in [("listing", "/"), ("article", article), ("login", "/accounts/login/")]:
        page.goto(url)
        problems[name] = audit(page)

    page.get_by_label("사용자 이름").fill("reader")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.goto(article)
    expect(page.get_by_label("댓글 쓰기")).to_be_visible()
    problems["comment form"] = audit(page)
    first = found.comments.earliest("pk")
    page.goto(f"{article}?reply={first.pk}#reply-form")
    expect(page.get_by_label("답글 쓰기")).to_be_visible()
    problems["reply form"] = audit(page)
    page.goto("/?q=%ED%83%9D%EB%B0%B0&target=title")
    problems["search"] = audit(page)
    for name, url in [
        ("report form", f"{article}report/"),
        ("report queue", "/moderation/reports/"),
        ("suspended accounts", "/moderation/suspensions/"),
    ]:
        page.goto(url)
        problems[name] = audit(page)

    assert problems == {name: [] for name in problems}


def test_the_audit_does_catch_a_violation(page, news_board):
    page.goto("/")
    page.evaluate(
        "() => { const i = document.createElement('input'); document.body.appendChild(i);"
        " document.querySelector('.skip-link').style.color = '#fff'; }"
    )
    assert any("label" in problem for problem in audit(page))

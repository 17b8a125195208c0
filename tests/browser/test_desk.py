"""The moderator's desk in Chromium at 1280 and 390 px: reached from the header, no sideways
scrolling, each row's state readable, axe-core clean, and a morning's clean-up done from it.

Leaves screenshots desk-1280.png and desk-390.png (the README shows the first, as
docs/moderator-desk.png)."""

import pytest
from playwright.sync_api import expect

from board.models import Comment
from tests.browser.test_conversation import log_in
from tests.browser.test_visit import audit
from tests.factories import (
    AuthorFactory,
    BoardFactory,
    CommentFactory,
    PostFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [1280, 390]

# Whether the page scrolls sideways, and where each row's state ends and how big its text is.
MEASURE = """() => {
  const states = Array.from(document.querySelectorAll(".desk-state > span")).map((el) => {
    const rect = el.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(el).fontSize);
    return { right: rect.right, width: rect.width, size };
  });
  const doc = document.documentElement;
  return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, states };
}"""


@pytest.fixture
def morning(news_board, moderate_comment):
    """A night's comments on two boards: a spammer's from an IPv6 address, long titles and
    bodies, one removed, one hidden by reports; a site-wide moderator."""
    free = BoardFactory(slug="free", name="자유게시판")
    notice = PostFactory(
        board=news_board, title="설 연휴 우편 업무 안내 및 택배 접수 마감 일정 " * 3
    )
    chat = PostFactory(board=free, title="자유게시판 첫 글")
    spammer = AuthorFactory(name="광고왕", user=UserFactory(username="spammer_account_2026"))
    for n in range(4):
        CommentFactory(
            post=notice,
            author=spammer,
            body=f"싸게 팝니다 {n} https://spam.example/a-very-long-unbroken-address-" * 3,
            ip_address="2001:db8:85a3:1234:5678:8a2e:370:7334",
        )
    readers = [AuthorFactory(user=UserFactory()) for _ in range(3)]
    for n, author in enumerate(readers):
        CommentFactory(
            post=chat, author=author, body=f"좋은 글 감사합니다 {n}", ip_address="10.0.0.7"
        )
    removed = CommentFactory(post=notice, author=readers[0], body="제가 지운 댓글")
    Comment.objects.filter(pk=removed.pk).update(is_removed=True, removed_by=readers[0].user)
    reported = CommentFactory(post=chat, author=spammer, body="가려진 광고", ip_address="10.0.0.9")
    for reporter in readers[:2]:
        ReportFactory(comment=reported, reporter=reporter.user, text="광고입니다")
    Comment.objects.filter(pk=reported.pk).update(is_hidden=True)
    moderator = UserFactory(username="site_moderator")
    moderator.user_permissions.add(moderate_comment)
    return moderator


@pytest.mark.parametrize("width", WIDTHS)
def test_a_moderator_clears_the_morning_from_the_desk_at_any_width(
    page, morning, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, morning)
    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="운영 데스크").click()
    expect(page.get_by_role("heading", name="운영 데스크", level=1)).to_be_visible()
    expect(page.locator(".desk-report-count")).to_contain_text("처리를 기다리는 신고 2건")

    found = page.evaluate(MEASURE)
    assert found["scrollWidth"] <= found["innerWidth"]
    assert len(found["states"]) == 9
    for state in found["states"]:
        assert 0 < state["width"] <= state["right"] <= width
        assert state["size"] >= 12
    expect(page.locator(".desk-row").first.locator(".desk-state")).to_have_text("신고로 가려짐")
    assert audit(page) == []
    screenshot(f"desk-{width}")

    # The spammer's comments only, then all of them on this moderator's boards removed.
    page.get_by_role("link", name="spammer_account_2026", exact=True).first.click()
    expect(page.locator(".desk-row")).to_have_count(5)
    expect(page.locator(".desk-account h3")).to_have_text("spammer_account_2026 계정")
    page.get_by_label("최근 며칠 동안 쓴 댓글").select_option("7")
    page.get_by_role("button", name="맡은 게시판에서 모두 삭제").click()
    expect(page.locator(".messages")).to_contain_text(
        "spammer_account_2026 계정이 최근 7일 동안 쓴 댓글 5개를 삭제했습니다."
    )
    expect(page.locator(".desk-state")).to_have_text(["site_moderator 님이 삭제함"] * 5)
    assert page.evaluate(MEASURE)["scrollWidth"] <= width

    # A reader's comment picked by hand, with a reason.
    page.get_by_role("link", name="조건 지우기").click()
    row = page.locator(".desk-row", has_text="좋은 글 감사합니다 1")
    row.get_by_label("선택").check()
    page.get_by_label("삭제 사유").fill("도배")
    page.get_by_role("button", name="선택한 댓글 삭제").click()
    expect(page.locator(".messages")).to_contain_text("댓글 1개를 삭제했습니다.")
    expect(row.locator(".desk-state")).to_have_text("site_moderator 님이 삭제함")
    assert Comment.objects.get(body="좋은 글 감사합니다 1").removal_reason == "도배"
    assert audit(page) == []

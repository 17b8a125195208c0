"""Every reader page at phone and desktop widths in Chromium: no sideways scrolling at 360,
390 or 1280 px, and on phones (360 and 390 px) every link, button and field a reader taps at
least 44 × 44 px.

What counts as a tap target: visible links, buttons, fields and select boxes (a radio button
with its label, which takes the tap too). Left out: links inside running text, which the
text's line height sizes (WCAG 2.5.8's "inline" exception): links in article and comment
bodies, and a link with words of its own around it in the same block ("계정이 없으면 회원
가입하세요"). Hidden things (the skip link until focused, the bot trap) are not targets. At
1280 px a mouse points, so only the overflow is checked there.
"""

import pytest
from playwright.sync_api import expect

from board.models import Category
from tests.browser.conftest import PASSWORD
from tests.factories import BoardFactory, CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [360, 390, 1280]
PHONE = 640

# The page's tap targets that are too small, and whether it scrolls sideways.
MEASURE = """() => {
  const doc = document.documentElement;
  const inRunningText = (el) => {
    if (el.tagName !== "A") return false;
    if (el.closest(".post-body, .comment-body")) return true;
    return Array.from(el.parentElement.childNodes).some(
      (n) => n.nodeType === 3 && n.textContent.replace(/[\\s·|,.]/g, "").length > 0
    );
  };
  const small = [];
  const targets = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea"
  );
  for (const el of targets) {
    if (el.closest("[aria-hidden=true], .visually-hidden") || inRunningText(el)) continue;
    let rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.right <= 0 || rect.bottom <= 0) continue;
    if (el.type === "radio" || el.type === "checkbox") {
      const label = el.id && document.querySelector(`label[for="${el.id}"]`);
      if (label) {
        const l = label.getBoundingClientRect();
        const top = Math.min(rect.top, l.top), bottom = Math.max(rect.bottom, l.bottom);
        const left = Math.min(rect.left, l.left), right = Math.max(rect.right, l.right);
        rect = { width: right - left, height: bottom - top };
      }
    }
    if (rect.width < 43.5 || rect.height < 43.5) {
      const name = (el.textContent || el.name || el.type || "").trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()}.${el.className || "-"} "${name}" `
        + `${Math.round(rect.width)}x${Math.round(rect.height)}`);
    }
  }
  return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, small };
}"""


@pytest.fixture
def site(news_board):
    """Two boards; the news board with three pages, a notice, a category, long titles, and an
    article with comments and replies; a reader who may comment."""
    category = Category.objects.create(board=news_board, name="우편", position=1)
    for n in range(45):
        PostFactory(board=news_board, title=f"우체국 소식 {n} " + "아주 긴 제목 " * (n % 4))
    PostFactory(board=news_board, title="설 연휴 우편 업무 안내", is_notice=True)
    PostFactory(board=news_board, title="https://example.com/a-very-long-unbroken-address-" * 2)
    article = PostFactory(
        board=news_board, title="택배 요금 안내", category=category, body="택배 요금이 바뀝니다."
    )
    first = CommentFactory(post=article, body="잘 알겠습니다. " * 20)
    CommentFactory(post=article, body="언제부터인가요?")
    second_board = BoardFactory(slug="free", name="자유게시판")
    PostFactory(board=second_board, title="자유게시판 첫 글")
    reader = UserFactory(username="독자", email="reader@example.com")
    return {"article": article, "comment": first, "reader": reader}


def check(page, label, width):
    found = page.evaluate(MEASURE)
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"{label}: scrolls sideways ({found['scrollWidth']} > {width})")
    if width <= PHONE and found["small"]:
        problems.append(f"{label}: small tap targets {found['small']}")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_no_reader_page_scrolls_sideways_or_has_small_tap_targets(page, site, width, screenshot):
    page.set_viewport_size({"width": width, "height": 800})
    article = site["article"]
    problems = []

    signed_out = [
        ("listing", "/"),
        ("listing page 2", "/?page=2"),
        ("article", article.get_absolute_url()),
        ("search", "/?q=우체국&target=title"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("password reset", "/accounts/password/reset/"),
        ("reset sent", "/accounts/password/reset/sent/"),
        ("reset link", "/accounts/password/reset/MQ/bad-token/"),
        ("reset done", "/accounts/password/reset/done/"),
        ("second board", "/free/"),
    ]
    for label, url in signed_out:
        page.goto(url)
        problems += check(page, label, width)
        if width == 360 and label in ("listing", "article"):
            screenshot(f"phone-360-{label}")

    page.goto("/accounts/login/")
    page.get_by_label("사용자 이름").fill(site["reader"].username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.locator(".site-nav .user-name")).to_have_text("독자")

    page.goto(article.get_absolute_url())
    page.locator(f"#comment-{site['comment'].pk}").get_by_role("link", name="답글").click()
    expect(page.locator("#reply-form")).to_be_visible()
    signed_in = [
        ("article with reply form", None),
        ("listing, signed in", "/"),
        ("report form", f"{article.get_absolute_url()}report/"),
        ("second board, signed in", "/free/"),
    ]
    for label, url in signed_in:
        if url:
            page.goto(url)
        problems += check(page, label, width)
        if width == 360 and label == "article with reply form":
            screenshot("phone-360-article-signed-in")

    assert problems == []

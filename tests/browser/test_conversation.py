"""The conversation in a real browser: a reader replies and recommends, another reports, a
moderator acts from the queue, and a long thread pages its comments.

Leaves screenshots of the thread and of the queue (the README shows them)."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from board import services
from board.models import Board, Comment, Decision
from tests.browser.conftest import PASSWORD
from tests.factories import AuthorFactory, CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("사용자 이름").fill(user.username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.locator(".user-name")).to_have_text(user.username)


def comment_item(page, body):
    """The comment whose own body (not a reply's) reads ``body``."""
    return page.locator("li.comment").filter(
        has=page.locator(":scope > .comment-body", has_text=body)
    )


def test_a_reader_replies_and_recommends_another_reports_and_a_moderator_removes_it(
    page, live_server, news_board, moderate_comment, screenshot
):
    Board.objects.filter(pk=news_board.pk).update(comment_votes=True)
    replier = UserFactory(username="답글러")
    reporter = UserFactory(username="신고자")
    moderator = UserFactory(username="운영자", is_staff=True)
    moderator.user_permissions.add(moderate_comment)
    post = PostFactory(board=news_board, title="우체국 택배 요금 안내", body="요금이 바뀝니다.")
    CommentFactory(post=post, author=AuthorFactory(name="주민"), body="요금표는 어디서 보나요?")
    CommentFactory(post=post, author=AuthorFactory(name="이웃"), body="창구에도 붙어 있어요.")
    article = post.get_absolute_url()

    # A reader answers the first comment under it, and recommends the article.
    log_in(page, replier)
    page.goto(article)
    comment_item(page, "요금표는 어디서 보나요?").get_by_role("link", name="답글").click()
    page.get_by_label("답글 쓰기").fill(
        "홈페이지 공지에 있습니다. 광고 보러 오세요 http://spam.example"
    )
    page.locator("#reply-form").get_by_role("button", name="등록").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(article)}#comment-\d+$"))
    reply = comment_item(page, "홈페이지 공지에 있습니다.")
    expect(reply).to_have_class(re.compile(r"\bdepth-1\b"))
    page.locator("#votes").get_by_role("button", name="추천").click()
    expect(page.locator("#votes .vote-up")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#votes .vote-up .vote-count")).to_have_text("1")

    # Another reader reports the reply as spam.
    log_in(page, reporter)
    page.goto(article)
    comment_item(page, "홈페이지 공지에 있습니다.").get_by_role("link", name="신고").click()
    page.get_by_label("스팸/광고").check()
    page.get_by_role("button", name="신고").click()
    expect(page.locator(".messages")).to_contain_text("신고를 접수했습니다.")
    expect(page).to_have_url(re.compile(rf"{re.escape(article)}#comment-\d+$"))

    # The moderator finds it in the queue and removes it with a reason.
    log_in(page, moderator)
    page.get_by_role("link", name="신고 목록").click()
    group = page.locator("li.report-group")
    expect(group).to_have_count(1)
    expect(group.locator(".report-item")).to_contain_text("홈페이지 공지에 있습니다.")
    expect(group.locator(".report-meta")).to_contain_text("신고 1건")
    # The queue shows what was reported, never who reported it.
    expect(page.locator("main")).not_to_contain_text(reporter.username)
    screenshot("report-queue")
    group.get_by_label("사유 (선택)").fill("광고 링크")
    group.get_by_role("button", name="삭제", exact=True).click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("li.report-group")).to_have_count(0)

    # Readers see the placeholder in the reply's place; the thread still reads in order.
    page.context.clear_cookies()
    page.goto(article)
    expect(page.locator("li.comment")).to_have_count(3)
    placeholder = page.locator("li.comment.depth-1.removed")
    expect(placeholder).to_contain_text("관리자가 삭제한 댓글입니다.")
    removed = Comment.objects.get(depth=1)
    assert (removed.is_removed, removed.removed_by, removed.removal_reason) == (
        True,
        moderator,
        "광고 링크",
    )
    assert Decision.objects.get().moderator == moderator


def test_a_long_thread_pages_its_comments_and_a_comment_link_finds_its_page(
    page, live_server, news_board, screenshot
):
    Board.objects.filter(pk=news_board.pk).update(comments_per_page=10, comment_votes=True)
    post = PostFactory(
        board=news_board,
        title="우편 번호 검색이 바뀌었습니다",
        body="새 우편 번호 검색은 도로명과 건물 번호로 찾습니다. 옛 지번 주소도 함께 보여 줍니다.",
    )
    authors = [AuthorFactory(name=name) for name in ("주민", "이웃", "집배원", "독자")]
    sayings = [
        "도로명으로 찾으니 훨씬 빠르네요.",
        "지번으로도 찾을 수 있나요?",
        "네, 옛 주소를 넣어도 나옵니다.",
        "감사합니다. 해 보니 됩니다.",
    ]
    comments = []
    for n in range(24):
        # Every fourth answers the one before it, and every eighth goes one level deeper.
        parent = comments[n - 1] if n % 4 in (2, 3) else None
        body = f"{sayings[n % 4]} ({n + 1})"
        comments.append(CommentFactory(post=post, author=authors[n % 4], body=body, parent=parent))
    staff = UserFactory(username="관리자", is_staff=True)
    for removed in comments[4:6]:  # two in a row: one line for readers
        services.remove_comment(removed, by=staff)
    group = Group.objects.create(name="소식 모더레이터")
    Board.objects.filter(pk=news_board.pk).update(moderators=group)
    reader = UserFactory(username="독자1")
    log_in(page, reader)

    page.goto(post.get_absolute_url())
    pages = page.get_by_role("navigation", name="댓글 쪽 이동")
    expect(pages.locator("[aria-current=page]")).to_have_text("1")
    expect(page.locator("li.comment")).to_have_count(9)
    expect(page.locator("li.comment.depth-2").first).to_be_visible()
    expect(page.locator("li.comment.removed")).to_have_text("삭제된 댓글 2개")
    screenshot("comment-thread")

    # The last comment's link lands on the page that holds it.
    last = comments[-1]
    page.goto(f"/comments/{last.pk}/")
    expect(page).to_have_url(re.compile(rf"\?cpage=3#comment-{last.pk}$"))
    expect(page.locator(f"#comment-{last.pk}")).to_be_visible()
    expect(pages.locator("[aria-current=page]")).to_have_text("3")

"""The three flows readers and staff go through, in a real browser (Chromium via Playwright).

Each test drives the site as a person does (links, labels, buttons), asserts what that person
sees, and leaves a full-page screenshot in the screenshot folder (see conftest). Pages open
relative to the live server (the ``base_url`` fixture); URLs are checked in full.
"""

import re

import pytest
from playwright.sync_api import expect

from board.models import Board, Post
from tests.browser.conftest import PASSWORD
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def listing_row(page, title):
    """The listing's row whose title link reads exactly ``title``."""
    return page.locator("table.post-table tbody tr").filter(
        has=page.get_by_role("link", name=title, exact=True)
    )


def comments_heading(page):
    return page.locator("#comments-heading")


def test_reader_signs_up_from_an_article_and_their_comment_is_shown_and_counted(
    page, live_server, news_board, screenshot
):
    post = PostFactory(board=news_board)
    article_url = f"{live_server.url}{post.get_absolute_url()}"
    page.goto(post.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    expect(page.locator(".post-views")).to_have_text("1")  # headless Chromium is a reader
    expect(comments_heading(page)).to_have_text("댓글 0")
    expect(page.locator(".comment-login")).to_contain_text("댓글을 쓰려면 로그인하세요.")

    page.get_by_role("navigation", name="계정").get_by_role("link", name="회원 가입").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("회원 가입")
    page.get_by_label("사용자 이름").fill("newreader")
    page.get_by_label("이메일").fill("newreader@example.com")
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_label("비밀번호 확인").fill(PASSWORD)
    page.get_by_role("button", name="가입하기").click()

    # Back on the article, signed in (and the return visit is not a second view).
    expect(page).to_have_url(article_url)
    expect(page.get_by_role("status")).to_contain_text("가입을 환영합니다, newreader 님.")
    expect(page.locator(".site-nav .user-name")).to_have_text("newreader")
    expect(page.locator(".post-views")).to_have_text("1")

    comment_text = "좋은 기사 잘 읽었습니다. 다음 소식도 기다릴게요!"
    page.get_by_label("댓글 쓰기").fill(comment_text)
    page.get_by_role("button", name="등록", exact=True).click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(article_url)}#comment-\d+$"))
    expect(comments_heading(page)).to_have_text("댓글 1")
    comment = page.locator("ol.comment-list > li")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-meta strong")).to_have_text("newreader")
    expect(comment.locator(".comment-body")).to_have_text(comment_text)
    expect(page.get_by_label("댓글 쓰기")).to_have_value("")
    screenshot("reader-comment")

    # They recommend the article: a plain form, back at the article's votes, pressed.
    Board.objects.filter(pk=news_board.pk).update(show_votes=True)
    page.get_by_role("button", name="추천 0").click()
    expect(page).to_have_url(f"{article_url}#votes")
    recommend = page.locator("#votes").get_by_role("button", name="추천 1")
    expect(recommend).to_have_attribute("aria-pressed", "true")

    page.goto("/")
    expect(listing_row(page, post.title).locator(".comment-count")).to_have_text("[1]")
    expect(listing_row(page, post.title).locator(".col-votes")).to_have_text("1")


def test_staff_publish_an_article_in_the_admin_and_it_tops_the_listing_with_the_next_number(
    page, live_server, news_board, screenshot
):
    PostFactory.create_batch(3, board=news_board)
    staff = UserFactory(username="editor", is_staff=True, is_superuser=True)

    page.goto("/admin/login/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")

    page.goto("/admin/board/post/add/")
    page.locator("#id_board").select_option(label=news_board.name)
    title = "시청 앞 광장, 주말마다 벼룩시장 연다"
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill("시청은 이번 달부터 주말마다 광장에서 벼룩시장을 연다고 밝혔다.")
    expect(page.locator("#id_author")).to_have_value("")  # left empty on purpose
    page.locator("input[name=_save]").click()

    expect(page).to_have_url(f"{live_server.url}/admin/board/post/")
    expect(page.locator("ul.messagelist .success")).to_contain_text(title)

    page.goto("/")
    first = page.locator("table.post-table tbody tr").first
    expect(first.locator("td.col-number")).to_have_text("4")
    expect(first.locator("td.col-title a")).to_have_text(title)
    # The author field was left empty: the article is the staff member's own.
    expect(first.locator("td.col-author")).to_have_text("editor")
    expect(page.locator("table.post-table tbody td.col-number")).to_have_text(["4", "3", "2", "1"])
    screenshot("admin-publish")

    first.locator("td.col-title a").click()
    expect(page).to_have_url(f"{live_server.url}/4/")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".post-body")).to_contain_text("주말마다 광장에서 벼룩시장")

    post = Post.objects.get(title=title)
    assert (post.number, post.seq, post.author.user) == (4, 4, staff)


def test_moderator_removes_a_comment_and_readers_see_the_placeholder(
    page, new_context, live_server, news_board, moderate_comment, screenshot
):
    moderator = UserFactory(username="moderator")
    moderator.user_permissions.add(moderate_comment)
    post = PostFactory(board=news_board)
    comment = CommentFactory(post=post, body="광고성 댓글입니다")
    article_url = f"{live_server.url}{post.get_absolute_url()}"

    page.goto("/accounts/login/")
    page.get_by_label("사용자 이름").fill(moderator.username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".site-nav .user-name")).to_have_text("moderator")

    page.get_by_role("link", name=post.title, exact=True).click()
    expect(page).to_have_url(article_url)
    expect(comments_heading(page)).to_have_text("댓글 1")
    item = page.locator(f"#comment-{comment.pk}")
    expect(item.locator(".comment-body")).to_have_text("광고성 댓글입니다")
    item.get_by_role("link", name="삭제").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("이 댓글을 삭제할까요?")
    expect(page.locator("blockquote.comment-quote")).to_contain_text("광고성 댓글입니다")
    page.get_by_label("삭제 사유 (선택)").fill("광고")
    page.get_by_role("button", name="삭제", exact=True).click()

    expect(page).to_have_url(f"{article_url}#comment-{comment.pk}")
    expect(page.get_by_role("status")).to_contain_text("댓글을 삭제했습니다.")
    expect(comments_heading(page)).to_have_text("댓글 0")
    expect(item.locator(".comment-placeholder")).to_have_text("관리자가 삭제한 댓글입니다.")
    expect(item).not_to_contain_text("광고성 댓글입니다")
    note = item.locator(".comment-moderation-note")
    expect(note).to_contain_text("moderator 님이")
    expect(note).to_contain_text("사유: 광고")
    expect(note.get_by_role("link", name="되살리기")).to_be_visible()
    screenshot("moderator-removed")

    # A reader who is not signed in sees the placeholder, but not who removed it or why.
    reader = new_context().new_page()
    reader.goto(post.get_absolute_url())
    expect(comments_heading(reader)).to_have_text("댓글 0")
    reader_item = reader.locator(f"#comment-{comment.pk}")
    expect(reader_item).to_have_text("관리자가 삭제한 댓글입니다.")
    expect(reader.locator(".comment-moderation-note")).to_have_count(0)
    reader.goto("/")
    expect(listing_row(reader, post.title)).to_be_visible()
    expect(listing_row(reader, post.title).locator(".comment-count")).to_have_count(0)

    comment.refresh_from_db()
    assert comment.is_removed
    assert comment.removed_by == moderator
    assert comment.removal_reason == "광고"
    assert comment.removed_at is not None


def test_reader_replies_under_a_comment_and_the_reply_is_indented(
    page, live_server, news_board, screenshot
):
    reader = UserFactory(username="replier")
    post = PostFactory(board=news_board)
    first = CommentFactory(post=post, body="첫 댓글입니다")
    CommentFactory(post=post, body="둘째 댓글입니다")
    article_url = f"{live_server.url}{post.get_absolute_url()}"

    page.goto("/accounts/login/")
    page.get_by_label("사용자 이름").fill(reader.username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.goto(article_url)
    page.locator(f"#comment-{first.pk}").get_by_role("link", name="답글").click()

    expect(page).to_have_url(f"{article_url}?reply={first.pk}#reply-form")
    form = page.locator(f"#comment-{first.pk} #reply-form")
    expect(form).to_be_visible()
    page.get_by_label("답글 쓰기").fill("첫 댓글에 답합니다")
    form.get_by_role("button", name="등록").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(article_url)}#comment-\d+$"))
    expect(comments_heading(page)).to_have_text("댓글 3")
    items = page.locator("ol.comment-list > li .comment-body")
    expect(items).to_have_text(["첫 댓글입니다", "첫 댓글에 답합니다", "둘째 댓글입니다"])
    answer = page.locator("li.comment.depth-1")
    expect(answer).to_have_count(1)
    indent = answer.evaluate("node => parseFloat(getComputedStyle(node).marginLeft)")
    assert indent > 0
    screenshot("reader-reply")
    # On a phone the step is smaller, so that a thread does not eat the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    assert 0 < answer.evaluate("node => parseFloat(getComputedStyle(node).marginLeft)") < indent


def test_a_pasted_comment_anchor_on_another_comment_page_finds_its_page(
    page, live_server, news_board
):
    news_board.comments_per_page = 10
    news_board.save()
    post = PostFactory(board=news_board)
    comments = [CommentFactory(post=post, body=f"댓글 {n}") for n in range(12)]
    article_url = f"{live_server.url}{post.get_absolute_url()}"

    # An old link to the article's anchor: that comment is now on comment page 2.
    page.goto(f"{article_url}#comment-{comments[-1].pk}")

    expect(page).to_have_url(f"{article_url}?cpage=2#comment-{comments[-1].pk}")
    expect(page.locator(f"#comment-{comments[-1].pk} .comment-body")).to_have_text("댓글 11")
    expect(page.locator("nav.comment-pages [aria-current=page]")).to_have_text("2")

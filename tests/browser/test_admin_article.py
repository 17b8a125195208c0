"""The article's admin page in a real browser: the preview opens in a new tab from the unsaved
form, and the remove and restore buttons work beside the save buttons."""

import pytest
from playwright.sync_api import expect

from board.models import Post
from tests.browser.conftest import PASSWORD
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_previews_an_unsaved_edit_in_a_new_tab_then_removes_and_restores_it(
    page, live_server, news_board
):
    post = PostFactory(board=news_board, title="원래 제목", body="원래 본문")
    chief = UserFactory(username="편집장", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.locator("#id_username").fill(chief.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()

    page.goto(f"/admin/board/post/{post.pk}/change/")
    page.locator("#id_title").fill("고칠 제목")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="미리 보기").click()
    preview = opened.value
    preview.wait_for_load_state()

    expect(preview.get_by_role("heading", level=1)).to_have_text("고칠 제목")
    expect(preview.locator(".preview-unsaved")).to_contain_text("저장하지 않은 내용의 미리 보기")
    assert Post.objects.get(pk=post.pk).title == "원래 제목"
    # The form is still there, with the edit, in the first tab.
    expect(page.locator("#id_title")).to_have_value("고칠 제목")

    page.get_by_role("button", name="삭제 (되살릴 수 있음)").click()
    expect(page.locator("ul.messagelist")).to_contain_text("“원래 제목” 글을 삭제했습니다.")
    assert Post.objects.get(pk=post.pk).is_removed
    page.get_by_role("button", name="되살리기").click()
    expect(page.locator("ul.messagelist")).to_contain_text("“원래 제목” 글을 되살렸습니다.")
    assert not Post.objects.get(pk=post.pk).is_removed

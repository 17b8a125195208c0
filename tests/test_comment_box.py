"""The comment box: the limit the reader is shown is the one the server keeps, a live count,
and the typed text never lost when the comment is refused."""

from urllib.parse import unquote

import pytest
from django.conf import settings
from django.test import Client

from board.models import Comment
from tests.conftest import BROWSER_UA
from tests.factories import PostFactory, SuspensionFactory, UserFactory
from tests.pages import soup, text, textarea_value

pytestmark = pytest.mark.django_db

LONG_TEXT = "쓰다 만 긴 댓글입니다.\n둘째 줄"


@pytest.fixture
def reader(client):
    user = UserFactory(username="독자")
    client.force_login(user)
    return user


def test_comment_box_stops_at_the_2000_characters_the_server_accepts(client, board, reader):
    post = PostFactory()

    page = soup(client.get(post.get_absolute_url()))

    box = page.select_one("form#comment-form textarea[name=body]")
    assert box["maxlength"] == "2000"
    assert box["data-counter"] == "2000"
    count = page.select_one("form#comment-form .char-count")
    assert text(count) == "2000자까지 쓸 수 있습니다."
    assert count["data-for"] == box["id"]


def test_live_counter_is_a_static_script_the_page_loads(client, board, reader):
    post = PostFactory()

    response = client.get(post.get_absolute_url())

    scripts = [s["src"] for s in soup(response).select("script[src]")]
    assert any(src.endswith("board/comment-counter.js") for src in scripts)
    assert not soup(response).select("script:not([src])")  # nothing inline: the CSP forbids it
    counter = settings.BASE_DIR / "static" / "board" / "comment-counter.js"
    assert "data-counter" in counter.read_text()


def test_suspended_readers_comment_is_shown_back_to_copy(board):
    post = PostFactory()
    user = SuspensionFactory(user=UserFactory(username="정지된독자")).user
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)

    response = client.post(f"/{post.number}/comments/", {"body": LONG_TEXT})

    assert response.status_code == 403
    page = soup(response)
    assert "이용이 정지된 계정입니다" in text(page)
    assert page.select_one("textarea#kept-text").has_attr("readonly")
    assert page.select_one("textarea#kept-text").get_text().removeprefix("\n") == LONG_TEXT
    assert not Comment.objects.exists()


def test_suspended_readers_report_text_is_shown_back_to_copy(board):
    post = PostFactory()
    user = SuspensionFactory(user=UserFactory(username="정지된독자")).user
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)

    response = client.post(f"/{post.number}/report/", {"reason": "other", "text": "설명 글"})

    assert response.status_code == 403
    assert text(soup(response).select_one("textarea#kept-text")) == "설명 글"


def test_csrf_failure_on_a_comment_tells_how_to_get_the_text_back(board):
    post = PostFactory()
    client = Client(HTTP_USER_AGENT=BROWSER_UA, enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = client.post(f"/{post.number}/comments/", {"body": LONG_TEXT})

    assert response.status_code == 403
    page = soup(response)
    assert "뒤로" in text(page.select_one(".go-back-hint"))
    assert page.select_one("button.go-back") is not None
    assert any(s["src"].endswith("board/go-back.js") for s in page.select("script[src]"))
    assert not Comment.objects.exists()


def test_signed_out_comment_sends_to_login_and_back_to_the_comment_box(client, board):
    post = PostFactory()

    response = client.post(f"/{post.number}/comments/", {"body": LONG_TEXT})

    assert response.status_code == 302
    assert unquote(response["Location"]).endswith(f"next=/{post.number}/#comment-form")


@pytest.mark.parametrize("body", ["가" * 2001, "가" * 4001])
def test_too_long_comment_is_refused_with_the_text_kept(client, board, reader, body):
    post = PostFactory()

    response = client.post(f"/{post.number}/comments/", {"body": body})

    assert response.status_code == 400
    assert textarea_value(soup(response), "body") == body
    assert "2000" in text(soup(response).select_one("form#comment-form .form-errors"))

"""Readers comment: validation, CSRF, rate limits, and the comment count."""

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import services
from board.models import Comment, Post
from tests.conftest import BROWSER_UA
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.pages import soup, text, textarea_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory(username="독자")
    client.force_login(user)
    return user


def comment_url(post):
    return f"/{post.number}/comments/"


def stored(post):
    post = Post.objects.get(pk=post.pk)
    return post.comment_count, Comment.objects.filter(post=post).count()


def test_signed_in_reader_comments_and_returns_to_the_comment(client, board, reader):
    post = PostFactory()

    response = client.post(comment_url(post), {"body": "  좋은 기사 감사합니다.\n두 번째 줄  "})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/{post.number}/#comment-{comment.pk}"
    assert comment.body == "좋은 기사 감사합니다.\n두 번째 줄"
    assert comment.author.user == reader
    assert comment.author.name == "독자"
    page = soup(client.get(response["Location"]))
    assert text(page.select_one(".comments h2")) == "댓글 1"
    assert "좋은 기사 감사합니다." in text(page.select_one(".comment-body"))
    assert stored(post) == (1, 1)


def test_anonymous_reader_is_sent_to_log_in_and_nothing_is_stored(client, board):
    post = PostFactory()

    response = client.post(comment_url(post), {"body": "익명 댓글"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert stored(post) == (0, 0)
    page = soup(client.get(post.get_absolute_url()))
    assert page.select_one("form.comment-form") is None
    assert "로그인" in text(page.select_one(".comment-login"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "댓글 내용을 입력하세요."),
        ("   \n\t  ", "댓글 내용을 입력하세요."),
        ("가" * 2001, "댓글은 2000자까지 쓸 수 있습니다. 지금 2001자입니다."),
        ("제어\x07문자", "보이지 않는 제어 문자는 쓸 수 없습니다."),
        ("널\x00문자", ""),  # Django refuses NUL itself, in its own words
    ],
)
def test_bad_comment_is_refused_with_a_message_and_the_text_kept(
    client, board, reader, body, message
):
    post = PostFactory()

    response = client.post(comment_url(post), {"body": body})

    assert response.status_code == 400
    errors = soup(response).select_one("form.comment-form .form-errors")
    assert errors is not None
    if message:  # exactly the message, not merely one containing it
        assert text(errors) == message
    if body.strip() and "\x00" not in body:
        assert textarea_value(soup(response), "body") == body
    assert stored(post) == (0, 0)


def test_comment_of_exactly_2000_characters_after_trimming_is_accepted(client, board, reader):
    post = PostFactory()
    response = client.post(comment_url(post), {"body": "   " + "가" * 2000 + "\n\n"})
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 2000


def test_windows_and_old_mac_line_breaks_are_stored_as_plain_line_breaks(client, board, reader):
    post = PostFactory()
    client.post(comment_url(post), {"body": "첫 줄\r\n둘째 줄\r셋째 줄"})
    assert Comment.objects.get().body == "첫 줄\n둘째 줄\n셋째 줄"


def test_script_in_a_comment_is_shown_as_text(client, board, reader):
    post = PostFactory()
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    client.post(comment_url(post), {"body": payload})
    page = soup(client.get(post.get_absolute_url()))

    body = page.select_one(".comment-body")
    assert body.find("script") is None
    assert body.find("img") is None
    assert body.get_text() == payload


def test_missing_or_wrong_csrf_token_is_refused(board):
    post = PostFactory()
    user = UserFactory()
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    strict.force_login(user)

    assert strict.post(comment_url(post), {"body": "토큰 없음"}).status_code == 403
    strict.get(post.get_absolute_url())  # sets the CSRF cookie
    wrong = {"body": "틀린 토큰", "csrfmiddlewaretoken": "x" * 64}
    assert strict.post(comment_url(post), wrong).status_code == 403
    assert stored(post) == (0, 0)


def test_real_csrf_token_from_the_page_is_accepted(board):
    post = PostFactory()
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    strict.force_login(UserFactory())
    token = soup(strict.get(post.get_absolute_url())).select_one(
        "form.comment-form input[name=csrfmiddlewaretoken]"
    )["value"]
    response = strict.post(comment_url(post), {"body": "정상", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert stored(post) == (1, 1)


def test_commenting_on_a_removed_article_is_a_404(client, board, reader):
    post = PostFactory()
    services.remove_post(post, by=UserFactory(is_staff=True))

    assert client.post(comment_url(post), {"body": "늦은 댓글"}).status_code == 404
    assert Comment.objects.count() == 0


def test_commenting_on_an_unknown_or_unpublished_number_is_a_404(client, board, reader):
    scheduled = PostFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    assert scheduled.number is None
    assert client.post("/1/comments/", {"body": "아직 없는 글"}).status_code == 404
    assert Comment.objects.count() == 0


def test_get_on_the_comment_url_is_not_allowed(client, board, reader):
    post = PostFactory()
    assert client.get(comment_url(post)).status_code == 405


def test_double_submission_stores_one_comment(client, board, reader):
    post = PostFactory()

    first = client.post(comment_url(post), {"body": "한 번만"})
    second = client.post(comment_url(post), {"body": "한 번만"})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert stored(post) == (1, 1)


def test_the_same_comment_sent_again_within_a_minute_is_the_first_one(client, board, reader):
    post = PostFactory()
    first = client.post(comment_url(post), {"body": "다시 보낸 댓글"})
    Comment.objects.update(created_at=timezone.now() - timezone.timedelta(seconds=59.5))

    again = client.post(comment_url(post), {"body": "다시 보낸 댓글"})

    assert again["Location"] == first["Location"]
    assert stored(post) == (1, 1)
    # After a minute the same words are a new comment.
    Comment.objects.update(created_at=timezone.now() - timezone.timedelta(seconds=60.5))
    later = client.post(comment_url(post), {"body": "다시 보낸 댓글"})
    assert later["Location"] != first["Location"]
    assert stored(post) == (2, 2)


def test_second_comment_within_ten_seconds_is_refused_then_allowed(client, board, reader):
    post = PostFactory()
    client.post(comment_url(post), {"body": "첫 댓글"})

    refused = client.post(comment_url(post), {"body": "바로 또 댓글"})
    assert refused.status_code == 429
    assert "잠시 후 다시 쓰세요" in text(soup(refused).select_one("form.comment-form"))
    assert textarea_value(soup(refused), "body") == "바로 또 댓글"
    assert stored(post) == (1, 1)

    Comment.objects.update(created_at=timezone.now() - timezone.timedelta(seconds=11))
    assert client.post(comment_url(post), {"body": "바로 또 댓글"}).status_code == 302
    assert stored(post) == (2, 2)


def test_thirty_comments_an_hour_is_the_limit(client, board, reader):
    post = PostFactory()
    author = services.author_for(reader)
    CommentFactory.create_batch(30, post=post, author=author)
    Comment.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=30))

    response = client.post(comment_url(post), {"body": "서른한 번째"})

    assert response.status_code == 429
    assert stored(post) == (30, 30)


def test_rate_limit_is_per_reader(board):
    post = PostFactory()
    for name in ["하나", "둘"]:
        c = Client(HTTP_USER_AGENT=BROWSER_UA)
        c.force_login(UserFactory(username=name))
        assert c.post(comment_url(post), {"body": f"{name}의 댓글"}).status_code == 302
    assert stored(post) == (2, 2)


def test_comment_form_page_takes_no_extra_queries_per_comment(
    client, board, reader, django_assert_max_num_queries
):
    post = PostFactory()
    CommentFactory.create_batch(30, post=post)
    # The article's 4, plus the session, the user and the moderator permission lookups.
    with django_assert_max_num_queries(8):
        client.get(post.get_absolute_url())


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 0)),
        st.tuples(st.just("remove"), st.integers(0, 9)),
        st.tuples(st.just("restore"), st.integers(0, 9)),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_comment_count_always_equals_the_visible_comments(board, ops):
    post = PostFactory()
    moderator = UserFactory(username="mod", is_superuser=True)
    comments = []
    for action, index in ops:
        if action == "add":
            comments.append(services.add_comment(post=post, author=post.author, body="댓글"))
        elif comments:
            comment = comments[index % len(comments)]
            if action == "remove":
                services.remove_comment(comment, by=moderator, reason="테스트")
            else:
                services.restore_comment(comment, by=moderator)
        visible = Comment.objects.filter(post=post, is_removed=False).count()
        assert Post.objects.get(pk=post.pk).comment_count == visible

"""Threaded replies (대댓글): their order and depth, the reply form under its comment, and
the article page's constant query count."""

import pytest
from django.contrib.auth.models import Group

from board import services
from board.models import Comment, Post
from tests.factories import AuthorFactory, CommentFactory, PostFactory, UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory(username="독자")
    client.force_login(user)
    return user


def reply(parent, body):
    return services.add_comment(post=parent.post, author=AuthorFactory(), body=body, parent=parent)


def shown(page):
    """The comments as the page shows them: (body or placeholder, depth), in order."""
    found = []
    for item in page.select("li.comment"):
        body = item.select_one(".comment-body") or item.select_one(".comment-placeholder")
        depth = next((int(c[6:]) for c in item["class"] if c.startswith("depth-")), 0)
        found.append((text(body), depth))
    return found


def test_threads_show_under_their_roots_in_time_order_depth_first(client, board):
    post = PostFactory()
    first = CommentFactory(post=post, body="첫 댓글")
    second = CommentFactory(post=post, body="둘째 댓글")
    answer = reply(first, "첫 댓글에 답글")
    reply(second, "둘째 댓글에 답글")
    reply(first, "첫 댓글에 두 번째 답글")
    deeper = reply(answer, "답글의 답글")
    deepest = reply(deeper, "셋째 단계")
    # Below the board's third level: it answers the deepest allowed level, after its sibling.
    beyond = reply(deepest, "넷째 단계를 바란 답글")
    CommentFactory(post=post, body="셋째 댓글")
    # A removed comment with replies keeps its place; a later reply to it goes under it.
    services.remove_comment(answer, by=None)
    reply(answer, "지워진 댓글에 늦은 답글")

    page = soup(client.get(post.get_absolute_url()))

    assert shown(page) == [
        ("첫 댓글", 0),
        ("관리자가 삭제한 댓글입니다.", 1),
        ("답글의 답글", 2),
        ("셋째 단계", 3),
        ("넷째 단계를 바란 답글", 3),
        ("지워진 댓글에 늦은 답글", 2),
        ("첫 댓글에 두 번째 답글", 1),
        ("둘째 댓글", 0),
        ("둘째 댓글에 답글", 1),
        ("셋째 댓글", 0),
    ]
    beyond.refresh_from_db()
    assert beyond.parent_id == deeper.pk
    # Replies count like any comment (the removed one no longer does).
    assert text(page.select_one(".comment-total")) == "9"
    assert Post.objects.get(pk=post.pk).comment_count == 9


def test_a_board_with_one_level_attaches_replies_to_replies_to_the_root(client, board):
    board.reply_depth = 1
    board.save()
    root = CommentFactory(post=PostFactory(), body="댓글")
    answer = reply(root, "답글")
    again = reply(answer, "답글의 답글")
    reply(root, "나중 답글")

    page = soup(client.get(root.post.get_absolute_url()))

    assert shown(page) == [("댓글", 0), ("답글", 1), ("답글의 답글", 1), ("나중 답글", 1)]
    assert (again.parent_id, again.depth) == (root.pk, 1)


def test_signed_in_reader_gets_the_reply_form_under_the_comment_answered(client, board, reader):
    post = PostFactory()
    first, second = CommentFactory.create_batch(2, post=post)

    page = soup(client.get(f"{post.get_absolute_url()}?reply={second.pk}"))

    form = page.select_one(f"#comment-{second.pk} form#reply-form")
    assert form is not None
    assert form.select_one("input[name=parent]")["value"] == str(second.pk)
    assert text(form.select_one("label")) == "답글 쓰기"
    assert page.select_one(f"#comment-{first.pk} form") is None
    # The article's own form stays below the comments, with ids of its own.
    assert page.select_one("form#comment-form input[name=parent]").get("value") is None
    assert len(page.select("#id_body")) == len(page.select("#reply_body")) == 1
    link = page.select_one(f"#comment-{first.pk} a.comment-reply")
    assert link["href"] == f"?reply={first.pk}#reply-form"


def test_anonymous_reader_sees_no_reply_link_or_form(client, board):
    comment = CommentFactory()

    page = soup(client.get(f"{comment.post.get_absolute_url()}?reply={comment.pk}"))

    assert page.select("a.comment-reply") == []
    assert page.select_one("#reply-form") is None


@pytest.mark.parametrize("asked", ["removed", "elsewhere", "abc", ""])
def test_no_reply_form_for_a_comment_that_cannot_take_one(client, board, reader, asked):
    comment = CommentFactory()
    removed = CommentFactory(post=comment.post)
    services.remove_comment(removed, by=None)
    value = {"removed": removed.pk, "elsewhere": CommentFactory().pk}.get(asked, asked)

    response = client.get(f"{comment.post.get_absolute_url()}?reply={value}")

    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#reply-form") is None
    assert page.select_one(f"#comment-{removed.pk} a.comment-reply") is None


def test_reader_replies_and_lands_on_the_reply(client, board, reader):
    root = CommentFactory(body="원 댓글")
    post = root.post

    response = client.post(f"/{post.number}/comments/", {"body": "동의합니다", "parent": root.pk})

    answer = Comment.objects.get(body="동의합니다")
    assert response.status_code == 302
    assert response["Location"] == f"/{post.number}/#comment-{answer.pk}"
    assert (answer.parent_id, answer.depth, answer.author.user) == (root.pk, 1, reader)
    page = soup(client.get(response["Location"]))
    assert shown(page) == [("원 댓글", 0), ("동의합니다", 1)]
    assert text(page.select_one(".comment-total")) == "2"


@pytest.mark.parametrize(
    ("parent", "message"),
    [
        ("elsewhere", "답글을 달 댓글이 이 글에 없습니다."),
        ("removed", "삭제된 댓글에는 답글을 달 수 없습니다."),
        ("missing", "답글을 달 댓글이 이 글에 없습니다."),
        ("abc", "답글을 달 댓글이 이 글에 없습니다."),
        ("-1", "답글을 달 댓글이 이 글에 없습니다."),
        ("１２", "답글을 달 댓글이 이 글에 없습니다."),
        ("9" * 40, "답글을 달 댓글이 이 글에 없습니다."),
    ],
)
def test_reply_to_a_bad_parent_is_refused_with_a_message(client, board, reader, parent, message):
    post = PostFactory()
    removed = CommentFactory(post=post)
    services.remove_comment(removed, by=None)
    value = {
        "elsewhere": CommentFactory().pk,
        "removed": removed.pk,
        "missing": removed.pk + 1000,
    }.get(parent, parent)
    before = Comment.objects.count()

    response = client.post(f"/{post.number}/comments/", {"body": "답글", "parent": value})

    assert response.status_code == 400
    assert message in text(soup(response).select_one("#comment-form .form-errors"))
    assert Comment.objects.count() == before
    assert Post.objects.get(pk=post.pk).comment_count == 0


def test_empty_reply_comes_back_under_its_comment(client, board, reader):
    root = CommentFactory()

    response = client.post(f"/{root.post.number}/comments/", {"body": "  ", "parent": root.pk})

    assert response.status_code == 400
    form = soup(response).select_one(f"#comment-{root.pk} form#reply-form")
    assert "댓글 내용을 입력하세요." in text(form.select_one(".form-errors"))
    assert form.select_one("input[name=parent]")["value"] == str(root.pk)
    assert Comment.objects.count() == 1


def test_replies_are_rate_limited_like_comments(client, board, reader, settings):
    settings.COMMENT_RATE_LIMITS = [(60, 1)]
    root = CommentFactory()
    url = f"/{root.post.number}/comments/"
    assert client.post(url, {"body": "하나", "parent": root.pk}).status_code == 302

    response = client.post(url, {"body": "둘", "parent": root.pk})

    assert response.status_code == 429
    form = soup(response).select_one(f"#comment-{root.pk} form#reply-form")
    assert "댓글이 너무 잦습니다" in text(form.select_one(".form-errors"))


def test_board_without_replies_offers_no_reply_and_posts_to_the_article(client, board, reader):
    board.reply_depth = 0
    board.save()
    root = CommentFactory()

    page = soup(client.get(f"{root.post.get_absolute_url()}?reply={root.pk}"))
    client.post(f"/{root.post.number}/comments/", {"body": "답글", "parent": root.pk})

    assert page.select("a.comment-reply") == []
    assert page.select_one("#reply-form") is None
    assert Comment.objects.get(body="답글").parent_id is None


def test_anonymous_article_page_stays_four_queries_with_deep_threads(
    client, board, django_assert_num_queries
):
    board.comments_per_page = 100  # every comment on one comment page
    board.save()
    post = PostFactory()
    for _thread in range(8):
        parent = CommentFactory(post=post)
        for _level in range(5):  # the last two attach to the third level
            CommentFactory(post=post, parent=parent)
            parent = reply(parent, "답글")

    # The article, its view count, the listing and the comments, as without replies.
    with django_assert_num_queries(4):
        response = client.get(post.get_absolute_url())

    assert len(soup(response).select("li.comment")) == 88
    assert len(soup(response).select("li.comment.depth-3")) == 8 * 6


def test_removed_comments_in_a_row_read_as_one_line_and_keep_their_anchors(client, board):
    post = PostFactory()
    first = CommentFactory(post=post, body="남은 댓글")
    gone = [CommentFactory(post=post, body=f"지운 댓글 {n}") for n in range(3)]
    last = CommentFactory(post=post, body="마지막 댓글")
    lone = CommentFactory(post=post, body="혼자 지운 댓글")
    staff = UserFactory(username="관리", is_staff=True)
    for comment in [*gone, lone]:
        services.remove_comment(comment, by=staff)

    page = soup(client.get(post.get_absolute_url()))

    items = [
        text(li.select_one(".comment-body, .comment-placeholder"))
        for li in page.select("li.comment")
    ]
    assert items == ["남은 댓글", "삭제된 댓글 3개", "마지막 댓글", "관리자가 삭제한 댓글입니다."]
    for comment in [first, *gone, last, lone]:
        assert page.select_one(f"#comment-{comment.pk}") is not None


def test_a_moderator_sees_each_removed_comment_of_a_run(client, board):
    post = PostFactory()
    gone = [CommentFactory(post=post, body=f"지운 댓글 {n}") for n in range(2)]
    moderator = UserFactory(username="모더")
    moderator.groups.add(Group.objects.get(name="모더레이터"))
    for comment in gone:
        services.remove_comment(comment, by=moderator, reason="광고")
    client.force_login(moderator)

    page = soup(client.get(post.get_absolute_url()))

    assert len(page.select("li.comment.removed")) == 2
    assert len(page.select(".comment-restore")) == 2

"""What the report tests share: the reported writer, their comment and article, a site-wide
moderator (fixtures, loaded for every test by tests/conftest.py's pytest_plugins), and helpers."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from board import services
from board.models import Board, Comment
from tests.conftest import BROWSER_UA
from tests.factories import (
    AuthorFactory,
    CommentFactory,
    PostFactory,
    UserFactory,
)
from tests.pages import text

HIDDEN_COMMENT = "신고가 접수되어 가려진 댓글입니다."
HIDDEN_POST = "신고가 접수되어 가려진 글입니다."


def client_for(user):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if user is not None:
        client.force_login(user)
    return client


def messages_of(page):
    return [text(li) for li in page.select(".messages li")]


@pytest.fixture
def writer():
    return UserFactory(username="글쓴이")


@pytest.fixture
def comment(board, writer):
    post = PostFactory(title="평범한 글", body="평범한 본문")
    return CommentFactory(
        post=post, author=AuthorFactory(name="글쓴이", user=writer), body="광고 댓글"
    )


@pytest.fixture
def article(board, writer):
    return PostFactory(title="문제의 글", body="문제의 본문", author=services.author_for(writer))


@pytest.fixture
def moderator():
    user = UserFactory(username="모더")
    user.groups.add(Group.objects.get(name="모더레이터"))
    return user


def refresh(item):
    return type(item).objects.get(pk=item.pk)


def set_threshold(board, n):
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=n)


def decide_url(item):
    kind = "comment" if isinstance(item, Comment) else "post"
    return f"/moderation/reports/{kind}/{item.pk}/"

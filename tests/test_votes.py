"""Votes (추천 / 비추천): one per account and item, toggled, counted exactly, refused where the
board or the item does not take them; the permission matrix and PostgreSQL races."""

import threading
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from board import services
from board.models import Board, Vote
from tests.conftest import BROWSER_UA
from tests.factories import AuthorFactory, BoardFactory, CommentFactory, PostFactory, UserFactory
from tests.pages import soup, text
from tests.races import race

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def reader(client):
    user = UserFactory(username="독자")
    client.force_login(user)
    return user


@pytest.fixture
def post(board):
    author = AuthorFactory(user=UserFactory(username="기자"))
    return PostFactory(title="추천받을 기사", author=author)


def set_board(board, **options):
    Board.objects.filter(pk=board.pk).update(**options)


def vote_url(post):
    return f"{post.get_absolute_url()}vote/"


def counts(item):
    item = type(item).objects.get(pk=item.pk)
    return item.upvotes, item.downvotes


def buttons(page):
    """The article's vote buttons: {class: (label, pressed)}."""
    return {
        button["class"][-1]: (text(button), button["aria-pressed"])
        for button in page.select("#votes button")
    }


def test_reader_recommends_an_article_and_sees_it_pressed(client, post, reader):
    response = client.post(vote_url(post), {"vote": "up"})

    assert response.status_code == 302
    assert response["Location"] == f"/{post.number}/#votes"
    page = soup(client.get(response["Location"]))
    assert buttons(page) == {"vote-up": ("추천 1", "true")}
    assert counts(post) == (1, 0)
    assert Vote.objects.get().user == reader


def test_recommending_again_takes_the_vote_back(client, post, reader):
    client.post(vote_url(post), {"vote": "up"})

    client.post(vote_url(post), {"vote": "up"})

    assert buttons(soup(client.get(post.get_absolute_url()))) == {"vote-up": ("추천 0", "false")}
    assert counts(post) == (0, 0)
    assert not Vote.objects.exists()


def test_voting_the_other_way_switches_the_vote(client, board, post, reader):
    set_board(board, allow_downvotes=True)
    client.post(vote_url(post), {"vote": "up"})

    client.post(vote_url(post), {"vote": "down"})

    page = soup(client.get(post.get_absolute_url()))
    assert buttons(page) == {"vote-up": ("추천 0", "false"), "vote-down": ("비추천 1", "true")}
    assert counts(post) == (0, 1)
    assert Vote.objects.get().value == Vote.DOWN


def test_the_author_sees_the_counts_but_no_buttons_and_their_vote_is_refused(client, post):
    PostFactory()  # another article, so the refusal is about this one
    services.vote(UserFactory(username="팬"), Vote.UP, post=post)
    client.force_login(post.author.user)

    page = soup(client.get(post.get_absolute_url()))
    response = client.post(vote_url(post), {"vote": "up"})

    assert page.select("#votes button") == []
    assert text(page.select_one("#votes .vote-up")) == "추천 1"
    assert response.status_code == 403
    assert "자기 글은 추천할 수 없습니다." in response.content.decode()
    assert counts(post) == (1, 0)


def test_anonymous_reader_is_sent_to_log_in_and_nothing_is_stored(client, post):
    page = soup(client.get(post.get_absolute_url()))

    response = client.post(vote_url(post), {"vote": "up"})

    assert buttons(page) == {"vote-up": ("추천 0", "false")}
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/{post.number}/"
    assert counts(post) == (0, 0)


def test_anonymous_comment_vote_logs_in_and_comes_back_to_the_comment(client, post):
    Board.objects.filter(pk=post.board_id).update(comment_votes=True)
    comment = CommentFactory(post=post)

    response = client.post(f"/comments/{comment.pk}/vote/", {"vote": "up"})
    back = client.get(unquote(response["Location"].split("next=", 1)[1]))

    assert response.status_code == 302
    assert back.status_code == 302
    assert back["Location"] == f"/{post.number}/#comment-{comment.pk}"
    assert counts(comment) == (0, 0)


def test_the_vote_addresses_refuse_get(client, post, reader):
    comment = CommentFactory(post=post)

    assert client.get(vote_url(post)).status_code == 405
    assert client.get(f"/comments/{comment.pk}/vote/").status_code == 405
    assert counts(post) == (0, 0)


def test_a_downvote_is_refused_where_the_board_takes_none(client, post, reader):
    page = soup(client.get(post.get_absolute_url()))

    response = client.post(vote_url(post), {"vote": "down"})

    assert "vote-down" not in buttons(page)
    assert response.status_code == 403
    assert "이 게시판은 비추천을 받지 않습니다." in response.content.decode()
    assert counts(post) == (0, 0)


@pytest.mark.parametrize("data", [{}, {"vote": ""}, {"vote": "sideways"}, {"vote": "1"}])
def test_bad_vote_input_is_a_400_not_a_500(client, post, reader, data):
    response = client.post(vote_url(post), data)

    assert response.status_code == 400
    assert "추천인지 비추천인지 알 수 없습니다." in response.content.decode()
    assert counts(post) == (0, 0)


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", "\x00", "up\x00", "9" * 5000, "가" * 1000, "%FF"]
)
def test_hostile_vote_values_are_refused_without_a_server_error(client, board, post, payload):
    set_board(board, comment_votes=True, allow_downvotes=True)
    comment = CommentFactory(post=post)
    client.force_login(UserFactory(username="fuzzer"))

    on_post = client.post(vote_url(post), {"vote": payload})
    on_comment = client.post(f"/comments/{comment.pk}/vote/", {"vote": payload})

    assert on_post.status_code == on_comment.status_code == 400
    assert "<script>alert(1)</script>" not in on_post.content.decode()
    assert not Vote.objects.exists()


def test_votes_for_missing_articles_and_comments_are_404(client, post, reader):
    assert client.post(f"/{post.number + 1}/vote/", {"vote": "up"}).status_code == 404
    assert client.post("/comments/999999/vote/", {"vote": "up"}).status_code == 404


def test_removed_and_scheduled_articles_take_no_votes(client, board, post, reader):
    comment = CommentFactory(post=post)
    Board.objects.filter(pk=board.pk).update(comment_votes=True)
    scheduled = PostFactory(published_at=timezone.now() + timezone.timedelta(hours=1))
    services.remove_post(post, by=UserFactory(username="운영자", is_staff=True))

    assert client.post(f"/{post.number}/vote/", {"vote": "up"}).status_code == 404
    assert client.post(f"/comments/{comment.pk}/vote/", {"vote": "up"}).status_code == 404
    assert counts(post) == (0, 0)
    assert counts(comment) == (0, 0)
    # A scheduled article has no number, so no vote address; staff's preview offers no vote.
    staff = client_for(UserFactory(username="관리자", is_staff=True, is_superuser=True))
    assert scheduled.number is None
    assert soup(staff.get(scheduled.get_absolute_url())).select_one("#votes") is None


def test_a_secret_article_takes_votes_only_from_those_who_may_read_it(client, board, reader):
    secret = PostFactory(is_secret=True)
    comment = CommentFactory(post=secret)
    set_board(board, comment_votes=True)

    response = client.post(vote_url(secret), {"vote": "up"})
    on_comment = client.post(f"/comments/{comment.pk}/vote/", {"vote": "up"})
    staff = client_for(UserFactory(username="운영진", is_staff=True))

    assert response.status_code == on_comment.status_code == 403
    assert "비밀글입니다" in response.content.decode()
    assert counts(secret) == counts(comment) == (0, 0)
    assert staff.post(vote_url(secret), {"vote": "up"}).status_code == 302
    assert counts(secret) == (1, 0)


def test_comments_take_votes_only_where_the_board_allows(client, board, post, reader):
    comment = CommentFactory(post=post, body="좋은 댓글")
    url = f"/comments/{comment.pk}/vote/"
    page = soup(client.get(post.get_absolute_url()))

    refused = client.post(url, {"vote": "up"})
    set_board(board, comment_votes=True)
    allowed = client.post(url, {"vote": "up"})

    assert page.select(".comment-votes") == []
    assert refused.status_code == 403
    assert "이 게시판은 댓글 추천을 받지 않습니다." in refused.content.decode()
    assert allowed.status_code == 302
    assert allowed["Location"] == f"/{post.number}/#comment-{comment.pk}"
    shown = soup(client.get(allowed["Location"])).select_one(f"#comment-{comment.pk} button")
    assert (text(shown), shown["aria-pressed"]) == ("추천 1", "true")
    assert counts(comment) == (1, 0)
    assert counts(post) == (0, 0)  # the comment's vote, not the article's


def test_a_comment_vote_toggles_and_switches_and_its_author_and_removal_refuse_it(
    client, board, post, reader
):
    set_board(board, comment_votes=True, allow_downvotes=True)
    comment = CommentFactory(post=post)
    own = CommentFactory(post=post, author=services.author_for(reader))
    url = f"/comments/{comment.pk}/vote/"

    client.post(url, {"vote": "up"})
    client.post(url, {"vote": "down"})
    switched = counts(comment)
    client.post(url, {"vote": "down"})
    refused_own = client.post(f"/comments/{own.pk}/vote/", {"vote": "up"})
    services.remove_comment(comment, by=reader)
    refused_removed = client.post(url, {"vote": "up"})

    assert switched == (0, 1)
    assert counts(comment) == (0, 0)
    assert refused_own.status_code == 403
    assert "자기 댓글은 추천할 수 없습니다." in refused_own.content.decode()
    assert refused_removed.status_code == 403
    assert "삭제된 댓글은 추천할 수 없습니다." in refused_removed.content.decode()
    assert counts(own) == counts(comment) == (0, 0)


def test_a_vote_on_another_board_returns_to_its_article(board):
    other = BoardFactory(slug="free", name="자유게시판")
    post = PostFactory(board=other)
    client = client_for(UserFactory(username="독자"))

    response = client.post(f"/free/{post.number}/vote/", {"vote": "up"})

    assert response["Location"] == f"/free/{post.number}/#votes"
    assert counts(post) == (1, 0)


ACTORS = ["anonymous", "reader", "item_author", "staff", "moderator", "superuser"]


@pytest.fixture
def people(board):
    moderator = UserFactory(username="모더")
    moderator.groups.add(Group.objects.get(name="모더레이터"))
    return {
        "anonymous": None,
        "reader": UserFactory(username="독자"),
        "item_author": UserFactory(username="글쓴이"),
        "staff": UserFactory(username="직원", is_staff=True),
        "moderator": moderator,
        "superuser": UserFactory(username="관리자", is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("item", ["article", "comment"])
@pytest.mark.parametrize("actor", ACTORS)
def test_every_signed_in_account_but_the_items_author_may_vote(board, people, actor, item):
    set_board(board, comment_votes=True)
    author = AuthorFactory(user=people["item_author"])
    post = PostFactory(author=author if item == "article" else AuthorFactory())
    target = post if item == "article" else CommentFactory(post=post, author=author)
    url = vote_url(post) if item == "article" else f"/comments/{target.pk}/vote/"

    response = client_for(people[actor]).post(url, {"vote": "up"})

    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert counts(target) == (0, 0)
    elif actor == "item_author":
        assert response.status_code == 403
        assert counts(target) == (0, 0)
    else:
        assert response.status_code == 302
        assert counts(target) == (1, 0)


def test_counters_match_the_votes_stored(board, post):
    set_board(board, allow_downvotes=True)
    readers = [UserFactory(username=f"독자{n}") for n in range(7)]
    for n, user in enumerate(readers):
        client = client_for(user)
        client.post(vote_url(post), {"vote": "up" if n % 3 else "down"})
        if n % 2:  # half of them change their minds
            client.post(vote_url(post), {"vote": "down" if n % 3 else "up"})

    stored = Vote.objects.filter(post=post)
    assert counts(post) == (
        stored.filter(value=Vote.UP).count(),
        stored.filter(value=Vote.DOWN).count(),
    )
    assert sum(counts(post)) == 7


def test_votes_are_rate_limited_like_comments(client, board, reader, settings):
    settings.VOTE_RATE_LIMITS = [(60, 2)]
    posts = PostFactory.create_batch(3)

    answers = [client.post(vote_url(p), {"vote": "up"}).status_code for p in posts]

    assert answers == [302, 302, 429]
    assert [counts(p) for p in posts] == [(1, 0), (1, 0), (0, 0)]
    # Taking one back is never limited.
    assert client.post(vote_url(posts[0]), {"vote": "up"}).status_code == 302
    assert counts(posts[0]) == (0, 0)


def test_the_listing_shows_the_vote_column_after_views_only_where_the_board_does(
    client, board, post, django_assert_num_queries
):
    services.vote(UserFactory(username="팬"), Vote.UP, post=post)
    hidden = soup(client.get("/"))
    set_board(board, show_votes=True)

    # Board, then the rows with their counts: still 2 queries.
    with django_assert_num_queries(2):
        response = client.get("/")

    headers = [text(th) for th in soup(response).select("table.post-table th")]
    assert "추천" not in [text(th) for th in hidden.select("table.post-table th")]
    assert headers[-2:] == ["조회 수", "추천"]
    assert text(soup(response).select_one("tbody tr .col-votes")) == "1"


def test_the_article_page_stays_four_queries_for_anonymous_readers(
    client, post, django_assert_num_queries
):
    # Article, view count, listing, comments: the counts come with the article.
    with django_assert_num_queries(4):
        response = client.get(post.get_absolute_url())
    assert buttons(soup(response)) == {"vote-up": ("추천 0", "false")}


def test_the_admin_edits_the_boards_vote_settings(board):
    admin = client_for(UserFactory(username="관리자", is_staff=True, is_superuser=True))

    page = soup(admin.get(f"/admin/board/board/{board.pk}/change/"))

    for name, label in [
        ("allow_downvotes", "비추천 허용"),
        ("show_votes", "목록에 추천 수 표시"),
        ("comment_votes", "댓글 추천 허용"),
    ]:
        assert page.select_one(f"input[type=checkbox][name={name}]") is not None
        assert text(page.select_one(f"label[for=id_{name}]")).rstrip(":") == label


# Concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.fixture
def live_post(settings):
    """An article on the board, made again when an earlier transactional test flushed it."""
    Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})
    return PostFactory()


@pytest.mark.django_db(transaction=True)
def test_a_reader_voting_twice_at_once_stores_one_vote(live_post):
    user = UserFactory(username="더블클릭")
    answers = []

    def click():
        answers.append(services.vote(user, Vote.UP, post=live_post))

    # The second click waits on the first's uncommitted row, then finds it: one vote.
    race(click, click)

    assert answers == [Vote.UP, Vote.UP]
    assert Vote.objects.filter(post=live_post).count() == 1
    assert counts(live_post) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_many_readers_voting_at_once_are_counted_exactly(live_post):
    if connection.vendor != "postgresql":
        pytest.skip("writers at once need PostgreSQL (SQLite takes its write lock at BEGIN)")
    users = [UserFactory(username=f"동시{n}") for n in range(12)]
    start = threading.Barrier(len(users))

    def vote(user):
        try:
            start.wait()
            services.vote(user, Vote.UP, post=live_post)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=vote, args=(user,)) for user in users]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert Vote.objects.filter(post=live_post).count() == len(users)
    assert counts(live_post) == (len(users), 0)

"""The listing's positions and counters stay exact whatever order staff act in: stale copies,
double submissions, a publish racing a removal, edits racing comments."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from board import models, services
from board.models import Board, Comment, ListingBlock, Post
from tests.conftest import BROWSER_UA
from tests.factories import BoardFactory, CommentFactory, PostFactory, UserFactory
from tests.pages import NO_IMAGES
from tests.races import race

pytestmark = pytest.mark.django_db


def positions_are_dense(board):
    """Each block's listed posts at its first positions, in number order; counters exact."""
    board.refresh_from_db()
    listed = Post.objects.filter(board=board).listed().order_by("number")
    expected, place = {}, {}
    for number in listed.values_list("number", flat=True):
        start = (number - 1) // models.BLOCK * models.BLOCK
        place[start] = place.get(start, 0) + 1
        expected[number] = start + place[start]
    assert dict(listed.values_list("number", "seq")) == expected
    assert board.post_count == len(expected)
    blocks = ListingBlock.objects.filter(board=board).exclude(count=0)
    assert dict(blocks.values_list("start", "count")) == place


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
    return client


def test_removing_from_the_oldest_first_admin_list_keeps_positions_dense(admin_client, board):
    posts = PostFactory.create_batch(5)
    response = admin_client.post(
        "/admin/board/post/?o=1",
        {"action": "remove_posts", "index": "0", "_selected_action": [posts[1].pk, posts[3].pk]},
    )
    assert response.status_code == 302
    positions_are_dense(board)
    assert Board.objects.get(pk=board.pk).post_count == 3


def test_a_double_removal_removes_once(board):
    PostFactory.create_batch(2)
    post = PostFactory()
    first, second = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
    assert services.remove_post(first, by=None) is True
    assert services.remove_post(second, by=None) is False
    positions_are_dense(board)


def test_a_double_restore_restores_once(board):
    PostFactory()
    post = PostFactory()
    PostFactory()
    services.remove_post(post, by=None)
    first, second = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
    assert services.restore_post(first, by=None) is True
    assert services.restore_post(second, by=None) is False
    positions_are_dense(board)
    assert Post.objects.get(pk=post.pk).seq == 2


def test_removing_a_post_published_since_it_was_loaded(board):
    PostFactory()
    post = PostFactory(published_at=timezone.now() + timezone.timedelta(hours=1))
    stale = Post.objects.get(pk=post.pk)  # loaded while scheduled: no position
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now())
    Board.objects.filter(pk=board.pk).update(next_publish_at=timezone.now())
    board.refresh_from_db()
    services.publish_due_posts(board)  # a reader's page publishes it meanwhile

    services.remove_post(stale, by=None)

    positions_are_dense(board)
    assert Board.objects.get(pk=board.pk).post_count == 1


@pytest.fixture
def live_board(settings):
    """The board, made again when an earlier transactional test flushed it with the rest."""
    return Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})[0]


@pytest.mark.django_db(transaction=True)
def test_two_readers_arriving_together_publish_a_due_article_once(live_board):
    board = live_board
    PostFactory()
    post = PostFactory(published_at=timezone.now() + timezone.timedelta(hours=1))
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now())
    Board.objects.filter(pk=board.pk).update(next_publish_at=timezone.now())
    board.refresh_from_db()

    # Without the board lock the second reader would find it still due and number it again.
    race(lambda: services.publish_due_posts(board), lambda: services.publish_due_posts(board))

    assert Post.objects.get(pk=post.pk).number == 2
    positions_are_dense(board)


@pytest.mark.django_db(transaction=True)
def test_two_moderators_removing_one_article_together_remove_it_once(live_board):
    board = live_board
    PostFactory.create_batch(2)
    post = PostFactory()
    PostFactory()
    first, second = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
    removed = []

    # Without the board lock the second would read it as still listed and close its gap again.
    race(
        lambda: removed.append(services.remove_post(first, by=None)),
        lambda: removed.append(services.remove_post(second, by=None)),
    )

    assert removed == [True, False]
    positions_are_dense(board)
    assert Board.objects.get(pk=board.pk).post_count == 3


@pytest.mark.django_db(transaction=True)
def test_one_comment_sent_twice_at_once_is_stored_once(live_board):
    post = PostFactory()
    user = UserFactory(username="독자")
    services.author_for(user)
    sent = []

    # The second waits for the first's lock on the author, then finds it a duplicate.
    race(
        lambda: sent.append(services.post_comment(post=post, user=user, body="같은 댓글")),
        lambda: sent.append(services.post_comment(post=post, user=user, body="같은 댓글")),
    )

    assert [c.pk for c in sent] == [sent[0].pk] * 2
    assert Post.objects.get(pk=post.pk).comment_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_view_count_alone_commits_without_waiting_for_the_disk(live_board):
    # A crash may lose the last moment's views, never what a caller's transaction writes.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit; this run is on SQLite")
    post = PostFactory()
    seen = []  # synchronous_commit as each update of a post saw it
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")  # the server's default
        cursor.execute(
            "CREATE FUNCTION test_commit_mode() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE NOTICE '%', current_setting('synchronous_commit'); RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_commit_mode AFTER UPDATE ON board_post "
            "FOR EACH ROW EXECUTE FUNCTION test_commit_mode()"
        )

    def handler(diagnostic):
        seen.append(diagnostic.message_primary)

    connection.connection.add_notice_handler(handler)
    try:
        services.count_view(post)  # a reader's view: its own transaction
        with transaction.atomic():  # a caller's, which may write an article too
            services.count_view(post)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            after = cursor.fetchone()[0]
    finally:
        connection.connection.remove_notice_handler(handler)
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_commit_mode ON board_post")
            cursor.execute("DROP FUNCTION test_commit_mode()")
            cursor.execute("RESET synchronous_commit")
    assert seen == ["off", "on"]
    assert after == "on"  # the connection's next transactions wait for the disk again
    assert Post.objects.get(pk=post.pk).views == 2


def test_an_edit_does_not_put_back_counters_changed_meanwhile(board):
    post = PostFactory(title="처음")
    stale = Post.objects.get(pk=post.pk)
    CommentFactory(post=post)  # a reader comments while the editor works
    services.count_view(post)

    stale.title = "고친 제목"
    services.update_post(stale)

    fresh = Post.objects.get(pk=post.pk)
    assert (fresh.title, fresh.comment_count, fresh.views) == ("고친 제목", 1, 1)


def test_a_comment_cannot_be_moved_to_another_article_in_the_admin(admin_client, board):
    first, second = PostFactory(), PostFactory()
    comment = CommentFactory(post=first)
    admin_client.post(
        f"/admin/board/comment/{comment.pk}/change/",
        {
            "post": second.pk,
            "author": comment.author.pk,
            "body": "고친 댓글",
            "created_at_0": "2026-11-26",
            "created_at_1": "10:00:00",
        },
    )
    comment.refresh_from_db()
    assert comment.post == first
    assert comment.body == "고친 댓글"
    counts = Post.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert list(counts.values_list("comment_count", flat=True)) == [1, 0]


def test_an_article_cannot_be_moved_to_another_board_in_the_admin(admin_client, board):
    other = BoardFactory(slug="other")
    PostFactory(board=other, title="다른 게시판 글")
    post = PostFactory()
    response = admin_client.post(
        f"/admin/board/post/{post.pk}/change/",
        {
            "board": other.pk,
            "title": post.title,
            "body": post.body,
            "author": post.author.pk,
            "published_at_0": "2020-11-26",
            "published_at_1": "10:00:00",
            "body_format": "text",
            **NO_IMAGES,
        },
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).board == board
    positions_are_dense(board)
    positions_are_dense(other)


def test_behind_a_proxy_the_client_cannot_choose_its_own_address(board, settings):
    settings.BEHIND_PROXY = True
    settings.SIGNUP_RATE_LIMITS = [(3600, 1)]
    statuses = []
    for n in range(3):
        # The client writes the first entries; the proxy appends the real address last.
        client = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9")
        password = "xk39!!qpz-LL"
        response = client.post(
            "/accounts/signup/",
            {
                "username": f"u{n}",
                "password1": password,
                "password2": password,
                "email": "reader@example.com",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [302, 429, 429]


def test_removing_and_restoring_a_scheduled_post_updates_the_schedule(board):
    PostFactory()
    when = timezone.now() + timezone.timedelta(hours=2)
    scheduled = PostFactory(published_at=when)
    assert Board.objects.get(pk=board.pk).next_publish_at == when

    services.remove_post(scheduled, by=None)
    assert Board.objects.get(pk=board.pk).next_publish_at is None

    services.restore_post(scheduled, by=None)
    assert Board.objects.get(pk=board.pk).next_publish_at == when
    positions_are_dense(board)


# A write that fails halfway (a lost connection, a bug) leaves nothing half done: each
# operation is one transaction. The failure is made at the operation's last step.
class Broken(Exception):
    pass


def fail(*args, **kwargs):
    raise Broken


def test_an_article_that_fails_to_save_takes_no_number(board, monkeypatch):
    PostFactory()
    with monkeypatch.context() as broken:
        broken.setattr(Post, "save", fail)
        with pytest.raises(Broken):
            PostFactory()

    assert PostFactory().number == 2
    positions_are_dense(board)


def test_an_edit_that_fails_halfway_changes_nothing(board, monkeypatch):
    post = PostFactory(title="처음", published_at=timezone.now() + timezone.timedelta(days=1))
    monkeypatch.setattr(services, "_refresh_schedule", fail)

    post.title = "고침"
    with pytest.raises(Broken):
        services.update_post(post)

    assert Post.objects.get(pk=post.pk).title == "처음"


def test_a_comment_that_fails_to_be_counted_is_not_stored(board, monkeypatch):
    post = PostFactory()
    monkeypatch.setattr("django.db.models.QuerySet.update", fail)

    with pytest.raises(Broken):
        CommentFactory(post=post)

    assert post.comments.count() == Post.objects.get(pk=post.pk).comment_count == 0


@pytest.mark.parametrize(
    "action", ["remove post", "restore post", "remove comment", "restore comment"]
)
def test_a_removal_or_restore_that_fails_to_be_recorded_changes_nothing(board, monkeypatch, action):
    staff = UserFactory(is_staff=True)
    post = PostFactory()
    comment = CommentFactory(post=post)
    if action == "restore post":
        services.remove_post(post, by=staff)
    if action == "restore comment":
        services.remove_comment(comment, by=staff)
    before = Post.objects.values("seq", "is_removed", "comment_count").get(pk=post.pk)
    removed = Comment.objects.get(pk=comment.pk).is_removed
    monkeypatch.setattr(services, "record", fail)

    operation = {
        "remove post": lambda: services.remove_post(post, by=staff),
        "restore post": lambda: services.restore_post(post, by=staff),
        "remove comment": lambda: services.remove_comment(comment, by=staff),
        "restore comment": lambda: services.restore_comment(comment, by=staff),
    }[action]
    with pytest.raises(Broken):
        operation()

    assert Post.objects.values("seq", "is_removed", "comment_count").get(pk=post.pk) == before
    assert Comment.objects.get(pk=comment.pk).is_removed == removed
    positions_are_dense(board)

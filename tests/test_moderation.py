"""Who may remove and restore comments, and what each sees: the permission matrix."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client

from board import services
from board.models import Comment, Post
from tests.conftest import BROWSER_UA
from tests.factories import AuthorFactory, CommentFactory, PostFactory, UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "reader", "author", "other_reader", "staff", "moderator", "superuser"]


@pytest.fixture
def people(board):
    author_user = UserFactory(username="글쓴이")
    moderator = UserFactory(username="모더", is_staff=True)
    moderator.groups.add(Group.objects.get(name="모더레이터"))
    staff = UserFactory(username="직원", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_comment"]))
    return {
        "anonymous": None,
        "reader": UserFactory(username="독자"),
        "author": author_user,
        "other_reader": UserFactory(username="다른독자"),
        "staff": staff,
        "moderator": moderator,
        "superuser": UserFactory(username="관리자", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def comment(people):
    post = PostFactory()
    author = AuthorFactory(name="글쓴이", user=people["author"])
    return CommentFactory(post=post, author=author, body="지워질 수도 있는 댓글")


def client_for(user):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if user is not None:
        client.force_login(user)
    return client


def state(comment):
    comment = Comment.objects.get(pk=comment.pk)
    post = Post.objects.get(pk=comment.post_id)
    return comment.is_removed, comment.removed_by, post.comment_count


REMOVE_ALLOWED = {"author", "moderator", "superuser"}
RESTORE_ALLOWED = {"moderator", "superuser"}


@pytest.mark.parametrize("actor", ACTORS)
def test_remove_is_allowed_only_to_the_comment_author_and_moderators(people, comment, actor):
    user = people[actor]
    client = client_for(user)
    url = f"/comments/{comment.pk}/remove/"

    confirm = client.get(url)
    response = client.post(url, {"reason": "규칙 위반"})

    if actor in REMOVE_ALLOWED:
        assert confirm.status_code == 200
        assert "이 댓글을 삭제할까요?" in text(soup(confirm).select_one("h1"))
        assert response.status_code == 302
        back = soup(client.get(response["Location"]))
        assert [text(li) for li in back.select(".messages li")] == ["댓글을 삭제했습니다."]
        assert response["Location"] == f"/{comment.post.number}/#comment-{comment.pk}"
        assert state(comment) == (True, user, 0)
        stored = Comment.objects.get(pk=comment.pk)
        # A writer removing their own comment is asked no reason, and none is stored.
        asked = soup(confirm).select("textarea[name=reason], input[name=reason]") != []
        assert asked is (actor != "author")
        assert stored.removal_reason == ("" if actor == "author" else "규칙 위반")
        assert stored.removed_at is not None
        assert stored.body == "지워질 수도 있는 댓글"  # nothing is lost
    elif actor == "anonymous":
        assert confirm.status_code == response.status_code == 302
        # After signing in, the moderator comes back to the confirmation.
        assert confirm["Location"] == f"/accounts/login/?next=/comments/{comment.pk}/remove/"
        assert state(comment) == (False, None, 1)
    else:
        assert confirm.status_code == 403
        assert response.status_code == 403
        assert state(comment) == (False, None, 1)


@pytest.mark.parametrize("actor", ACTORS)
def test_restore_is_allowed_only_to_moderators(people, comment, actor):
    services.remove_comment(comment, by=people["moderator"], reason="스팸")
    user = people[actor]
    client = client_for(user)
    url = f"/comments/{comment.pk}/restore/"

    confirm = client.get(url)
    response = client.post(url)

    if actor in RESTORE_ALLOWED:
        assert confirm.status_code == 200
        assert response.status_code == 302
        assert response["Location"] == f"/{comment.post.number}/#comment-{comment.pk}"
        back = soup(client.get(response["Location"]))
        assert [text(li) for li in back.select(".messages li")] == ["댓글을 되살렸습니다."]
        assert state(comment) == (False, None, 1)
        # The restore is in the comment's admin history, under the moderator's name.
        latest = LogEntry.objects.filter(object_id=str(comment.pk)).latest("pk")
        assert (latest.user, latest.change_message) == (user, "댓글 복구")
    elif actor == "anonymous":
        assert confirm.status_code == response.status_code == 302
        assert state(comment) == (True, people["moderator"], 0)
    else:
        assert confirm.status_code == 403
        assert response.status_code == 403
        assert state(comment) == (True, people["moderator"], 0)


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_signed_in_may_comment_and_no_one_else(people, board, actor):
    post = PostFactory()
    response = client_for(people[actor]).post(f"/{post.number}/comments/", {"body": "의견"})
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert Comment.objects.count() == 0
    else:
        assert response.status_code == 302
        assert Comment.objects.get().author.user == people[actor]
        assert Post.objects.get(pk=post.pk).comment_count == 1


def test_page_shows_a_placeholder_for_a_comment_removed_by_a_moderator(people, comment):
    services.remove_comment(comment, by=people["moderator"], reason="욕설")

    page = soup(client_for(people["reader"]).get(comment.post.get_absolute_url()))

    assert text(page.select_one(".comment-placeholder")) == "관리자가 삭제한 댓글입니다."
    assert "지워질 수도 있는 댓글" not in page.get_text()
    assert text(page.select_one(".comments h2")) == "댓글 0"
    assert page.select_one(".comment-restore") is None
    assert "욕설" not in page.get_text()


def test_page_shows_a_different_placeholder_when_the_author_removed_it(people, comment):
    services.remove_comment(comment, by=people["author"])
    page = soup(client_for(people["reader"]).get(comment.post.get_absolute_url()))
    assert text(page.select_one(".comment-placeholder")) == "삭제된 댓글입니다."


def test_moderator_sees_remove_controls_and_who_removed_what_and_why(people, comment):
    other = CommentFactory(post=comment.post, body="남은 댓글")
    services.remove_comment(comment, by=people["moderator"], reason="광고")

    page = soup(client_for(people["moderator"]).get(comment.post.get_absolute_url()))

    note = text(page.select_one(".comment-moderation-note"))
    assert "모더" in note
    assert "광고" in note
    assert page.select_one(".comment-restore")["href"] == f"/comments/{comment.pk}/restore/"
    assert page.select_one(f"#comment-{other.pk} .comment-remove") is not None


def test_moderator_sees_when_a_comment_was_removed_in_korean_time(people, comment):
    services.remove_comment(comment, by=people["moderator"], reason="광고")
    removed_at = datetime(2024, 5, 1, 15, 30, tzinfo=UTC)
    Comment.objects.filter(pk=comment.pk).update(removed_at=removed_at)

    page = soup(client_for(people["moderator"]).get(comment.post.get_absolute_url()))

    assert "2024.05.02 00:30에 삭제" in text(page.select_one(".comment-moderation-note"))


def test_readers_see_a_remove_control_only_on_their_own_comments(people, comment):
    mine = soup(client_for(people["author"]).get(comment.post.get_absolute_url()))
    theirs = soup(client_for(people["other_reader"]).get(comment.post.get_absolute_url()))
    assert mine.select_one(f"#comment-{comment.pk} .comment-remove") is not None
    assert theirs.select_one(".comment-remove") is None


def test_signed_out_visitors_see_no_remove_or_restore_controls(client, people, comment):
    other = CommentFactory(post=comment.post, body="남은 댓글")
    services.remove_comment(comment, by=people["moderator"], reason="광고")

    page = soup(client.get(comment.post.get_absolute_url()))

    assert page.select_one(f"#comment-{other.pk}") is not None
    assert page.select_one(".comment-remove") is None
    assert page.select_one(".comment-restore") is None
    assert "광고" not in page.get_text()


def test_removal_returns_to_a_safe_next_only(people, comment):
    client = client_for(people["moderator"])
    url = f"/comments/{comment.pk}/remove/"
    response = client.post(url, {"next": "https://evil.example/", "reason": ""})
    assert response["Location"] == f"/{comment.post.number}/#comment-{comment.pk}"

    services.restore_comment(comment, by=people["moderator"])
    response = client.post(url, {"next": "/?page=1"})
    assert response["Location"] == "/?page=1"


@pytest.mark.parametrize("action", ["remove", "restore"])
def test_the_confirmation_keeps_the_way_back_in_its_form_and_its_cancel_link(
    people, comment, action
):
    if action == "restore":
        services.remove_comment(comment, by=people["moderator"])
    client = client_for(people["moderator"])
    url = f"/comments/{comment.pk}/{action}/"

    page = soup(client.get(url, {"next": "/?page=1"}))

    assert page.select_one("form input[name=next]")["value"] == "/?page=1"
    assert page.select_one("form a.button")["href"] == "/?page=1"
    fields = {i["name"]: i.get("value", "") for i in page.select("form input[name]")}
    assert client.post(url, fields)["Location"] == "/?page=1"


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("/?page=1", True),
        ("//testserver/?page=1", True),  # this site, named in full
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("board:post-list", False),  # redirect() would take it for a view name
    ],
)
def test_the_way_back_is_followed_only_to_this_site(people, comment, target, followed):
    response = client_for(people["moderator"]).post(
        f"/comments/{comment.pk}/remove/", {"next": target, "reason": ""}
    )
    back = f"/{comment.post.number}/#comment-{comment.pk}"
    assert response["Location"] == (target if followed else back)


@pytest.mark.parametrize("action", ["remove", "restore"])
def test_the_confirmation_takes_only_get_head_and_post(people, comment, action):
    client = client_for(people["moderator"])
    url = f"/comments/{comment.pk}/{action}/"

    for method in (client.put, client.delete, client.patch):
        response = method(url)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST"
    assert state(comment)[0] is False


def test_removing_twice_changes_the_count_once(people, comment):
    client = client_for(people["moderator"])
    client.post(f"/comments/{comment.pk}/remove/")
    client.post(f"/comments/{comment.pk}/remove/")
    assert state(comment) == (True, people["moderator"], 0)


def test_a_reason_of_the_full_200_characters_is_kept_whole(people, comment):
    reason = "규칙 위반" + "가" * 195
    client_for(people["moderator"]).post(f"/comments/{comment.pk}/remove/", {"reason": reason})

    page = soup(client_for(people["moderator"]).get(comment.post.get_absolute_url()))

    assert reason in text(page.select_one(".comment-list"))


def test_over_long_reason_is_refused_and_nothing_changes(people, comment):
    response = client_for(people["moderator"]).post(
        f"/comments/{comment.pk}/remove/", {"reason": "가" * 201}
    )
    assert response.status_code == 200  # the confirmation again, with the error
    assert soup(response).select_one("ul.errorlist") is not None
    assert state(comment) == (False, None, 1)


def test_every_removal_and_restore_is_in_the_history(people, comment):
    services.remove_comment(comment, by=people["moderator"], reason="스팸")
    services.restore_comment(comment, by=people["superuser"])

    entries = LogEntry.objects.filter(object_id=str(comment.pk)).order_by("pk")
    assert [(e.user, e.change_message) for e in entries] == [
        (people["moderator"], "댓글 삭제: 스팸"),
        (people["superuser"], "댓글 복구"),
    ]


def test_moderators_group_exists_with_the_permission_and_staff_lack_it(people):
    assert people["moderator"].has_perm("board.moderate_comment")
    assert not people["staff"].has_perm("board.moderate_comment")
    group = Group.objects.get(name="모더레이터")
    assert group.permissions.filter(codename="moderate_comment").exists()


def admin_action(client, action, comments):
    return client.post(
        "/admin/board/comment/",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )


def test_admin_bulk_remove_and_restore_use_the_same_rules(people, comment):
    second = CommentFactory(post=comment.post)
    client = client_for(people["moderator"])

    assert admin_action(client, "remove_comments", [comment, second]).status_code == 302
    assert Post.objects.get(pk=comment.post_id).comment_count == 0
    assert Comment.objects.filter(is_removed=True, removed_by=people["moderator"]).count() == 2

    assert admin_action(client, "restore_comments", [comment]).status_code == 302
    assert Post.objects.get(pk=comment.post_id).comment_count == 1
    assert state(comment) == (False, None, 1)


@pytest.mark.parametrize("action", ["remove_comments", "restore_comments"])
def test_staff_without_the_permission_cannot_run_the_admin_actions(people, comment, action):
    if action == "restore_comments":
        services.remove_comment(comment, by=people["moderator"])
    before = state(comment)

    response = admin_action(client_for(people["staff"]), action, [comment])

    assert response.status_code in (200, 302, 403)
    assert state(comment) == before


def test_admin_comment_list_shows_state_and_remover(people, comment):
    services.remove_comment(comment, by=people["moderator"], reason="스팸")
    response = client_for(people["moderator"]).get("/admin/board/comment/")
    assert response.status_code == 200
    row = text(soup(response).select_one("#result_list tbody tr"))
    assert "관리자가 삭제" in row
    assert "모더" in row


@pytest.mark.parametrize("action", ["remove", "restore"])
def test_anonymous_get_the_same_answer_for_existing_and_missing_comments(comment, action):
    client = client_for(None)
    existing = client.get(f"/comments/{comment.pk}/{action}/")
    missing = client.get(f"/comments/{comment.pk + 1000}/{action}/")
    assert existing.status_code == missing.status_code
    assert existing["Location"].split("?")[0] == missing["Location"].split("?")[0]


@pytest.mark.parametrize("hide", ["removed", "scheduled"])
def test_remove_page_does_not_show_a_hidden_articles_title_to_its_reader(people, board, hide):
    from django.utils import timezone

    author = AuthorFactory(name="글쓴이", user=people["author"])
    later = timezone.now() + timezone.timedelta(days=1)
    post = PostFactory(
        title="숨겨진 기사 제목", **({"published_at": later} if hide == "scheduled" else {})
    )
    mine = CommentFactory(post=post, author=author, body="내 댓글")
    if hide == "removed":
        services.remove_post(post, by=people["superuser"])

    confirm = client_for(people["author"]).get(f"/comments/{mine.pk}/remove/")

    assert confirm.status_code == 200
    assert "숨겨진 기사 제목" not in confirm.content.decode()
    # Nor its address: the way back is the listing, not the article's preview.
    assert f"/preview/{post.pk}/" not in confirm.content.decode()
    removed = client_for(people["author"]).post(f"/comments/{mine.pk}/remove/", {"reason": ""})
    assert removed["Location"] == "/"
    shown = client_for(people["moderator"]).get(f"/comments/{mine.pk}/remove/")
    assert "숨겨진 기사 제목" in shown.content.decode()  # staff may see it


def test_a_comment_its_writer_removed_is_not_restored_by_a_moderator(people, comment, client):
    writer = comment.author.user
    client_for(writer).post(f"/comments/{comment.pk}/remove/")
    moderator = client_for(people["moderator"])

    page = soup(moderator.get(comment.post.get_absolute_url()))
    confirm = moderator.get(f"/comments/{comment.pk}/restore/")
    refused = moderator.post(f"/comments/{comment.pk}/restore/")

    item = page.select_one(f"#comment-{comment.pk}")
    assert "삭제된 댓글입니다." in text(item)
    assert item.select(".comment-restore") == []
    assert (confirm.status_code, refused.status_code) == (403, 403)
    assert services.restore_comment(comment, by=people["superuser"]) is False
    assert state(comment) == (True, writer, 0)


def test_a_comment_a_moderator_removed_is_restored_by_a_moderator(people, comment):
    moderator = client_for(people["moderator"])
    moderator.post(f"/comments/{comment.pk}/remove/", {"reason": "광고"})

    page = soup(moderator.get(comment.post.get_absolute_url()))
    restored = moderator.post(f"/comments/{comment.pk}/restore/")

    assert page.select(f"#comment-{comment.pk} .comment-restore") != []
    assert restored.status_code == 302
    assert state(comment) == (False, None, 1)

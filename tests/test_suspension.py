"""Suspended accounts (이용 정지): no login, no comments, votes or reports while it lasts; its
end, lifting it, the history, the admin, and who may do what."""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from board import reports, suspension
from board.models import Board, Comment, Report, Suspension, Vote
from tests.conftest import BROWSER_UA
from tests.factories import (
    BoardFactory,
    CommentFactory,
    PostFactory,
    ReportFactory,
    SuspensionFactory,
    UserFactory,
)
from tests.pages import soup, text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def client_for(user):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    if user is not None:
        client.force_login(user)
    return client


def log_in(username, url="/accounts/login/"):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    return client.post(url, {"username": username, "password": PASSWORD})


@pytest.fixture
def moderator():
    user = UserFactory(username="모더")
    user.groups.add(Group.objects.get(name="모더레이터"))
    return user


@pytest.fixture
def suspended():
    return SuspensionFactory(user=UserFactory(username="정지된독자")).user


def refusal(response):
    """The login form's one error, as the reader reads it."""
    return text(soup(response).select_one(".form-errors"))


def test_login_is_refused_with_the_date_the_suspension_ends(suspended):
    until = timezone.localtime(Suspension.objects.get().until).strftime("%Y-%m-%d %H:%M")

    response = log_in("정지된독자")

    assert response.status_code == 200  # the form again, not a redirect into the site
    assert refusal(response) == f"이용이 정지된 계정입니다 ({until}까지)."
    assert "_auth_user_id" not in response.client.session


def test_admin_login_is_refused_too():
    SuspensionFactory(user=UserFactory(username="정지된직원", is_staff=True, is_superuser=True))

    response = log_in("정지된직원", "/admin/login/")

    assert response.status_code == 200
    assert "이용이 정지된 계정입니다" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_an_indefinite_suspension_says_so():
    SuspensionFactory(user=UserFactory(username="영구정지"), until=None)

    assert refusal(log_in("영구정지")) == "이용이 정지된 계정입니다 (기한 없음)."


def test_a_suspension_ends_after_its_period(suspended, monkeypatch):
    until = Suspension.objects.get().until
    monkeypatch.setattr(timezone, "now", lambda: until - timezone.timedelta(minutes=1))
    assert log_in("정지된독자").status_code == 200

    monkeypatch.setattr(timezone, "now", lambda: until + timezone.timedelta(minutes=1))
    response = log_in("정지된독자")

    assert response.status_code == 302
    assert suspension.active(suspended) is None


@pytest.fixture
def article(board):
    Board.objects.filter(pk=board.pk).update(comment_votes=True)
    post = PostFactory(title="글")
    return post, CommentFactory(post=post, body="남의 댓글")


@pytest.mark.parametrize("act", ["comment", "vote", "comment_vote", "report"])
def test_a_signed_in_suspended_reader_is_refused_with_a_403_and_nothing_is_stored(
    article, act, suspended
):
    post, comment = article
    client = client_for(suspended)
    url, data = {
        "comment": (f"/{post.number}/comments/", {"body": "정지 중 댓글"}),
        "vote": (f"/{post.number}/vote/", {"vote": "up"}),
        "comment_vote": (f"/comments/{comment.pk}/vote/", {"vote": "up"}),
        "report": (f"/comments/{comment.pk}/report/", {"reason": "spam"}),
    }[act]

    response = client.post(url, data)

    assert response.status_code == 403
    assert "이용이 정지된 계정입니다 (" in text(soup(response))
    assert Comment.objects.count() == 1
    assert not Vote.objects.exists()
    assert not Report.objects.exists()


def test_a_suspended_readers_comments_stay(article, suspended):
    post, _comment = article
    mine = CommentFactory(post=post, author__user=suspended, body="예전에 쓴 댓글")
    suspension.suspend(suspended, by=None, days=30)

    page = soup(Client().get(post.get_absolute_url()))

    assert text(page.select_one(f"#comment-{mine.pk} .comment-body")) == "예전에 쓴 댓글"


def test_lifting_lets_them_back_in_and_keeps_the_history(suspended, moderator):
    client = client_for(moderator)
    found = Suspension.objects.get()
    listed = soup(client.get("/moderation/suspensions/"))

    response = client.post(f"/moderation/suspensions/{found.pk}/lift/")
    lifted = soup(client.get(response["Location"]))
    again = client.post(f"/moderation/suspensions/{found.pk}/lift/")

    assert [text(td) for td in listed.select("td.suspended-user")] == ["정지된독자"]
    assert response["Location"] == "/moderation/suspensions/"
    assert [text(li) for li in lifted.select(".messages li")] == ["이용 정지를 풀었습니다."]
    assert "이미 풀린 이용 정지입니다." in text(soup(client.get(again["Location"])))
    found.refresh_from_db()
    assert (found.lifted_by, found.lifted_at is not None) == (moderator, True)
    assert log_in("정지된독자").status_code == 302
    assert soup(client.get("/moderation/suspensions/")).select("td.suspended-user") == []


def test_the_list_takes_only_get_and_a_lift_only_post(suspended, moderator):
    client = client_for(moderator)
    found = Suspension.objects.get()

    assert client.post("/moderation/suspensions/").status_code == 405
    assert client.get(f"/moderation/suspensions/{found.pk}/lift/").status_code == 405
    assert suspension.active(suspended) == found  # a link followed lifts nothing


def test_suspending_and_lifting_are_in_the_accounts_history_under_the_moderators_name(
    suspended, moderator
):
    suspension.lift(Suspension.objects.get(), by=moderator)
    suspension.suspend(suspended, by=moderator, days=1, reason="도배")
    suspension.suspend(suspended, by=moderator, days=1)

    history = LogEntry.objects.filter(object_id=str(suspended.pk)).order_by("pk")

    assert [(e.user, e.change_message) for e in history] == [
        (moderator, "이용 정지 해제"),
        (moderator, "이용 정지: 도배"),
        (moderator, "이용 정지: -"),
    ]


def test_a_later_suspension_counts_after_an_earlier_one_is_lifted(suspended, moderator):
    suspension.lift(Suspension.objects.get(), by=moderator)
    suspension.suspend(suspended, by=moderator, days=1, reason="다시")

    assert Suspension.objects.filter(user=suspended).count() == 2
    assert log_in("정지된독자").status_code == 200


# Who may see the list and lift --------------------------------------------------------


@pytest.fixture
def people(board):
    group = Group.objects.create(name="소식 모더")
    Board.objects.filter(pk=board.pk).update(moderators=group)
    keeper = UserFactory(username="소식지기")
    keeper.groups.add(group)
    site = UserFactory(username="모더")
    site.groups.add(Group.objects.get(name="모더레이터"))
    return {
        "anonymous": None,
        "reader": UserFactory(username="독자"),
        "board_moderator": keeper,
        "moderator": site,
        "staff": UserFactory(username="직원", is_staff=True),
    }


@pytest.mark.parametrize("actor", ["anonymous", "reader", "board_moderator", "moderator", "staff"])
def test_who_may_see_the_suspended_accounts_and_lift(people, suspended, actor):
    client = client_for(people[actor])
    found = Suspension.objects.get()

    listing = client.get("/moderation/suspensions/")
    response = client.post(f"/moderation/suspensions/{found.pk}/lift/")

    found.refresh_from_db()
    if actor == "anonymous":
        assert listing.status_code == response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif actor in ("reader", "board_moderator"):
        assert listing.status_code == response.status_code == 403
    else:
        assert listing.status_code == 200
        assert response.status_code == 302
    assert (found.lifted_at is not None) is (actor in ("moderator", "staff"))


def test_the_queue_links_the_suspended_accounts_for_those_who_may_lift(people):
    site = soup(client_for(people["moderator"]).get("/moderation/reports/"))
    board_only = soup(client_for(people["board_moderator"]).get("/moderation/reports/"))

    assert site.select_one('a[href="/moderation/suspensions/"]') is not None
    assert board_only.select_one('a[href="/moderation/suspensions/"]') is None


def test_a_board_moderator_cannot_suspend_from_another_boards_report(people):
    sports = BoardFactory(slug="sports")
    comment = CommentFactory(post=PostFactory(board=sports), author__user=UserFactory())
    ReportFactory(comment=comment)

    response = client_for(people["board_moderator"]).post(
        f"/moderation/reports/comment/{comment.pk}/", {"action": "suspend", "days": "30"}
    )

    assert response.status_code == 403
    assert Suspension.objects.count() == 0


# The admin -----------------------------------------------------------------------------


@pytest.fixture
def admin_client():
    return client_for(UserFactory(username="관리자", is_staff=True, is_superuser=True))


def test_the_admin_lists_suspended_accounts(admin_client, suspended):
    lifted = SuspensionFactory(user=UserFactory(username="풀린독자"))
    suspension.lift(lifted, by=None)

    active = soup(admin_client.get("/admin/board/suspension/?state=active"))
    users = soup(admin_client.get("/admin/auth/user/?suspended=yes"))

    assert [text(a) for a in active.select("#result_list tbody th a")] == ["정지된독자"]
    assert [text(a) for a in users.select("#result_list tbody th a")] == ["정지된독자"]


def test_staff_suspend_anyone_from_the_admin(admin_client):
    target = UserFactory(username="말썽꾼")

    response = admin_client.post(
        "/admin/board/suspension/add/",
        {"user": target.pk, "until_0": "2099-01-01", "until_1": "00:00:00", "reason": "도배"},
    )

    assert response.status_code == 302
    found = Suspension.objects.get()
    assert (found.user, found.suspended_by.username, found.reason) == (target, "관리자", "도배")
    assert "이용이 정지된 계정입니다" in text(soup(log_in("말썽꾼")))


def test_a_board_moderator_cannot_suspend_staff_from_a_report(people):
    staff_author = UserFactory(username="기자", is_staff=True)
    comment = CommentFactory(author__user=staff_author)
    ReportFactory(comment=comment)
    url = f"/moderation/reports/comment/{comment.pk}/"

    refused = client_for(people["board_moderator"]).post(url, {"action": "suspend", "days": "1"})
    allowed = client_for(people["moderator"]).post(url, {"action": "suspend", "days": "1"})

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert Suspension.objects.get().suspended_by == people["moderator"]


def test_a_board_moderator_cannot_suspend_a_site_wide_moderator_from_a_report(people):
    comment = CommentFactory(author__user=people["moderator"])
    ReportFactory(comment=comment)
    url = f"/moderation/reports/comment/{comment.pk}/"

    response = client_for(people["board_moderator"]).post(url, {"action": "suspend", "days": "1"})

    assert response.status_code == 403
    assert not Suspension.objects.exists()


def test_a_board_moderator_suspends_a_deactivated_former_staff_member_from_a_report(people):
    # A deactivated account moderates nothing any more: it is suspended like a reader's.
    former = UserFactory(username="전직기자", is_staff=True, is_active=False)
    comment = CommentFactory(author__user=former)
    ReportFactory(comment=comment)
    url = f"/moderation/reports/comment/{comment.pk}/"

    response = client_for(people["board_moderator"]).post(url, {"action": "suspend", "days": "1"})

    assert response.status_code == 302
    assert Suspension.objects.get().user == former


def test_of_two_suspensions_the_login_names_the_one_that_lasts_longest(moderator):
    reader = UserFactory(username="두번정지")
    suspension.suspend(reader, by=moderator, days=3)
    suspension.suspend(reader, by=moderator, days=None)
    suspension.suspend(reader, by=moderator, days=7)

    assert refusal(log_in("두번정지")) == "이용이 정지된 계정입니다 (기한 없음)."


@pytest.mark.django_db(transaction=True)
def test_many_readers_reporting_at_once_hide_the_item_once_counted_exactly(settings):
    if connection.vendor != "postgresql":
        pytest.skip("writers at once need PostgreSQL (SQLite takes its write lock at BEGIN)")
    board, _ = Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=5)
    comment = CommentFactory(post=PostFactory(board=Board.objects.get(pk=board.pk)))
    readers = [UserFactory(username=f"동시{n}") for n in range(8)]
    start = threading.Barrier(len(readers))

    def report(user):
        try:
            start.wait()
            reports.report(user, reason="spam", comment=comment)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=report, args=(user,)) for user in readers]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.report_count, stored.is_hidden) == (8, True)
    assert Report.objects.filter(comment=comment).count() == 8

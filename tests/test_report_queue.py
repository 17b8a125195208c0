"""The moderators' report queue: grouped and ordered, bounded in queries, its decisions and
their effects, two moderators at once, who may decide, and how moderators find it."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from board import reports, services
from board.models import Board, Decision, Post, Report, Suspension
from tests.factories import (
    AuthorFactory,
    BoardFactory,
    CommentFactory,
    PostFactory,
    ReportFactory,
    UserFactory,
)
from tests.pages import listing_rows, soup, text
from tests.races import race
from tests.reporting import client_for, decide_url, messages_of, refresh, set_threshold

pytestmark = pytest.mark.django_db


# The queue ------------------------------------------------------------------------------


def reported_site(board, items):
    """``items`` comments with 1..n reports each, plus as many articles with one report."""
    made = []
    for n in range(items):
        comment = CommentFactory(body=f"댓글 {n}")
        for k in range(n + 1):
            ReportFactory(comment=comment, reason="abuse", text=f"사유 {n}-{k}")
        post = PostFactory(title=f"글 {n}")
        ReportFactory(post=post)
        made.append((comment, post))
    return made


def queue_items(page):
    return [text(group.select_one(".report-item")) for group in page.select(".report-group")]


def test_the_queue_groups_by_item_most_reported_first_then_oldest_first_report(board, moderator):
    # The older report is on the newer article: the order is the reports', not the items'.
    newer = PostFactory(title="나중에 신고된 글")
    busy = CommentFactory(body="여러 번 신고된 댓글")
    older = PostFactory(title="먼저 신고된 글")
    ReportFactory(post=older)
    ReportFactory(comment=busy, reason="abuse", text="욕설입니다")
    ReportFactory(comment=busy, reason="spam")
    ReportFactory(comment=busy, reason="abuse")
    ReportFactory(post=newer)

    page = soup(client_for(moderator).get("/moderation/reports/"))

    assert queue_items(page) == [
        "댓글: 여러 번 신고된 댓글",
        "글: 먼저 신고된 글",
        "글: 나중에 신고된 글",
    ]
    first = page.select_one(".report-group")
    assert "신고 3건" in text(first.select_one(".report-meta"))
    assert sorted(text(li) for li in first.select(".report-reasons li")) == [
        "스팸/광고 1",
        "욕설/비방 2",
    ]
    assert [text(li) for li in first.select(".report-texts li")] == ["욕설/비방 욕설입니다"]


def test_each_item_shows_its_own_ten_oldest_report_texts(board, moderator):
    busy = CommentFactory(body="많이 신고된 댓글")
    quiet = CommentFactory(body="한 번 신고된 댓글")
    now = timezone.now()
    for n in range(12):
        ReportFactory(comment=busy, text=f"신고 {n}")
        # Written in reverse: the last report made is the oldest, so ids do not give the order.
        Report.objects.filter(text=f"신고 {n}").update(
            created_at=now - timezone.timedelta(minutes=n)
        )
    ReportFactory(comment=quiet, text="마지막 신고")

    page = soup(client_for(moderator).get("/moderation/reports/"))

    shown = {
        text(g.select_one(".report-item")): {
            text(li).removeprefix("스팸/광고 ") for li in g.select(".report-texts li")
        }
        for g in page.select(".report-group")
    }
    assert shown == {
        "댓글: 많이 신고된 댓글": {f"신고 {n}" for n in range(2, 12)},
        "댓글: 한 번 신고된 댓글": {"마지막 신고"},
    }


@pytest.mark.parametrize("items", [1, 6])
def test_the_queue_reads_a_constant_number_of_queries(
    board, moderator, items, django_assert_num_queries
):
    reported_site(board, items)
    client = client_for(moderator)

    # Session, user; the groups' count and page; their articles, comments, reasons and
    # texts; the navigation's boards.
    with django_assert_num_queries(9):
        response = client.get("/moderation/reports/")

    assert len(soup(response).select(".report-group")) == 2 * items


def test_the_queue_is_paged(board, moderator, settings):
    reported_site(board, 11)  # 22 groups, 20 a page

    second = soup(client_for(moderator).get("/moderation/reports/?page=2"))

    assert len(second.select(".report-group")) == 2


def test_a_board_moderator_sees_only_their_boards_reports(board, moderator):
    group = Group.objects.create(name="스포츠 모더")
    sports = BoardFactory(slug="sports", name="스포츠", moderators=group)
    keeper = UserFactory(username="스포츠지기")
    keeper.groups.add(group)
    ReportFactory(post=PostFactory(board=sports, title="스포츠 글"))
    ReportFactory(post=PostFactory(title="소식 글"))

    mine = soup(client_for(keeper).get("/moderation/reports/"))
    everything = soup(client_for(moderator).get("/moderation/reports/"))

    assert queue_items(mine) == ["글: 스포츠 글"]
    assert sorted(queue_items(everything)) == ["글: 소식 글", "글: 스포츠 글"]


# Decisions ------------------------------------------------------------------------------


def test_remove_from_the_queue_leaves_the_placeholder_and_records_the_decision(comment, moderator):
    ReportFactory(comment=comment)
    ReportFactory(comment=comment)
    client = client_for(moderator)

    response = client.post(decide_url(comment), {"action": "remove", "reason": "광고", "days": "7"})

    assert response["Location"] == "/moderation/reports/"
    assert messages_of(soup(client.get("/moderation/reports/"))) == ["신고를 처리했습니다."]
    stored = refresh(comment)
    assert (stored.is_removed, stored.removed_by, stored.removal_reason) == (
        True,
        moderator,
        "광고",
    )
    page = soup(Client().get(comment.post.get_absolute_url()))
    assert text(page.select_one(f"#comment-{comment.pk}")) == "관리자가 삭제한 댓글입니다."
    decision = Decision.objects.get()
    assert (decision.action, decision.moderator, decision.reason, decision.comment) == (
        "remove",
        moderator,
        "광고",
        comment,
    )
    assert set(Report.objects.values_list("decision", flat=True)) == {decision.pk}
    assert LogEntry.objects.filter(object_id=str(comment.pk), user=moderator).count() == 2
    assert not Suspension.objects.exists()
    assert queue_items(soup(client.get("/moderation/reports/"))) == []


def test_remove_an_article_from_the_queue_takes_it_out_of_the_listing(article, moderator):
    ReportFactory(post=article)

    client_for(moderator).post(decide_url(article), {"action": "remove", "days": "7"})

    assert refresh(article).is_removed
    assert listing_rows(soup(Client().get("/"))) == []
    assert Decision.objects.get().post == article


def test_dismiss_keeps_the_item_and_shows_a_hidden_one_again(board, comment, moderator):
    set_threshold(board, 1)
    ReportFactory(comment=comment)
    assert refresh(comment).is_hidden

    client_for(moderator).post(decide_url(comment), {"action": "dismiss", "days": "7"})

    stored = refresh(comment)
    assert (stored.is_removed, stored.is_hidden, stored.report_count) == (False, False, 0)
    page = soup(Client().get(comment.post.get_absolute_url()))
    assert text(page.select_one(f"#comment-{comment.pk} .comment-body")) == "광고 댓글"
    assert Decision.objects.get().action == "dismiss"
    assert LogEntry.objects.filter(object_id=str(comment.pk), user=moderator).exists()


def test_remove_and_suspend_removes_the_item_and_suspends_its_author(comment, writer, moderator):
    ReportFactory(comment=comment)

    client_for(moderator).post(
        decide_url(comment), {"action": "suspend", "reason": "반복 광고", "days": "3"}
    )

    assert refresh(comment).is_removed
    suspension = Suspension.objects.get()
    assert (suspension.user, suspension.suspended_by, suspension.reason) == (
        writer,
        moderator,
        "반복 광고",
    )
    assert (suspension.until - suspension.starts_at).days == 3
    assert Decision.objects.get().action == "suspend"
    login = Client().post(
        "/accounts/login/", {"username": "글쓴이", "password": "correct horse battery"}
    )
    assert "이용이 정지된 계정입니다" in text(soup(login))


def test_a_second_decision_on_the_same_reports_is_refused_with_a_message(comment, moderator):
    ReportFactory(comment=comment)
    other = UserFactory(username="다른모더", is_superuser=True, is_staff=True)
    client_for(moderator).post(decide_url(comment), {"action": "dismiss", "days": "7"})
    client = client_for(other)

    response = client.post(decide_url(comment), {"action": "remove", "days": "7"})

    assert messages_of(soup(client.get(response["Location"]))) == ["이미 처리된 신고입니다."]
    assert refresh(comment).is_removed is False
    assert Decision.objects.count() == 1


@pytest.fixture
def live_comment(settings):
    """A reported comment, made again when an earlier transactional test flushed the board."""
    Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})
    writer = UserFactory(username="글쓴이")
    comment = CommentFactory(author=AuthorFactory(user=writer))
    ReportFactory(comment=comment)
    return comment


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_one_wins_and_nothing_is_applied_twice(live_comment):
    first = UserFactory(username="모더1", is_superuser=True)
    second = UserFactory(username="모더2", is_superuser=True)
    outcomes = []

    def act(user, action):
        def run():
            try:
                reports.decide(action=action, by=user, comment=live_comment, days=7)
                outcomes.append(action)
            except reports.AlreadyDecided:
                outcomes.append("refused")

        return run

    # The second waits on the first's uncommitted closing of the reports, then finds none open.
    race(act(first, "dismiss"), act(second, "suspend"))

    assert outcomes == ["dismiss", "refused"]
    assert Decision.objects.count() == 1
    assert refresh(live_comment).is_removed is False
    assert not Suspension.objects.exists()
    assert Post.objects.get(pk=live_comment.post_id).comment_count == 1


# Who may do what ------------------------------------------------------------------------

ACTORS = ["anonymous", "reader", "other_board_moderator", "board_moderator", "moderator"]


@pytest.fixture
def people(board):
    group = Group.objects.create(name="소식 모더")
    Board.objects.filter(pk=board.pk).update(moderators=group)
    keeper = UserFactory(username="소식지기")
    keeper.groups.add(group)
    other_group = Group.objects.create(name="스포츠 모더")
    BoardFactory(slug="sports", moderators=other_group)
    other = UserFactory(username="스포츠지기")
    other.groups.add(other_group)
    site = UserFactory(username="모더")
    site.groups.add(Group.objects.get(name="모더레이터"))
    return {
        "anonymous": None,
        "reader": UserFactory(username="독자"),
        "other_board_moderator": other,
        "board_moderator": keeper,
        "moderator": site,
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ["remove", "dismiss", "suspend"])
def test_who_may_decide_on_a_report(people, comment, actor, action):
    ReportFactory(comment=comment)
    client = client_for(people[actor])

    queue = client.get("/moderation/reports/")
    response = client.post(decide_url(comment), {"action": action, "days": "1"})

    if actor == "anonymous":
        assert queue.status_code == response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif actor in ("reader",):
        assert queue.status_code == response.status_code == 403
    elif actor == "other_board_moderator":
        assert queue.status_code == 200
        assert queue_items(soup(queue)) == []
        assert response.status_code == 403
    else:
        assert queue.status_code == 200
        assert queue_items(soup(queue)) == ["댓글: 광고 댓글"]
        assert response.status_code == 302
    decided = actor in ("board_moderator", "moderator")
    assert Decision.objects.filter(action=action).exists() is decided
    assert refresh(comment).is_removed is (decided and action != "dismiss")
    assert Suspension.objects.exists() is (decided and action == "suspend")


def test_the_decision_takes_only_post_and_a_known_kind(people, comment):
    ReportFactory(comment=comment)
    client = client_for(people["moderator"])

    assert client.get(decide_url(comment)).status_code == 405
    assert client.post("/moderation/reports/").status_code == 405
    assert (
        client.post(f"/moderation/reports/user/{comment.pk}/", {"action": "remove"}).status_code
        == 404
    )
    bad = client.post(decide_url(comment), {"action": "explode", "days": "1"})
    assert bad.status_code == 400
    assert text(soup(bad).select_one(".error-code")) == "400"
    assert not Decision.objects.exists()


@pytest.mark.parametrize("action", ["remove", "dismiss"])
def test_a_board_moderator_removes_or_dismisses_a_staff_members_reported_comment(
    people, board, action
):
    # Only suspending staff is kept from a board's moderators, not the other decisions.
    staff = UserFactory(username="직원", is_staff=True)
    comment = CommentFactory(post=PostFactory(board=board), author__user=staff, body="직원 댓글")
    ReportFactory(comment=comment)

    response = client_for(people["board_moderator"]).post(
        decide_url(comment), {"action": action, "days": "1"}
    )

    assert response.status_code == 302
    assert Decision.objects.get().action == action
    assert refresh(comment).is_removed is (action == "remove")


def test_moderation_is_a_reserved_board_address():
    from django.core.exceptions import ValidationError

    from board.models import validate_board_slug

    with pytest.raises(ValidationError):
        validate_board_slug("moderation")


def test_services_refuse_reports_of_removed_items(comment, moderator):
    services.remove_comment(comment, by=moderator)

    response = client_for(UserFactory(username="독자")).post(
        f"/comments/{comment.pk}/report/", {"reason": "spam"}
    )

    assert response.status_code == 403
    assert text(soup(response).select_one("h1").find_next_sibling("p")) == (
        "삭제된 항목은 신고할 수 없습니다."
    )
    assert not Report.objects.exists()


def queue_links(page):
    return [a for a in page.select("a") if text(a) == "신고 목록"]


def test_moderators_find_the_queue_in_the_header_and_editors_and_readers_do_not(comment, moderator):
    editor = UserFactory(username="편집자", is_staff=True)
    url = comment.post.get_absolute_url()

    for_moderator = soup(client_for(moderator).get(url))
    for_editor = client_for(editor)
    for_reader = soup(client_for(UserFactory(username="독자")).get(url))

    assert [a["href"] for a in for_moderator.select(".site-nav a") if text(a) == "신고 목록"] == [
        "/moderation/reports/"
    ]
    # An editor who does not moderate is refused the queue: no link leads there.
    assert queue_links(soup(for_editor.get(url))) == []
    assert for_editor.get("/moderation/reports/").status_code == 403
    assert queue_links(for_reader) == []


def test_a_board_moderator_finds_the_queue_beside_the_comments_they_moderate(comment):
    group = Group.objects.create(name="소식 모더레이터")
    Board.objects.filter(pk=comment.post.board_id).update(moderators=group)
    board_moderator = UserFactory(username="게시판모더")
    board_moderator.groups.add(group)
    other_board = PostFactory(board=BoardFactory(slug="free"))
    CommentFactory(post=other_board)

    here = soup(client_for(board_moderator).get(comment.post.get_absolute_url()))
    elsewhere = soup(client_for(board_moderator).get(other_board.get_absolute_url()))

    assert [a["href"] for a in here.select(".moderator-links a")] == ["/moderation/reports/"]
    assert elsewhere.select(".moderator-links a") == []


def test_a_comment_removed_outside_the_queue_takes_its_open_reports_with_it(comment, moderator):
    ReportFactory(comment=comment)
    ReportFactory(comment=comment)
    queue = client_for(moderator)

    before = soup(queue.get("/moderation/reports/"))
    services.remove_comment(refresh(comment), by=moderator, reason="광고")
    after = soup(queue.get("/moderation/reports/"))

    assert len(before.select("li.report-group")) == 1
    assert after.select("li.report-group") == []
    decision = Decision.objects.get()
    assert (decision.comment, decision.action, decision.moderator, decision.reason) == (
        comment,
        Decision.Action.REMOVE,
        moderator,
        "광고",
    )
    assert refresh(comment).report_count == 0


def test_an_article_removed_from_the_admin_takes_its_open_reports_with_it(article, moderator):
    ReportFactory(post=article)
    editor = UserFactory(username="편집장", is_staff=True, is_superuser=True)

    client_for(editor).post(
        "/admin/board/post/",
        {"action": "remove_posts", "_selected_action": [article.pk]},
    )

    assert Report.objects.open().count() == 0
    assert Decision.objects.get().moderator == editor
    assert soup(client_for(moderator).get("/moderation/reports/")).select("li.report-group") == []


def test_a_queue_decision_is_recorded_once_not_again_by_the_removal(comment, moderator):
    ReportFactory(comment=comment)

    reports.decide(action="remove", by=moderator, reason="광고", comment=refresh(comment))

    assert Decision.objects.count() == 1
    assert refresh(comment).is_removed


def test_the_longest_texts_the_forms_take_are_kept_whole(comment, moderator):
    reader = client_for(UserFactory(username="독자"))
    reader.post(f"/comments/{comment.pk}/report/", {"reason": "other", "text": "가" * 500})

    client_for(moderator).post(
        decide_url(comment), {"action": "dismiss", "reason": "나" * 200, "days": "1"}
    )

    assert Report.objects.get().text == "가" * 500
    assert Decision.objects.get().reason == "나" * 200


def test_a_decision_without_a_reason_is_in_the_history_with_a_dash(comment, moderator):
    ReportFactory(comment=comment)

    reports.decide(action="dismiss", by=moderator, comment=refresh(comment))

    assert LogEntry.objects.get(object_id=str(comment.pk)).change_message == ("신고 처리 (기각): -")

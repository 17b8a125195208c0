"""The moderator's desk (/moderation/): who may see it and act from it, its filters, its bulk
actions and its cost."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import DatabaseError
from django.utils import timezone

from board import moderation, services, suspension
from board.models import Comment, Suspension
from tests.factories import (
    AuthorFactory,
    BoardFactory,
    CommentFactory,
    ModeratorFactory,
    PostFactory,
    ReportFactory,
    UserFactory,
)
from tests.pages import soup, text
from tests.reporting import client_for, messages_of, refresh

pytestmark = pytest.mark.django_db

DESK = "/moderation/"
ACTIONS = "/moderation/actions/"


def days_ago(n):
    return timezone.now() - timezone.timedelta(days=n)


@pytest.fixture
def world(board):
    """Two boards; a spammer's comments on both (two this week, one a fortnight old), a
    reader's on the news board; a board moderator of the news board only."""
    free = BoardFactory(slug="free", name="자유게시판")
    news_post = PostFactory(board=board, title="우체국 소식")
    free_post = PostFactory(board=free, title="자유 글")
    spammer = UserFactory(username="spammer")
    spam_author = AuthorFactory(name="광고왕", user=spammer)
    reader = UserFactory(username="reader")
    reader_author = AuthorFactory(name="독자", user=reader)
    comments = {
        "news_spam": CommentFactory(
            post=news_post, author=spam_author, body="싼 광고 하나", ip_address="10.0.0.5"
        ),
        "news_spam_2": CommentFactory(
            post=news_post,
            author=spam_author,
            body="싼 광고 둘",
            ip_address="10.0.0.6",
            created_at=days_ago(2),
        ),
        "news_spam_old": CommentFactory(
            post=news_post,
            author=spam_author,
            body="오래된 광고",
            ip_address="10.0.0.5",
            created_at=days_ago(14),
        ),
        "free_spam": CommentFactory(
            post=free_post, author=spam_author, body="자유게시판 광고", ip_address="10.0.0.5"
        ),
        "news_reader": CommentFactory(
            post=news_post, author=reader_author, body="좋은 소식이네요", ip_address="192.168.1.20"
        ),
    }
    return {
        "board": board,
        "free": free,
        "spammer": spammer,
        "reader": reader,
        "comments": comments,
        "board_moderator": ModeratorFactory(username="news_mod", boards=[board]),
        "moderator": ModeratorFactory(username="site_mod"),
        "staff": UserFactory(username="staff", is_staff=True),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


def listed(page):
    """The comments a desk page lists, by their text."""
    return [text(p) for p in page.select(".desk-row .desk-excerpt")]


def remove(client, *comments, reason="광고"):
    data = {"action": "remove", "comment": [c.pk for c in comments], "reason": reason}
    return client.post(ACTIONS, data)


ACTORS = ["anonymous", "reader", "staff", "board_moderator", "moderator", "superuser"]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_desk_permission_matrix(world, actor):
    user = None if actor == "anonymous" else world[actor]
    client = client_for(user)
    news, free = world["comments"]["news_spam"], world["comments"]["free_spam"]

    page = client.get(DESK)
    removed_news = remove(client, news)
    removed_free = remove(client, free)
    suspended = client.post(
        ACTIONS, {"action": "suspend", "account": world["spammer"].pk, "days": "7"}
    )

    news, free = refresh(news), refresh(free)
    suspensions = Suspension.objects.filter(user=world["spammer"]).count()
    if actor == "anonymous":
        for response in (page, removed_news, removed_free, suspended):
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        assert not news.is_removed
        assert not free.is_removed
        assert suspensions == 0
    elif actor in ("reader", "staff"):
        # Staff without the moderators' permission do not moderate comments (as in the queue).
        for response in (page, removed_news, removed_free, suspended):
            assert response.status_code == 403
        assert not news.is_removed
        assert not free.is_removed
        assert suspensions == 0
    elif actor == "board_moderator":
        assert page.status_code == 200
        shown = listed(soup(page))
        assert "싼 광고 하나" in shown
        assert "좋은 소식이네요" in shown
        assert "자유게시판 광고" not in shown
        assert soup(page).select('button[value="suspend"]') == []
        assert removed_news.status_code == 302
        assert news.is_removed
        assert news.removed_by == user
        assert news.removal_reason == "광고"
        assert removed_free.status_code == 403
        assert not free.is_removed
        assert suspended.status_code == 403
        assert suspensions == 0
    else:
        assert page.status_code == 200
        assert "자유게시판 광고" in listed(soup(page))
        assert news.is_removed
        assert free.is_removed
        assert suspended.status_code == 302
        assert suspensions == 1


def test_the_header_leads_moderators_to_the_desk_and_not_readers(world):
    def desk_links(user):
        page = soup(client_for(user).get("/"))
        return [a["href"] for a in page.select(".site-nav a") if text(a) == "운영 데스크"]

    assert desk_links(world["board_moderator"]) == [DESK]
    assert desk_links(world["moderator"]) == [DESK]
    assert desk_links(world["superuser"]) == [DESK]
    assert desk_links(world["reader"]) == []
    assert desk_links(None) == []


def test_each_row_says_where_who_from_where_and_in_what_state(world):
    comments = world["comments"]
    CommentFactory(post=comments["news_reader"].post, body="가려질 댓글")
    hidden = Comment.objects.get(body="가려질 댓글")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    client = client_for(world["moderator"])
    remove(client, comments["news_spam_2"], reason="광고")
    Comment.objects.filter(pk=comments["news_spam_old"].pk).update(
        is_removed=True, removed_by=world["spammer"]
    )

    page = soup(client.get(DESK))
    rows = {text(r.select_one(".desk-excerpt")): r for r in page.select(".desk-row")}

    first = rows["싼 광고 하나"]
    assert text(first.select_one(".desk-board")) == "소식"
    assert text(first.select_one(".desk-where a")) == "우체국 소식"
    assert first.select_one(".desk-author").get_text() == "광고왕 (spammer)"
    assert text(first.select_one(".desk-address")) == "10.0.0.5"
    assert text(first.select_one(".desk-state")) == "게시 중"
    assert text(rows["싼 광고 둘"].select_one(".desk-state")) == "site_mod 님이 삭제함"
    assert text(rows["오래된 광고"].select_one(".desk-state")) == "글쓴이가 삭제함"
    assert text(rows["가려질 댓글"].select_one(".desk-state")) == "신고로 가려짐"
    # Newest first.
    assert listed(page)[0] == "가려질 댓글"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("board={free}", ["자유게시판 광고"]),
        ("author=spammer", ["자유게시판 광고", "오래된 광고", "싼 광고 둘", "싼 광고 하나"]),
        ("author=독자", ["좋은 소식이네요"]),
        ("address=10.0.0.5", ["자유게시판 광고", "오래된 광고", "싼 광고 하나"]),
        ("address=10.0.0.", ["자유게시판 광고", "오래된 광고", "싼 광고 둘", "싼 광고 하나"]),
        ("address=192.168.", ["좋은 소식이네요"]),
        ("state=removed", ["오래된 광고"]),
        ("state=live&board={news}", ["좋은 소식이네요", "싼 광고 둘", "싼 광고 하나"]),
    ],
)
def test_each_filter_narrows_the_list(world, query, expected):
    Comment.objects.filter(pk=world["comments"]["news_spam_old"].pk).update(is_removed=True)
    client = client_for(world["moderator"])
    query = query.format(free=world["free"].pk, news=world["board"].pk)

    assert len(listed(soup(client.get(DESK)))) == 5
    assert listed(soup(client.get(f"{DESK}?{query}"))) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("address=10.0.1", "IP 주소는 10.0.0.1처럼 전부 쓰거나"),
        ("address=<script>", "IP 주소는 10.0.0.1처럼 전부 쓰거나"),
        ("address=300.1.", "IP 주소는 10.0.0.1처럼 전부 쓰거나"),
        ("board=abc", "맡은 게시판이 아니거나 없는 게시판입니다."),
        ("board={free}", "맡은 게시판이 아니거나 없는 게시판입니다."),
        ("before=abc", "쪽 위치가 올바르지 않습니다."),
        ("before=99999999999999999999999", "쪽 위치"),
        ("state=gone", "상태"),
    ],
)
def test_a_bad_filter_says_what_is_wrong_instead_of_failing(world, query, message):
    client = client_for(world["board_moderator"])
    query = query.format(free=world["free"].pk)

    response = client.get(f"{DESK}?{query}")

    assert response.status_code == 200
    errors = [text(li) for li in soup(response).select(".messages li")]
    assert any(message in error for error in errors)
    assert listed(soup(response)) == []


def test_pages_go_back_by_id_without_repeating_a_comment(world):
    post = world["comments"]["news_reader"].post
    for n in range(40):
        CommentFactory(post=post, body=f"댓글 {n}")
    client = client_for(world["moderator"])

    first = soup(client.get(DESK))
    older = first.select_one('.pagination a[rel="next"]')["href"]
    second = soup(client.get(f"{DESK}{older}"))

    assert len(listed(first)) == 30
    assert len(listed(second)) == 15
    assert set(listed(first)).isdisjoint(listed(second))
    assert listed(first)[0] == "댓글 39"
    assert second.select_one('.pagination a[rel="next"]') is None
    assert text(second.select_one(".pagination a")) == "처음으로"


def test_the_desk_page_costs_the_same_whatever_the_number_of_comments(
    world, django_assert_num_queries
):
    client = client_for(world["board_moderator"])
    ReportFactory(comment=world["comments"]["news_spam"])
    client.get(DESK)  # the session's first use
    # Session, user, their boards, one page of comments, the open report count, the first
    # report groups and their items (comments, reason tallies, texts), the header's boards.
    with django_assert_num_queries(10):
        few = client.get(DESK)
    post = world["comments"]["news_reader"].post
    for n in range(25):
        CommentFactory(post=post, body=f"댓글 {n}", author=AuthorFactory(user=UserFactory()))
        ReportFactory(comment=Comment.objects.get(body=f"댓글 {n}"))
    # Rows removed by several moderators: each row names who removed it.
    for n in range(3):
        Comment.objects.filter(body=f"댓글 {n}").update(
            is_removed=True, removed_by=ModeratorFactory(boards=[world["board"]])
        )
    with django_assert_num_queries(10):
        many = client.get(DESK)
    assert len(listed(soup(few))) == 4
    assert len(listed(soup(many))) == 29
    assert "처리를 기다리는 신고 26건" in text(soup(many).select_one(".desk-report-count"))


def test_removing_what_is_already_removed_counts_nothing_and_says_so(world):
    client = client_for(world["moderator"])
    news = world["comments"]["news_spam"]
    client.get(remove(client, news)["Location"])  # its message read
    first = refresh(news)

    response = client.post(
        ACTIONS, {"action": "remove", "comment": [news.pk], "next": f"{DESK}?author=spammer"}
    )

    assert response["Location"] == f"{DESK}?author=spammer"
    page = soup(client.get(response["Location"]))
    assert messages_of(page) == ["고른 댓글은 모두 이미 삭제되어 있어 새로 삭제한 댓글이 없습니다."]
    again = refresh(news)
    assert (again.removed_at, again.removal_reason) == (first.removed_at, first.removal_reason)
    assert refresh(news.post).comment_count == 3  # four, counted down once, not twice


def test_a_removal_from_the_desk_is_recorded_like_every_removal(world):
    client = client_for(world["board_moderator"])
    news = world["comments"]["news_spam"]

    response = remove(client, news, world["comments"]["news_reader"], reason="도배")

    assert messages_of(soup(client.get(response["Location"]))) == ["댓글 2개를 삭제했습니다."]
    news = refresh(news)
    assert (news.removed_by, news.removal_reason) == (world["board_moderator"], "도배")
    assert news.removed_at is not None
    assert LogEntry.objects.filter(
        object_id=str(news.pk), change_message="댓글 삭제: 도배"
    ).exists()


def test_a_selection_with_another_boards_comment_is_refused_whole(world):
    client = client_for(world["board_moderator"])
    news, free = world["comments"]["news_spam"], world["comments"]["free_spam"]

    response = remove(client, news, free)
    missing = remove(client, news, Comment(pk=987654))

    assert response.status_code == missing.status_code == 403
    assert not refresh(news).is_removed
    assert not refresh(free).is_removed


@pytest.mark.parametrize(("days", "gone"), [("1", 1), ("3", 2), ("30", 3)])
def test_remove_recent_removes_the_accounts_comments_of_those_days_on_ones_boards(
    world, days, gone
):
    client = client_for(world["board_moderator"])
    comments = world["comments"]
    data = {"action": "remove_recent", "account": world["spammer"].pk, "days": days}

    response = client.post(ACTIONS, data)

    removed = {key for key, c in comments.items() if refresh(c).is_removed}
    in_order = ["news_spam", "news_spam_2", "news_spam_old"]
    assert removed == set(in_order[:gone])  # never the other board's, never the reader's
    message = messages_of(soup(client.get(response["Location"])))
    assert message == [f"spammer 계정이 최근 {days}일 동안 쓴 댓글 {gone}개를 삭제했습니다."]
    again = client.post(ACTIONS, data)
    assert messages_of(soup(client.get(again["Location"]))) == [
        f"spammer 계정이 최근 {days}일 동안 쓴 댓글 가운데 삭제할 댓글이 없습니다."
    ]


def test_the_account_panel_appears_for_one_account_with_suspend_for_those_who_may(world):
    board_only = soup(client_for(world["board_moderator"]).get(f"{DESK}?author=spammer"))
    site = soup(client_for(world["moderator"]).get(f"{DESK}?author=광고왕"))

    assert text(board_only.select_one(".desk-account h3")) == "spammer 계정"
    assert board_only.select('button[value="remove_recent"]') != []
    assert board_only.select('button[value="suspend"]') == []
    assert site.select('button[value="suspend"]') != []
    assert site.select_one('.desk-account input[name="account"]')["value"] == str(
        world["spammer"].pk
    )


def test_a_site_wide_moderator_suspends_from_the_desk_but_not_themselves(world):
    moderator = world["moderator"]
    client = client_for(moderator)
    data = {"action": "suspend", "days": "3", "reason": "광고 도배"}

    response = client.post(ACTIONS, {**data, "account": world["spammer"].pk})
    said = messages_of(soup(client.get(response["Location"])))
    own = client.post(ACTIONS, {**data, "account": moderator.pk})
    # As in the queue's decisions (desk.decide): those who may suspend may suspend staff.
    staff = client.post(ACTIONS, {**data, "account": world["staff"].pk})

    found = Suspension.objects.get(user=world["spammer"])
    assert (found.suspended_by, found.reason) == (moderator, "광고 도배")
    assert said == ["spammer 계정의 이용을 정지했습니다."]
    assert own.status_code == 403
    assert not Suspension.objects.filter(user=moderator).exists()
    assert staff.status_code == 302
    assert Suspension.objects.filter(user=world["staff"]).exists()


def test_a_board_moderator_cannot_suspend_staff_or_anyone(world):
    client = client_for(world["board_moderator"])
    for account in (world["staff"], world["spammer"]):
        response = client.post(ACTIONS, {"action": "suspend", "account": account.pk, "days": "7"})
        assert response.status_code == 403
    assert not Suspension.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "remove"},
        {"action": "remove", "comment": ["x"]},
        {"action": "remove_recent", "account": "1", "days": "5"},
        {"action": "remove_recent", "account": "abc", "days": "1"},
        {"action": "explode"},
    ],
)
def test_a_bad_action_goes_back_with_a_message(world, data):
    client = client_for(world["moderator"])

    response = client.post(ACTIONS, {**data, "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == DESK
    assert messages_of(soup(client.get(DESK))) != []
    assert not Comment.objects.filter(is_removed=True).exists()


def test_a_readers_address_is_kept_for_moderators_and_never_shown_to_readers(world, client):
    post = world["comments"]["news_reader"].post
    writer = client_for(UserFactory(username="new_reader"))

    writer.post(f"/{post.number}/comments/", {"body": "주소가 남는 댓글"}, REMOTE_ADDR="172.16.5.9")

    comment = Comment.objects.get(body="주소가 남는 댓글")
    assert comment.ip_address == "172.16.5.9"
    for viewer in (client, writer):
        assert "172.16.5.9" not in viewer.get(post.get_absolute_url()).content.decode()
    desk = client_for(world["moderator"]).get(f"{DESK}?address=172.16.5.9")
    assert listed(soup(desk)) == ["주소가 남는 댓글"]
    admin = client_for(world["superuser"]).get(f"/admin/board/comment/{comment.pk}/change/")
    assert "172.16.5.9" in admin.content.decode()


def test_an_action_comes_back_to_the_same_filtered_page(world):
    client = client_for(world["moderator"])
    page = soup(client.get(f"{DESK}?author=spammer&state=live"))
    form = page.select_one("form.desk-remove")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    pick = form.select_one("input[name=comment]")["value"]

    response = client.post(ACTIONS, {**data, "action": "remove", "comment": [pick]})

    assert response["Location"] == f"{DESK}?author=spammer&state=live"
    assert refresh(Comment(pk=int(pick))).is_removed


@pytest.mark.parametrize(("days", "ends"), [("3", 3), ("forever", None)])
def test_a_suspension_from_the_desk_lasts_the_period_chosen(world, days, ends):
    client = client_for(world["moderator"])
    before = timezone.now()

    client.post(ACTIONS, {"action": "suspend", "account": world["spammer"].pk, "days": days})

    found = suspension.active(world["spammer"])
    if ends is None:
        assert found.until is None
        assert suspension.message(found) == "이용이 정지된 계정입니다 (기한 없음)."
    else:
        assert before + timezone.timedelta(days=ends) <= found.until
        assert found.until <= timezone.now() + timezone.timedelta(days=ends)


def test_an_exact_address_finds_that_address_only_not_longer_ones(world):
    post = world["comments"]["news_reader"].post
    CommentFactory(post=post, body="이웃 주소", ip_address="10.0.0.50")
    client = client_for(world["moderator"])

    exact = listed(soup(client.get(f"{DESK}?address=10.0.0.5")))

    assert exact == ["자유게시판 광고", "오래된 광고", "싼 광고 하나"]


def test_a_page_of_exactly_thirty_comments_offers_no_older_page(world):
    post = world["comments"]["news_reader"].post
    for n in range(25):
        CommentFactory(post=post, body=f"댓글 {n}")

    page = soup(client_for(world["moderator"]).get(DESK))

    assert len(listed(page)) == 30
    assert page.select_one('.pagination a[rel="next"]') is None


@pytest.mark.parametrize("name", ["같은이름", "아무도아님"])
def test_no_account_panel_for_a_name_of_two_accounts_or_of_none(world, name):
    for username in ("first", "second"):
        writer = AuthorFactory(name="같은이름", user=UserFactory(username=username))
        CommentFactory(post=world["comments"]["news_reader"].post, author=writer)

    response = client_for(world["moderator"]).get(f"{DESK}?author={name}")

    assert response.status_code == 200
    assert soup(response).select(".desk-account") == []


def test_a_form_with_two_mistakes_names_the_first(world):
    client = client_for(world["moderator"])
    data = {"action": "remove_recent", "account": "abc", "days": "5"}

    client.post(ACTIONS, data)

    assert messages_of(soup(client.get(DESK))) == ["정수를 입력하세요."]


def test_the_desk_answers_only_get_and_its_actions_only_post(world):
    client = client_for(world["moderator"])
    news = world["comments"]["news_spam"]

    assert client.post(DESK).status_code == 405
    link = client.get(ACTIONS, {"action": "remove", "comment": [news.pk]})
    assert link.status_code == 405
    assert not refresh(news).is_removed


@pytest.mark.parametrize("action", ["remove", "remove_recent"])
def test_a_bulk_removal_failing_midway_removes_nothing(world, monkeypatch, action):
    real = services.remove_comment
    done = []

    def fails_second(comment, **kwargs):
        if done:
            raise DatabaseError("the database went away")
        done.append(real(comment, **kwargs))
        return done[-1]

    monkeypatch.setattr(services, "remove_comment", fails_second)
    comments = world["comments"]
    spam = [comments["news_spam"], comments["news_spam_2"]]

    if action == "remove":
        run = lambda: moderation.remove_selected(world["moderator"], [c.pk for c in spam])  # noqa: E731
    else:
        run = lambda: moderation.remove_recent(world["moderator"], world["spammer"], 7)  # noqa: E731

    with pytest.raises(DatabaseError):
        run()

    assert done == [1]
    assert not Comment.objects.filter(is_removed=True).exists()


def test_remove_recent_without_a_reason_says_which_days(world):
    client = client_for(world["board_moderator"])

    client.post(ACTIONS, {"action": "remove_recent", "account": world["spammer"].pk, "days": "3"})

    assert refresh(world["comments"]["news_spam"]).removal_reason == "최근 3일 댓글 한꺼번에 삭제"

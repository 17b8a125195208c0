"""Reports (신고): the reader's form, one per reader and item, the rate limit, auto-hide, the
moderators' queue and its decisions, and who may do what."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import reports, services
from board.models import Board, Comment, Decision, Post, Report, Suspension
from tests.conftest import BROWSER_UA
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
from tests.test_fuzz import PAYLOADS, no_server_error

pytestmark = pytest.mark.django_db

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


# The reader's form ----------------------------------------------------------------------


def test_a_reader_reports_a_comment_and_comes_back_to_it_with_a_korean_message(comment):
    reader = UserFactory(username="독자")
    client = client_for(reader)
    url = f"/comments/{comment.pk}/report/"

    form = soup(client.get(url))
    response = client.post(url, {"reason": "spam", "text": "도박 광고"})

    assert [r["value"] for r in form.select("input[name=reason]")] == [
        "spam",
        "abuse",
        "illegal",
        "other",
    ]
    assert response.status_code == 302
    assert response["Location"] == f"{comment.post.get_absolute_url()}#comment-{comment.pk}"
    assert messages_of(soup(client.get(response["Location"]))) == [
        "신고를 접수했습니다. 운영진이 살펴보겠습니다."
    ]
    stored = Report.objects.get()
    assert (stored.reporter, stored.comment, stored.reason, stored.text) == (
        reader,
        comment,
        "spam",
        "도박 광고",
    )
    assert refresh(comment).report_count == 1


def test_a_reader_reports_an_article_from_its_report_link(article):
    client = client_for(UserFactory(username="독자"))
    page = soup(client.get(article.get_absolute_url()))
    link = page.select_one("a.post-report")["href"]

    response = client.post(link, {"reason": "illegal"})

    assert link == f"/{article.number}/report/"
    assert response["Location"] == article.get_absolute_url()
    assert Report.objects.get().post == article


def test_other_needs_a_text_and_nothing_is_stored_without_it(comment):
    client = client_for(UserFactory(username="독자"))

    response = client.post(f"/comments/{comment.pk}/report/", {"reason": "other", "text": " "})

    assert response.status_code == 400
    assert "기타 사유는 설명을 써 주세요." in text(soup(response))
    assert not Report.objects.exists()


def test_a_reader_reports_an_item_once_and_is_told_so_the_second_time(comment):
    reader = UserFactory(username="독자")
    client = client_for(reader)
    url = f"/comments/{comment.pk}/report/"
    client.post(url, {"reason": "spam"})

    again = client.post(url, {"reason": "abuse"})

    assert again.status_code == 403
    assert "이미 신고했습니다." in text(soup(again))
    assert Report.objects.count() == 1
    assert refresh(comment).report_count == 1


def test_the_database_holds_one_report_per_reader_and_item(comment, article):
    reader = UserFactory(username="독자")
    Report.objects.create(reporter=reader, comment=comment, board=comment.post.board, reason="spam")
    Report.objects.create(reporter=reader, post=article, board=article.board, reason="spam")

    for key in ({"comment": comment}, {"post": article}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(reporter=reader, board=article.board, reason="abuse", **key)


def test_no_report_link_on_ones_own_items_and_the_address_refuses_them(comment, writer):
    client = client_for(writer)
    page = soup(client.get(comment.post.get_absolute_url()))

    own = client.post(f"/comments/{comment.pk}/report/", {"reason": "spam"})

    assert page.select_one(f"#comment-{comment.pk} a.comment-report") is None
    assert own.status_code == 403
    assert "자기 댓글은 신고할 수 없습니다." in text(soup(own))
    assert not Report.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_readers_are_sent_to_login_and_nothing_is_stored(comment, method):
    url = f"/comments/{comment.pk}/report/"

    response = getattr(Client(), method)(url, {"reason": "spam"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_reader(board, settings):
    settings.REPORT_RATE_LIMITS = [(60, 2)]
    client = client_for(UserFactory(username="독자"))
    comments = CommentFactory.create_batch(3)

    answers = [
        client.post(f"/comments/{c.pk}/report/", {"reason": "spam"}).status_code for c in comments
    ]

    assert answers == [302, 302, 429]
    assert Report.objects.count() == 2


def test_the_reported_author_never_learns_who_reported_or_how_many(comment, writer, moderator):
    ReportFactory(comment=comment, reporter=UserFactory(username="제보자하나"), text="비밀 제보")
    ReportFactory(post=comment.post, reporter=UserFactory(username="제보자둘"))

    for viewer in (writer, None, moderator):
        page = client_for(viewer).get(comment.post.get_absolute_url()).content.decode()
        assert "제보자" not in page
        assert "비밀 제보" not in page
    # Not even the queue names a reporter.
    queue = client_for(moderator).get("/moderation/reports/").content.decode()
    assert "비밀 제보" in queue
    assert "제보자" not in queue


# Auto-hide ------------------------------------------------------------------------------


def set_threshold(board, n):
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=n)


def test_a_comment_is_hidden_at_exactly_n_distinct_readers_not_before(board, comment, moderator):
    set_threshold(board, 3)
    first = UserFactory(username="독자1")
    ReportFactory(comment=comment, reporter=first)
    ReportFactory(comment=comment, reporter=UserFactory(username="독자2"))
    with pytest.raises(reports.ReportRefused):  # the same reader again counts once
        reports.check_report(first, author_user_id=None, comment=comment)
    client_for(first).post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})
    before = soup(Client().get(comment.post.get_absolute_url()))

    ReportFactory(comment=comment, reporter=UserFactory(username="독자3"))
    after = soup(Client().get(comment.post.get_absolute_url()))
    moderated = soup(client_for(moderator).get(comment.post.get_absolute_url()))

    assert text(before.select_one(f"#comment-{comment.pk} .comment-body")) == "광고 댓글"
    hidden = after.select_one(f"#comment-{comment.pk}")
    assert text(hidden) == HIDDEN_COMMENT
    assert "광고 댓글" not in after.decode()
    shown = moderated.select_one(f"#comment-{comment.pk}")
    assert "신고로 가려짐" in text(shown)
    assert text(shown.select_one(".comment-body")) == "광고 댓글"


def test_threshold_zero_never_hides(board, comment):
    set_threshold(board, 0)
    for n in range(6):
        ReportFactory(comment=comment, reporter=UserFactory(username=f"독자{n}"))

    assert refresh(comment).is_hidden is False
    assert refresh(comment).report_count == 6


def test_a_hidden_article_keeps_its_place_but_not_its_title_or_body(board, article, moderator):
    set_threshold(board, 1)
    seq, count = article.seq, Board.objects.get(pk=board.pk).post_count

    ReportFactory(post=article)
    page = soup(Client().get(article.get_absolute_url()))
    moderated = soup(client_for(moderator).get(article.get_absolute_url()))

    assert (refresh(article).seq, Board.objects.get(pk=board.pk).post_count) == (seq, count)
    assert [row["title"] for row in listing_rows(soup(Client().get("/")))] == ["신고로 가려진 글"]
    assert text(page.select_one("h1.post-title")) == HIDDEN_POST
    assert "문제의 본문" not in page.decode()
    assert "문제의 글" not in text(page.select_one("article.post"))
    assert "문제의 본문" in text(moderated.select_one(".post-body"))
    assert "신고로 가려짐" in text(moderated.select_one("h1.post-title"))


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
    older = PostFactory(title="먼저 신고된 글")
    busy = CommentFactory(body="여러 번 신고된 댓글")
    newer = PostFactory(title="나중에 신고된 글")
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


def decide_url(item):
    kind = "comment" if isinstance(item, Comment) else "post"
    return f"/moderation/reports/{kind}/{item.pk}/"


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
    assert (
        client.post(f"/moderation/reports/user/{comment.pk}/", {"action": "remove"}).status_code
        == 404
    )
    assert client.post(decide_url(comment), {"action": "explode", "days": "1"}).status_code == 400
    assert not Decision.objects.exists()


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
    assert not Report.objects.exists()


# Hostile input (as tests/test_fuzz.py does for the other forms) -------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_report_and_queue_field_survives_hostile_values(comment, moderator, payload):
    reader = client_for(UserFactory(username="fuzzer"))
    desk = client_for(moderator)

    answers = [
        ("report", reader.post(f"/comments/{comment.pk}/report/", {"reason": payload})),
        ("article", reader.post(f"/{comment.post.number}/report/", {"reason": payload})),
        ("queue", desk.get("/moderation/reports/", {"page": payload})),
        ("suspensions", desk.get("/moderation/suspensions/", {"page": payload})),
    ]
    for field in ("action", "days"):
        data = {"action": "remove", "days": "1", "reason": "", field: payload}
        answers.append((field, desk.post(decide_url(comment), data)))
    answers.append(("reason", desk.post(decide_url(comment), {"action": "x", "reason": payload})))

    for label, response in answers:
        no_server_error(response, label)
    assert not Report.objects.exists()
    assert not Decision.objects.exists()
    assert refresh(comment).is_removed is False


REASONS = [choice for choice, _label in Report.Reason.choices]
TEXT = st.one_of(
    st.text(alphabet="가나 <&\"'\n", max_size=40),
    st.text(alphabet="가", min_size=501, max_size=520),
    st.tuples(st.text(alphabet="가", max_size=5), st.sampled_from("\x00\x08\x1f\x7f")).map("".join),
)


def report_is_valid(reason, text_):
    cleaned = text_.replace("\r\n", "\n").replace("\r", "\n")
    if reason not in REASONS or len(text_) > 500:
        return False
    if any(c in cleaned for c in "\x00\x08\x1f\x7f"):
        return False
    return reason != "other" or bool(cleaned.strip())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reason=st.one_of(st.sampled_from(REASONS), st.text(max_size=12)),
    text_=TEXT,
)
def test_random_reports_are_stored_or_refused_with_nothing_stored(comment, reason, text_):
    Report.objects.all().delete()
    Comment.objects.filter(pk=comment.pk).update(report_count=0, is_hidden=False)
    client = client_for(UserFactory(username="random-reporter"))

    response = client.post(f"/comments/{comment.pk}/report/", {"reason": reason, "text": text_})

    no_server_error(response, repr((reason, text_[:20])))
    if report_is_valid(reason, text_):
        assert response.status_code == 302
        assert Report.objects.get().text == text_.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        assert response.status_code == 400
        assert soup(response).select_one(".form-errors").get_text(strip=True)
        assert not Report.objects.exists()


def test_a_hidden_article_stays_out_of_the_feed_until_dismissed(board, article, moderator):
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=1)
    ReportFactory(post=article)

    hidden = Client().get("/feed/rss/").content.decode()
    reports.decide(action="dismiss", by=moderator, post=refresh(article))
    shown = Client().get("/feed/rss/").content.decode()

    assert "문제의 본문" not in hidden
    assert "문제의 본문" in shown


def test_a_hidden_articles_title_is_masked_in_search_results(board, article):
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=1)
    ReportFactory(post=article)

    found = soup(Client().get("/", {"q": "문제의", "target": "title_body"}))

    assert [row["title"] for row in listing_rows(found)] == ["신고로 가려진 글"]


def test_the_board_admin_sets_the_auto_hide_threshold(board):
    admin = client_for(UserFactory(username="관리자", is_staff=True, is_superuser=True))

    page = soup(admin.get(f"/admin/board/board/{board.pk}/change/"))

    field = page.select_one("input[name=report_hide_threshold]")
    assert field["value"] == "5"
    assert text(page.select_one("label[for=id_report_hide_threshold]")).rstrip(":") == (
        "신고 자동 가림 기준"
    )

"""Reports (신고): the reader's form, one per reader and item, the rate limit, auto-hide, the
moderators' queue and its decisions, and who may do what."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import reports, services
from board.limits import RateLimited
from board.models import Board, Comment, Decision, Report
from tests.factories import (
    CommentFactory,
    PostFactory,
    ReportFactory,
    UserFactory,
)
from tests.pages import listing_rows, soup, text
from tests.races import race
from tests.reporting import (
    HIDDEN_COMMENT,
    HIDDEN_POST,
    client_for,
    decide_url,
    messages_of,
    refresh,
    set_threshold,
)
from tests.test_fuzz import PAYLOADS, no_server_error

pytestmark = pytest.mark.django_db


def refusal(response):
    """The error page's text under its title."""
    return text(soup(response).select_one("h1").find_next_sibling("p"))


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


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_report_addresses_take_only_get_and_post(comment, article, method):
    client = client_for(UserFactory(username="독자"))

    for url in (f"/comments/{comment.pk}/report/", f"/{article.number}/report/"):
        assert getattr(client, method)(url).status_code == 405
    assert not Report.objects.exists()


def test_the_default_boards_report_address_under_its_name_redirects_to_the_front_one(
    article, settings
):
    client = client_for(UserFactory(username="독자"))

    response = client.get(f"/{settings.BOARD_SLUG}/{article.number}/report/?from=list")

    assert response.status_code == 301
    assert response["Location"] == f"/{article.number}/report/?from=list"


def test_a_secret_articles_report_forms_say_it_is_secret(board, writer):
    secret = PostFactory(title="비밀 문의", is_secret=True, author=services.author_for(writer))
    comment = CommentFactory(post=secret, body="비밀 답변")
    client = client_for(UserFactory(username="독자"))

    for url in (f"/{secret.number}/report/", f"/comments/{comment.pk}/report/"):
        response = client.post(url, {"reason": "spam"})
        assert response.status_code == 403
        assert text(soup(response).select_one("h1")) == "비밀글입니다"
    assert not Report.objects.exists()


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
    assert refusal(again) == "이미 신고했습니다."
    assert Report.objects.count() == 1
    assert refresh(comment).report_count == 1
    # Another reader's report of the same comment is theirs to make.
    other = client_for(UserFactory(username="다른독자")).post(url, {"reason": "abuse"})
    assert other.status_code == 302
    assert refresh(comment).report_count == 2


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
    assert refusal(own) == "자기 댓글은 신고할 수 없습니다."
    assert not Report.objects.exists()


def test_ones_own_article_is_refused_with_its_own_message(article, writer):
    own = client_for(writer).post(f"/{article.number}/report/", {"reason": "spam"})

    assert own.status_code == 403
    assert refusal(own) == "자기 글은 신고할 수 없습니다."
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


def test_a_hidden_articles_words_find_nothing_but_its_author_lists_it_masked(board, article):
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=1)
    ReportFactory(post=article)

    def titles(q, target):
        found = soup(Client().get("/", {"q": q, "target": target}))
        return [row["title"] for row in listing_rows(found)]

    assert titles("문제의", "title_body") == []
    assert titles("문제의", "title") == []
    assert titles("본문", "body") == []
    assert titles(article.author.name, "author") == ["신고로 가려진 글"]


def test_a_hidden_comments_words_find_nothing(board, comment):
    Board.objects.filter(pk=board.pk).update(report_hide_threshold=1)
    before = soup(Client().get("/", {"q": "광고 댓글", "target": "comment"}))
    ReportFactory(comment=comment)

    after = soup(Client().get("/", {"q": "광고 댓글", "target": "comment"}))

    assert [row["title"] for row in listing_rows(before)] == ["평범한 글"]
    assert listing_rows(after) == []


def test_the_board_admin_sets_the_auto_hide_threshold(board):
    admin = client_for(UserFactory(username="관리자", is_staff=True, is_superuser=True))

    page = soup(admin.get(f"/admin/board/board/{board.pk}/change/"))

    field = page.select_one("input[name=report_hide_threshold]")
    assert field["value"] == "5"
    assert text(page.select_one("label[for=id_report_hide_threshold]")).rstrip(":") == (
        "신고 자동 가림 기준"
    )


@pytest.fixture
def news(settings):
    """The default board, made again if an earlier transactional test flushed it."""
    return Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})[0]


@pytest.mark.django_db(transaction=True)
def test_one_readers_reports_arriving_together_are_counted_one_by_one(news, settings):
    settings.REPORT_RATE_LIMITS = [(60, 1)]
    reader = UserFactory(username="독자")
    first, second = CommentFactory.create_batch(2)
    outcomes = []

    def send(comment):
        def run():
            try:
                reports.report(reader, reason="spam", comment=comment)
                outcomes.append("stored")
            except RateLimited:
                outcomes.append("limited")

        return run

    # The second waits on the first's lock on the account, then counts its report.
    race(send(first), send(second))

    assert outcomes == ["stored", "limited"]
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_stores_one_report_and_refuses_the_other(news):
    reader = UserFactory(username="독자")
    comment = CommentFactory()
    outcomes = []

    def send():
        try:
            reports.report(reader, reason="spam", comment=comment)
            outcomes.append("stored")
        except reports.ReportRefused as refusal:
            outcomes.append(refusal.args[0])

    race(send, send)

    assert outcomes == ["stored", "이미 신고했습니다."]
    assert refresh(comment).report_count == 1

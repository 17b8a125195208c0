"""Search under the listing: targets, paging by position, odd input, the way back."""

import re

import pytest
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL

from board import search
from board.models import Comment, Post
from tests.factories import AuthorFactory, BoardFactory, CommentFactory, PostFactory, UserFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db


def numbers(response):
    return [r["number"] for r in listing_rows(soup(response))]


def test_title_search_shows_matches_in_the_listing_layout_with_their_numbers(client, board):
    PostFactory(title="우체국 택배 요금 인상")
    PostFactory(title="집배원 이야기")
    PostFactory(title="우체국 금융 소식")

    response = client.get("/", {"q": "우체국", "target": "title"})

    assert response.status_code == 200
    rows = listing_rows(soup(response))
    assert [(r["number"], r["title"]) for r in rows] == [
        ("3", "우체국 금융 소식"),
        ("1", "우체국 택배 요금 인상"),
    ]
    assert rows[0]["href"] == "/3/?q=%EC%9A%B0%EC%B2%B4%EA%B5%AD&target=title"
    assert "'우체국' 검색 결과" in text(soup(response).select_one(".search-summary"))
    # The search box below keeps what was searched, to refine it.
    box = soup(response).select_one("form.search-form")
    assert box.select_one("input[name=q]")["value"] == "우체국"
    assert box.select_one("select[name=target] option[selected]")["value"] == "title"


@pytest.mark.parametrize(
    ("target", "expected"),
    [("title_body", ["3", "1"]), ("title", ["1"]), ("body", ["3"]), ("author", ["2"])],
)
def test_each_target_searches_its_own_field(client, board, target, expected):
    PostFactory(title="빨간 우체통", body="내용 없음")
    PostFactory(title="무관", body="무관", author=AuthorFactory(name="우체통지기"))
    PostFactory(title="다른 제목", body="오래된 우체통 이야기")

    assert numbers(client.get("/", {"q": "우체통", "target": target})) == expected


def test_comment_search_finds_articles_by_their_visible_comments(client, board):
    first, second, third = PostFactory.create_batch(3)
    CommentFactory(post=first, body="소포가 늦게 왔어요")
    CommentFactory(post=first, body="저도 소포 기다려요")  # two matches: still one result
    removed = CommentFactory(post=third, body="소포 분실")
    CommentFactory(post=second, body="감사합니다")
    # The second article keeps a visible comment, so only the removal hides this one.
    removed_beside_visible = CommentFactory(post=second, body="소포 받았어요")
    from board import services

    admin = UserFactory(is_superuser=True)
    services.remove_comment(removed, by=admin)
    services.remove_comment(removed_beside_visible, by=admin)

    assert numbers(client.get("/", {"q": "소포", "target": "comment"})) == ["1"]


def test_results_page_by_position_and_keep_the_query(client, board):
    for i in range(45):
        PostFactory(title=f"공지 {i}")
    PostFactory(title="무관한 글")

    first = client.get("/", {"q": "공지", "target": "title"})
    assert numbers(first) == [str(n) for n in range(45, 25, -1)]
    assert soup(first).select_one('nav.pagination [rel="prev"]') is None  # nothing is newer
    older = soup(first).select_one('nav.pagination [rel="next"]')["href"]
    assert "q=%EA%B3%B5%EC%A7%80" in older
    assert "target=title" in older

    second = client.get("/" + older)
    assert numbers(second) == [str(n) for n in range(25, 5, -1)]
    # Its articles lead back to this page of results, not to the first.
    assert listing_rows(soup(second))[0]["href"] == "/25/" + older
    third = client.get("/" + soup(second).select_one('nav.pagination [rel="next"]')["href"])
    assert numbers(third) == ["5", "4", "3", "2", "1"]
    assert soup(third).select_one('nav.pagination [rel="next"]') is None

    back = client.get("/" + soup(third).select_one('nav.pagination [rel="prev"]')["href"])
    assert numbers(back) == [str(n) for n in range(25, 5, -1)]


def test_an_old_link_from_above_the_newest_article_offers_nothing_newer(client, board):
    """An "older results" link kept while the newest articles were removed since: it starts
    above today's newest position, and nothing is newer than what it shows."""
    from board import services

    posts = [PostFactory(title=f"공지 {i}") for i in range(8)]
    stale = posts[-1].seq + 1  # "older than the newest", as a link made before the removals
    for post in posts[-3:]:
        services.remove_post(post, by=None)
    page = client.get("/", {"q": "공지", "target": "title", "before": stale})
    assert numbers(page) == ["5", "4", "3", "2", "1"]
    assert soup(page).select_one('nav.pagination [rel="prev"]') is None


def test_windowed_search_continues_into_older_posts(client, board, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 10)
    PostFactory(title="오래된 특종")
    PostFactory.create_batch(24, title="평범한 글")

    first = soup(client.get("/", {"q": "특종", "target": "title"}))
    assert listing_rows(first) == []
    assert "계속 찾기" in text(first.select_one("nav.pagination"))

    page = first
    for _ in range(3):
        link = page.select_one('nav.pagination [rel="next"]')
        if link is None:
            break
        page = soup(client.get("/" + link["href"]))
        if listing_rows(page):
            break
    assert [r["title"] for r in listing_rows(page)] == ["오래된 특종"]


def test_article_opened_from_results_leads_back_to_them(client, board):
    PostFactory(title="우체국 소식")
    link = listing_rows(soup(client.get("/", {"q": "우체국", "target": "title"})))[0]["href"]

    article = soup(client.get(link))

    back = article.select_one("a.button")["href"]
    assert back == "/?q=%EC%9A%B0%EC%B2%B4%EA%B5%AD&target=title"


def test_article_opened_from_an_older_results_page_leads_back_to_that_page(client, board):
    for i in range(25):
        PostFactory(title=f"우체국 소식 {i}")
    first = soup(client.get("/", {"q": "우체국", "target": "title"}))
    older = first.select_one('nav.pagination [rel="next"]')["href"]
    link = listing_rows(soup(client.get("/" + older)))[0]["href"]

    back = soup(client.get(link)).select_one("a.button")["href"]
    assert back == "/" + older  # the same page of results, not the first

    # And from there to the newer results (an ``after`` cursor) and back.
    newer = soup(client.get("/" + older)).select_one('nav.pagination [rel="prev"]')["href"]
    assert "after=" in newer
    link = listing_rows(soup(client.get("/" + newer)))[0]["href"]
    assert soup(client.get(link)).select_one("a.button")["href"] == "/" + newer


def test_empty_query_asks_for_one(client, board):
    PostFactory()
    response = client.get("/", {"q": "   ", "target": "title"})
    assert response.status_code == 200
    assert text(soup(response).select_one(".search-summary")) == "검색어를 입력하세요."
    assert numbers(response) == []


@pytest.mark.parametrize(
    ("q", "status", "message"),
    [
        ("가" * 101, 400, "100자까지"),
        ("널\x00문자", 400, "null 문자"),
        ("벨\x07소리", 400, "제어 문자"),
        ("%", 200, "검색 결과"),
        ("_", 200, "검색 결과"),
        ("' OR 1=1 --", 200, "검색 결과"),
        ("<script>alert(1)</script>", 200, "검색 결과"),
    ],
)
def test_odd_queries_give_a_clear_answer(client, board, q, status, message):
    PostFactory(title="평범한 글 100%")
    PostFactory(title="또 다른 글")

    response = client.get("/", {"q": q, "target": "title"})

    assert response.status_code == status
    assert message in text(soup(response).select_one(".search-summary"))
    assert soup(response).find("script") is None
    if q == "%":  # LIKE's wildcard is taken literally
        assert [r["title"] for r in listing_rows(soup(response))] == ["평범한 글 100%"]
    if q in ("_", "' OR 1=1 --"):
        assert numbers(response) == []


@pytest.mark.parametrize("params", [{"target": "nonsense"}, {"before": "abc"}, {"after": "-5"}])
def test_junk_search_parameters_are_refused_clearly(client, board, params):
    PostFactory(title="우체국")
    response = client.get("/", {"q": "우체국", **params})
    assert response.status_code == 400
    assert soup(response).select_one(".search-summary") is not None


def test_search_takes_three_queries_and_the_timeout_on_postgresql(
    client, board, django_assert_num_queries
):
    PostFactory.create_batch(30, title="우체국 소식")
    # 1: the board row; 2: the address's search count (one upsert); 3: the matching rows,
    # newest first, with their authors and the board's top position; 4: the boards of the
    # navigation bar. PostgreSQL adds the statement that sets the timeout, and the savepoint
    # around it (the test's transaction).
    # (The address's first search in a minute also deletes expired counts: not this one.)
    client.get("/", {"q": "우체국", "target": "title_body"})
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(4 + 3 * postgresql):
        response = client.get("/", {"q": "우체국", "target": "title_body"})
    assert len(numbers(response)) == 20


@pytest.mark.parametrize("target", ["title_body", "title", "body", "author", "comment"])
def test_search_stops_after_its_window_even_where_an_index_could_match(
    client, board, monkeypatch, target
):
    # Three or more characters: PostgreSQL's trigram indexes could find the old post at once,
    # but no request may look beyond its window of positions.
    monkeypatch.setattr(search, "WINDOW", 50)
    monkeypatch.setattr(search, "COMMENT_WINDOW", 50)
    old = PostFactory(
        title="특종기사 제목", body="특종기사 본문", author=AuthorFactory(name="특종기사단")
    )
    CommentFactory(post=old, body="특종기사 댓글")
    PostFactory.create_batch(119, title="평범한 글", body="평범한 내용")

    page = soup(client.get("/", {"q": "특종기사", "target": target}))
    assert listing_rows(page) == []
    assert "계속 찾기" in text(page.select_one("nav.pagination"))

    hops = 0
    while not listing_rows(page):
        page = soup(client.get("/" + page.select_one('nav.pagination [rel="next"]')["href"]))
        hops += 1
    assert [r["number"] for r in listing_rows(page)] == ["1"]
    assert hops == 2  # positions 71-120, then 21-70, then 1-20
    assert page.select_one('nav.pagination [rel="next"]') is None


def test_a_comment_search_examines_a_smaller_window_than_the_other_targets(
    client, board, monkeypatch
):
    # Each post in a comment search's window costs a look at all its comments.
    monkeypatch.setattr(search, "WINDOW", 50)
    monkeypatch.setattr(search, "COMMENT_WINDOW", 20)
    old = PostFactory(title="특종기사 제목")
    CommentFactory(post=old, body="특종기사 댓글")
    PostFactory.create_batch(29, title="평범한 글")

    by_title = soup(client.get("/", {"q": "특종기사", "target": "title"}))
    by_comment = soup(client.get("/", {"q": "특종기사", "target": "comment"}))

    assert numbers_of(by_title) == ["1"]  # positions 1-30, all within 50
    assert numbers_of(by_comment) == []  # positions 11-30
    older = by_comment.select_one('nav.pagination [rel="next"]')
    assert "계속 찾기" in text(older)
    assert numbers_of(soup(client.get("/" + older["href"]))) == ["1"]  # positions 1-10


def test_search_starts_at_the_highest_position_when_positions_have_gaps(client, board, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 50)
    PostFactory.create_batch(30, title="우체국 소식")
    # Positions keep their order but need not be dense: the newest ten sit 100 higher.
    Post.objects.filter(seq__gt=20).update(seq=F("seq") + 100)

    first = soup(client.get("/", {"q": "우체국", "target": "title"}))

    assert numbers_of(first) == [str(n) for n in range(30, 20, -1)]
    older = first
    for _ in range(2):  # positions 81-130, then 31-80 (empty), then 1-30
        older = soup(client.get("/" + older.select_one('nav.pagination [rel="next"]')["href"]))
    assert numbers_of(older) == [str(n) for n in range(20, 0, -1)]
    assert older.select_one('nav.pagination [rel="prev"]') is not None


def numbers_of(page):
    return [r["number"] for r in listing_rows(page)]


@pytest.mark.parametrize("target", ["title_body", "author", "comment"])
def test_postgresql_reads_at_most_the_window_for_a_term_that_matches_nothing(
    board, monkeypatch, target
):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN ANALYZE's row counts are PostgreSQL's")
    monkeypatch.setattr(search, "WINDOW", 100)
    monkeypatch.setattr(search, "COMMENT_WINDOW", 100)
    author = AuthorFactory(name="우체국 기자")
    posts = Post.objects.bulk_create(
        Post(board=board, author=author, number=n, seq=n, title="우체국 소식", body="우체국 내용")
        for n in range(1, 20_001)
    )
    Comment.objects.bulk_create(Comment(post=p, author=author, body="좋은 소식") for p in posts)
    Post.objects.update(comment_count=1)
    # An author with 500 articles, all older than the window.
    old_hand = AuthorFactory(name="없는 말 작가")
    Post.objects.filter(seq__lte=500).update(author=old_hand)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE board_post, board_comment, board_author")
        # The rows' deferred key checks now, not at the end of the test's transaction under
        # the search's settings (a plan for each of the 40,000, within its statement timeout).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with search.guarded(board) as top:
        scope = search.window_query(board, "없는 말", target, top=top)
        plan = scope.values_list(*search.ROW_FIELDS)[:21].explain(analyze=True)

    assert "Bitmap" not in plan, plan
    assert "Seq Scan on board_post" not in plan, plan
    assert "Index Scan Backward using post_listing_idx" in plan, plan
    # No step reads more than the window (an EXISTS join read all 20,000 comments).
    removed = [int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", plan)]
    assert max(removed, default=0) <= 100, plan


def test_a_search_past_the_statement_timeout_gets_a_clear_answer(
    client, board, settings, monkeypatch
):
    PostFactory.create_batch(3, title="우체국 소식")
    if connection.vendor == "postgresql":
        settings.SEARCH_STATEMENT_TIMEOUT_MS = 1
        slow = RawSQL("pg_sleep(0.05) IS NOT NULL", [], output_field=BooleanField())
        matching = search.matching
        monkeypatch.setattr(search, "matching", lambda q, target: matching(q, target) & Q(slow))
    else:  # no statement timeout: a progress handler looks at the clock instead
        settings.SEARCH_STATEMENT_TIMEOUT_MS = 0
        monkeypatch.setattr(search, "PROGRESS_STEPS", 1)

    response = client.get("/", {"q": "우체국", "target": "title"})

    assert response.status_code == 503
    assert text(soup(response).select_one(".search-summary")) == (
        "검색이 너무 오래 걸려 멈췄습니다. 검색어를 더 길게 쓰거나 검색 대상을 좁혀 주세요."
    )
    # The connection is fine afterwards.
    assert Post.objects.count() == 3


def test_postgresql_plans_each_search_for_its_own_words_and_window(client, board, settings):
    # A plan kept from earlier searches (PostgreSQL's generic plan, after five) knows neither
    # the words nor the window, which the search's plans were chosen for.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements; this run is on SQLite")
    settings.SEARCH_RATE_LIMITS = [(10, 1000)]  # one reader searching often
    PostFactory.create_batch(30, title="우체국 소식")
    PostFactory(author=AuthorFactory(name="편집부"))
    for _ in range(12):
        for target in ("title_body", "author", "comment"):
            assert client.get("/", {"q": "우체국", "target": target}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        searches = [plans for sql, plans in cursor.fetchall() if "LIKE" in sql.upper()]
    assert searches  # prepared, as every statement run often is
    assert set(searches) == {0}


def test_author_search_finds_posts_whether_few_or_many_authors_match(client, board, monkeypatch):
    monkeypatch.setattr(search, "AUTHOR_IDS", 2)
    reporters = [AuthorFactory(name=f"김 기자 {i}") for i in range(3)]
    for reporter in reporters:
        PostFactory(author=reporter)
    PostFactory(author=AuthorFactory(name="편집부"))

    assert numbers(client.get("/", {"q": "기자", "target": "author"})) == ["3", "2", "1"]
    assert numbers(client.get("/", {"q": "기자 1", "target": "author"})) == ["2"]
    assert numbers(client.get("/", {"q": "없는 이름", "target": "author"})) == []


@pytest.mark.parametrize(("elapsed", "status"), [(0.5, 200), (1.5, 503)])
def test_a_sqlite_search_stops_only_once_its_time_is_up(
    client, board, settings, monkeypatch, elapsed, status
):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's statement timeout is tested above")
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 1000
    monkeypatch.setattr(search, "PROGRESS_STEPS", 1)
    calls = []

    def monotonic():  # the search starts at 100 s, and every later look is `elapsed` on
        calls.append(None)
        return 100.0 if len(calls) == 1 else 100.0 + elapsed

    monkeypatch.setattr(search, "monotonic", monotonic)
    PostFactory.create_batch(3, title="우체국 소식")

    response = client.get("/", {"q": "우체국", "target": "title"})

    assert response.status_code == status
    assert len(numbers(response)) == (3 if status == 200 else 0)


def test_search_finds_only_this_boards_articles(client, board):
    PostFactory(title="우체국 소식", board=BoardFactory())
    PostFactory(title="우체국 이야기")

    response = client.get("/", {"q": "우체국", "target": "title"})

    assert [r["title"] for r in listing_rows(soup(response))] == ["우체국 이야기"]


def test_going_back_to_newer_results_also_searches_one_window_at_a_time(client, board, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 10)
    for n in range(1, 31):
        PostFactory(title="우체국 특종" if n in (1, 10, 28) else "평범한 글")

    page = soup(client.get("/", {"q": "특종", "target": "title"}))
    assert numbers_of(page) == ["28"]  # positions 21-30
    for _ in range(2):  # positions 11-20, then 1-10
        page = soup(client.get("/" + page.select_one('nav.pagination [rel="next"]')["href"]))
    assert numbers_of(page) == ["10", "1"]

    newer = soup(client.get("/" + page.select_one('nav.pagination [rel="prev"]')["href"]))

    assert numbers_of(newer) == []  # positions 11-20 again, not beyond
    older = soup(client.get("/" + newer.select_one('nav.pagination [rel="next"]')["href"]))
    assert numbers_of(older) == ["10", "1"]  # and back: positions 1-10
    newest = soup(client.get("/" + newer.select_one('nav.pagination [rel="prev"]')["href"]))
    assert numbers_of(newest) == ["28"]
    assert newest.select_one('nav.pagination [rel="prev"]') is None  # nothing newer


def test_a_search_that_finds_nothing_takes_no_extra_query_on_postgresql(
    client, board, django_assert_num_queries
):
    PostFactory.create_batch(3, title="우체국 소식")
    client.get("/", {"q": "없는 말", "target": "title_body"})
    # As above; where the window holds no match, SQLite reads the top position in a query of
    # its own, while PostgreSQL already has it from the statement that set the timeout.
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(4 + 3 * postgresql + (not postgresql)):
        response = client.get("/", {"q": "없는 말", "target": "title_body"})
    assert numbers(response) == []


def test_searching_a_board_without_articles_finds_nothing_calmly(client, board):
    response = client.get("/", {"q": "우체국", "target": "title"})

    assert response.status_code == 200
    assert numbers(response) == []
    assert soup(response).select_one('nav.pagination [rel="next"]') is None


def test_going_back_to_newer_results_shows_every_match_once_and_stops_at_the_newest(
    client, board, monkeypatch
):
    monkeypatch.setattr(search, "WINDOW", 10)
    monkeypatch.setattr(search, "PAGE", 2)
    matches = [1, 12, 14, 16, 18, 25, 27, 29]  # a newer window holds more than a page
    for n in range(1, 31):
        PostFactory(title="우체국 특종" if n in matches else "평범한 글")
    page = soup(client.get("/", {"q": "특종", "target": "title"}))
    while older := page.select_one('nav.pagination [rel="next"]'):
        page = soup(client.get("/" + older["href"]))
    assert numbers_of(page) == ["1"]

    shown = []
    while newer := page.select_one('nav.pagination [rel="prev"]'):
        page = soup(client.get("/" + newer["href"]))
        shown.append(numbers_of(page))

    # Page by page back up: none skipped or shown twice, and no empty page past the newest.
    assert [n for numbers in shown for n in reversed(numbers)] == [str(n) for n in matches[1:]]
    assert shown[-1] == ["29", "27"]


def test_the_window_just_below_the_newest_match_leads_back_to_it(client, board, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 10)
    for n in range(1, 31):
        PostFactory(title="우체국 특종" if n in (5, 30) else "평범한 글")

    def follow(page, rel):
        return soup(client.get("/" + page.select_one(f'nav.pagination [rel="{rel}"]')["href"]))

    page = soup(client.get("/", {"q": "특종", "target": "title"}))
    assert numbers_of(page) == ["30"]
    page = follow(follow(page, "next"), "prev")  # positions 11-20, then back up: 21-30
    assert numbers_of(page) == ["30"]
    below = follow(page, "next")  # the positions under the newest match: nothing there

    assert numbers_of(below) == []
    assert numbers_of(follow(below, "prev")) == ["30"]


def test_a_last_page_holding_exactly_a_page_of_matches_offers_nothing_older(
    client, board, monkeypatch
):
    monkeypatch.setattr(search, "PAGE", 2)
    PostFactory(title="평범한 글")
    PostFactory.create_batch(2, title="우체국 소식")

    page = soup(client.get("/", {"q": "우체국", "target": "title"}))

    assert numbers_of(page) == ["3", "2"]
    assert page.select_one('nav.pagination [rel="next"]') is None


def test_a_windowed_search_goes_down_to_the_first_article_and_no_further(
    client, board, monkeypatch
):
    monkeypatch.setattr(search, "WINDOW", 10)
    PostFactory(title="첫 특종")
    PostFactory.create_batch(9, title="평범한 글")

    page = soup(client.get("/", {"q": "특종", "target": "title"}))  # positions 1-10: all
    assert numbers_of(page) == ["1"]
    assert page.select_one('nav.pagination [rel="next"]') is None

    PostFactory(title="평범한 글")
    page = soup(client.get("/", {"q": "특종", "target": "title"}))  # positions 2-11
    assert numbers_of(page) == []
    older = soup(client.get("/" + page.select_one('nav.pagination [rel="next"]')["href"]))
    assert numbers_of(older) == ["1"]
    assert older.select_one('nav.pagination [rel="next"]') is None

"""Query budgets a reader's pages keep at any size, and no query while a template renders."""

import itertools
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jinja2 import Template

from board import reading, services
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.pages import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_board(board):
    posts = PostFactory.create_batch(45)
    CommentFactory.create_batch(30, post=posts[30])
    PostFactory(is_notice=True)
    return posts[30]


@pytest.fixture
def reader(client):
    user = UserFactory(username="reader")
    client.force_login(user)
    return user


@pytest.fixture
def moderator(client):
    user = UserFactory(username="mod")
    user.groups.add(Group.objects.get(name="모더레이터"))
    client.force_login(user)
    return user


def test_signed_in_reader_adds_two_queries_to_the_listing(
    client, busy_board, reader, django_assert_num_queries
):
    # The listing's 2, plus the session and the user (with the moderator flag).
    with django_assert_num_queries(4):
        assert client.get("/?page=2").status_code == 200


@pytest.mark.parametrize("who", ["reader", "moderator"])
def test_signed_in_reader_adds_three_queries_to_an_article_with_comments(
    client, busy_board, who, request, django_assert_num_queries
):
    request.getfixturevalue(who)
    # The article's 4 (article, view count, listing, comments), plus session, user and the
    # reader's own votes (the pressed buttons).
    with django_assert_num_queries(7):
        response = client.get(busy_board.get_absolute_url())
    page = soup(response)
    assert len(page.select("li.comment")) == 30
    # A moderator may remove every comment; a reader none of these (written by others).
    assert len(page.select("a.comment-remove")) == (30 if who == "moderator" else 0)


@pytest.fixture
def queries_while_rendering(monkeypatch):
    """Every query run inside a reader page's Jinja2 template, by template name (the context
    processors run before it: the navigation bar's boards may be read there)."""
    seen = []
    original = Template.render

    def render(self, context=None, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            html = original(self, context, **kwargs)
        seen.extend((self.name, q["sql"]) for q in queries)
        return html

    monkeypatch.setattr(Template, "render", render)
    return seen


@pytest.mark.parametrize("signed_in", [False, True])
def test_no_query_runs_while_a_page_renders(client, busy_board, queries_while_rendering, signed_in):
    if signed_in:
        client.force_login(UserFactory(username="reader", is_superuser=True, is_staff=True))
    for url in ["/", "/?page=2", busy_board.get_absolute_url(), "/accounts/login/"]:
        assert client.get(url).status_code == 200
    assert queries_while_rendering == []


def test_the_render_check_does_catch_a_query_in_a_template(queries_while_rendering, board):
    from django.template import engines

    PostFactory()
    engines["jinja2"].from_string("{{ board.posts.count() }}").render({"board": board})
    assert len(queries_while_rendering) == 1


def test_postgresql_post_table_leaves_room_for_in_place_counter_updates(db):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter; this run is on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'board_post'")
        assert cursor.fetchone()[0] == ["fillfactor=85"]


def test_postgresql_moves_positions_without_a_trigram_index_over_bodies(db):
    # Removing or restoring an article rewrites positions of up to a block of other articles;
    # a GIN index over their bodies made each of those rows cost hundreds of entries.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes; this run is on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'board_post'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert [d for d in definitions if "gin" in d.lower() and "body" in d] == []


def test_postgresql_moves_positions_through_no_index_that_only_other_rows_need(db):
    # Each moved row is a new row version with an entry in every index whose condition it
    # meets: none of trigrams over titles (no request reads them: searches read a window of
    # the listing index), none in the index of who removed an article (listed ones have no one).
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes; this run is on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'board_post'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert [d for d in definitions if "gin" in d.lower()] == []
    removed_by = [d for d in definitions if "(removed_by_id)" in d]
    assert removed_by
    assert all("WHERE (removed_by_id IS NOT NULL)" in d for d in removed_by)


def test_postgresql_plans_an_article_pages_statements_once_not_on_every_visit(client, busy_board):
    # Planning each of the page's statements took several times longer than running it.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements; this run is on SQLite")
    for _ in range(15):
        client.cookies.clear()  # a new visitor each time: the view-count UPDATE runs too
        assert client.get(busy_board.get_absolute_url()).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    plans = {" ".join(sql.split()): generic for sql, generic in prepared}
    for statement in (reading.ARTICLE_SQL, reading.COMMENTS_SQL, services.COUNT_VIEW_SQL):
        sent = as_sent(" ".join(statement.split()))
        assert plans.get(sent), sent  # prepared, and run on its kept plan


def as_sent(sql):
    """``sql`` as psycopg sends it with server-side binding: %s as $1, $2, ..."""
    numbers = itertools.count(1)
    return re.sub("%s", lambda _: f"${next(numbers)}", sql)


def test_listing_query_seeks_its_indexes_and_scans_nothing(board):
    from board.listing import listing_statement

    posts = PostFactory.create_batch(30)
    board.refresh_from_db()
    sql, params = listing_statement(board, 1, around=posts[5].seq)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            steps = [row[-1] for row in cursor.fetchall()]
            plan = " | ".join(steps)
            # Only the neighbours' one-row results and the boards (the navigation bar's, a
            # site's few) are scanned, never the posts, their authors or an index of them.
            scans = [step for step in steps if step.startswith("SCAN")]
            assert scans == ["SCAN b", "SCAN older", "SCAN newer"], plan
            assert "post_listing_idx (board_id=? AND seq>? AND seq<?)" in plan
            assert "post_listing_idx (board_id=? AND seq<?)" in plan
            assert "post_listing_idx (board_id=? AND seq>?)" in plan
            assert "block_rank_idx (board_id=? AND below<?)" in plan
            assert "post_notice_idx" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
            # On a table this small the planner may pick either board index for the range and
            # for the notices (with a filter); make bench shows the seeks at a million rows.
            # What must never happen is reading a whole table (but the few boards').
            assert set(re.findall(r"Seq Scan on (\w+)", plan)) <= {"board_board"}, plan


def test_the_removal_confirmation_reads_the_comment_with_its_article_and_author_at_once(
    client, busy_board, moderator, django_assert_num_queries
):
    comment = busy_board.comments.first()
    # Session, user (with the moderator flag), the comment with its article, its board and its
    # author, and the boards of the navigation bar.
    with django_assert_num_queries(4):
        assert client.get(f"/comments/{comment.pk}/remove/").status_code == 200


@pytest.mark.parametrize(
    ("table", "owner"),
    [("board_listingblock", "board_id"), ("board_categoryblock", "category_id")],
)
def test_a_block_row_is_written_through_two_indexes_its_key_and_the_ranks_seek(db, table, owner):
    # A removal rewrites a row per higher block (thousands at a million posts): each index of
    # the table costs one entry per row, so the table has its key and the rank's seek only.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    # (Columns as sets: SQLite's introspection lists a primary key's in the table's order.)
    indexed = sorted(
        sorted(c["columns"])
        for c in constraints.values()
        if c["index"] or c["primary_key"] or c["unique"]
    )
    assert indexed == [sorted([owner, "below", "start"]), sorted([owner, "start"])]

"""Listing positions in blocks: removing or restoring an article rewrites at most its own block
and a row per higher block, and every page, rank, neighbour and page count stays exact."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import listing, models, services
from board.feeds import ListedPosts
from board.models import Board, Category, ListingBlock, Post
from tests.factories import AuthorFactory, BoardFactory, PostFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(models, "BLOCK", 5)
    return 5


@pytest.fixture
def author(db):
    return AuthorFactory(name="기자")


def publish(board, author, count):
    return [PostFactory(board=board, author=author, title=f"글 {n}") for n in range(count)]


def newest_first(board):
    """The naive listing: every live, numbered post by number, newest first."""
    return list(
        Post.objects.filter(board=board, is_removed=False, number__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
    )


def shown(client, page):
    return [int(r["number"]) for r in listing_rows(soup(client.get(f"/?page={page}")))]


def check_everything(board):
    """Pages, ranks, neighbours, page count, counters and the sitemap against the naive order."""
    board.refresh_from_db()
    size = models.PAGE_SIZE
    expected = newest_first(board)
    assert board.post_count == len(expected)
    assert board.num_pages == max(1, -(-len(expected) // size))
    for page in range(1, board.num_pages + 1):
        rows = listing.fetch_rows(board, page).page
        assert [r.number for r in rows] == expected[(page - 1) * size : page * size], page
    listed = Post.objects.filter(board=board).listed().with_rank()
    assert board.top_seq == max((p.seq for p in listed), default=0)
    for post in listed:
        at = expected.index(post.number)
        assert board.page_of(post.rank) == at // size + 1, post.number
        rows = listing.fetch_rows(board, board.page_of(post.rank), around=post.seq)
        older = expected[at + 1] if at + 1 < len(expected) else None
        newer = expected[at - 1] if at else None
        assert (rows.older and rows.older.number, rows.newer and rows.newer.number) == (
            older,
            newer,
        )
    oldest_first = expected[::-1]
    sitemap = ListedPosts(board)
    for start in range(0, len(oldest_first), 3):
        assert [p.number for p in sitemap[start : start + 3]] == oldest_first[start : start + 3]


def test_removing_the_oldest_rewrites_only_its_own_block(client, board, author, small_blocks):
    posts = publish(board, author, 32)
    before = dict(Post.objects.values_list("number", "seq"))
    blocks_before = dict(ListingBlock.objects.values_list("start", "below"))

    with CaptureQueriesContext(connection) as queries:
        services.remove_post(posts[0], by=None)

    after = dict(Post.objects.filter(seq__isnull=False).values_list("number", "seq"))
    # Block 0 (numbers 1-5) closed its gap; every other post kept its position.
    assert after == {n: s - 1 if n <= 5 else s for n, s in before.items() if n != 1}
    assert dict(ListingBlock.objects.values_list("start", "below")) == {
        start: below - 1 if start else 0 for start, below in blocks_before.items()
    }
    # No statement rewrote the whole listing: each UPDATE of positions is bounded to a block.
    shifts = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "board_post" SET "seq"')]
    assert shifts
    assert all('"seq" <=' in sql for sql in shifts)
    expected = newest_first(board)
    assert shown(client, 1) == expected[:20]
    assert shown(client, 2) == expected[20:]


def test_removal_and_restore_take_as_many_statements_on_a_long_board_as_on_a_short_one(
    author, small_blocks
):
    # However many blocks lie above the article's, each listing (the board's, the category's)
    # changes its block's count and every higher block's ``below`` in one UPDATE, the board's
    # count and top position in another, and the articles above it in its block move in both
    # listings at once: each of their rows is written once.
    counts = []
    for size in (12, 60):
        board = BoardFactory(slug=f"board{size}")
        category = Category.objects.create(board=board, name="행사")
        posts = [PostFactory(board=board, author=author, category=category) for _ in range(size)]
        with CaptureQueriesContext(connection) as removal:
            services.remove_post(posts[0], by=None)
        with CaptureQueriesContext(connection) as restore:
            services.restore_post(posts[0], by=None)
        writes = [
            sum(q["sql"].startswith('UPDATE "board_post"') for q in queries)
            for queries in (removal, restore)
        ]
        counts.append((len(removal), len(restore), writes))
        check_everything(board)
    assert counts == [(10, 14, [2, 2]), (10, 14, [2, 2])]


def test_restoring_the_oldest_rewrites_only_its_own_block(client, board, author, small_blocks):
    posts = publish(board, author, 32)
    services.remove_post(posts[0], by=None)
    services.remove_post(posts[2], by=None)
    before = dict(Post.objects.filter(seq__isnull=False).values_list("number", "seq"))

    services.restore_post(posts[0], by=None)

    after = dict(Post.objects.filter(seq__isnull=False).values_list("number", "seq"))
    assert after == {1: 1, **{n: s + 1 if n <= 5 else s for n, s in before.items()}}
    expected = newest_first(board)
    assert shown(client, 2) == expected[20:]
    check_everything(board)


def test_an_emptied_block_keeps_the_pages_exact_and_takes_its_posts_back(
    board, author, monkeypatch
):
    posts = publish(board, author, 12)
    monkeypatch.setattr(models, "BLOCK", 4)
    services.rebuild_positions(board.pk)  # positions made under another block size
    check_everything(board)
    for post in posts[4:8]:  # the whole middle block
        services.remove_post(post, by=None)
    check_everything(board)
    services.rebuild_positions(board.pk)  # which leaves no row for the empty block
    assert not ListingBlock.objects.filter(board=board, start=4).exists()
    for post in reversed(posts[4:8]):
        services.restore_post(post, by=None)
        check_everything(board)


def test_emptied_blocks_at_either_end_come_back_in_place_beside_another_board(
    board, author, monkeypatch
):
    other = BoardFactory()
    theirs = publish(other, author, 11)
    posts = publish(board, author, 11)  # the top block (9-12) not full
    monkeypatch.setattr(models, "BLOCK", 4)
    services.rebuild_positions(other.pk)
    services.rebuild_positions(board.pk)
    # Gaps in the lower blocks, so no position can be guessed from a full block below.
    for post in [posts[1], posts[5], theirs[2]]:
        services.remove_post(post, by=None)
    for emptied in [posts[8:], [posts[0], *posts[2:4]]]:  # the top block, then the bottom one
        for post in emptied:
            services.remove_post(post, by=None)
        check_everything(board)
        services.rebuild_positions(board.pk)  # which leaves no row for the empty block
        for post in emptied:
            services.restore_post(post, by=None)
            check_everything(board)
        publish(board, author, 1)  # the first time into the restored top block
        check_everything(board)
    check_everything(other)


@pytest.mark.parametrize("count", [20, 21, 40])
def test_page_count_and_each_articles_page_are_right_at_the_boundaries(
    client, board, author, count, monkeypatch
):
    monkeypatch.setattr(models, "BLOCK", 7)  # blocks that straddle the pages
    posts = publish(board, author, count + 3)
    for post in posts[3:6]:
        services.remove_post(post, by=None)
    services.restore_post(posts[4], by=None)
    services.remove_post(posts[-1], by=None)
    expected = newest_first(board)
    assert len(expected) == count  # three removed, one restored, one more removed
    board.refresh_from_db()
    assert board.num_pages == -(-count // 20)

    response = client.get(f"/?page={board.num_pages + 1}")
    assert response.status_code == 302
    assert response.url == board.get_page_url(board.num_pages)
    for page in range(1, board.num_pages + 1):
        assert shown(client, page) == expected[(page - 1) * 20 : page * 20]
    for at, number in enumerate(expected):
        page = soup(client.get(f"/{number}/"))
        assert text(page.select_one(".pagination .page-current")) == str(at // 20 + 1), number
        older = page.select_one(".post-nav a.post-older")
        assert (older["href"] if older else None) == (
            f"/{expected[at + 1]}/" if at + 1 < count else None
        )


def test_the_feed_and_sitemap_follow_the_listing_across_blocks(client, board, author, monkeypatch):
    monkeypatch.setattr(models, "BLOCK", 3)
    posts = publish(board, author, 25)
    for post in posts[10:14] + posts[-2:]:
        services.remove_post(post, by=None)
    expected = newest_first(board)
    feed = client.get("/feed/rss/").content.decode()
    assert [n for n in expected if f"/{n}/</link>" in feed] == expected[:20]
    sitemap = client.get(f"/sitemap-{board.slug}.xml").content.decode()
    assert all(f"/{n}/</loc>" in sitemap for n in expected)
    assert "/11/</loc>" not in sitemap


def test_loading_the_source_page_gives_positions_and_blocks(source_board):
    board = Board.objects.get(pk=source_board.pk)
    assert list(
        ListingBlock.objects.filter(board=board).values_list("start", "count", "below")
    ) == [(0, 20, 0)]
    assert board.top_seq == 20
    check_everything(board)


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["publish", "remove", "restore"]), st.integers(0, 10_000)),
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(0, 14), operations=OPERATIONS)
def test_any_sequence_of_publishing_removal_and_restore_keeps_every_page_exact(
    board, author, monkeypatch, first, operations
):
    monkeypatch.setattr(models, "BLOCK", 3)
    monkeypatch.setattr(models, "PAGE_SIZE", 4)
    with transaction.atomic():
        posts = publish(board, author, first)
        for action, pick in operations:
            live = [p for p in posts if not p.is_removed]
            gone = [p for p in posts if p.is_removed]
            if action == "publish":
                posts += publish(board, author, 1)
            elif action == "remove" and live:
                services.remove_post(live[pick % len(live)], by=None)
            elif action == "restore" and gone:
                services.restore_post(gone[pick % len(gone)], by=None)
            check_everything(board)
        # What the operations kept is what a rebuild from scratch makes.
        kept = dict(Post.objects.filter(board=board).values_list("pk", "seq"))
        services.rebuild_positions(board.pk)
        assert dict(Post.objects.filter(board=board).values_list("pk", "seq")) == kept
        transaction.set_rollback(True)


def test_search_finds_the_newest_articles_above_the_gaps(client, board, author, small_blocks):
    posts = publish(board, author, 12)
    for post in posts[:4]:  # block 0 keeps one post: positions 1, 6-10, 11-12
        services.remove_post(post, by=None)
    for target in ["title", "title_body"]:
        response = client.get("/", {"q": "글", "target": target})
        assert [int(r["number"]) for r in listing_rows(soup(response))] == newest_first(board)


def test_article_page_lists_the_page_holding_it_beside_an_older_board(client, author, small_blocks):
    # Both boards have blocks at the same starts, and only the article's own board's block
    # gives its rank: the older board's block 25 has nothing below it (its older posts are
    # gone). The site's board is made second, so the older board wins any tie between them.
    other = services.default_board()
    slug = other.slug
    Board.objects.filter(pk=other.pk).update(slug="other")
    BoardFactory(slug=slug)
    board = services.default_board()
    for post in publish(other, author, 30)[:25]:
        services.remove_post(post, by=None)
    newest = publish(board, author, 30)[-1]
    page = soup(client.get(newest.get_absolute_url()))
    # The first page, with the article itself marked (») at its top.
    assert [r["number"] for r in listing_rows(page)][:3] == ["»", "29", "28"]

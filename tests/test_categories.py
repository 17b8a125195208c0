"""Categories (분류): the category before each title, filter links above the listing, and a
filtered listing with the board's page links, numbers and » marker, exact after every change."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import listing, models, services
from board.models import Category, Post
from tests.factories import AuthorFactory, BoardFactory, PostFactory, UserFactory
from tests.pages import NO_IMAGES, listing_rows, soup, text
from tests.test_positions import check_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(board):
    return Category.objects.create(board=board, name="행사", position=2)


@pytest.fixture
def releases(board):
    return Category.objects.create(board=board, name="보도자료", position=1)


def numbers(response):
    return [int(r["number"]) for r in listing_rows(soup(response))]


def in_category(category):
    """The naive category listing: its live, numbered posts by number, newest first."""
    return list(
        Post.objects.filter(category=category, is_removed=False, seq__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
    )


def check_category(board, category):
    """Every page, rank and neighbour of the category's listing against the naive order."""
    category.refresh_from_db()
    board.refresh_from_db()
    size = models.PAGE_SIZE
    expected = in_category(category)
    assert category.post_count == len(expected)
    for page in range(1, category.num_pages + 1):
        rows = listing.fetch_rows(board, page, category=category).page
        assert [r.number for r in rows] == expected[(page - 1) * size : page * size], page
    for at, number in enumerate(expected):
        post = services.reading.article(board.slug, number)
        assert category.page_of(post.cat_rank) == at // size + 1, number
        rows = listing.fetch_rows(
            board, category.page_of(post.cat_rank), around=post.cat_seq, category=category
        )
        older = expected[at + 1] if at + 1 < len(expected) else None
        newer = expected[at - 1] if at else None
        assert (rows.older and rows.older.number, rows.newer and rows.newer.number) == (
            older,
            newer,
        ), number


def test_the_listing_shows_each_articles_category_and_offers_the_categories_in_order(
    client, board, events, releases
):
    PostFactory(title="가을 축제", category=events)
    PostFactory(title="요금 안내")

    page = soup(client.get("/"))

    rows = page.select("table.post-table tbody tr")
    shown = [(text(r.select_one(".col-title a")), r.select_one(".row-category")) for r in rows]
    assert [(title, mark and text(mark)) for title, mark in shown] == [
        ("요금 안내", None),
        ("가을 축제", "[행사]"),
    ]
    links = page.select("nav.category-filter a")
    assert [(text(a), a["href"]) for a in links] == [
        ("전체", "/"),
        ("보도자료", f"/?category={releases.pk}"),
        ("행사", f"/?category={events.pk}"),
    ]
    assert [text(a) for a in page.select('nav.category-filter a[aria-current="page"]')] == ["전체"]


def test_a_board_without_categories_shows_no_filter(client, board):
    PostFactory()
    assert soup(client.get("/")).select_one("nav.category-filter") is None


def test_a_category_listing_pages_through_its_articles_with_their_own_numbers(
    client, board, events
):
    for n in range(1, 51):  # every other article is an event: 25 of them, 2 pages
        PostFactory(title=f"글 {n}", category=events if n % 2 else None)

    first = client.get("/", {"category": events.pk})
    second = client.get("/", {"category": events.pk, "page": 2})

    assert numbers(first) == list(range(49, 9, -2))
    assert numbers(second) == [9, 7, 5, 3, 1]
    page = soup(first)
    assert [text(a) for a in page.select('nav.category-filter a[aria-current="page"]')] == ["행사"]
    pages = page.select_one("nav.pagination")
    assert [a["href"] for a in pages.select("a")] == [
        f"/?category={events.pk}",
        f"/?category={events.pk}&page=2",
        f"/?category={events.pk}&page=2",  # next
        f"/?category={events.pk}&page=2",  # last
    ]
    assert listing_rows(soup(second))[0]["href"] == f"/9/?category={events.pk}&page=2"


def test_an_article_opened_from_a_category_shows_that_listing_with_its_marker_and_neighbours(
    client, board, events
):
    for n in range(1, 8):
        PostFactory(title=f"글 {n}", category=events if n in (2, 4, 6) else None)

    page = soup(client.get("/4/", {"category": events.pk}))

    assert [r["number"] for r in listing_rows(page)] == ["6", "»", "2"]
    assert page.select_one("a.post-newer")["href"] == f"/6/?category={events.pk}"
    assert page.select_one("a.post-older")["href"] == f"/2/?category={events.pk}"
    back = [a for a in page.select(".post-nav a.button") if text(a) == "목록"]
    assert back[0]["href"] == f"/?category={events.pk}"
    # Without the category, the whole board's listing and neighbours.
    whole = soup(client.get("/4/"))
    assert [r["number"] for r in listing_rows(whole)] == ["7", "6", "5", "»", "3", "2", "1"]
    assert whole.select_one("a.post-newer")["href"] == "/5/"


@pytest.mark.parametrize("junk", ["abc", "0", "-1", "1.5"])
def test_a_junk_category_goes_to_the_whole_listing(client, board, junk):
    response = client.get("/", {"category": junk})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_missing_or_other_boards_category_is_a_404(client, board, events):
    other = Category.objects.create(board=BoardFactory(slug="other"), name="다른 분류")
    assert client.get("/", {"category": other.pk}).status_code == 404
    assert client.get("/", {"category": 999999}).status_code == 404
    assert client.get("/other/", {"category": events.pk}).status_code == 404


def test_a_page_past_a_categorys_end_goes_to_its_last_page(client, board, events):
    PostFactory.create_batch(3, category=events)
    response = client.get("/", {"category": events.pk, "page": 7})
    assert response.status_code == 302
    assert response["Location"] == f"/?category={events.pk}"


def test_removing_restoring_publishing_and_recategorising_keep_both_listings_exact(
    board, events, releases, monkeypatch
):
    monkeypatch.setattr(models, "BLOCK", 5)
    author = AuthorFactory()
    posts = [
        PostFactory(board=board, author=author, category=[events, releases, None][n % 3])
        for n in range(47)
    ]
    staff = UserFactory(is_staff=True)
    for post in posts[3:30:4]:
        services.remove_post(post, by=staff)
    check_category(board, events)
    check_category(board, releases)
    for post in posts[3:30:8]:
        services.restore_post(post, by=staff)
    # Moved: an old event into the press releases, a release out of every category, an
    # article without one into the events.
    for post, category in ((posts[0], releases), (posts[1], None), (posts[2], events)):
        post.category = category
        services.update_post(post, fields=["category"])
    # A removed article given a category comes back into it.
    services.remove_post(posts[5], by=staff)
    posts[5].category = events
    services.update_post(posts[5], fields=["category"])
    services.restore_post(posts[5], by=staff)
    check_category(board, events)
    check_category(board, releases)
    assert Post.objects.filter(category=None, cat_seq__isnull=False).count() == 0


def test_a_scheduled_article_enters_its_category_when_it_is_published(board, events):
    from django.utils import timezone

    PostFactory(category=events)
    later = PostFactory(category=events, published_at=timezone.now() + timezone.timedelta(hours=1))
    assert in_category(events) == [1]

    Post.objects.filter(pk=later.pk).update(published_at=timezone.now())
    board.refresh_from_db()
    board.next_publish_at = timezone.now()
    services.publish_due_posts(board)

    assert in_category(events) == [2, 1]
    check_category(board, events)


def test_rebuilding_positions_restores_every_categorys_listing(board, events, releases):
    for n in range(30):
        PostFactory(category=[events, releases, None][n % 3])
    Post.objects.update(cat_seq=None)
    Category.objects.update(post_count=0)

    services.rebuild_positions(board.pk)

    check_category(board, events)
    check_category(board, releases)


def test_a_category_listing_seeks_its_range_without_count_or_offset(
    client, board, events, django_assert_num_queries
):
    PostFactory.create_batch(30, category=events)
    # 1: the board with the category; 2: the page's rows, notices, boards and categories.
    with django_assert_num_queries(2):
        response = client.get("/", {"category": events.pk, "page": 2})
    assert numbers(response) == list(range(10, 0, -1))
    with CaptureQueriesContext(connection) as queries:
        client.get("/", {"category": events.pk, "page": 2})
    sql = " ".join(q["sql"].upper() for q in queries)
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql


def test_an_article_in_its_categorys_listing_takes_four_queries(
    client, board, events, django_assert_num_queries
):
    PostFactory.create_batch(5, category=events)
    with django_assert_num_queries(4):
        assert client.get("/3/", {"category": events.pk}).status_code == 200


def test_staff_give_an_article_a_category_of_its_board_only(client, board, events):
    other = Category.objects.create(board=BoardFactory(slug="other"), name="다른 분류")
    post = PostFactory(title="분류 없는 글")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/board/post/{post.pk}/change/"
    form = {
        "title": post.title,
        "body_format": "text",
        "body": post.body,
        "published_at_0": post.published_at.strftime("%Y-%m-%d"),
        "published_at_1": post.published_at.strftime("%H:%M:%S"),
        "author": post.author_id,
        **NO_IMAGES,
    }

    refused = client.post(url, {**form, "category": other.pk})
    assert refused.status_code == 200  # the form again, with the error
    post.refresh_from_db()
    assert post.category is None

    client.post(url, {**form, "category": events.pk})
    post.refresh_from_db()
    assert post.category == events
    assert in_category(events) == [post.number]


def test_a_category_in_use_cannot_be_deleted_from_its_board(client, board, events):
    PostFactory(category=events)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "name": board.name,
        "slug": board.slug,
        "description": "",
        "categories-TOTAL_FORMS": "1",
        "categories-INITIAL_FORMS": "1",
        "categories-MIN_NUM_FORMS": "0",
        "categories-MAX_NUM_FORMS": "1000",
        "categories-0-id": events.pk,
        "categories-0-board": board.pk,
        "categories-0-name": events.name,
        "categories-0-position": events.position,
        "categories-0-DELETE": "on",
    }

    response = client.post(f"/admin/board/board/{board.pk}/change/", form)

    assert response.status_code == 200
    assert Category.objects.filter(pk=events.pk).exists()


def test_a_category_listing_that_publishes_a_due_article_stays_that_categorys(
    client, board, events
):
    from django.utils import timezone

    PostFactory(title="보통 글")
    PostFactory(title="행사 1", category=events)
    later = PostFactory(
        title="행사 2", category=events, published_at=timezone.now() + timezone.timedelta(hours=1)
    )
    # Its time has come: the next reader's request publishes it, this one's included.
    due = timezone.now() - timezone.timedelta(seconds=1)
    Post.objects.filter(pk=later.pk).update(published_at=due)
    type(board).objects.filter(pk=board.pk).update(next_publish_at=due)

    response = client.get("/", {"category": events.pk})

    assert response.status_code == 200
    assert [r["title"] for r in listing_rows(soup(response))] == ["행사 2", "행사 1"]


CATEGORY_OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["publish", "remove", "restore"]), st.integers(0, 10_000)),
    max_size=20,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(0, 12), operations=CATEGORY_OPERATIONS)
def test_any_sequence_of_publishing_removal_and_restore_keeps_every_category_exact(
    board, monkeypatch, first, operations
):
    # A removal or restore moves the article's neighbours in the board's and its category's
    # listings in the same statement: both stay exact, in blocks straddling the pages.
    monkeypatch.setattr(models, "BLOCK", 4)
    monkeypatch.setattr(models, "PAGE_SIZE", 3)
    with transaction.atomic():
        author = AuthorFactory()
        categories = [
            Category.objects.create(board=board, name=name, position=n)
            for n, name in enumerate(["행사", "보도자료"])
        ]
        choices = [*categories, None]
        posts = []

        def publish(pick):
            category = choices[pick % len(choices)]
            posts.append(PostFactory(board=board, author=author, category=category))

        for n in range(first):
            publish(n)
        for action, pick in operations:
            live = [p for p in posts if not p.is_removed]
            gone = [p for p in posts if p.is_removed]
            if action == "publish":
                publish(pick)
            elif action == "remove" and live:
                services.remove_post(live[pick % len(live)], by=None)
            elif action == "restore" and gone:
                services.restore_post(gone[pick % len(gone)], by=None)
        for category in categories:
            check_category(board, category)
        check_everything(board)
        transaction.set_rollback(True)

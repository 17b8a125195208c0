import pytest
from django.utils import timezone

from board.models import Comment, Post
from tests.factories import (
    AuthorFactory,
    CommentFactory,
    PostFactory,
    PostImageFactory,
    UserFactory,
)
from tests.pages import NO_IMAGES, listing_rows, soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_article_written_in_the_admin_gets_the_next_number_and_tops_the_listing(
    admin_client, source_board
):
    # A byline is a staff member's (the source's own authors are readers, kept on their articles).
    author = AuthorFactory(name="기자", user=UserFactory(username="기자", is_staff=True))
    response = admin_client.post(
        "/admin/board/post/add/",
        {
            "board": source_board.pk,
            "title": "관리자가 쓴 글",
            "body": "첫 문단\n둘째 문단",
            "author": author.pk,
            "published_at_0": "2026-11-26",
            "published_at_1": "10:00:00",
            "body_format": "text",
            **NO_IMAGES,
        },
    )

    assert response.status_code == 302
    post = Post.objects.get(title="관리자가 쓴 글")
    assert post.number == 127
    rows = listing_rows(soup(admin_client.get("/")))
    assert (rows[0]["number"], rows[0]["title"]) == ("127", "관리자가 쓴 글")


def change_form(post, **fields):
    """What the admin's change form of ``post`` sends back, with ``fields`` changed."""
    return {
        "body": post.body,
        "author": post.author.pk,
        "published_at_0": "2026-11-26",
        "published_at_1": "10:00:00",
        "body_format": "text",
        **NO_IMAGES,
        **fields,
    }


def test_editing_an_article_in_the_admin_keeps_its_number_and_counters(admin_client, board):
    post = PostFactory(title="처음 제목")
    Post.objects.filter(pk=post.pk).update(views=7)

    response = admin_client.post(
        f"/admin/board/post/{post.pk}/change/",
        change_form(post, board=board.pk, title="고친 제목"),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.number, post.title, post.views) == (1, "고친 제목", 7)


def test_comment_added_in_the_admin_raises_the_comment_count(admin_client, board):
    post = PostFactory()
    author = AuthorFactory()
    response = admin_client.post(
        "/admin/board/comment/add/",
        {
            "post": post.pk,
            "author": author.pk,
            "body": "관리자가 단 댓글",
            "created_at_0": "2026-11-26",
            "created_at_1": "10:00:00",
            "removal_reason": "",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.filter(post=post).count() == 1
    assert Post.objects.get(pk=post.pk).comment_count == 1


@pytest.mark.parametrize("model", ["board", "author", "post", "comment"])
def test_every_model_has_an_admin_list_in_korean(admin_client, board, model):
    CommentFactory(post=PostFactory())
    response = admin_client.get(f"/admin/board/{model}/")
    assert response.status_code == 200
    assert '<html lang="ko"' in response.content.decode()
    # The list shows its rows, one a stored object (here one of each, two authors).
    rows = soup(response).select("#result_list tbody tr")
    assert len(rows) == {"board": 1, "author": 2, "post": 1, "comment": 1}[model]


def test_admin_article_list_over_a_large_table_runs_no_count_and_no_offset(
    admin_client, board, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from board.admin import LargeTablePaginator

    posts = PostFactory.create_batch(130)
    # A table of exactly the threshold is already a large one.
    monkeypatch.setattr(LargeTablePaginator, "exact_below", 130)

    with CaptureQueriesContext(connection) as queries:
        first = admin_client.get("/admin/board/post/")
        second = admin_client.get("/admin/board/post/", {"p": "2"})
    sql = " ".join(q["sql"].upper() for q in queries)
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql

    def titles(response):
        return [text(a) for a in soup(response).select("#result_list tbody td.field-title a")]

    newest_first = [p.title for p in reversed(posts)]
    assert titles(first) == newest_first[:100]
    assert titles(second) == newest_first[100:]
    # A search counts and pages what it matched, as Django does.
    found = admin_client.get("/admin/board/post/", {"q": posts[0].title})
    assert posts[0].title in titles(found)


def test_a_search_over_a_large_table_pages_through_what_it_matched(
    admin_client, board, monkeypatch
):
    from board.admin import LargeTablePaginator, PostAdmin

    monkeypatch.setattr(LargeTablePaginator, "exact_below", 10)
    monkeypatch.setattr(PostAdmin, "list_per_page", 10)
    posts = [
        PostFactory(title=f"{'even' if i % 2 == 0 else 'odd'} {i}", body="본문") for i in range(30)
    ]
    evens = [p.title for p in reversed(posts) if p.title.startswith("even")]

    def titles(page):
        response = admin_client.get("/admin/board/post/", {"q": "even", "p": page})
        assert response.status_code == 200
        return [text(a) for a in soup(response).select("#result_list tbody td.field-title a")]

    assert titles(1) == evens[:10]
    assert titles(2) == evens[10:]


def test_a_new_article_in_the_admin_starts_on_the_board(admin_client, board):
    page = soup(admin_client.get("/admin/board/post/add/"))
    chosen = page.select_one("select[name=board] option[selected]")
    assert chosen is not None
    assert chosen["value"] == str(board.pk)
    # The author may be left empty: the editor's own author name is used.
    assert text(page.select_one(".field-author .help")) == "비우면 내 글쓴이 이름으로 씁니다."


COUNTERS = ["number", "has_image", "has_file", "views", "comment_count"]


def test_a_new_articles_form_shows_no_counters_and_an_existing_ones_does(admin_client, board):
    post = PostFactory()

    add = soup(admin_client.get("/admin/board/post/add/"))
    change = soup(admin_client.get(f"/admin/board/post/{post.pk}/change/"))

    assert [name for name in COUNTERS if add.select(f".field-{name}")] == []
    assert [name for name in COUNTERS if change.select(f".field-{name}")] == COUNTERS
    assert add.select(".field-title") != []
    assert add.select(".field-published_at") != []


def filtered(client, path, label, cells):
    """What the admin list at ``path`` shows after a click on its filter link ``label``."""
    listing = soup(client.get(path))
    link = next(a for a in listing.select("#changelist-filter a") if text(a) == label)
    page = soup(client.get(f"{path}{link['href']}"))
    return [text(cell) for cell in page.select(f"#result_list tbody {cells}")]


def test_the_comment_state_filter_links_show_only_comments_in_that_state(admin_client, board):
    moderator = UserFactory(username="moderator", is_staff=True)
    writer = UserFactory(username="writer")
    post = PostFactory()
    CommentFactory(post=post, body="보이는 댓글")
    by_moderator = CommentFactory(post=post, body="관리자가 지운 댓글")
    by_author = CommentFactory(
        post=post, body="스스로 지운 댓글", author=AuthorFactory(user=writer)
    )
    Comment.objects.filter(pk=by_moderator.pk).update(is_removed=True, removed_by=moderator)
    Comment.objects.filter(pk=by_author.pk).update(is_removed=True, removed_by=writer)

    def shown(label):
        return filtered(admin_client, "/admin/board/comment/", label, "td.field-excerpt")

    assert shown("보임") == ["보이는 댓글"]
    assert shown("관리자가 삭제") == ["관리자가 지운 댓글"]
    assert shown("글쓴이가 삭제") == ["스스로 지운 댓글"]


def test_the_article_state_filter_links_show_only_articles_in_that_state(admin_client, board):
    from board import services

    PostFactory(title="게시된 글")
    PostFactory(title="예약된 글", published_at=timezone.now() + timezone.timedelta(days=1))
    removed = PostFactory(title="삭제된 글")
    services.remove_post(removed, by=UserFactory(username="moderator", is_staff=True))

    def shown(label):
        return filtered(admin_client, "/admin/board/post/", label, "td.field-title a")

    assert shown("게시 중") == ["게시된 글"]
    assert shown("예약") == ["예약된 글"]
    assert shown("삭제됨") == ["삭제된 글"]


def test_a_removed_article_in_the_admin_shows_who_removed_it(admin_client, board):
    from board import services

    post = PostFactory()
    services.remove_post(post, by=UserFactory(username="moderator", is_staff=True))
    page = soup(admin_client.get(f"/admin/board/post/{post.pk}/change/"))
    assert text(page.select_one(".field-removal .readonly")).startswith("moderator · ")


def test_an_articles_board_is_shown_not_offered_and_an_edit_keeps_it(admin_client, board):
    post = PostFactory(title="제목")
    page = soup(admin_client.get(f"/admin/board/post/{post.pk}/change/"))
    assert page.select_one("[name=board]") is None
    assert board.name in text(page.select_one(".field-board"))
    # What the browser sends back: every field but the read-only board.
    response = admin_client.post(
        f"/admin/board/post/{post.pk}/change/",
        change_form(post, title="고친 제목"),
    )
    assert response.status_code == 302
    stored = Post.objects.get(pk=post.pk)
    assert (stored.title, stored.board) == ("고친 제목", board)


def test_a_listed_article_can_be_moved_to_now_but_not_later(admin_client, board, monkeypatch):
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr("board.admin.articles.timezone.now", lambda: now)
    post = PostFactory(published_at=now - timezone.timedelta(hours=1))
    local = timezone.localtime(now)

    def move_to(moment):
        return admin_client.post(
            f"/admin/board/post/{post.pk}/change/",
            {
                "title": post.title,
                "body": post.body,
                "author": post.author.pk,
                "published_at_0": f"{moment:%Y-%m-%d}",
                "published_at_1": f"{moment:%H:%M:%S}",
                "body_format": "text",
                **NO_IMAGES,
            },
        )

    later = move_to(local + timezone.timedelta(seconds=1))
    assert later.status_code == 200
    errors = [text(e) for e in soup(later).select(".errorlist li")]
    assert errors == ["이미 게시된 글은 미래 시각으로 옮길 수 없습니다. 숨기려면 삭제하세요."]
    assert move_to(local).status_code == 302
    assert Post.objects.get(pk=post.pk).published_at == now


@pytest.mark.parametrize("model", ["board", "post", "comment"])
def test_boards_articles_and_comments_cannot_be_deleted_in_the_admin(admin_client, board, model):
    comment = CommentFactory()
    pk = {"board": board.pk, "post": comment.post.pk, "comment": comment.pk}[model]
    page = soup(admin_client.get(f"/admin/board/{model}/{pk}/change/"))
    assert page.select_one("a.deletelink") is None
    assert (
        admin_client.post(f"/admin/board/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert (Post.objects.count(), Comment.objects.count()) == (1, 1)


BAD_DATE_FILTERS = [
    "published_at__year=2147483648",
    "published_at__year=99999",
    "published_at__year=0",
    "published_at__year=2026&published_at__month=13",
    "published_at__year=2026&published_at__month=11&published_at__day=0",
    "published_at__year=2026&published_at__month=2&published_at__day=30",
    "published_at__gte=garbage",
    "published_at__lt=9999-99-99",
    "published_at__year=abc",
    "published_at__gte=99999-01-01",
    "updated_at__year=99999",
    "removed_at__year=0",
]


@pytest.mark.parametrize(
    "query",
    [
        "published_at__year=9999&published_at__month=12&published_at__day=31",
        "published_at__year=1&published_at__month=1&published_at__day=1",
    ],
)
def test_dates_at_the_calendars_ends_answer_with_the_article_list(admin_client, board, query):
    # Valid dates that may leave datetime's range once shifted to UTC (on SQLite): a list,
    # filtered or whole with the notice, never a 500.
    response = admin_client.get(f"/admin/board/post/?{query}", follow=True)
    assert response.status_code == 200
    assert "cl" in response.context


@pytest.mark.parametrize(
    "query", ["published_at__month=0", "published_at__day=32", "views__gt=" + "9" * 23]
)
def test_filters_nothing_can_match_show_an_empty_article_list(admin_client, board, query):
    PostFactory()
    response = admin_client.get(f"/admin/board/post/?{query}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("query", BAD_DATE_FILTERS)
def test_out_of_range_date_filters_on_the_article_list_answer_without_a_server_error(
    admin_client, board, query
):
    PostFactory()
    response = admin_client.get(f"/admin/board/post/?{query}", follow=True)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1  # the whole list, not an error page
    notices = soup(response).select("ul.messagelist li.warning")
    assert [text(li) for li in notices] == ["필터 값이 올바르지 않아 전체 목록을 보여 드립니다."]


@pytest.mark.parametrize(
    "query",
    [q.replace("published_at", "created_at") for q in BAD_DATE_FILTERS]
    + ["removed_at__year=2147483648", "removed_at__gte=garbage"],
)
def test_out_of_range_date_filters_on_the_comment_list_answer_without_a_server_error(
    admin_client, board, query
):
    response = admin_client.get(f"/admin/board/comment/?{query}", follow=True)
    assert response.status_code == 200
    assert "필터 값이 올바르지 않아" in response.content.decode()


def breadcrumb(response):
    """The last breadcrumb of an admin change page: the object as the admin names it."""
    last = list(soup(response).select_one("div.breadcrumbs").stripped_strings)[-1]
    return last.removeprefix("›").strip()


def test_admin_names_an_article_by_its_number_and_a_scheduled_one_as_such(admin_client, board):
    live = PostFactory(title="게시된 글")
    waiting = PostFactory(
        title="예약된 글", published_at=timezone.now() + timezone.timedelta(days=1)
    )
    assert breadcrumb(admin_client.get(f"/admin/board/post/{live.pk}/change/")) == (
        f"{live.number}. 게시된 글"
    )
    assert breadcrumb(admin_client.get(f"/admin/board/post/{waiting.pk}/change/")) == (
        "[예약] 예약된 글"
    )


def test_admin_names_a_comment_by_its_author_and_first_thirty_characters(admin_client, board):
    body = "0123456789" * 4
    comment = CommentFactory(body=body)
    page = admin_client.get(f"/admin/board/comment/{comment.pk}/change/")
    assert breadcrumb(page) == f"{comment.author.name}: {body[:30]}"


def test_article_images_in_the_admin_show_their_caption_or_else_their_file(admin_client, board):
    post = PostFactory()
    captioned = PostImageFactory(post=post, caption="강가의 풍경")
    bare = PostImageFactory(post=post, caption="")
    page = soup(admin_client.get(f"/admin/board/post/{post.pk}/change/"))
    # Each row's name, before its "view on site" link.
    shown = [next(cell.stripped_strings) for cell in page.select("td.original p")]
    assert shown == ["강가의 풍경", bare.image.name]
    assert captioned.image.name not in shown[0]


def test_view_on_site_from_an_author_in_the_admin_opens_the_listing(admin_client, board):
    author = AuthorFactory()
    page = soup(admin_client.get(f"/admin/board/author/{author.pk}/change/"))
    link = page.select_one("a.viewsitelink")["href"]
    response = admin_client.get(link)
    assert response.status_code == 302
    assert admin_client.get(response["Location"]).status_code == 200
    assert response["Location"].endswith("/")

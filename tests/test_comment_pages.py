"""Comment pages (XE's cpage): one page of an article's comments at a time, in thread order,
the first or the last page first by board setting, and comment links that land on the page
holding the comment, at a constant query count whatever the number of comments."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db.models import F

from board import services
from board.models import PATH_WIDTH, Comment, Post
from tests.factories import (
    AuthorFactory,
    BoardFactory,
    CommentFactory,
    PostFactory,
    UserFactory,
)
from tests.pages import soup, text

pytestmark = pytest.mark.django_db


def bulk_threads(post, roots, replies=0):
    """``roots`` comments on ``post``, each followed by ``replies`` replies to it, written in
    a few statements with the paths and depths services.save_new_comment gives them. Returns
    them in thread order."""
    author = AuthorFactory()
    made = Comment.objects.bulk_create(
        Comment(post=post, author=author, body=f"댓글 {n}") for n in range(roots)
    )
    answers = Comment.objects.bulk_create(
        Comment(post=post, author=author, body=f"답글 {n}", parent=root, depth=1)
        for root in made
        for n in range(replies)
    )
    for comment in made:
        comment.path = f"{comment.pk:0{PATH_WIDTH}d}"
    for answer in answers:
        answer.path = f"{answer.parent.path}{answer.pk:0{PATH_WIDTH}d}"
    Comment.objects.bulk_update([*made, *answers], ["path"], batch_size=500)
    total = len(made) + len(answers)
    Post.objects.filter(pk=post.pk).update(
        comment_count=F("comment_count") + total, comment_rows=F("comment_rows") + total
    )
    return sorted([*made, *answers], key=lambda c: c.path)


def reply(parent, body="답글"):
    return services.add_comment(post=parent.post, author=AuthorFactory(), body=body, parent=parent)


def shown_ids(response):
    assert response.status_code == 200
    return [int(li["id"].removeprefix("comment-")) for li in soup(response).select("li.comment")]


def pks(comments):
    return [c.pk for c in comments]


@pytest.fixture
def paged(board):
    """A board of 10 comments a page."""
    board.comments_per_page = 10
    board.save()
    return board


@pytest.fixture
def newest_first(paged):
    paged.comments_newest_first = True
    paged.save()
    return paged


def test_oldest_first_board_opens_on_the_first_comment_page_in_thread_order(client, paged):
    post = PostFactory()
    comments = bulk_threads(post, 9, replies=2)  # 27 comments: 3 pages
    url = post.get_absolute_url()

    assert shown_ids(client.get(url)) == pks(comments[:10])
    assert shown_ids(client.get(f"{url}?cpage=2")) == pks(comments[10:20])
    assert shown_ids(client.get(f"{url}?cpage=3")) == pks(comments[20:])
    # The header still counts every comment of the article.
    assert text(soup(client.get(url)).select_one(".comment-total")) == "27"


def test_newest_first_board_opens_on_the_last_page_in_thread_order(client, newest_first):
    post = PostFactory()
    comments = bulk_threads(post, 9, replies=2)

    url = post.get_absolute_url()
    assert shown_ids(client.get(url)) == pks(comments[20:])
    assert shown_ids(client.get(f"{url}?cpage=1")) == pks(comments[:10])


def test_a_removed_comment_with_replies_keeps_its_place_on_the_pages(client, paged):
    post = PostFactory()
    roots = CommentFactory.create_batch(9, post=post)
    removed = roots[7]
    answers = [reply(removed), reply(removed)]
    late = CommentFactory(post=post)
    services.remove_comment(removed, by=None)
    url = post.get_absolute_url()

    first = client.get(url)

    # Ten places: the removed comment's placeholder and both its replies among them.
    assert shown_ids(first) == pks([*roots[:8], *answers])
    placeholder = soup(first).select_one(f"#comment-{removed.pk} .comment-placeholder")
    assert text(placeholder) == "관리자가 삭제한 댓글입니다."
    assert shown_ids(client.get(f"{url}?cpage=2")) == [roots[8].pk, late.pk]


@pytest.mark.parametrize("which", ["first", "middle", "last", "deep reply"])
def test_each_comment_link_lands_on_the_page_holding_it(client, paged, which):
    post = PostFactory()
    comments = bulk_threads(post, 20, replies=1)  # 40 comments: 4 pages
    middle = comments[15]  # page 2
    deep = reply(reply(reply(middle)))  # depth 3, right after the middle one's own reply
    target = {"first": comments[0], "middle": middle, "last": comments[-1], "deep reply": deep}
    target = target[which]

    response = client.get(target.get_absolute_url())

    assert target.get_absolute_url() == f"/comments/{target.pk}/"
    assert response.status_code == 302
    page = {"first": 1, "middle": 2, "last": 5, "deep reply": 2}[which]
    expected_query = "" if page == 1 else f"?cpage={page}"
    assert response["Location"] == f"/{post.number}/{expected_query}#comment-{target.pk}"
    assert target.pk in shown_ids(client.get(response["Location"]))


def test_comment_link_on_a_newest_first_board_names_no_page_for_the_last_one(client, newest_first):
    post = PostFactory()
    comments = bulk_threads(post, 25)

    last = client.get(comments[-1].get_absolute_url())
    first = client.get(comments[0].get_absolute_url())

    assert last["Location"] == f"/{post.number}/#comment-{comments[-1].pk}"
    assert first["Location"] == f"/{post.number}/?cpage=1#comment-{comments[0].pk}"
    assert comments[0].pk in shown_ids(client.get(first["Location"]))


def test_comment_link_of_another_board_keeps_its_address(client, paged):
    other = BoardFactory(slug="free", comments_per_page=10)
    post = PostFactory(board=other)
    comments = bulk_threads(post, 15)

    response = client.get(comments[-1].get_absolute_url())

    assert response["Location"] == f"/free/{post.number}/?cpage=2#comment-{comments[-1].pk}"


def test_comment_link_answers_404_for_no_comment_and_for_a_removed_article(client, board):
    comment = CommentFactory()
    assert client.get("/comments/999999/").status_code == 404
    services.remove_post(comment.post, by=None)

    assert client.get(comment.get_absolute_url()).status_code == 404


def test_staff_follow_a_removed_articles_comment_link_to_its_preview(client, board):
    comment = CommentFactory()
    services.remove_post(comment.post, by=None)
    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(staff)

    response = client.get(comment.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == f"/preview/{comment.post.pk}/"


def test_a_secret_articles_comment_link_opens_only_for_who_may_read_it(client, board):
    writer = UserFactory(username="writer")
    post = PostFactory(is_secret=True, author=AuthorFactory(user=writer))
    comment = CommentFactory(post=post)

    assert client.get(comment.get_absolute_url()).status_code == 403
    client.force_login(UserFactory(username="other"))
    assert client.get(comment.get_absolute_url()).status_code == 403
    client.force_login(writer)
    response = client.get(comment.get_absolute_url())
    assert response["Location"] == f"/{post.number}/#comment-{comment.pk}"


@pytest.mark.parametrize(
    ("cpage", "lands_on"),
    [
        ("abc", ""),
        ("0", ""),
        ("-2", ""),
        ("1.5", ""),
        ("", ""),
        ("%00", ""),
        ("99999999999999999999999", "?page=2&cpage=3"),
        ("4", "?page=2&cpage=3"),
    ],
)
def test_bad_comment_pages_redirect_like_the_listings_pages(client, paged, cpage, lands_on):
    PostFactory.create_batch(25)
    post = Post.objects.order_by("number").first()  # on listing page 2
    bulk_threads(post, 25)

    response = client.get(f"/{post.number}/?page=2&cpage={cpage}")

    assert response.status_code == 302
    # Junk: the page the article opens on (the listing's page kept); too far: the last page.
    assert response["Location"] == f"/{post.number}/{lands_on or '?page=2'}"
    assert client.get(response["Location"]).status_code == 200


def test_bad_comment_page_on_a_newest_first_board_goes_to_the_last_page(client, newest_first):
    post = PostFactory()
    bulk_threads(post, 25)

    assert client.get(f"/{post.number}/?cpage=x")["Location"] == f"/{post.number}/"
    assert client.get(f"/{post.number}/?cpage=9")["Location"] == f"/{post.number}/"


@pytest.mark.parametrize("cpage", ["", "?cpage=100"])
@pytest.mark.parametrize("count", [3, 5000])
def test_article_page_query_count_is_the_same_at_3_and_5000_comments(
    client, board, count, cpage, django_assert_num_queries
):
    post = PostFactory()
    comments = bulk_threads(post, count // 2, replies=1) if count > 3 else bulk_threads(post, 3)
    if count == 3:
        cpage = ""  # one page: the first is the last
    # The article, its view count, the listing and one page of comments, at any size.
    with django_assert_num_queries(4):
        response = client.get(f"{post.get_absolute_url()}{cpage}")
    expected = comments[-50:] if cpage else comments[:50]
    assert shown_ids(response) == pks(expected)


@pytest.mark.parametrize("count", [3, 5000])
def test_signed_in_article_page_and_comment_link_queries_stay_constant(
    client, board, count, django_assert_num_queries
):
    post = PostFactory()
    comments = bulk_threads(post, count)
    client.force_login(UserFactory(username="reader"))
    # Session, user, then the comment with its article, board and place: one query.
    with django_assert_num_queries(3):
        response = client.get(comments[-1].get_absolute_url())
    # The anonymous 4, plus session, user and the reader's own votes.
    with django_assert_num_queries(7):
        assert comments[-1].pk in shown_ids(client.get(response["Location"]))


def test_comment_page_links_mark_the_current_page_and_keep_the_listing(client, paged):
    PostFactory.create_batch(25)
    post = Post.objects.order_by("number").first()  # on listing page 2
    bulk_threads(post, 35)  # 4 pages
    url = post.get_absolute_url()

    nav = soup(client.get(f"{url}?page=2&cpage=2")).select_one("nav.comment-pages")

    current = nav.select_one("[aria-current=page]")
    assert text(current) == "2"
    links = {text(a): a["href"] for a in nav.select("a")}
    assert links["1"] == f"{url}?page=2#comments"  # the page the article opens on
    assert links["3"] == f"{url}?page=2&cpage=3#comments"
    assert links["‹ 이전"] == links["1"]
    assert links["다음 ›"] == links["3"]
    assert links["끝 »"] == f"{url}?page=2&cpage=4#comments"


def test_one_comment_page_shows_no_page_links(client, paged):
    post = PostFactory()
    bulk_threads(post, 10)

    assert soup(client.get(post.get_absolute_url())).select_one("nav.comment-pages") is None


def test_posting_a_comment_lands_on_the_page_holding_it(client, paged):
    post = PostFactory()
    comments = bulk_threads(post, 25)
    client.force_login(UserFactory(username="reader"))

    response = client.post(f"/{post.number}/comments/", {"body": "새 댓글"})

    new = Comment.objects.get(body="새 댓글")
    assert response["Location"] == f"/{post.number}/?cpage=3#comment-{new.pk}"
    assert new.pk in shown_ids(client.get(response["Location"]))
    # A reply to the first comment (another reader: one comment per 10 s each): on the
    # first page, the article's own address.
    client.force_login(UserFactory(username="another"))
    answer = client.post(
        f"/{post.number}/comments/", {"body": "첫 댓글에 답글", "parent": comments[0].pk}
    )
    mine = Comment.objects.get(body="첫 댓글에 답글")
    assert answer["Location"] == f"/{post.number}/#comment-{mine.pk}"


def test_the_reply_link_keeps_the_comment_page(client, paged):
    post = PostFactory()
    comments = bulk_threads(post, 25)
    client.force_login(UserFactory(username="reader"))
    target = comments[12]  # page 2

    page = soup(client.get(f"/{post.number}/?cpage=2"))
    link = page.select_one(f"#comment-{target.pk} a.comment-reply")["href"]

    assert link == f"?cpage=2&reply={target.pk}#reply-form"
    shown = soup(client.get(f"/{post.number}/{link.split('#')[0]}"))
    form = shown.select_one(f"#comment-{target.pk} form#reply-form")
    # The form posts back to this comment page, so an error shows it again.
    assert form["action"] == f"/{post.number}/comments/?cpage=2"
    invalid = client.post(form["action"], {"body": "", "parent": target.pk})
    assert soup(invalid).select_one(f"#comment-{target.pk} form#reply-form") is not None


def test_the_article_page_loads_the_comment_link_script(client, board):
    post = PostFactory()
    page = soup(client.get(post.get_absolute_url()))

    script = page.select_one("script[src$='comment-link.js']")
    assert script is not None
    assert page.select_one("#comments")["data-comment-link"] == "/comments/0/"
    assert finders.find("board/comment-link.js") is not None


@pytest.mark.parametrize(("size", "valid"), [(9, False), (10, True), (500, True), (501, False)])
def test_a_boards_comments_per_page_stay_in_a_sane_range(board, size, valid):
    board.comments_per_page = size
    if valid:
        board.full_clean()
    else:
        with pytest.raises(ValidationError):
            board.full_clean()


def test_the_admins_view_on_site_opens_the_comments_page(admin_client, paged):
    post = PostFactory()
    comments = bulk_threads(post, 15)
    kind = ContentType.objects.get_for_model(Comment)

    response = admin_client.get(f"/admin/r/{kind.pk}/{comments[-1].pk}/")

    assert response["Location"].endswith(f"/comments/{comments[-1].pk}/")
    landing = admin_client.get(response["Location"])
    assert landing["Location"] == f"/{post.number}/?cpage=2#comment-{comments[-1].pk}"

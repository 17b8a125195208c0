"""Readers sign up, log in, log out and change their password, in Korean."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import PostFactory, UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db


def test_sign_up_logs_the_reader_in_and_returns_to_the_article(client, board):
    post = PostFactory()
    opened = client.get(f"/accounts/signup/?next={post.get_absolute_url()}")
    page = soup(opened)
    assert opened.status_code == 200
    assert text(page.select_one("h1")) == "회원 가입"
    assert page.select(".errorlist") == []  # an empty form, not one already refused
    assert page.select_one("input[name=next]")["value"] == post.get_absolute_url()

    response = client.post(
        "/accounts/signup/",
        {
            "username": "새독자",
            "password1": "우체통-빨강-2008",
            "password2": "우체통-빨강-2008",
            "email": "reader@example.com",
            "next": post.get_absolute_url(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    page = soup(client.get(post.get_absolute_url()))
    assert "새독자" in text(page.select_one(".site-nav"))
    assert page.select_one("form.comment-form") is not None
    assert [text(li) for li in page.select(".messages li")] == ["가입을 환영합니다, 새독자 님."]


def test_sign_up_with_mismatched_passwords_is_refused_with_a_message(client, board):
    response = client.post(
        "/accounts/signup/",
        {"username": "새독자", "password1": "우체통-빨강-2008", "password2": "다른-비밀번호-1"},
    )
    assert response.status_code == 400
    assert soup(response).select_one(".form-errors") is not None
    assert soup(response).select_one("input[name=username]")["value"] == "새독자"
    assert not get_user_model().objects.filter(username="새독자").exists()


def test_sign_up_with_a_taken_name_is_refused(client, board):
    UserFactory(username="있는이름")
    response = client.post(
        "/accounts/signup/",
        {"username": "있는이름", "password1": "우체통-빨강-2008", "password2": "우체통-빨강-2008"},
    )
    assert response.status_code == 400
    assert get_user_model().objects.filter(username="있는이름").count() == 1


def test_log_in_and_out(client, board):
    UserFactory(username="reader")
    page = soup(client.get("/accounts/login/"))
    assert text(page.select_one("h1")) == "로그인"

    response = client.post(
        "/accounts/login/", {"username": "reader", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert "reader" in text(soup(client.get("/")).select_one(".site-nav"))

    assert client.post("/accounts/logout/").status_code == 302
    assert "로그인" in text(soup(client.get("/")).select_one(".site-nav"))


def test_wrong_password_shows_a_message(client, board):
    UserFactory(username="reader")
    response = client.post("/accounts/login/", {"username": "reader", "password": "틀림"})
    assert response.status_code == 200
    assert soup(response).select_one(".form-errors") is not None


def test_password_change(client, board):
    user = UserFactory(username="reader")
    client.force_login(user)
    assert text(soup(client.get("/accounts/password/")).select_one("h1")) == "비밀번호 변경"

    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "새-비밀번호-우체국",
            "new_password2": "새-비밀번호-우체국",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("새-비밀번호-우체국")


def test_a_150_character_user_name_signs_up_and_comments(client, board):
    # PostgreSQL enforces column lengths (SQLite does not): the name is copied into Author.
    post = PostFactory()
    name = "긴" * 75 + "n" * 75
    password = "우체통-빨강-2008"
    signed_up = client.post(
        "/accounts/signup/",
        {
            "username": name,
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
    )
    assert signed_up.status_code == 302
    response = client.post(f"/{post.number}/comments/", {"body": "첫 댓글입니다"})
    assert response.status_code == 302
    page = soup(client.get(post.get_absolute_url()))
    assert name in text(page.select_one(".comment-meta"))


def test_a_staff_members_long_full_name_fits_their_author_profile(board):
    from board import services

    user = UserFactory(first_name="가" * 150, last_name="나" * 150)
    author = services.author_for(user)
    author.refresh_from_db()
    assert author.name.startswith("가" * 150)


def sign_up(client, username):
    password = "우체통-빨강-2008"
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
    )


@pytest.mark.parametrize(
    "name",
    [
        "아주",  # the source board's author, who has no account
        "\u110b\u1161\u110c\u116e",  # the same, in conjoining jamo
        "еditor",  # Cyrillic е
        "ＫＯＲＥＡＰＯＳＴ",  # full width, upper case
        "EDlTOR",  # l for I
        "rnoder",  # rn for m, beside a moderator
    ],
)
def test_names_confusable_with_staff_or_authors_are_refused(client, board, name):
    from django.contrib.auth.models import Group

    from tests.factories import AuthorFactory

    UserFactory(username="editor", is_staff=True)
    UserFactory(username="moder").groups.add(Group.objects.get(name="모더레이터"))
    PostFactory(author=AuthorFactory(name="아주"))
    PostFactory(author=AuthorFactory(name="KoreaPost"))
    response = sign_up(client, name)
    assert response.status_code == 400
    errors = [text(node) for node in soup(response).select(".form-errors")]
    assert "운영진이나 기사 글쓴이의 이름과 헷갈릴 수 있는 이름은 쓸 수 없습니다." in errors
    assert not get_user_model().objects.filter(username=name).exists()


@pytest.mark.parametrize("name", ["모더셋", "편집 국장", "모더둘"])
def test_names_confusable_with_staff_or_moderator_full_names_are_refused(client, board, name):
    """Comments show an author profile's name, made from the full name: those count too."""
    from django.contrib.auth.models import Group

    from board import services

    moderator = UserFactory(username="mod3", first_name="모더셋")
    moderator.groups.add(Group.objects.get(name="모더레이터"))
    UserFactory(username="chief", first_name="편집", last_name="국장", is_staff=True)
    # A moderator whose author profile exists already (made when they first commented).
    second = UserFactory(username="mod2", first_name="모더둘")
    second.groups.add(Group.objects.get(name="모더레이터"))
    services.author_for(second)
    response = sign_up(client, name)
    assert response.status_code == 400
    assert "헷갈릴 수 있는 이름" in text(soup(response))


def test_the_name_a_staff_member_signs_with_is_refused_before_they_have_written(client, board):
    from board import services

    services.author_for(UserFactory(username="editor", is_staff=True, first_name="편집부"))
    response = sign_up(client, "편집부")
    assert response.status_code == 400
    assert "헷갈릴 수 있는 이름" in text(soup(response))


def test_a_deactivated_account_is_signed_out_on_its_next_page(client, board):
    user = UserFactory(username="reader")
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_names_only_resembling_readers_are_allowed(client, board):
    from board import services

    UserFactory(username="editor", is_staff=True)
    services.author_for(UserFactory(username="commenter"))  # an author of comments only
    assert sign_up(client, "editor2").status_code == 302
    client.logout()
    assert sign_up(client, "cоmmenter").status_code == 302  # Cyrillic о


def test_staff_and_moderators_carry_a_mark_in_the_comments_at_no_extra_query(
    client, board, django_assert_num_queries
):
    from django.contrib.auth.models import Group

    from board import services
    from tests.factories import CommentFactory

    staff = UserFactory(username="editor", is_staff=True)
    moderator = UserFactory(username="moder")
    moderator.groups.add(Group.objects.get(name="모더레이터"))
    post = PostFactory(author=services.author_for(staff))
    for user in [staff, moderator, UserFactory(username="reader")]:
        CommentFactory(post=post, author=services.author_for(user))
    # The article, its comments with their authors' marks, the listing, the view count.
    with django_assert_num_queries(4):
        page = soup(client.get(post.get_absolute_url()))
    marks = [
        text(meta.select_one(".badge-role")) if meta.select_one(".badge-role") else ""
        for meta in page.select(".comment-meta")
    ]
    assert marks == ["운영진", "모더레이터", ""]
    assert text(page.select_one(".post-author .badge-role")) == "운영진"


def test_each_test_starts_with_a_fresh_sign_up_allowance(client, board, settings):
    # The first test above signed up from this same test-client address; the cache that
    # counts sign-ups is cleared between tests (tests/conftest.py), so this one still may.
    settings.SIGNUP_RATE_LIMITS = [(3600, 1)]
    response = client.post(
        "/accounts/signup/",
        {
            "username": "두번째",
            "password1": "우체통-빨강-2008",
            "password2": "우체통-빨강-2008",
            "email": "reader@example.com",
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/accounts/signup/", "comment"])
def test_the_bot_trap_field_is_out_of_reach_of_keyboards_and_autofill(client, board, url):
    if url == "comment":
        client.force_login(UserFactory())
        url = PostFactory().get_absolute_url()
    field = soup(client.get(url)).select_one("input[name=homepage]")
    assert (field["type"], field["tabindex"], field["autocomplete"]) == ("text", "-1", "off")
    assert field.find_parent(class_="hp")["aria-hidden"] == "true"
    assert text(soup(client.get(url)).select_one("label[for=id_homepage]")) == (
        "홈페이지 (비워 두세요)"
    )


def test_the_login_links_on_an_article_come_back_to_it(client, board):
    post = PostFactory()

    page = soup(client.get(post.get_absolute_url()))

    back = f"/accounts/login/?next={post.get_absolute_url()}"
    assert page.select_one(".site-nav a")["href"] == back
    assert page.select_one(".comment-login a")["href"] == back

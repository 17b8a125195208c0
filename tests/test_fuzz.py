"""Hostile input on every parameter and form field: never a 500, nothing stored by a refused
request, nothing rendered unescaped."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from board.models import Comment, Post
from tests.conftest import BROWSER_UA
from tests.factories import AuthorFactory, CommentFactory, PostFactory, UserFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db

MARK = "<script>alert('pbbs')</script>"
PAYLOADS = [
    MARK,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "' OR '1'='1",
    "1; DROP TABLE board_post; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\u202e\u200b",
    "-1",
    "0",
    "1e309",
    "99999999999999999999",
    "9" * 5000,
    "가" * 10_000,
    "%ZZ",
    "%E0%A4%A",
    "%FF%FE",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "${7*7}",
]


def no_server_error(response, label):
    assert response.status_code < 500, (label, response.status_code)
    body = response.content.decode(errors="replace")
    assert MARK not in body, label
    assert "onerror=alert(1)>" not in body, label


@pytest.fixture(autouse=True)
def searches_unlimited(request):
    """Hundreds of searches from one address here; the search rate limit has its own tests."""
    request.getfixturevalue("settings").SEARCH_RATE_LIMITS = []


@pytest.fixture
def site(board):
    post = PostFactory(title="우체국 소식")
    comment = CommentFactory(post=post)
    return post, comment


def counts():
    return (
        Post.objects.count(),
        Comment.objects.count(),
        list(Post.objects.order_by("pk").values_list("comment_count", flat=True)),
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_url_parameter_survives_hostile_values(client, site, payload):
    post, comment = site
    before = counts()
    gets = [
        ("/", {"page": payload}),
        ("/", {"q": payload}),
        ("/", {"q": "우체국", "target": payload}),
        ("/", {"q": "우체국", "before": payload}),
        ("/", {"q": "우체국", "after": payload}),
        (post.get_absolute_url(), {"page": payload}),
        (post.get_absolute_url(), {"q": payload, "target": payload}),
        (f"/comments/{comment.pk}/remove/", {"next": payload}),
        ("/accounts/login/", {"next": payload}),
        ("/accounts/signup/", {"next": payload}),
        ("/language/en/", {"next": payload}),
        ("/sitemap-news.xml", {"p": payload}),
    ]
    for url, params in gets:
        no_server_error(client.get(url, params), (url, params))
    assert counts() == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_paths_are_404s(client, site, payload):
    response = client.get(f"/{payload}/")
    no_server_error(response, payload)
    assert response.status_code == 404, payload
    # Comment actions and the preview need an account: an anonymous visitor is sent to sign in
    # when the path is a number at all (before any lookup, so ids reveal nothing).
    number = payload.isascii() and payload.isdigit() and len(payload) <= 9
    for path, login in [
        (f"/comments/{payload}/remove/", "/accounts/login/"),
        (f"/preview/{payload}/", "/admin/login/"),
    ]:
        response = client.get(path)
        no_server_error(response, path)
        if number:
            assert response.status_code == 302, path
            assert response["Location"].startswith(login), path
        else:
            assert response.status_code == 404, path
    client.force_login(UserFactory(username="열람자", is_staff=True, is_superuser=True))
    for path in [f"/comments/{payload}/remove/", f"/preview/{payload}/"]:
        response = client.get(path)
        no_server_error(response, path)
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/99999999999999999999/",
        "/1234567890/",
        "/comments/99999999999999999999/remove/",
        "/preview/99999999999999999999/",
        "/language/xx/",
        "/%FF%FE/",
    ],
)
def test_huge_or_odd_numbers_in_paths_are_404s(client, site, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_form_field_survives_hostile_values(site, payload):
    post, comment = site
    reader = UserFactory(username="fuzzer")
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(reader)
    before = counts()

    response = client.post(f"/{post.number}/comments/", {"body": payload, "homepage": payload})
    no_server_error(response, "comment")
    response = client.post(f"/comments/{comment.pk}/remove/", {"reason": payload, "next": payload})
    no_server_error(response, "remove")
    client.logout()
    response = client.post(
        "/accounts/signup/",
        {
            "username": payload,
            "password1": payload,
            "password2": payload,
            "email": "reader@example.com",
            "homepage": payload,
        },
    )
    no_server_error(response, "signup")
    response = client.post("/accounts/login/", {"username": payload, "password": payload})
    no_server_error(response, "login")

    # A refused comment stores nothing; the one removal a reader may not make changes nothing.
    assert counts() == before
    assert Comment.objects.filter(is_removed=True).count() == 0


# A board of three listing pages (45 articles, 20 a page) whose words are known, so that a
# rendered page or a search can be checked against what it must show.
TITLES = ["우체국 택배 소식", "집배원 이야기", "우편 요금 <인상>"]
BODIES = ["빨간 우체통 & 소포", "등기 우편 안내", '택배 상자 "주의"']
AUTHORS = ["김우체", "이집배", "박소포"]
WORDS = ["우체국", "택배", "우편", "이야기", "소포", "<인상>", "&", "김우체", "박", "없는말"]
TARGETS = ["", "title_body", "title", "body", "author", "comment"]
PAGES = 3


@pytest.fixture
def stocked(board):
    authors = [AuthorFactory(name=name) for name in AUTHORS]
    posts = [
        PostFactory(title=TITLES[n % 3], body=BODIES[n % 3], author=authors[n % 3])
        for n in range(45)
    ]
    CommentFactory(post=posts[7], body="우체국 다녀왔어요")
    return posts


def matches(post, q, target):
    title, body, author = post.title, post.body, post.author.name
    comments = [c.body for c in post.comments.filter(is_removed=False)]
    return {
        "title": q in title,
        "body": q in body,
        "title_body": q in title or q in body,
        "author": q in author,
        "comment": any(q in c for c in comments),
    }[target or "title_body"]


def not_an_integer(value):
    try:
        int(value)
    except ValueError:
        return True
    return False


# Mostly valid values, some junk: valid ones must render, junk must be refused precisely.
JUNK_PAGE = st.one_of(
    st.sampled_from(["0", "-1", "", "abc", "1.5", "2e3"]),
    st.text(max_size=40).filter(not_an_integer),
)
PAGE = st.integers(0, 9).flatmap(
    lambda n: JUNK_PAGE if n < 2 else st.integers(1, PAGES + 2).map(str)
)
SAFE_TEXT = st.text(alphabet="우체국택배소식편요금 <>&%_'\"\\", min_size=1, max_size=30).filter(
    str.strip
)
QUERY = st.integers(0, 19).flatmap(
    lambda n: (
        st.tuples(SAFE_TEXT, st.sampled_from("\x00\x07\x1b\x7f")).map(lambda t: t[0] + t[1])
        if n == 0
        else st.text(alphabet="가나", min_size=101, max_size=120)
        if n == 1
        else SAFE_TEXT
        if n < 6
        else st.sampled_from(WORDS)
    )
)
TARGET = st.integers(0, 19).flatmap(
    lambda n: (
        st.text(alphabet="abcxyz_", min_size=1, max_size=12).filter(lambda t: t not in TARGETS)
        if n == 0
        else st.sampled_from(TARGETS)
    )
)
BEFORE = st.integers(0, 9).flatmap(
    lambda n: (
        st.text(alphabet="abc가나-", min_size=1, max_size=12)
        if n == 0
        else st.none()
        if n < 6
        else st.integers(1, 60)
    )
)


def query_is_valid(q, target, before):
    has_control = any(c in q for c in "\x00\x07\x1b\x7f")
    return not has_control and len(q) <= 100 and target in TARGETS and not isinstance(before, str)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(page=PAGE, q=QUERY, target=TARGET, before=BEFORE)
def test_random_listing_and_search_parameters_render_or_are_refused(
    client, stocked, page, q, target, before
):
    response = client.get("/", {"page": page})
    no_server_error(response, page)
    if not_an_integer(page) or int(page) < 1:
        event("page: junk")
        assert (response.status_code, response["Location"]) == (302, "/"), page
    elif int(page) > PAGES:
        event("page: past the end")
        assert (response.status_code, response["Location"]) == (302, f"/?page={PAGES}"), page
    else:
        event("page: rendered")
        assert response.status_code == 200, page
        high = 45 - (int(page) - 1) * 20
        expected = [str(n) for n in range(high, max(0, high - 20), -1)]
        assert [r["number"] for r in listing_rows(soup(response))] == expected, page

    params = {"q": q, "target": target}
    if before is not None:
        params["before"] = before
    response = client.get("/", params)
    no_server_error(response, params)
    page = soup(response)
    if not query_is_valid(q, target, before):
        event("search: refused")
        assert response.status_code == 400, params
        assert page.select_one(".search-summary.form-errors") is not None, params
        assert listing_rows(page) == [], params
        return
    assert response.status_code == 200, params
    assert page.select_one("table.post-table") is not None, params
    words = " ".join(q.split())
    below = min(before or 46, 46)
    expected = [
        str(p.number) for p in reversed(stocked) if p.number < below and matches(p, words, target)
    ][:20]
    event("search: rows shown" if expected else "search: nothing found")
    assert [r["number"] for r in listing_rows(page)] == expected, params
    if expected:
        assert f"'{words}' 검색 결과" in text(page.select_one(".search-summary")), params


VALID_BODY = st.text(
    alphabet=st.characters(blacklist_categories=["Cc", "Cs"]) | st.sampled_from("\n\r\t<>&"),
    min_size=1,
    max_size=2000,
).filter(str.strip)
INVALID_BODY = st.one_of(
    st.text(alphabet=" \n\r\t", max_size=20),  # nothing but blanks
    st.text(alphabet="가<&", min_size=2001, max_size=2100),  # over the limit
    st.tuples(VALID_BODY, st.sampled_from("\x00\x08\x0b\x1f\x7f\x85")).map(lambda t: t[0] + t[1]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(valid=st.integers(0, 9).map(lambda n: n >= 3), data=st.data())
def test_random_comment_bodies_are_stored_and_shown_escaped_or_refused_with_a_message(
    site, valid, data
):
    body = data.draw(VALID_BODY if valid else INVALID_BODY, label="body")
    post, _comment = site
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(UserFactory(username="random-commenter"))
    Comment.objects.filter(author__user__username="random-commenter").delete()
    Post.objects.filter(pk=post.pk).update(comment_count=1)
    before = Comment.objects.count()

    response = client.post(f"/{post.number}/comments/", {"body": body})

    no_server_error(response, repr(body[:40]))
    event("comment: valid" if valid else "comment: invalid")
    if valid:
        assert response.status_code == 302, repr(body[:40])
        stored = Comment.objects.latest("pk")
        expected = body.replace("\r\n", "\n").replace("\r", "\n").strip()
        assert stored.body == expected
        assert Comment.objects.count() == before + 1
        shown = soup(client.get(post.get_absolute_url())).select_one(
            f"#comment-{stored.pk} .comment-body"
        )
        # Shown as typed: markup in it is text, not tags (the parser would drop tags).
        assert shown.get_text(" ").split() == expected.split()
    else:
        assert response.status_code == 400, repr(body[:40])
        assert Comment.objects.count() == before
        assert soup(response).select_one("#comment-form .form-errors").get_text(strip=True)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_over_long_user_names_are_refused_before_they_reach_the_lockout_log(client, board, url):
    from axes.models import AccessAttempt

    response = client.post(url, {"username": "가" * 300, "password": "x"})
    assert response.status_code == 200
    assert AccessAttempt.objects.count() == 0

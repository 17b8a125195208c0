"""Hostile input on every parameter and form field: never a 500, nothing stored by a refused
request, nothing rendered unescaped."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board.models import Comment, Post
from tests.conftest import BROWSER_UA
from tests.factories import CommentFactory, PostFactory, UserFactory

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
        ("/sitemap-posts.xml", {"p": payload}),
    ]
    for url, params in gets:
        no_server_error(client.get(url, params), (url, params))
    assert counts() == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_paths_are_404s(client, site, payload):
    for path in [f"/{payload}/", f"/comments/{payload}/remove/", f"/preview/{payload}/"]:
        no_server_error(client.get(path), path)


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
        {"username": payload, "password1": payload, "password2": payload, "homepage": payload},
    )
    no_server_error(response, "signup")
    response = client.post("/accounts/login/", {"username": payload, "password": payload})
    no_server_error(response, "login")

    # A refused comment stores nothing; the one removal a reader may not make changes nothing.
    assert counts() == before
    assert Comment.objects.filter(is_removed=True).count() == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    page=st.text(max_size=40),
    q=st.text(max_size=120),
    target=st.text(max_size=12),
    before=st.text(max_size=12),
)
def test_random_listing_and_search_parameters_never_fail(client, site, page, q, target, before):
    no_server_error(client.get("/", {"page": page}), page)
    no_server_error(client.get("/", {"q": q, "target": target, "before": before}), q)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(max_size=2100))
def test_random_comment_bodies_are_stored_exactly_or_refused_cleanly(site, body):
    post, _comment = site
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(UserFactory(username="random-commenter"))
    Comment.objects.filter(author__user__username="random-commenter").delete()
    Post.objects.filter(pk=post.pk).update(comment_count=1)
    before = Comment.objects.count()

    response = client.post(f"/{post.number}/comments/", {"body": body})

    no_server_error(response, repr(body[:40]))
    if response.status_code == 302:
        stored = Comment.objects.latest("pk")
        assert stored.body == body.replace("\r\n", "\n").replace("\r", "\n").strip()
        assert Comment.objects.count() == before + 1
    else:
        assert Comment.objects.count() == before


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_over_long_user_names_are_refused_before_they_reach_the_lockout_log(client, board, url):
    from axes.models import AccessAttempt

    response = client.post(url, {"username": "가" * 300, "password": "x"})
    assert response.status_code == 200
    assert AccessAttempt.objects.count() == 0

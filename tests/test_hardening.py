"""Headers on every page type, login lockout, honeypots, sign-up limits, Korean error pages."""

import pytest
from django.db import OperationalError
from django.test import Client

from board.models import Comment
from tests.conftest import BROWSER_UA
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(board):
    post = PostFactory()
    comment = CommentFactory(post=post)
    return {
        "listing": "/",
        "article": post.get_absolute_url(),
        "search": "/?q=%EC%9A%B0&target=title",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "remove": f"/comments/{comment.pk}/remove/",
        "feed": "/feed/rss/",
        "robots": "/robots.txt",
        "admin": "/admin/login/",
        "not found": "/999999/",
    }


def test_every_page_type_sends_the_security_headers(client, pages):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 302, 404), name
        csp = response.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert "object-src 'none'" in csp, name
        assert "unsafe-inline" not in csp, name
        assert "unsafe-eval" not in csp, name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name


def test_pages_carry_no_inline_script_or_style(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue  # the feed and robots.txt
        page = soup(response)
        assert not [s for s in page.find_all("script") if not s.get("src")], name
        assert page.find("style") is None, name
        assert not page.select("[style]"), name
        assert not page.select("[onclick], [onload], [onerror], [onsubmit]"), name


# The production settings, loaded afresh with only HTTPS=true among the security switches,
# answer one HTTPS request and one plain one (the settings module reads the environment once,
# so this needs its own process).
HSTS_PROBE = """
import django
from django.test import Client
django.setup()
secure = Client().get("/robots.txt", secure=True)
plain = Client().get("/robots.txt")
print(secure.get("Strict-Transport-Security"), plain.status_code, plain.get("Location"), sep="|")
"""


@pytest.mark.parametrize(("https", "expected"), [("true", "hsts"), ("false", "none")])
def test_hsts_and_the_https_redirect_follow_the_https_switch_alone(https, expected):
    import os
    import subprocess
    import sys

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DATABASE_", "CACHE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="postbbs.settings",
        HTTPS=https,
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", HSTS_PROBE], env=env, capture_output=True, text=True, check=True
    )
    hsts, status, location = result.stdout.strip().splitlines()[-1].split("|")
    if expected == "hsts":
        assert hsts == "max-age=31536000; includeSubDomains"
        assert (status, location) == ("301", "https://testserver/robots.txt")
    else:
        assert (hsts, status) == ("None", "200")


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_the_account_with_a_korean_message(client, board):
    UserFactory(username="reader")
    for _ in range(4):
        assert login(client, "reader", "틀린 비밀번호").status_code == 200
    # The fifth failure locks.
    assert login(client, "reader", "틀린 비밀번호").status_code == 429

    locked = login(client, "reader", "correct horse battery")
    assert locked.status_code == 429
    assert "로그인이 잠시 막혔습니다" in text(soup(locked).select_one("h1"))
    assert "_auth_user_id" not in client.session
    # The lock holds for that user name from another address too.
    other = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(other, "reader", "correct horse battery", ip="10.9.9.9").status_code == 429


def test_failures_from_one_address_lock_that_address_for_every_account(client, board):
    UserFactory(username="victim")
    for n in range(5):
        login(client, f"nobody{n}", "guess", ip="10.6.6.6")
    assert login(client, "victim", "correct horse battery", ip="10.6.6.6").status_code == 429
    assert login(client, "victim", "correct horse battery", ip="10.7.7.7").status_code == 302


def test_fewer_failures_then_the_right_password_logs_in(client, board):
    UserFactory(username="reader")
    for _ in range(4):
        login(client, "reader", "틀림")
    assert login(client, "reader", "correct horse battery").status_code == 302


def test_admin_login_is_locked_out_too(client, board):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "boss", "password": "x"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(
        "/admin/login/",
        {"username": "boss", "password": "correct horse battery"},
        REMOTE_ADDR="10.2.2.2",
    )
    assert response.status_code == 429


def test_filled_honeypot_on_the_comment_form_is_refused_and_nothing_stored(client, board):
    post = PostFactory()
    client.force_login(UserFactory())
    response = client.post(
        f"/{post.number}/comments/", {"body": "광고입니다", "homepage": "http://spam.example"}
    )
    assert response.status_code == 400
    assert "자동으로 작성된 것으로 보여" in text(soup(response).select_one(".comment-form"))
    assert Comment.objects.count() == 0


def test_honeypot_is_out_of_sight_and_out_of_the_tab_order(client, board):
    post = PostFactory()
    client.force_login(UserFactory())
    for url in [post.get_absolute_url(), "/accounts/signup/"]:
        client.logout() if "signup" in url else None
        trap = soup(client.get(url)).select_one("input[name=homepage]")
        assert trap["tabindex"] == "-1"
        assert trap.find_parent(class_="hp")["aria-hidden"] == "true"


def test_filled_honeypot_on_sign_up_creates_no_account(client, board):
    from django.contrib.auth import get_user_model

    password = "우체통-빨강-2008"
    response = client.post(
        "/accounts/signup/",
        {"username": "bot", "password1": password, "password2": password, "homepage": "x"},
    )
    assert response.status_code == 400
    assert "자동으로 작성된 것으로 보여" in text(soup(response))
    assert not get_user_model().objects.filter(username="bot").exists()


def test_sign_ups_from_one_address_are_limited(board):
    from django.contrib.auth import get_user_model

    password = "우체통-빨강-2008"
    statuses = []
    for n in range(6):
        c = Client(HTTP_USER_AGENT=BROWSER_UA)
        response = c.post(
            "/accounts/signup/",
            {"username": f"user{n}", "password1": password, "password2": password},
            REMOTE_ADDR="10.3.3.3",
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429]
    assert "가입이 너무 많습니다" in text(soup(response).select_one(".form-errors"))
    assert get_user_model().objects.count() == 5
    other = Client(HTTP_USER_AGENT=BROWSER_UA).post(
        "/accounts/signup/",
        {"username": "elsewhere", "password1": password, "password2": password},
        REMOTE_ADDR="10.4.4.4",
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/999999/", 404, "페이지를 찾을 수 없습니다"),
        ("/preview/1/", 302, None),
    ],
)
def test_korean_error_pages(client, board, url, status, heading):
    response = client.get(url)
    assert response.status_code == status
    if heading:
        page = soup(response)
        assert text(page.select_one("h1")) == heading
        assert "Traceback" not in response.content.decode()


def test_403_page_is_korean(client, board):
    post = PostFactory()
    comment = CommentFactory(post=post)
    client.force_login(UserFactory())
    response = client.get(f"/comments/{comment.pk}/remove/")
    assert response.status_code == 403
    assert text(soup(response).select_one("h1")) == "접근할 수 없습니다"


def test_csrf_failure_page_is_korean(board):
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    response = strict.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert text(soup(response).select_one("h1")) == "보안 토큰이 맞지 않습니다"


def test_400_page_for_a_bad_host_is_korean(client, board, settings):
    settings.ALLOWED_HOSTS = ["board.example.com"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert text(soup(response).select_one("h1")) == "잘못된 요청입니다"


@pytest.fixture
def failing_view(monkeypatch, settings):
    """Make the listing raise, as a bug or a lost database would, and let the handler answer."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False

    def fail_with(error):
        def broken(*args, **kwargs):
            raise error

        monkeypatch.setattr("board.services.default_board", broken)

    return fail_with


def test_a_bug_gives_the_korean_500_page_without_a_trace(board, failing_view):
    failing_view(RuntimeError("secret internals"))
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "일시적인 오류입니다" in body
    assert "secret internals" not in body
    assert "Traceback" not in body


def test_a_lost_database_gives_the_korean_503_page(board, failing_view):
    failing_view(OperationalError("connection refused"))
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "잠시 점검 중입니다" in response.content.decode()
    assert "connection refused" not in response.content.decode()

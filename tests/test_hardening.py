"""Headers on every page type, read-only pages refusing a POST, HTTPS, Korean error pages,
cookies out of scripts' reach, and owner-only database files."""

import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from tests.conftest import BROWSER_UA
from tests.factories import CommentFactory, PostFactory, PostImageFactory, UserFactory
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


# Pages that only show something: a form posted to one by mistake (or a crawler's POST) is
# refused with the methods it takes, never answered as if it were a GET.
# (Not named "page": that is Playwright's fixture, and its browser parameter would pull this
# test in among the browser tests, whose database flushes the others then miss.)
@pytest.mark.parametrize("kind", ["listing", "article", "preview", "image", "language", "robots"])
def test_read_only_pages_refuse_a_post(client, board, kind):
    image = PostImageFactory()
    scheduled = PostFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = {
        "listing": "/",
        "article": image.post.get_absolute_url(),
        "preview": f"/preview/{scheduled.pk}/",
        "image": image.image.url,
        "language": "/language/en/?next=/",
        "robots": "/robots.txt",
    }[kind]
    assert client.get(url).status_code in (200, 302)

    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


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


def test_csrf_failure_page_says_403_and_why_and_keeps_the_reader_signed_in(board):
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    strict.force_login(UserFactory(username="minji"))
    post = PostFactory()
    response = strict.post(f"{post.get_absolute_url()}comments/", {"body": "늦은 댓글"})
    assert response.status_code == 403
    page = soup(response)
    shown = text(page)
    assert "403" in shown
    assert "404" not in shown
    why = "페이지를 연 지 오래되었거나 쿠키가 꺼져 있습니다. 새로고침한 뒤 다시 보내 주세요."
    assert why in [text(p) for p in page.select("p")]
    # The header still shows who is signed in, as on every other page.
    assert "minji" in shown
    assert "로그인" not in shown.replace("로그아웃", "")


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

        monkeypatch.setattr("board.reading.board_and_category", broken)

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


# Secure when the site says it is served over HTTPS, or when this request came over it.
@pytest.mark.parametrize(
    ("https_setting", "https_request", "secure"),
    [(True, True, True), (True, False, True), (False, True, True), (False, False, "")],
)
def test_viewed_and_language_cookies_are_secure_under_https(
    client, board, settings, https_setting, https_request, secure
):
    settings.HTTPS = https_setting
    post = PostFactory()

    viewed = client.get(post.get_absolute_url(), secure=https_request).cookies["viewed"]
    language = client.get("/language/en/?next=/", secure=https_request).cookies["django_language"]

    assert viewed["secure"] == secure
    assert language["secure"] == secure


def test_viewed_and_language_cookies_are_out_of_reach_of_page_scripts(client, board):
    post = PostFactory()

    viewed = client.get(post.get_absolute_url()).cookies["viewed"]
    language = client.get("/language/en/?next=/").cookies["django_language"]

    # Which articles a reader opened is nobody's business but the server's.
    assert viewed["httponly"] is True
    assert language["httponly"] is True


def test_a_fresh_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    database = tmp_path / "fresh" / "db.sqlite3"
    database.parent.mkdir()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "postbbs.settings",
    }
    subprocess.run(
        f"umask 022 && {sys.executable} manage.py migrate --noinput -v0",
        shell=True,
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )

    files = [database, *database.parent.glob("db.sqlite3-*")]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}

"""The board under its production server: exact counters under load, two servers sharing one
database and one Redis, static files, and Django's deployment checklist."""

import re
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.server.conftest import ROOT, Visitor, production_environ


def views_of(database, number):
    return database.scalar("SELECT views FROM board_post WHERE number = ?", (number,))


def test_views_are_exact_under_32_concurrent_new_visitors(database, site_env, start_server):
    server = start_server(site_env, workers=2, threads=4)
    before = views_of(database, 125)
    requests = 320

    def visit(_):
        return Visitor().request(f"{server.url}/125/")[0]

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(visit, range(requests)))

    assert statuses == [200] * requests
    assert views_of(database, 125) == before + requests

    # One visitor coming back again and again counts once.
    regular = Visitor()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: regular.request(f"{server.url}/124/")[0], range(1)))
        statuses += list(pool.map(lambda _: regular.request(f"{server.url}/124/")[0], range(40)))
    assert set(statuses) == {200}
    assert views_of(database, 124) == 1061 + 1


def sign_up(url, username):
    """A sign-up through the real form (CSRF token and all); returns the status."""
    password = f"우체통-{username}-빨강-2008"
    return Visitor().post_form(
        url,
        "/accounts/signup/",
        "/accounts/signup/",
        {
            "username": username,
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
    )[0]


def test_concurrent_sign_ups_all_succeed_without_database_errors(database, site_env, start_server):
    # All 32 come from 127.0.0.1: lift the per-address sign-up limit for this test.
    server = start_server({**site_env, "SIGNUP_LIMIT_PER_HOUR": "100"}, workers=2, threads=4)

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda i: sign_up(server.url, f"reader{i}"), range(32)))

    assert statuses == [302] * 32
    assert database.scalar("SELECT COUNT(*) FROM auth_user") == 32


def test_parallel_sign_ups_from_one_address_on_two_servers_make_exactly_the_limit(
    database, site_env, start_server
):
    # The default production set-up (no Redis): each worker process has its own memory, so
    # only a limit kept in the database holds across the four processes here.
    servers = [start_server(site_env, workers=2, threads=4) for _ in range(2)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda i: sign_up(servers[i % 2].url, f"burst{i}"), range(20)))

    assert sorted(statuses) == [302] * 5 + [429] * 15
    assert database.scalar("SELECT COUNT(*) FROM auth_user") == 5


def test_two_servers_share_sessions_view_counts_and_rate_limits(
    database, site_env, start_server, redis_url
):
    env = {**site_env, "CACHE_URL": redis_url, "SIGNUP_LIMIT_PER_HOUR": "1"}
    one = start_server(env, workers=1, threads=2)
    two = start_server(env, workers=1, threads=2)
    visitor = Visitor()

    # The same visitor reads article 125 on both servers: one view.
    assert visitor.request(f"{one.url}/125/")[0] == 200
    assert visitor.request(f"{two.url}/125/")[0] == 200
    assert views_of(database, 125) == 721

    # Signed up (and so signed in) on one server, the session holds on the other.
    password = "우체통-빨강-2008-공유"
    status, _, _ = visitor.post_form(
        one.url,
        "/accounts/signup/",
        "/accounts/signup/",
        {
            "username": "shared",
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
    )
    assert status == 302
    assert "shared" in visitor.request(f"{two.url}/")[2]
    # The sign-up limit (one account an hour from this address) counted on one, holds on two.
    status, _, body = Visitor().post_form(
        two.url,
        "/accounts/signup/",
        "/accounts/signup/",
        {
            "username": "second",
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
    )
    assert status == 429
    assert "가입이 너무 많습니다" in body

    # A comment on one server; a second one at once on the other is refused by the limit.
    status, _, _ = visitor.post_form(one.url, "/125/", "/125/comments/", {"body": "첫 댓글"})
    assert status == 302
    status, _, body = visitor.post_form(two.url, "/125/", "/125/comments/", {"body": "둘째"})
    assert status == 429
    assert "잠시 후 다시 쓰세요" in body
    assert database.scalar("SELECT COUNT(*) FROM board_comment") == 1
    assert database.scalar("SELECT comment_count FROM board_post WHERE number = 125") == 1


def test_static_files_are_hashed_compressed_and_cached_for_long(site_env, start_server):
    server = start_server(site_env, workers=1, threads=2)
    _, _, page = Visitor().request(f"{server.url}/")
    css = re.search(r'href="(/static/board/board\.[0-9a-f]{12}\.css)"', page)
    assert css, "the stylesheet link carries a content hash"

    status, headers, _ = Visitor().request(
        server.url + css.group(1), headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert "max-age=315360000" in headers.get("cache-control", "")


def test_debug_is_off_and_errors_show_no_trace(site_env, start_server):
    server = start_server(site_env, workers=1, threads=2)
    status, _, body = Visitor().request(f"{server.url}/99999/")
    assert status == 404
    assert "Traceback" not in body
    assert "DEBUG = True" not in body


def test_check_deploy_is_clean_with_the_documented_production_environment():
    env = production_environ(
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        HTTPS="true",
        ALLOWED_HOSTS="board.example.com",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the HSTS preload check is silenced, and settings.py says why.
    assert "no issues (1 silenced)" in result.stdout


def test_https_production_sends_hsts_and_secure_cookies(site_env, start_server):
    env = {**site_env, "HTTPS": "true", "BEHIND_PROXY": "true"}
    server = start_server(env, workers=1, threads=2)
    visitor = Visitor()

    # A plain-HTTP request is sent to HTTPS.
    status, headers, _ = visitor.request(f"{server.url}/")
    assert status == 301
    assert headers["location"].startswith("https://")

    # Through the TLS-terminating proxy: HSTS, and cookies only over HTTPS.
    proxied = {"X-Forwarded-Proto": "https"}
    status, headers, _ = visitor.request(f"{server.url}/accounts/login/", headers=proxied)
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    cookie = headers["set-cookie"]
    assert "csrftoken=" in cookie
    assert "Secure" in cookie

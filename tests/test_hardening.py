"""Headers on every page type, login lockout, honeypots, sign-up limits, Korean error pages."""

import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from board.models import Comment
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
    assert "15분 뒤에 다시 시도해 주세요." in text(soup(locked))
    assert "_auth_user_id" not in client.session
    # The lock is on that user name from that address: its owner elsewhere still gets in.
    other = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(other, "reader", "correct horse battery", ip="10.9.9.9").status_code == 302


@pytest.mark.parametrize(("hours", "minutes"), [(0.5, 30), (2, 120)])
def test_the_lockout_page_says_the_configured_wait_in_minutes(
    client, board, settings, hours, minutes
):
    settings.AXES_COOLOFF_TIME = hours
    UserFactory(username="reader")
    for _ in range(5):
        login(client, "reader", "틀린 비밀번호")
    locked = login(client, "reader", "틀린 비밀번호")
    assert f"{minutes}분 뒤에 다시 시도해 주세요." in text(soup(locked))
    english = client.post(
        "/accounts/login/",
        {"username": "reader", "password": "x"},
        REMOTE_ADDR="10.0.0.1",  # the locked pair's address
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert f"Please try again in {minutes} minutes." in text(soup(english))


def test_failures_from_one_address_lock_that_address_for_every_account(client, board):
    UserFactory(username="victim")
    for n in range(20):
        assert login(client, f"nobody{n}", "guess", ip="10.6.6.6").status_code in (200, 429)
    locked = login(client, "victim", "correct horse battery", ip="10.6.6.6")
    assert locked.status_code == 429
    assert "이 주소에서 로그인 실패가 너무 많아" in text(soup(locked))
    assert login(client, "victim", "correct horse battery", ip="10.7.7.7").status_code == 302


def guess_then_log_in_as_oneself(page, rounds, ip="10.5.5.5"):
    """The attack: 4 wrong passwords for the victim, then a good login to one's own account."""
    guesser = Client(HTTP_USER_AGENT=BROWSER_UA)
    for _ in range(rounds):
        for _ in range(4):
            guesser.post(page, {"username": "victim", "password": "guess"}, REMOTE_ADDR=ip)
        assert login(guesser, "guesser", "correct horse battery", ip=ip).status_code == 302
        guesser.logout()
    return guesser


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_own_logins_between_guesses_do_not_reset_the_victims_count(board, login_path):
    UserFactory(username="victim", is_staff=True)
    UserFactory(username="guesser")
    guesser = guess_then_log_in_as_oneself(login_path, rounds=2)
    # Eight failures against the victim from this address: locked, even with the password.
    good = {"username": "victim", "password": "correct horse battery"}
    assert guesser.post(login_path, good, REMOTE_ADDR="10.5.5.5").status_code == 429
    assert "_auth_user_id" not in guesser.session


def test_a_sign_up_between_guesses_does_not_reset_the_victims_count(client, board):
    UserFactory(username="victim")
    for _ in range(4):
        login(client, "victim", "guess", ip="10.5.5.5")
    password = "우체통-빨강-2008"
    signed_up = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": password, "password2": password},
        REMOTE_ADDR="10.5.5.5",
    )
    assert signed_up.status_code == 302
    client.logout()
    assert login(client, "victim", "guess", ip="10.5.5.5").status_code == 429
    assert login(client, "victim", "correct horse battery", ip="10.5.5.5").status_code == 429


def test_the_owner_logs_in_from_another_address_while_a_stranger_hammers_the_name(board):
    UserFactory(username="victim")
    stranger = Client(HTTP_USER_AGENT=BROWSER_UA)
    for _ in range(30):
        login(stranger, "victim", "guess", ip="10.6.6.6")
    assert login(stranger, "victim", "correct horse battery", ip="10.6.6.6").status_code == 429
    owner = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(owner, "victim", "correct horse battery", ip="10.7.7.7").status_code == 302


def test_a_stranger_cannot_lock_staff_out_of_the_admin_from_another_address(board):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    stranger = Client(HTTP_USER_AGENT=BROWSER_UA)
    wrong = {"username": "boss", "password": "x"}
    for _ in range(30):
        stranger.post("/admin/login/", wrong, REMOTE_ADDR="10.1.1.1")
    boss = Client(HTTP_USER_AGENT=BROWSER_UA)
    response = boss.post(
        "/admin/login/",
        {"username": "boss", "password": "correct horse battery"},
        REMOTE_ADDR="10.2.2.2",
    )
    assert response.status_code == 302
    assert boss.get("/admin/").status_code == 200


def test_a_name_failed_from_many_addresses_is_slowed_there_but_not_for_its_owner(board):
    UserFactory(username="victim")
    botnet = Client(HTTP_USER_AGENT=BROWSER_UA)
    for n in range(3):  # LOGIN_THROTTLE: three addresses within the minute are enough
        login(botnet, "victim", "guess", ip=f"10.8.0.{n}")
    # An address that has failed for the name waits, even with a password it would guess.
    throttled = login(botnet, "victim", "correct horse battery", ip="10.8.0.1")
    assert throttled.status_code == 429
    assert "여러 곳에서 이 계정의 비밀번호가 틀리고 있어" in text(soup(throttled))
    owner = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(owner, "victim", "correct horse battery", ip="10.7.7.7").status_code == 302


def age_attempts(ip, seconds):
    """Move an address's recorded login failures ``seconds`` into the past."""
    from axes.models import AccessAttempt
    from django.db.models import F
    from django.utils import timezone

    AccessAttempt.objects.filter(ip_address=ip).update(
        attempt_time=F("attempt_time") - timezone.timedelta(seconds=seconds)
    )


def test_a_good_login_starts_its_own_count_again(client, board):
    UserFactory(username="reader")
    for _ in range(2):
        for _ in range(4):
            assert login(client, "reader", "틀림").status_code == 200
        assert login(client, "reader", "correct horse battery").status_code == 302
        client.logout()


def test_the_owners_login_elsewhere_does_not_reset_a_strangers_count(board):
    UserFactory(username="victim")
    stranger = Client(HTTP_USER_AGENT=BROWSER_UA)
    for _ in range(4):
        login(stranger, "victim", "guess", ip="10.8.5.1")
    owner = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(owner, "victim", "correct horse battery", ip="10.8.5.2").status_code == 302
    assert login(stranger, "victim", "guess", ip="10.8.5.1").status_code == 429


def test_a_locked_name_and_address_get_in_again_after_the_cool_off(client, board):
    UserFactory(username="reader")
    for _ in range(5):
        login(client, "reader", "틀림")
    assert login(client, "reader", "correct horse battery").status_code == 429
    age_attempts("10.0.0.1", 16 * 60)  # AXES_COOLOFF_HOURS: a quarter of an hour
    assert login(client, "reader", "correct horse battery").status_code == 302


def test_the_name_throttle_counts_only_this_names_failures_of_the_last_minute(board):
    UserFactory(username="victim")
    guesser = Client(HTTP_USER_AGENT=BROWSER_UA)
    login(guesser, "victim", "guess", ip="10.8.1.1")
    age_attempts("10.8.1.1", 120)  # before the throttle's minute, within the cool-off
    login(guesser, "someone", "guess", ip="10.8.1.1")  # a fresh failure for another name
    for n in (2, 3):
        login(guesser, "victim", "guess", ip=f"10.8.1.{n}")
    # Two addresses failed for the name this minute, under the three that slow it down.
    assert login(guesser, "victim", "correct horse battery", ip="10.8.1.1").status_code == 302


def test_failures_from_one_address_in_several_browsers_count_as_one_address(board):
    UserFactory(username="victim")
    for browser in ("Firefox", "Chrome", "Safari"):
        login(Client(HTTP_USER_AGENT=f"Mozilla/5.0 {browser}"), "victim", "guess", ip="10.8.2.1")
    owner = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(owner, "victim", "correct horse battery", ip="10.8.2.1").status_code == 302


def test_a_clean_address_is_not_refused_under_the_strictest_address_limit(board, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1
    UserFactory(username="victim")
    login(Client(HTTP_USER_AGENT=BROWSER_UA), "victim", "guess", ip="10.8.3.1")
    owner = Client(HTTP_USER_AGENT=BROWSER_UA)
    assert login(owner, "victim", "correct horse battery", ip="10.8.3.2").status_code == 302


def test_five_failures_from_an_address_say_fifteen_minutes_though_others_failed_too(board):
    UserFactory(username="victim")
    for n in (2, 3):
        login(Client(HTTP_USER_AGENT=BROWSER_UA), "victim", "guess", ip=f"10.8.4.{n}")
    guesser = Client(HTTP_USER_AGENT=BROWSER_UA)
    for _ in range(4):
        login(guesser, "victim", "guess", ip="10.8.4.1")
    locked = login(guesser, "victim", "guess", ip="10.8.4.1")  # the fifth failure locks
    assert locked.status_code == 429
    assert "비밀번호를 5번 틀려" in text(soup(locked))
    assert "15분 뒤에" in text(soup(locked))


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
        REMOTE_ADDR="10.1.1.1",
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
    refusal = text(soup(response).select_one(".form-errors"))
    assert refusal == "이 주소에서 가입이 너무 많습니다 (1시간에 5명까지)."
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


def sign_up(username, ip="10.3.3.3", **headers):
    password = "우체통-빨강-2008"
    return Client(HTTP_USER_AGENT=BROWSER_UA).post(
        "/accounts/signup/",
        {"username": username, "password1": password, "password2": password},
        REMOTE_ADDR=ip,
        **headers,
    )


def test_the_sign_up_limit_is_a_sliding_hour_not_a_clock_hour(board, monkeypatch):
    from django.utils import timezone

    def at(hh, mm, ss=0):
        moment = timezone.make_aware(timezone.datetime(2026, 11, 27, hh, mm, ss))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    at(10, 59, 40)
    assert [sign_up(f"early{n}").status_code for n in range(5)] == [302] * 5
    # A new clock hour does not give the address five more.
    at(11, 1)
    assert sign_up("late1").status_code == 429
    at(11, 59, 30)
    assert sign_up("late2").status_code == 429
    # An hour after the first five, the address may sign up again.
    at(11, 59, 41)
    assert sign_up("late3").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_hashes_its_password_before_taking_the_write_lock(monkeypatch):
    """Hashing is slow on purpose; inside the transaction (on SQLite the write lock is taken at
    BEGIN) parallel sign-ups queued behind each other's hashes until one gave up."""
    from django.contrib.auth import base_user
    from django.db import connection

    from tests.factories import BoardFactory

    BoardFactory()
    in_transaction = []
    original = base_user.make_password

    def watched(*args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return original(*args, **kwargs)

    monkeypatch.setattr(base_user, "make_password", watched)
    assert sign_up("hasher").status_code == 302
    assert in_transaction == [False]


def test_a_failed_sign_up_gives_its_place_back(board, monkeypatch):
    from django.contrib.auth.forms import UserCreationForm

    from board.models import SignupRecord

    def broken_save(form, commit=True):
        raise OperationalError("the database went away mid-sign-up")

    monkeypatch.setattr(UserCreationForm, "save", broken_save)
    with pytest.raises(OperationalError):
        sign_up("unlucky")
    assert not SignupRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_from_one_address_make_exactly_the_limit(settings):
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite in-memory test databases lock)")
    # The real, slow hasher: the gap between the check and the count was the hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    threads, start, statuses = 12, threading.Barrier(12), []

    def attempt(n):
        start.wait()
        try:
            statuses.append(sign_up(f"parallel{n}", ip="10.3.3.4").status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(statuses) == [302] * 5 + [429] * (threads - 5)
    assert get_user_model().objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_second_sign_up_from_one_address_waits_for_the_first_to_finish(settings):
    from board import limits
    from tests.races import race

    # The race above, made certain: the first reservation stays open until the second has
    # had time to read the count; without the lock it would read 0 and get in too.
    settings.SIGNUP_RATE_LIMITS = [(3600, 1)]
    outcome = []

    def second():
        try:
            limits.reserve_signup("10.4.4.4")
            outcome.append("reserved")
        except limits.RateLimited:
            outcome.append("refused")

    race(lambda: limits.reserve_signup("10.4.4.4"), second)
    assert outcome == ["refused"]


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_holds_its_address_lock_from_the_count_to_the_record(settings, monkeypatch):
    import threading

    from django.db import connection, connections

    from board import limits
    from board.models import SignupRecord

    if connection.vendor != "postgresql":
        pytest.skip("the address lock is PostgreSQL's (SQLite locks the whole file)")
    # The first sign-up, called on its own (no transaction around it), stops between its
    # count and its record; the second must wait for it, not count the same empty hour.
    settings.SIGNUP_RATE_LIMITS = [(3600, 1)]
    counted, done = threading.Event(), threading.Event()
    create = SignupRecord.objects.create
    first_thread = []

    def paused_create(**fields):
        if threading.current_thread() in first_thread:
            counted.set()
            done.wait(timeout=1)
        return create(**fields)

    monkeypatch.setattr(SignupRecord.objects, "create", paused_create)
    outcome = []

    def sign_up():
        try:
            limits.reserve_signup("10.5.5.5")
            outcome.append("reserved")
        except limits.RateLimited:
            outcome.append("refused")
        finally:
            connections.close_all()

    first = threading.Thread(target=sign_up)
    first_thread.append(first)
    first.start()
    counted.wait(timeout=5)
    second = threading.Thread(target=lambda: (sign_up(), done.set()))
    second.start()
    first.join()
    second.join()

    assert sorted(outcome) == ["refused", "reserved"]
    assert SignupRecord.objects.filter(address="10.5.5.5").count() == 1


@pytest.mark.parametrize(
    ("forwarded", "hops", "expected"),
    [
        ("203.0.113.9", 1, "203.0.113.9"),
        # What the client wrote to the left of our proxy's entry is ignored.
        ("1.1.1.1, 6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),
        ("1.1.1.1, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        (" 2001:DB8::1 ", 1, "2001:db8::1"),
        # Junk, too few entries or no header: the direct peer.
        ("not-an-address", 1, "192.0.2.1"),
        ("203.0.113.9, <script>", 1, "192.0.2.1"),
        ("203.0.113.9", 2, "192.0.2.1"),
        ("", 1, "192.0.2.1"),
        (None, 1, "192.0.2.1"),  # a request that came round the proxy, without the header
    ],
)
def test_the_client_address_behind_proxies_is_the_trusted_hop(settings, forwarded, hops, expected):
    from django.test import RequestFactory

    from board import services

    settings.BEHIND_PROXY = True
    settings.PROXY_HOPS = hops
    header = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **header)
    assert services.client_ip(request) == expected


def test_a_request_without_an_address_is_counted_under_the_empty_address(settings):
    from django.test import RequestFactory

    from board import services

    # The sign-up and search limits and the login lockout key on this; "" is what an admin
    # sees in their rows, not a made-up address.
    settings.BEHIND_PROXY = False
    assert services.client_ip(RequestFactory().get("/", REMOTE_ADDR="")) == ""


def test_junk_forwarded_for_gives_normal_login_and_sign_up_pages(board, settings):
    from board.models import SignupRecord

    settings.BEHIND_PROXY = True
    junk = {"HTTP_X_FORWARDED_FOR": "unknown, ' OR 1=1 --"}
    UserFactory(username="reader")
    response = Client(HTTP_USER_AGENT=BROWSER_UA).post(
        "/accounts/login/", {"username": "reader", "password": "x"}, REMOTE_ADDR="10.0.0.9", **junk
    )
    assert response.status_code == 200
    assert sign_up("proxied", ip="10.0.0.9", **junk).status_code == 302
    assert list(SignupRecord.objects.values_list("address", flat=True)) == ["10.0.0.9"]


def test_spoofed_leftmost_entries_do_not_escape_the_sign_up_limit(board, settings):
    settings.BEHIND_PROXY = True
    statuses = [
        sign_up(
            f"spoof{n}", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9"
        ).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


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


def test_a_name_taken_between_the_forms_check_and_its_save_is_refused_not_a_500(board, monkeypatch):
    """Two parallel sign-ups with one new name: both pass the form's uniqueness check, the
    second save hits the unique constraint. Simulated by letting the check pass for a taken name."""
    from django.contrib.auth.forms import UserCreationForm
    from django.contrib.auth.models import User

    UserFactory(username="우체부")
    monkeypatch.setattr(
        UserCreationForm, "clean_username", lambda form: form.cleaned_data["username"]
    )
    monkeypatch.setattr(UserCreationForm, "validate_unique", lambda form: None)
    response = sign_up("우체부")
    assert response.status_code == 400
    assert "이미 존재합니다" in text(soup(response).select_one("form"))
    assert User.objects.filter(username="우체부").count() == 1
    # The refused attempt gave its place back: five real sign-ups still fit in the hour.
    assert [sign_up(f"new{n}").status_code for n in range(5)] == [302] * 5


def test_a_sign_up_refused_by_the_race_can_be_sent_again_and_returns_to_the_article(
    board, monkeypatch
):
    from django.contrib.auth.forms import UserCreationForm

    post = PostFactory()
    UserFactory(username="우체부")
    monkeypatch.setattr(
        UserCreationForm, "clean_username", lambda form: form.cleaned_data["username"]
    )
    monkeypatch.setattr(UserCreationForm, "validate_unique", lambda form: None)
    browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    password = "우체통-빨강-2008"

    def send(page, username):
        fields = {i["name"]: i.get("value", "") for i in page.select("form input[name]")}
        fields.update(username=username, password1=password, password2=password)
        return browser.post("/accounts/signup/", fields)

    first = soup(browser.get(f"/accounts/signup/?next={post.get_absolute_url()}"))
    refused = send(first, "우체부")
    assert refused.status_code == 400
    page = soup(refused)
    # The message sits with the name field it is about.
    assert "이미 존재합니다" in text(page.select_one("input[name=username]").find_parent("div"))
    again = send(page, "우체부2")
    assert again.status_code == 302
    assert again["Location"] == post.get_absolute_url()

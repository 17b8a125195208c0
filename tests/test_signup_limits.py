"""Sign-ups and honeypots: the per-address limit holds exactly (a sliding hour, across processes,
under parallel requests, behind proxies), bots are refused, and races never give a 500."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from board.models import Comment
from tests.conftest import BROWSER_UA
from tests.factories import PostFactory, UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db


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
        {
            "username": "bot",
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
            "homepage": "x",
        },
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
            {
                "username": f"user{n}",
                "password1": password,
                "password2": password,
                "email": "reader@example.com",
            },
            REMOTE_ADDR="10.3.3.3",
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429]
    refusal = text(soup(response).select_one(".form-errors"))
    assert refusal == "이 주소에서 가입이 너무 많습니다 (1시간에 5명까지)."
    assert get_user_model().objects.count() == 5
    other = Client(HTTP_USER_AGENT=BROWSER_UA).post(
        "/accounts/signup/",
        {
            "username": "elsewhere",
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
        REMOTE_ADDR="10.4.4.4",
    )
    assert other.status_code == 302


def sign_up(username, ip="10.3.3.3", **headers):
    password = "우체통-빨강-2008"
    return Client(HTTP_USER_AGENT=BROWSER_UA).post(
        "/accounts/signup/",
        {
            "username": username,
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
        REMOTE_ADDR=ip,
        **headers,
    )


def test_the_sign_up_limit_is_a_sliding_hour_not_a_clock_hour(board, monkeypatch):

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
        fields.update(
            username=username, password1=password, password2=password, email="reader@example.com"
        )
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

"""The login lockout: guessing stops (per name and address, per address, a name attacked from
many addresses slowed), and no stranger locks an owner or staff out, on the site and the admin."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import BROWSER_UA
from tests.factories import UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db


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
        {
            "username": "newcomer",
            "password1": password,
            "password2": password,
            "email": "reader@example.com",
        },
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

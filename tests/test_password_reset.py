"""Accounts by mail: an email at sign-up, a forgotten password reset through a mailed link,
limited per client address and per email, never telling which addresses have an account;
and a word after logging out."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.conftest import BROWSER_UA
from tests.factories import UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db

PASSWORD = "우체통-빨강-2008"
NEW_PASSWORD = "새-우체통-파랑-2026"


@pytest.fixture(autouse=True)
def mail_in_the_test_thread(settings):
    # Sent in the request's thread, so the test's outbox (locmem) has it when the answer comes.
    settings.MAIL_IN_BACKGROUND = False


@pytest.fixture
def member():
    return UserFactory(username="독자", email="reader@example.com")


def ask(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def mailed_link(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_forgotten_password_is_reset_through_the_mailed_link(client, board, member):
    login_page = soup(client.get("/accounts/login/"))
    assert login_page.select_one('a[href="/accounts/password/reset/"]') is not None

    response = ask(client, "Reader@Example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.com"]
    assert "비밀번호 재설정" in message.subject
    assert "독자 님" in message.body
    link = mailed_link(message)

    form_page = client.get(link, follow=True)
    assert text(soup(form_page).select_one("h1")) == "새 비밀번호 정하기"
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert "비밀번호를 바꿨습니다" in text(soup(client.get(done["Location"])))

    fresh = Client(HTTP_USER_AGENT=BROWSER_UA)
    old = fresh.post("/accounts/login/", {"username": "독자", "password": "correct horse battery"})
    assert old.status_code == 200  # the old password no longer works
    logged_in = fresh.post("/accounts/login/", {"username": "독자", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302
    # The link works once.
    again = soup(client.get(set_url))
    assert "링크가 맞지 않거나" in text(again)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, board, member):
    known = ask(client, "reader@example.com")
    unknown = ask(Client(HTTP_USER_AGENT=BROWSER_UA), "nobody@example.com")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    sent_page = text(soup(client.get(known["Location"])).select_one("main"))
    assert "가입한 계정이 있으면" in sent_page


def test_reset_mail_is_sent_in_the_background_by_default(client, board, member, settings):
    settings.MAIL_IN_BACKGROUND = True
    import threading

    before = set(threading.enumerate())
    assert ask(client, "reader@example.com").status_code == 302
    for worker in set(threading.enumerate()) - before:
        worker.join(5)
    assert len(mail.outbox) == 1


def test_reset_requests_are_limited_per_email_known_or_not(client, board, member, settings):
    settings.PASSWORD_RESET_LIMITS_PER_EMAIL = [(3600, 2)]
    for email in ["reader@example.com", "nobody@example.com"]:
        answers = [
            ask(Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=f"10.0.0.{n}"), email)
            for n in range(3)
        ]
        assert [a.status_code for a in answers] == [302, 302, 429]
        assert "재설정 요청이 너무 많습니다" in text(soup(answers[-1]).select_one(".form-errors"))
    assert len(mail.outbox) == 2


def test_reset_requests_are_limited_per_client_address(client, board, settings):
    settings.PASSWORD_RESET_LIMITS_PER_ADDRESS = [(3600, 3)]
    statuses = [ask(client, f"someone{n}@example.com").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    other = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="10.9.9.9")
    assert ask(other, "someone9@example.com").status_code == 302


def test_sign_up_requires_an_email_and_stores_it(client, board):
    fields = {"username": "새독자", "password1": PASSWORD, "password2": PASSWORD}

    refused = client.post("/accounts/signup/", fields)
    assert refused.status_code == 400
    assert "이메일 주소를 입력하세요." in text(soup(refused))
    bad = client.post("/accounts/signup/", {**fields, "email": "not-an-address"})
    assert bad.status_code == 400

    made = client.post("/accounts/signup/", {**fields, "email": "New@Example.COM"})
    assert made.status_code == 302
    assert get_user_model().objects.get(username="새독자").email == "New@example.com"


def test_an_email_already_used_is_accepted_without_saying_so(client, board, member):
    response = client.post(
        "/accounts/signup/",
        {"username": "둘째", "password1": PASSWORD, "password2": PASSWORD, "email": member.email},
    )
    assert response.status_code == 302


def test_logging_out_says_so(client, board, member):
    client.force_login(member)

    response = client.post("/accounts/logout/", follow=True)

    assert [text(li) for li in soup(response).select(".messages li")] == ["로그아웃했습니다."]

"""Searches limited per address: counted in the database across processes, windows of time."""

import threading

import pytest
from django.db import connection
from django.test import Client

from board import search
from board.models import SearchRate
from tests.factories import PostFactory, UserFactory
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


def test_searches_are_limited_per_address_across_clients_until_the_window_ends(
    board, settings, monkeypatch
):
    settings.SEARCH_RATE_LIMITS = [(10, 3), (60, 6)]
    clock = Clock(1200.5)
    monkeypatch.setattr(search, "time", clock)
    PostFactory(title="우체국 소식")
    one, two = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.1")
    other = Client(REMOTE_ADDR="10.0.0.2")

    def find(client):
        return client.get("/", {"q": "우체국", "target": "title"})

    assert [find(c).status_code for c in (one, two, one)] == [200, 200, 200]
    refused = find(two)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"
    assert text(soup(refused).select_one(".search-summary")) == (
        "검색이 너무 잦습니다 (10초에 3번까지). 10초 뒤에 다시 찾아 주세요."
    )
    assert find(other).status_code == 200  # another address has its own count

    clock.now = 1205
    refused = find(one)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "5"
    clock.now = 1210  # a new 10-second window: allowed again
    assert find(two).status_code == 200
    # ... until the minute's limit: 6 counted since 1200, the refused ones included.
    clock.now = 1230
    refused = find(one)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    clock.now = 1260
    assert find(one).status_code == 200


def test_a_refused_search_shows_an_empty_table_to_the_signed_in_reader(
    board, settings, monkeypatch
):
    settings.SEARCH_RATE_LIMITS = [(10, 1)]
    monkeypatch.setattr(search, "time", Clock(1200))
    PostFactory(title="우체국 소식")
    client = Client(REMOTE_ADDR="10.0.0.6")
    client.force_login(UserFactory(username="minji"))

    assert client.get("/", {"q": "우체국", "target": "title"}).status_code == 200
    refused = client.get("/", {"q": "우체국", "target": "title"})

    assert refused.status_code == 429
    page = soup(refused)
    assert listing_rows(page) == []
    assert "게시물이 없습니다." in text(page)
    assert "minji" in text(page)  # still signed in, as on every page


@pytest.mark.django_db(transaction=True)
def test_parallel_searches_from_one_address_are_all_counted(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database is one connection; PostgreSQL runs them at once")
    settings.SEARCH_RATE_LIMITS = [(60, 1000)]
    clock = Clock(6000)

    def searches():
        try:
            for _ in range(10):
                search.throttle("10.0.0.9", now=clock.now)
        finally:
            connection.close()

    threads = [threading.Thread(target=searches) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert SearchRate.objects.get(address="10.0.0.9").count == 80


@pytest.mark.parametrize(
    ("limits", "searches"),
    # Windows of 7 and 10 seconds end at different times: at 1209 the 7-second window (from
    # 1204) ends in 2 seconds, the 10-second one (from 1200) in 1. The later end decides the
    # wait, also when the window ending sooner allows more searches.
    [([(7, 1), (10, 1)], 1), ([(7, 1), (10, 6)], 6)],
)
def test_a_search_over_two_limits_waits_for_the_later_of_their_windows(
    board, settings, monkeypatch, limits, searches
):
    settings.SEARCH_RATE_LIMITS = limits
    monkeypatch.setattr(search, "time", Clock(1209))
    PostFactory(title="우체국 소식")
    client = Client(REMOTE_ADDR="10.0.0.3")
    assert client.get("/", {"q": "우체국", "target": "title"}).status_code == 200
    for _ in range(searches - 1):
        client.get("/", {"q": "우체국", "target": "title"})

    refused = client.get("/", {"q": "우체국", "target": "title"})

    assert refused.status_code == 429
    assert refused["Retry-After"] == "2"
    assert "7초에 1번까지" in text(soup(refused).select_one(".search-summary"))


def test_an_address_starting_a_new_window_clears_every_expired_count(board, settings, monkeypatch):
    settings.SEARCH_RATE_LIMITS = [(10, 5), (60, 5)]
    clock = Clock(1200)
    monkeypatch.setattr(search, "time", clock)
    PostFactory(title="우체국 소식")
    for address in ("10.0.0.4", "10.0.0.5"):
        Client(REMOTE_ADDR=address).get("/", {"q": "우체국", "target": "title"})
    client = Client(REMOTE_ADDR="10.0.0.4")
    clock.now = 1250
    client.get("/", {"q": "우체국", "target": "title"})  # same minute: nothing expires
    assert SearchRate.objects.count() == 5

    clock.now = 1320  # a new minute for 10.0.0.4: the counts from 1200 are over
    client.get("/", {"q": "우체국", "target": "title"})

    assert sorted(SearchRate.objects.values_list("seconds", "start")) == [(10, 1320), (60, 1320)]

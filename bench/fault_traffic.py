"""The fault runs' clients (bench/faults.py): each thread reads listings, views articles as a new
visitor (twice: the second view must not count) and comments as a signed-in reader, and tallies
what was answered, so that the run can check afterwards what must have been stored.
"""

import http.client
import http.cookiejar
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    comments_ok: list = field(default_factory=list)  # bodies answered with success
    comments_unknown: list = field(default_factory=list)  # no answer: stored or not
    views_ok: Counter = field(default_factory=Counter)  # new-visitor views answered 200
    views_unknown: Counter = field(default_factory=Counter)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, base, session_key=None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirect]
        self.opener = urllib.request.build_opener(*handlers)
        if session_key:
            self.set_cookie("sessionid", session_key)

    def set_cookie(self, name, value):
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                None, False, None, None, {},
            )
        )  # fmt: skip

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"User-Agent": UA}
        if data is not None:
            headers["Referer"] = self.base + path
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def worker(n, base, session_key, numbers, stop_at, tally, rng):
    reader = Client(base, session_key)
    seen = set()  # articles this signed-in reader has viewed: its first view counts
    last_comment = 0.0
    sent = 0
    while time.monotonic() < stop_at:
        roll = rng.random()
        number = rng.choice(numbers)
        outcome = None
        kind = None
        first_look = False
        try:
            if roll < 0.35:
                kind = "listing"
                outcome = reader.request(f"/?page={rng.randint(1, 2)}")
            elif roll < 0.80:
                kind = "view"
                visitor = Client(base)  # a new visitor: this view must count once
                outcome = visitor.request(f"/{number}/")
                again = visitor.request(f"/{number}/")  # and coming back must not
                with tally.lock:
                    tally.statuses[again] += 1
                    tally.requests += 1
            elif time.monotonic() - last_comment > 11:  # the limit is one per 10 s
                kind = "comment"
                sent += 1
                body = f"부하 시험 댓글 {n}-{sent}-{secrets.token_hex(4)}"
                first_look = number not in seen
                seen.add(number)
                page = reader.request(f"/{number}/")  # the page, for its CSRF cookie
                with tally.lock:
                    tally.requests += 1
                    tally.statuses[page] += 1
                    if first_look:
                        first_look = False
                        if page == 200:
                            tally.views_ok[number] += 1
                        else:
                            tally.views_unknown[number] += 1
                outcome = reader.request(
                    f"/{number}/comments/",
                    {"body": body, "csrfmiddlewaretoken": reader.cookie("csrftoken") or ""},
                )
                last_comment = time.monotonic()
            else:
                kind = "listing"
                outcome = reader.request("/")
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            # No answer (a killed worker's connections): the request may or may not have run.
            with tally.lock:
                tally.errors[type(error).__name__] += 1
                tally.requests += 1
                if kind == "view":
                    tally.views_unknown[number] += 1
                elif kind == "comment":
                    tally.comments_unknown.append(body)
                    if first_look:  # the page itself went unanswered
                        tally.views_unknown[number] += 1
            time.sleep(0.05)
            continue
        with tally.lock:
            tally.requests += 1
            tally.statuses[outcome] += 1
            if kind == "view":
                if outcome == 200:
                    tally.views_ok[number] += 1
                elif outcome >= 500:
                    tally.views_unknown[number] += 1
            elif kind == "comment":
                if outcome == 302:
                    tally.comments_ok.append(body)
                elif outcome >= 500:
                    tally.comments_unknown.append(body)

"""Real-browser tests: Debian's Chromium, driven by Playwright, against Django's live server.

Playwright's browser is never downloaded (`playwright install` needs the network): the tests
launch the system Chromium at CHROMIUM_PATH (default /usr/bin/chromium). Screenshots go to
SCREENSHOT_DIR (default artifacts/screenshots under the project root; a relative path is
taken from the project root too).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from board.models import Board

# Playwright's sync API runs an event loop in the test's thread, which makes Django refuse ORM
# calls there ("You cannot call this from an async context"). The test thread and the live
# server's thread never share a request, so that check does not apply to these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's password

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open relative to Django's live server: ``page.goto("/")``. (This also replaces
    pytest-playwright's fallback fixture, whose form pytest 9 warns about.)"""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Korean pages, Korean time: what the board's readers have.
    return {**browser_context_args, "locale": "ko-KR", "timezone_id": "Asia/Seoul"}


@pytest.fixture
def screenshot_dir():
    folder = Path(os.environ.get("SCREENSHOT_DIR") or "artifacts/screenshots")
    if not folder.is_absolute():
        folder = PROJECT_ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(page, screenshot_dir):
    """Save the whole page as NAME.png in the screenshot folder; returns the file's path."""

    def take(name):
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def news_board(transactional_db):
    """The board the site shows. Migration 0002 makes it, but a transactional test's flush
    removes migration data, so every browser test after the first would find no board."""
    board, _created = Board.objects.get_or_create(
        slug=settings.BOARD_SLUG, defaults={"name": "소식"}
    )
    return board


@pytest.fixture
def moderate_comment(transactional_db):
    # Permissions come back after each flush (post_migrate); the "모더레이터" group does not.
    return Permission.objects.get(content_type__app_label="board", codename="moderate_comment")

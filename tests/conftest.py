import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from board import services

# Fixtures shared by the report tests (tests/test_reports.py, tests/test_report_queue.py).
pytest_plugins = ["tests.reporting"]

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh folder per test, never into the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def clear_caches():
    """Each test starts with empty caches: the local-memory cache outlives a test, and one
    test's sign-ups or comment windows would otherwise count against the next one."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def client():
    """A test client that presents itself as a browser, as readers do."""
    return Client(HTTP_USER_AGENT=BROWSER_UA)


@pytest.fixture
def board(db):
    return services.default_board()


@pytest.fixture
def source_board(db):
    """The shipped fixture: the source page's 20 articles, loaded as `make run` loads them."""
    call_command("loadsource", verbosity=0)
    return services.default_board()

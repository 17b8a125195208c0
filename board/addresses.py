"""``reverse``, remembered: the reader pages ask for the same dozen addresses on every request,
and resolving one costs more than a listing row. Keyed by the script prefix (a site served
under a sub-path), forgotten when the URL configuration changes."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


def url(name, *args, **kwargs):
    return _reverse(get_script_prefix(), name, args, tuple(kwargs.items()))


@lru_cache(maxsize=1024)
def _reverse(prefix, name, args, kwargs):
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


def for_board(name, slug):
    """The address ``name`` of the board ``slug``: the default board's (BOARD_SLUG) at the
    site's front, as it always was (/, /feed/rss/); every other's under /<slug>/."""
    if slug == settings.BOARD_SLUG:
        return url(name)
    return url(name, slug=slug)


def board(slug):
    """A board's listing."""
    return for_board("board:post-list", slug)


def article(board_path, number):
    """An article's address: its board's listing address and its number (urls.py says so),
    built without ``reverse``, which costs more than the row that links to it."""
    return f"{board_path}{number}/"


def listing_page(path, page, category=None):
    """Page ``page`` of the listing at ``path`` (of one category, given its id): page 1 is
    the listing's own address."""
    return path + listing_query(page, category)


def listing_query(page, category=None):
    """The query string of a listing page ("" for the whole board's first page), which its
    rows' links also carry so that the article shows that page below it."""
    parts = [f"category={category}"] if category is not None else []
    if page != 1:
        parts.append(f"page={page}")
    return "?" + "&".join(parts) if parts else ""

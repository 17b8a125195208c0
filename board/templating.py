"""The Jinja2 environment of the reader pages (the admin keeps Django's templates).

Django's own Jinja2 backend with the few helpers the pages use, rather than django-jinja: see
the note beside jinja2 in pyproject.toml.

Translations: ``_("…", name=value)`` and ``ngettext`` look the string up in the
catalogue of the reader's language (LocaleMiddleware's), taken once per page by the context
processor ``translations`` (a page has some forty strings; Django's ``gettext`` looks the
language up again for each). As Jinja2's newstyle gettext does, the translation is trusted
markup and every ``%(name)s`` value put into it is escaped. ``manage.py makemessages`` finds
these calls (board/management/commands/makemessages.py).
"""

from datetime import timedelta
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils import dateformat, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import trans_real
from jinja2 import Environment, Undefined, pass_context
from markupsafe import Markup

from . import addresses, reading
from .addresses import url
from .forms import SearchForm, file_size

WINDOW = 10  # page numbers shown at once, in blocks as on Korean boards: 1–10, 11–20, ...


def translations(request):
    """Context processor: the active language's catalogue, for the whole page."""
    return {"catalog": trans_real.catalog()}


def navigation(request):
    """Context processor: the boards for the navigation bar. The listing and the article read
    them with their rows (``request.nav_boards``); other pages here, before the template runs
    (none when the database cannot answer: the error pages)."""
    boards = getattr(request, "nav_boards", None)
    if boards is None:
        try:
            boards = reading.boards()
        except DatabaseError:
            boards = []
    return {"nav_boards": boards}


def _catalog(context):
    return context.get("catalog") or trans_real.catalog()


@pass_context
def gettext(context, message, **variables):
    translated = _translated(_catalog(context), message)
    return translated % variables if variables else translated


@lru_cache(maxsize=1024)
def _translated(catalog, message):
    """A page's forty strings, looked up once per language (catalogues live as long as the
    process; a reset of translations makes new ones, and so new keys here)."""
    return Markup(catalog.gettext(message))


@pass_context
def ngettext(context, singular, plural, number, **variables):
    translated = Markup(_catalog(context).ngettext(singular, plural, number))
    return translated % {"num": number, **variables}


@lru_cache(maxsize=256)
def static_url(path):
    """``static``, remembered: the hashed name of a file does not change while the process runs."""
    return static(path)


@receiver(setting_changed)
def _forget_static_urls(*, setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES"):
        static_url.cache_clear()


def date(value, format):
    """Django's date format letters, in the reader's time zone (as the ``date`` filter)."""
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value), format)


def new_since():
    """Rows published after this get the listing's "new" mark."""
    return timezone.now() - timedelta(hours=24)


def isoformat(value):
    return timezone.localtime(value).isoformat()


def iso(local):
    """An already local datetime for ``<time datetime>`` (the listing converts each row once)."""
    return local.isoformat()


def ymd(local):
    """A listing row's date, 2008.09.30 (five times cheaper than strftime, fifty than ``date``)."""
    return local.date().isoformat().replace("-", ".")


def linebreaksbr(value):
    """Escaped text with its line breaks kept, as Django's filter of that name."""
    text = escape(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return SafeString(text.replace("\n", "<br>"))


def urlencode(value):
    """A value for a query string (``next=``): as Django's filter, '/' kept."""
    return quote(str(value), safe="/")


def minutes(duration):
    """A timedelta as whole minutes (the lockout page's wait), 0 when there is none."""
    return round(duration.total_seconds() / 60) if duration else 0


@lru_cache
def languages():
    """The switcher's languages: code and own name, in the settings' order."""
    return [translation.get_language_info(code) for code, _name in settings.LANGUAGES]


@pass_context
def search_fields(context):
    """The search box's labels and choices (board.forms.SearchForm's), in the page's language."""
    return _search_fields(_catalog(context))


@lru_cache(maxsize=16)
def _search_fields(catalog):
    fields = SearchForm.base_fields
    with translation.override(catalog.language()):
        return {
            "target_label": str(fields["target"].label),
            "q_label": str(fields["q"].label),
            "targets": [(value, str(label)) for value, label in fields["target"].choices],
        }


def page_links(board, page, category=None):
    """The page links below a listing (of the board, or of ``category``): a block of WINDOW
    numbers, first/previous/next/last."""
    num_pages = (category or board).num_pages
    path = board.get_absolute_url()  # once, not per link
    category_id = category.pk if category else None

    def page_url(number):
        return addresses.listing_page(path, number, category_id)

    start = (page - 1) // WINDOW * WINDOW + 1
    end = min(start + WINDOW - 1, num_pages)
    return {
        "page": page,
        "pages": [(n, page_url(n)) for n in range(start, end + 1)],
        "first_url": page_url(1) if page > 1 else None,
        "prev_url": page_url(page - 1) if page > 1 else None,
        "next_url": page_url(page + 1) if page < num_pages else None,
        "last_url": page_url(num_pages) if page < num_pages else None,
    }


def environment(**options):
    # Missing values render as nothing in every mode (Django's backend shows them in DEBUG).
    options["undefined"] = Undefined
    env = Environment(**options)
    env.globals.update(
        _=gettext,
        ngettext=ngettext,
        static=static_url,
        url=url,
        languages=languages,
        get_language=translation.get_language,
        page_links=page_links,
        current_timezone=timezone.get_current_timezone,
        search_fields=search_fields,
        new_since=new_since,
    )
    env.filters.update(
        date=date,
        isoformat=isoformat,
        localtime=timezone.localtime,
        iso=iso,
        ymd=ymd,
        linebreaksbr=linebreaksbr,
        urlencode=urlencode,
        minutes=minutes,
        filesize=file_size,
    )
    return env

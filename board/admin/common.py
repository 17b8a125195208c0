"""What every admin page shares: the site's titles, Korean yes/no icons, the large tables'
paginator and the guard against out-of-range filters."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags import admin_list
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.paginator import Paginator
from django.db.models import Max
from django.templatetags.static import static
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# The site's name, not Django's, on every admin page and the login page.
admin.site.site_title = settings.SITE_NAME
admin.site.site_header = format_lazy(_("{site} 관리"), site=settings.SITE_NAME)
admin.site.index_title = _("관리 화면")


def boolean_icon(value):
    """Django's yes/no/unknown icon, whose alt text is the English "True" or "False" (what a
    screen reader reads out): the same icon with a Korean alt."""
    icon, label = {
        True: ("yes", _("예")),
        False: ("no", _("아니요")),
        None: ("unknown", _("알 수 없음")),
    }[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)


# Where the admin looks it up (admin.utils and admin.helpers import it at each call).
admin_list._boolean_icon = boolean_icon


class LargeTablePaginator(Paginator):
    """Admin lists over a million rows with neither COUNT(*) nor a deep OFFSET.

    Unfiltered and in the default newest-first order (by id), a large table's total is its
    highest id, read from the primary key's index, and page p is a range of ids: a seek, as
    on the reader's pages. Rows are never deleted (removal is soft), so ids have few gaps and
    pages are full or nearly. A filtered, searched or re-sorted list counts and offsets what
    matched, as Django does; staff narrow a million rows with filters before paging deep.
    """

    exact_below = 10_000

    def seekable(self):
        query = self.object_list.query
        # The admin repeats "-pk" to make its ordering total; newest first is all it says.
        return not query.where and set(query.order_by) == {"-pk"}

    @cached_property
    def top(self):
        model = self.object_list.model
        return model._default_manager.aggregate(top=Max("pk"))["top"] or 0

    @cached_property
    def count(self):
        if self.seekable() and self.top >= self.exact_below:
            return self.top
        return super().count

    def page(self, number):
        if not (self.seekable() and self.top >= self.exact_below):
            return super().page(number)
        number = self.validate_number(number)
        high = self.top - (number - 1) * self.per_page
        rows = self.object_list.filter(pk__lte=high, pk__gt=high - self.per_page)
        return self._get_page(rows, number, self)


class ValidLookupsMixin:
    """Out-of-range filter values in the query string (a year of 2147483648 or 0, month 13,
    day 0, from the date hierarchy or typed by hand) answer with the whole list and a notice
    (Django's redirect to ?e=1), not a 500. Some fail while the list is built (datetime() in
    the date hierarchy), others only when the query is compiled (a __year's bounds), so
    compile it here, before the page renders."""

    def get_changelist_instance(self, request):
        try:
            changelist = super().get_changelist_instance(request)
            changelist.queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass  # a valid query that matches nothing or everything
        except (IncorrectLookupParameters, OverflowError, ValueError) as error:
            self.message_user(
                request, _("필터 값이 올바르지 않아 전체 목록을 보여 드립니다."), messages.WARNING
            )
            raise IncorrectLookupParameters(error) from error
        return changelist

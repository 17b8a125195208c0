# Dates and times as the board writes them (2008.04.21 00:00, a 24-hour clock), for what
# Django formats by itself: the admin's lists, read-only fields, history, date filters and
# its date and time inputs (the first input format is the one the widgets write). Django's own
# Korean writes "2008년 4월 21일 12:00 오전". Django's input formats are still accepted.
from django.conf.locale.ko import formats as django_ko

DATE_FORMAT = "Y.m.d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y.m.d H:i"
YEAR_MONTH_FORMAT = "Y년 n월"
MONTH_DAY_FORMAT = "n월 j일"
SHORT_DATE_FORMAT = "Y.m.d"
SHORT_DATETIME_FORMAT = "Y.m.d H:i"

DATE_INPUT_FORMATS = ["%Y.%m.%d", *django_ko.DATE_INPUT_FORMATS]
TIME_INPUT_FORMATS = ["%H:%M", *django_ko.TIME_INPUT_FORMATS]
DATETIME_INPUT_FORMATS = ["%Y.%m.%d %H:%M", *django_ko.DATETIME_INPUT_FORMATS]

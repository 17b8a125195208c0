# Dates and times as the board writes them (2008.04.21 00:00, a 24-hour clock), for what
# Django formats by itself: the admin's lists, read-only fields, history and date filters.
# Django's own Korean writes "2008년 4월 21일 12:00 오전". Input formats stay Django's.
DATE_FORMAT = "Y.m.d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y.m.d H:i"
YEAR_MONTH_FORMAT = "Y년 n월"
MONTH_DAY_FORMAT = "n월 j일"
SHORT_DATE_FORMAT = "Y.m.d"
SHORT_DATETIME_FORMAT = "Y.m.d H:i"

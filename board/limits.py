"""Who is asking (the client's address) and how many accounts one address may make.

The sign-up limit lives in the database, not in a cache: a per-process memory cache made the
real limit 5 × workers, and a check before the slow password hashing with a count after it let
parallel requests through. Here the check and the reservation are one transaction under a lock
per address, taken before the hashing, and a sliding window counts the last ``seconds``.
"""

import ipaddress
import zlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import ResetRequest, SignupRecord


class RateLimited(Exception):
    pass


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The reader's address, always a valid IP (or "" when the server gave none).

    Behind our proxies (BEHIND_PROXY) it is the X-Forwarded-For entry PROXY_HOPS places from
    the right: each trusted proxy appends the address it got the request from, and everything
    to the left of those is whatever the client sent. A header with too few entries or an entry
    that is not an address is ignored, and the direct peer (REMOTE_ADDR) is used instead.
    """
    if settings.BEHIND_PROXY:
        entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = settings.PROXY_HOPS
        if 1 <= hops <= len(entries):
            forwarded = _valid_ip(entries[-hops])
            if forwarded:
                return forwarded
    return _valid_ip(request.META.get("REMOTE_ADDR", "")) or ""


def _lock_address(address):
    """Serialise sign-ups from one address until the transaction ends. PostgreSQL: a
    transaction-level advisory lock on the address. SQLite: its transactions already take the
    write lock at BEGIN (IMMEDIATE, postbbs/settings.py), so writers run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(address.encode())])


@transaction.atomic
def reserve_signup(address, now=None):
    """Count the address's sign-ups within each window and, if under every limit, record one.

    Called before the account is made (and its password hashed); ``release_signup`` gives the
    place back if making the account then fails."""
    now = now or timezone.now()
    address = address[:45]
    _lock_address(address)
    made = SignupRecord.objects.filter(address=address)
    longest = max(seconds for seconds, _limit in settings.SIGNUP_RATE_LIMITS)
    made.filter(created_at__lte=now - timezone.timedelta(seconds=longest)).delete()  # expired
    for seconds, limit in settings.SIGNUP_RATE_LIMITS:
        since = now - timezone.timedelta(seconds=seconds)
        if made.filter(created_at__gt=since).count() >= limit:
            raise RateLimited(seconds, limit)
    return SignupRecord.objects.create(address=address, created_at=now)


def release_signup(record):
    SignupRecord.objects.filter(pk=record.pk).delete()


def _reset_keys(address, email):
    # The email is kept as a keyed hash: the table must not become a list of addresses people
    # tried, nor one a copy of the database could be checked against.
    digest = salted_hmac("board.limits.reset", email.strip().lower()).hexdigest()
    return [
        (f"ip:{address[:45]}", settings.PASSWORD_RESET_LIMITS_PER_ADDRESS),
        (f"email:{digest}", settings.PASSWORD_RESET_LIMITS_PER_EMAIL),
    ]


@transaction.atomic
def reserve_reset(address, email, now=None):
    """Count a password-reset request from ``address`` for ``email`` and refuse it
    (RateLimited(seconds, limit)) past a limit of either. Counted alike whether or not an
    account has that email, so the answer never tells which addresses have one."""
    now = now or timezone.now()
    keys = _reset_keys(address, email)
    # Both locks in one order (of their numbers), so two requests never wait for each other.
    for key in sorted((key for key, _limits in keys), key=lambda k: zlib.crc32(k.encode())):
        _lock_address(key)
    for key, limits in keys:
        made = ResetRequest.objects.filter(key=key)
        longest = max(seconds for seconds, _limit in limits)
        made.filter(created_at__lte=now - timezone.timedelta(seconds=longest)).delete()
        for seconds, limit in limits:
            since = now - timezone.timedelta(seconds=seconds)
            if made.filter(created_at__gt=since).count() >= limit:
                raise RateLimited(seconds, limit)
    ResetRequest.objects.bulk_create([ResetRequest(key=key, created_at=now) for key, _ in keys])

"""Passwords imported from XE 1.x, Rhymix and Gnuboard5 keep working (issue 13).

An imported member's hash is stored as ``legacy$<the source's hash>`` (``legacy_hash``). The
hasher below verifies it the way the old site did, and since it is not the preferred hasher,
Django's ``check_password`` re-hashes the password with PASSWORD_HASHERS[0] on the first
successful login; from then on the legacy form is gone. We never make new legacy hashes.

Formats (../shared/reference/legacy-boards.md, section 6):
- 32 hex: XE md5(pw), or md5(sha1(md5(pw))) (hex digests chained)
- 16 hex: MySQL's pre-4.1 OLD_PASSWORD (ZB4 sites moved to XE, old Gnuboard)
- ``*`` + 40 hex: MySQL's PASSWORD(), sha1(sha1(pw) raw) upper-case (XE, Gnuboard)
- ``sha256:0008192:salt:b64`` (XE), ``sha512:0032768:salt:b64`` (Rhymix),
  ``sha256:12000:salt:b64`` (Gnuboard5): PBKDF2-HMAC, the salt text itself as the salt,
  the key as long as the stored one
- ``$2y$``/``$2a$``/``$2b$``: bcrypt (Rhymix's default, an XE option)
"""

import base64
import binascii
import hashlib
import hmac
import re

import bcrypt
from django.contrib.auth.hashers import BasePasswordHasher, make_password
from django.utils.translation import gettext_noop

PREFIX = "legacy$"

# Whitespace as PHP's trim() (XE, Gnuboard) and PCRE's \s (Rhymix) see it: ASCII only.
PHP_TRIM = " \t\n\r\0\x0b"
PCRE_SPACES = re.compile(r"[ \t\n\x0b\f\r]+")

HEX32 = re.compile(r"[0-9a-fA-F]{32}")
HEX16 = re.compile(r"[0-9a-fA-F]{16}")
MYSQL = re.compile(r"\*[0-9a-fA-F]{40}")
PBKDF2 = re.compile(r"(sha1|sha256|sha384|sha512):([0-9]{1,8}):([^:]*):([A-Za-z0-9+/]+={0,2})")
BCRYPT = re.compile(r"\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}")

# Beyond these a stored hash is taken as malformed rather than spend minutes on one login: the
# old sites' settings stay far below (XE 8192 and Rhymix 32768 PBKDF2 rounds, bcrypt cost 10).
MAX_ITERATIONS = 1 << 22
MAX_BCRYPT_COST = 16


def legacy_format(raw):
    """The name of the format of a source hash, or None when it is none we can verify."""
    if HEX32.fullmatch(raw):
        return "md5"
    if HEX16.fullmatch(raw):
        return "mysql_old_password"
    if MYSQL.fullmatch(raw):
        return "mysql_password"
    if match := PBKDF2.fullmatch(raw):
        return f"pbkdf2_{match[1]}"
    if BCRYPT.fullmatch(raw):
        return "bcrypt"
    return None


def legacy_hash(raw):
    """What to store as an imported member's password, given the hash read from the source.

    An empty source password gives an unusable password (no login until an admin sets one);
    a hash in no known format raises ValueError, for the importer to report.
    """
    raw = (raw or "").strip()
    if not raw:
        return make_password(None)
    if legacy_format(raw) is None:
        raise ValueError("unrecognised password hash")
    return PREFIX + raw


def candidates(password):
    """The byte strings the old sites would have hashed for what the member typed: XE and
    Gnuboard trim the ends, Rhymix also collapses inner whitespace to one space. Old EUC-KR
    sites hashed a Korean password's EUC-KR bytes."""
    texts = [password.strip(PHP_TRIM)]
    collapsed = PCRE_SPACES.sub(" ", texts[0])
    if collapsed != texts[0]:
        texts.append(collapsed)
    found = []
    for text in texts:
        for encoding in ("utf-8", "cp949"):
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            if data not in found:
                found.append(data)
    return found


def mysql_old_password(data):
    """MySQL's PASSWORD() before 4.1 (sql/password.c hash_password), 16 hex digits."""
    nr, add, nr2 = 1345345333, 7, 0x12345671
    mask = 0xFFFFFFFF
    for byte in data:
        if byte in (0x20, 0x09):  # spaces and tabs are skipped
            continue
        nr = (nr ^ ((((nr & 63) + add) * byte) + (nr << 8))) & mask
        nr2 = (nr2 + ((nr2 << 8) ^ nr)) & mask
        add = (add + byte) & mask
    return f"{nr & 0x7FFFFFFF:08x}{nr2 & 0x7FFFFFFF:08x}"


def mysql_password(data):
    """MySQL's PASSWORD() since 4.1: ``*`` and upper-case sha1 of the raw sha1."""
    return "*" + hashlib.sha1(hashlib.sha1(data).digest()).hexdigest().upper()


def matches(data, raw, kind):
    """Whether the bytes ``data`` hash to ``raw`` (in format ``kind``), compared in constant
    time."""
    if kind == "md5":
        once = hashlib.md5(data).hexdigest()
        chained = hashlib.md5(hashlib.sha1(once.encode()).hexdigest().encode()).hexdigest()
        stored = raw.lower()
        # Both compared, so the time does not tell which form the hash is.
        first = hmac.compare_digest(once, stored)
        second = hmac.compare_digest(chained, stored)
        return first or second
    if kind == "mysql_old_password":
        return hmac.compare_digest(mysql_old_password(data), raw.lower())
    if kind == "mysql_password":
        return hmac.compare_digest(mysql_password(data), raw.upper())
    if kind.startswith("pbkdf2_"):
        digest, iterations, salt, key = PBKDF2.fullmatch(raw).groups()
        iterations = int(iterations, 10)
        expected = base64.b64decode(key, validate=True)
        if not 0 < iterations <= MAX_ITERATIONS or not expected:
            return False
        derived = hashlib.pbkdf2_hmac(digest, data, salt.encode(), iterations, len(expected))
        return hmac.compare_digest(derived, expected)
    if kind == "bcrypt":
        # PHP's crypt() reads at most 72 bytes; pyca bcrypt refuses longer ones instead.
        # It verifies $2y$ hashes itself (they are $2b$ under another name).
        if int(raw[4:6]) > MAX_BCRYPT_COST:
            return False
        return bcrypt.checkpw(data[:72], raw.encode())
    return False


class LegacyPasswordHasher(BasePasswordHasher):
    """Verifies a hash imported from XE, Rhymix or Gnuboard5; never makes one."""

    algorithm = "legacy"

    def encode(self, password, salt):
        raise NotImplementedError("legacy hashes are only verified, never made")

    def decode(self, encoded):
        algorithm, raw = encoded.split("$", 1)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": raw, "salt": None, "format": legacy_format(raw)}

    def verify(self, password, encoded):
        try:
            raw = self.decode(encoded)["hash"]
            kind = legacy_format(raw)
            if kind is None:
                return False
            # Every candidate is tried, so the time does not tell which one matched.
            results = [matches(data, raw, kind) for data in candidates(password)]
        except (ValueError, TypeError, AssertionError, binascii.Error):
            return False  # a malformed stored hash refuses the login like a wrong password
        return any(results)

    def safe_summary(self, encoded):
        # The format only: a legacy hash is fast to attack (md5, MySQL's), so none of it shows.
        try:
            kind = self.decode(encoded)["format"]
        except (ValueError, AssertionError):
            kind = None
        return {
            "algorithm": self.algorithm,  # the admin translates it with Django's catalogue
            gettext_noop("원래 형식"): kind or "?",
        }

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass  # always re-hashed on the first login; nothing to even out until then

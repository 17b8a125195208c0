"""Members imported from XE, Rhymix or Gnuboard5 log in with the password they had (issue 13).

Each stored hash here is computed in the test the way the old site computed it (or is a
published vector), independently of board/legacy_passwords.py.
"""

import base64
import hashlib
import hmac

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, make_password

from board.legacy_passwords import legacy_hash
from postbbs import settings as real_settings
from tests.factories import UserFactory
from tests.pages import soup

pytestmark = pytest.mark.django_db

PASSWORD = "password"


def md5(data):
    return hashlib.md5(data).hexdigest()


def xe_md5_sha1_md5(data):
    return md5(hashlib.sha1(md5(data).encode()).hexdigest().encode())


def pbkdf2_like_php(digest, password, salt, iterations, length=24):
    """PHP's pure-PHP fallback in XE and Rhymix (hash_hmac loop), block by block."""
    size = hashlib.new(digest).digest_size
    output = b""
    for block in range(1, -(-length // size) + 1):
        last = xorsum = hmac.new(password, salt + block.to_bytes(4, "big"), digest).digest()
        for _ in range(iterations - 1):
            last = hmac.new(password, last, digest).digest()
            xorsum = bytes(a ^ b for a, b in zip(xorsum, last, strict=True))
        output += xorsum
    return base64.b64encode(output[:length]).decode()


def xe_pbkdf2(password, salt="Ab3dEf9hIjKl"):
    key = pbkdf2_like_php("sha256", password.encode(), salt.encode(), 8192)
    return f"sha256:0008192:{salt}:{key}"


def rhymix_pbkdf2(password, salt="Zx8yW7vU6tS5"):
    key = pbkdf2_like_php("sha512", password.encode(), salt.encode(), 32768)
    return f"sha512:0032768:{salt}:{key}"


def gnuboard_pbkdf2(password):
    salt = base64.b64encode(bytes(range(24))).decode()  # G5: base64 of 24 random bytes
    key = pbkdf2_like_php("sha256", password.encode(), salt.encode(), 12000)
    return f"sha256:12000:{salt}:{key}"


FORMATS = {
    "XE md5": md5(PASSWORD.encode()),
    "XE md5(sha1(md5))": xe_md5_sha1_md5(PASSWORD.encode()),
    # MySQL's documented examples for the same password.
    "MySQL PASSWORD()": "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19",
    "MySQL OLD_PASSWORD()": "5d2e19393cc5ef67",
    "XE pbkdf2": xe_pbkdf2(PASSWORD),
    "Rhymix pbkdf2": rhymix_pbkdf2(PASSWORD),
    "Gnuboard5 pbkdf2": gnuboard_pbkdf2(PASSWORD),
}
# PHP's manual, password_verify(): this hash is of "rasmuslerdorf".
PHP_BCRYPT = ("$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "rasmuslerdorf")


def imported_member(raw, username="aju"):
    user = UserFactory(username=username)
    user.password = legacy_hash(raw)
    user.save(update_fields=["password"])
    return user


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def stored(user):
    return get_user_model().objects.get(pk=user.pk).password


def signed_in(client):
    return "_auth_user_id" in client.session


CASES = [*[(raw, PASSWORD) for raw in FORMATS.values()], PHP_BCRYPT]
IDS = [*FORMATS, "Rhymix bcrypt $2y$"]


@pytest.mark.parametrize(("raw", "password"), CASES, ids=IDS)
def test_an_imported_member_logs_in_with_the_old_password_and_gets_a_django_hash(
    client, board, raw, password
):
    user = imported_member(raw)
    assert stored(user).startswith("legacy$")

    response = log_in(client, "aju", password)
    assert response.status_code == 302
    assert signed_in(client)

    default = get_hasher("default").algorithm
    assert stored(user).startswith(f"{default}$")
    assert raw not in stored(user)
    client.post("/accounts/logout/")
    assert log_in(client, "aju", password).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(("raw", "password"), CASES, ids=IDS)
def test_a_wrong_password_is_refused_and_counts_as_a_failed_login(client, board, raw, password):
    user = imported_member(raw)
    response = log_in(client, "aju", password + "x")
    assert response.status_code == 200
    assert soup(response).select_one(".form-errors") is not None
    assert not signed_in(client)
    assert stored(user) == "legacy$" + raw
    attempt = AccessAttempt.objects.get(username="aju")
    assert attempt.failures_since_start == 1


@pytest.mark.parametrize(
    "raw",
    [
        "sha256:0008192:salt:not base64!",
        "sha256:0008192:salt:QUJD=",  # bad padding
        "sha256:0:salt:" + base64.b64encode(b"x" * 24).decode(),
        "sha256:99999999:salt:" + base64.b64encode(b"x" * 24).decode(),
        "$2y$10$tooshort",
        "$2y$99$" + "a" * 53,  # cost out of range
        "$2y$31$" + "a" * 53,  # a cost that would take days
        "*NOTHEX0000000000000000000000000000000000",
        "zz" * 16,
        "",
    ],
)
def test_a_malformed_legacy_hash_is_a_normal_refusal_not_an_error(client, board, raw):
    user = UserFactory(username="aju")
    user.password = "legacy$" + raw
    user.save(update_fields=["password"])
    response = log_in(client, "aju", PASSWORD)
    assert response.status_code == 200
    assert soup(response).select_one(".form-errors") is not None
    assert not signed_in(client)


def test_xe_and_gnuboard_ignore_spaces_around_the_password(client, board):
    imported_member(md5(b"secret pass"))
    assert log_in(client, "aju", "  secret pass\t").status_code == 302


def test_rhymix_collapses_runs_of_whitespace_inside_the_password(client, board):
    # Rhymix hashed "correct horse" whatever whitespace the member typed between the words.
    imported_member(rhymix_pbkdf2("correct horse"))
    assert log_in(client, "aju", "correct \t horse").status_code == 302


def test_whitespace_xe_kept_inside_the_password_still_matters(client, board):
    # XE trims only: a hash of "correct  horse" (two spaces) is not one of "correct horse".
    imported_member(md5(b"correct  horse"))
    assert log_in(client, "aju", "correct horse").status_code == 200
    assert log_in(client, "aju", "correct  horse").status_code == 302


def test_a_korean_password_hashed_in_euc_kr_by_an_old_site_works(client, board):
    imported_member(md5("비밀번호".encode("euc-kr")))
    assert log_in(client, "aju", "비밀번호").status_code == 302


def test_a_korean_password_hashed_in_utf8_works(client, board):
    imported_member(xe_pbkdf2("비밀번호"))
    assert log_in(client, "aju", "비밀번호").status_code == 302


def test_an_empty_source_password_gives_an_account_no_password_opens(client, board):
    user = imported_member("")
    assert not get_user_model().objects.get(pk=user.pk).has_usable_password()
    assert log_in(client, "aju", "").status_code == 200
    assert not signed_in(client)


def test_a_hash_in_an_unknown_format_is_reported_to_the_importer():
    with pytest.raises(ValueError, match="unrecognised"):
        legacy_hash("$P$Bsomephpassportablehashxxxxxxxxx")


def test_no_new_legacy_hash_is_ever_made():
    with pytest.raises(NotImplementedError):
        make_password("anything", hasher="legacy")


def test_django_hashers_come_first_and_the_legacy_one_after_them():
    hashers = real_settings.PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert hashers[-1] == "board.legacy_passwords.LegacyPasswordHasher"


@pytest.mark.parametrize(("raw", "password"), CASES, ids=IDS)
def test_the_admin_shows_the_format_of_a_legacy_hash_never_the_hash(client, board, raw, password):
    member = imported_member(raw)
    staff = UserFactory(username="editor", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in [f"/admin/auth/user/{member.pk}/change/", "/admin/auth/user/"]:
        page = client.get(url).content.decode()
        for part in raw.split(":")[-2:]:  # the whole hash, or a PBKDF2 hash's salt and key
            assert part not in page
        assert raw.lower() not in page.lower()
    page = client.get(f"/admin/auth/user/{member.pk}/change/").content.decode()
    assert "legacy" in page
    assert "원래 형식" in page

"""The admin's apps as staff meet them: the board's own models first, django-axes' login
records last and under a Korean name for superusers, and not there at all for editors and
moderators, whatever permissions they were given."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory
from tests.pages import soup, text
from tests.reporting import client_for

pytestmark = pytest.mark.django_db

LOCKOUT_PAGES = [
    "/admin/axes/",
    "/admin/axes/accessattempt/",
    "/admin/axes/accesslog/",
    "/admin/axes/accessfailurelog/",
]


@pytest.fixture
def superuser():
    return UserFactory(username="운영자", is_staff=True, is_superuser=True)


def staff_in(group):
    """A staff member of ``group`` who was even given the lockout records' permissions (a
    careless click in the groups page)."""
    user = UserFactory(username=f"{group} 직원", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    return user


def index_apps(client):
    page = soup(client.get("/admin/"))
    return [text(caption) for caption in page.select("#content-main .module caption")]


def sidebar_apps(client):
    page = soup(client.get("/admin/board/post/"))
    return [text(caption) for caption in page.select("#nav-sidebar .module caption")]


def test_superuser_finds_the_board_first_and_login_lockout_last(superuser):
    AccessAttempt.objects.create(
        username="침입자", ip_address="203.0.113.9", user_agent="", failures_since_start=5
    )
    client = client_for(superuser)

    for apps in (index_apps(client), sidebar_apps(client)):
        assert apps[0] == "게시판"
        assert apps[-1] == "로그인 잠금"
        assert "Axes" not in apps
    for address in LOCKOUT_PAGES:
        assert client.get(address).status_code == 200, address
    assert "침입자" in text(soup(client.get("/admin/axes/accessattempt/")))


@pytest.mark.parametrize("group", ["편집자", "모더레이터"], ids=["editor", "moderator"])
def test_editors_and_moderators_never_meet_the_lockout_records(group):
    client = client_for(staff_in(group))

    assert "로그인 잠금" not in index_apps(client)
    page = client.get("/admin/").content.decode()
    assert "/admin/axes/" not in page
    for address in LOCKOUT_PAGES:
        assert client.get(address).status_code in (403, 404), address

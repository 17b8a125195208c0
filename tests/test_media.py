"""Uploaded images: served only while their article may be seen, never a 500."""

import stat
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from board import services
from board.models import PostImage
from tests.conftest import BROWSER_UA
from tests.factories import PostFactory, PostImageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(board):
    user = UserFactory(username="기자", is_staff=True)
    user.groups.add(Group.objects.get(name="편집자"))
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(user)
    return client


def body_of(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "path",
    [
        "a" * 300,
        "posts/" + "가" * 300,
        "posts/2026/11/" + "x" * 255 + ".png",
        "../.env",
        "posts/x%00.png",
        "posts/%ff%fe.png",
        "",
    ],
)
def test_any_media_path_without_an_image_is_a_404(client, board, media_root, path):
    (media_root / "posts" / "2026" / "11").mkdir(parents=True)
    assert client.get(f"/media/{path}").status_code == 404


def test_a_file_in_media_that_belongs_to_no_image_is_a_404(client, board, media_root):
    stray = media_root / "posts" / "stray.png"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert client.get("/media/posts/stray.png").status_code == 404


def test_a_listed_articles_image_is_served_to_anyone_with_its_real_type(client, board):
    image = PostImageFactory(image__format="PNG")

    response = client.get(image.image.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body_of(response) == image.image.open("rb").read()


def test_the_type_comes_from_the_content_not_the_file_name(client, board):
    legacy = PostImageFactory(image__filename="old.jpg", image__format="PNG")
    assert legacy.image.name.endswith(".jpg")

    response = client.get(legacy.image.url)

    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize("damage", ["missing", "not an image"])
def test_an_images_lost_or_damaged_file_is_a_404_not_a_server_error(client, board, damage):
    image = PostImageFactory()
    path = Path(image.image.path)
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"<html>not a picture</html>")

    assert client.get(image.image.url).status_code == 404


def test_a_scheduled_articles_image_is_for_staff_only(client, staff_client, board):
    later = timezone.now() + timezone.timedelta(days=1)
    image = PostImageFactory(post=PostFactory(published_at=later))

    assert client.get(image.image.url).status_code == 404
    response = staff_client.get(image.image.url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]

    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    reader.force_login(UserFactory(username="독자"))
    assert reader.get(image.image.url).status_code == 404
    # Staff without the permission to see articles, as for the preview.
    reader.force_login(UserFactory(username="손님직원", is_staff=True))
    assert reader.get(image.image.url).status_code == 404


def test_a_removed_articles_image_is_for_staff_only(client, staff_client, board):
    image = PostImageFactory()
    response = client.get(image.image.url)
    assert response.status_code == 200
    # A shared cache in front must ask again, so removal takes effect at once.
    assert response["Cache-Control"] == "public, no-cache"

    services.remove_post(image.post, by=UserFactory(is_staff=True))

    assert client.get(image.image.url).status_code == 404
    assert staff_client.get(image.image.url).status_code == 200


def test_uploaded_files_are_readable_by_their_owner_only(board, media_root):
    image = PostImageFactory()
    path = Path(image.image.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_image_is_found_by_its_file_name_through_an_index(board):
    """Every image request looks its file up by name: a seek, never a scan of all images."""
    PostImageFactory.create_batch(3)
    lookup = PostImage.objects.filter(image="posts/2026/11/x.png")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = lookup.explain()
    assert "SCAN board_postimage" not in plan  # SQLite's full scan
    assert "Seq Scan" not in plan  # PostgreSQL's


def test_an_image_without_a_caption_has_an_empty_alt_and_no_caption_box(client, board, media_root):
    from tests.pages import soup

    post = PostFactory(body="본문")
    PostImageFactory(post=post, caption="")
    PostImageFactory(post=post, caption="빨간 우체통")

    figures = soup(client.get(post.get_absolute_url())).select(".post-body figure.post-image")
    assert [f.img["alt"] for f in figures] == ["", "빨간 우체통"]
    assert [f.figcaption and f.figcaption.get_text() for f in figures] == [None, "빨간 우체통"]
    assert figures[0].get_text() == ""  # nothing under the image


def test_a_deleted_articles_images_leave_no_file_behind(board, django_capture_on_commit_callbacks):
    image = PostImageFactory()
    stored = Path(image.image.path)
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        image.post.delete()

    assert not stored.exists()

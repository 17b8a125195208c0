"""Files attached to articles: uploaded in the admin, listed under the body, always downloaded
under their original names, counted, and hidden with their article."""

import re
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from board import services
from board.models import Attachment, Board, Post
from tests.conftest import BROWSER_UA
from tests.factories import AttachmentFactory, PostFactory, UserFactory
from tests.pages import NO_IMAGES, listing_rows, soup, text
from tests.races import race

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a small test document\n"


@pytest.fixture
def editor(board):
    """A staff member in the editors' group (not a superuser): what the newsroom uses."""
    user = UserFactory(username="기자", is_staff=True)
    user.groups.add(Group.objects.get(name="편집자"))
    return user


@pytest.fixture
def staff_client(editor):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(editor)
    return client


def add_article(staff_client, board, *uploads, title="첨부 파일이 있는 글"):
    """Write an article in the admin with ``uploads`` in its file inline."""
    form = {
        "board": board.pk,
        "title": title,
        "body": "본문",
        "published_at_0": "2026-11-26",
        "published_at_1": "10:00:00",
        "body_format": "text",
        **NO_IMAGES,
        "attachments-TOTAL_FORMS": str(len(uploads)),
    }
    for n, upload in enumerate(uploads):
        form[f"attachments-{n}-file"] = upload
    return staff_client.post("/admin/board/post/add/", form)


def body_of(response):
    return b"".join(response.streaming_content)


def fetch(client, url):
    """A response read to its end, which closes its file (the test client's way: closing it by
    hand would close the test's database connection too)."""
    response = client.get(url)
    if response.streaming:
        body_of(response)
    return response


def stored_files(media_root):
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_an_editor_attaches_a_korean_named_file_and_readers_see_it_under_the_body(
    staff_client, client, board, media_root
):
    upload = SimpleUploadedFile("2026년 우편 요금표.pdf", PDF, content_type="application/pdf")

    response = add_article(staff_client, board, upload)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "2026년 우편 요금표.pdf"
    assert attachment.size == len(PDF)
    # Stored under a generated name: nothing of the uploader's reaches the file system.
    assert "요금표" not in attachment.file.name
    assert ".pdf" not in attachment.file.name
    assert [p.read_bytes() for p in stored_files(media_root)] == [PDF]

    post = Post.objects.get(title="첨부 파일이 있는 글")
    files = soup(client.get(post.get_absolute_url())).select(".post-files li")
    assert [text(li) for li in files] == [f"2026년 우편 요금표.pdf {len(PDF)} B 내려받은 수 0"]
    assert files[0].a["href"] == attachment.get_absolute_url()


def test_two_files_named_alike_are_stored_apart(board):
    first = AttachmentFactory(file__data=b"first", file__filename="a.pdf", name="안내.pdf")
    second = AttachmentFactory(file__data=b"second", file__filename="a.pdf", name="안내.pdf")

    assert first.file.name != second.file.name
    assert Path(first.file.path).read_bytes() == b"first"
    assert Path(second.file.path).read_bytes() == b"second"


def test_a_korean_named_file_downloads_under_its_name_and_is_never_shown_inline(client, board):
    attachment = AttachmentFactory(file__data=PDF, name="2026년 우편 요금표.pdf")

    response = client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # RFC 6266 / 5987: the UTF-8 name, percent-encoded (the charset's case is free).
    encoded = re.escape(quote("2026년 우편 요금표.pdf"))
    assert re.search(rf"; filename\*=utf-8''{encoded}$", disposition, re.IGNORECASE)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert body_of(response) == PDF


def test_a_plain_name_is_sent_as_a_plain_filename(client, board):
    attachment = AttachmentFactory(name="report 2026.pdf")

    response = fetch(client, attachment.get_absolute_url())

    assert response["Content-Disposition"] == 'attachment; filename="report 2026.pdf"'


def test_each_download_is_counted_and_shown_beside_the_file(client, board):
    attachment = AttachmentFactory()
    url = attachment.get_absolute_url()

    for _ in range(3):
        body_of(client.get(url))
    body_of(client.head(url))  # a link checker, not a download

    assert Attachment.objects.get(pk=attachment.pk).downloads == 3
    page = soup(client.get(attachment.post.get_absolute_url()))
    assert text(page.select_one(".post-files .file-downloads")) == "내려받은 수 3"


@pytest.mark.django_db(transaction=True)
def test_downloads_arriving_together_are_all_counted(settings):
    Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})
    attachment = AttachmentFactory()
    url = attachment.get_absolute_url()

    def download():
        response = Client(HTTP_USER_AGENT=BROWSER_UA).get(url)
        assert response.status_code == 200
        body_of(response)

    # The first download's transaction stays open while the second counts: a read-modify-write
    # would lose one of them.
    race(download, download)
    assert Attachment.objects.get(pk=attachment.pk).downloads == 2

    threads = [threading.Thread(target=lambda: (download(), connection.close())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Attachment.objects.get(pk=attachment.pk).downloads == 10


@pytest.mark.parametrize("name", ["설치.exe", "page.html", "그림.svg", "노트", "archive.pdf.exe"])
def test_a_file_of_a_type_not_allowed_is_refused_in_korean_and_nothing_is_stored(
    staff_client, board, media_root, name
):
    response = add_article(staff_client, board, SimpleUploadedFile(name, b"MZ..."))

    assert response.status_code == 200
    assert "올릴 수 없는 파일 형식입니다" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not Post.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused_in_korean_and_nothing_is_stored(
    staff_client, board, media_root, settings
):
    settings.MAX_ATTACHMENT_BYTES = 1024 * 1024
    big = SimpleUploadedFile("큰 파일.zip", b"x" * (1024 * 1024 + 1))

    response = add_article(staff_client, board, big)

    assert response.status_code == 200
    assert "첨부 파일은 1.0 MB까지 올릴 수 있습니다" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not Post.objects.exists()
    assert stored_files(media_root) == []


def test_the_allowed_types_come_from_the_settings(staff_client, board, settings):
    settings.ATTACHMENT_EXTENSIONS = ["txt"]

    refused = add_article(staff_client, board, SimpleUploadedFile("a.pdf", PDF))
    accepted = add_article(staff_client, board, SimpleUploadedFile("메모.TXT", b"hi"))

    assert refused.status_code == 200
    assert accepted.status_code == 302
    assert list(Attachment.objects.values_list("name", flat=True)) == ["메모.TXT"]


def test_a_scheduled_articles_files_are_for_staff_only(client, staff_client, board):
    later = timezone.now() + timezone.timedelta(days=1)
    attachment = AttachmentFactory(post=PostFactory(published_at=later))
    url = attachment.get_absolute_url()

    assert fetch(client, url).status_code == 404
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    reader.force_login(UserFactory(username="독자"))
    assert fetch(reader, url).status_code == 404
    response = fetch(staff_client, url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    # The staff preview lists it too.
    preview = soup(staff_client.get(attachment.post.get_absolute_url()))
    assert [a["href"] for a in preview.select(".post-files a")] == [url]


def test_a_removed_articles_files_are_for_staff_only(client, staff_client, editor, board):
    attachment = AttachmentFactory()
    url = attachment.get_absolute_url()
    response = fetch(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"

    services.remove_post(attachment.post, by=editor)

    assert fetch(client, url).status_code == 404
    assert fetch(staff_client, url).status_code == 200


@pytest.mark.parametrize(
    "path", ["/files/999999/", "/files/0/", "/files/1234567890/", "/files/abc/", "/files/-1/"]
)
def test_a_download_address_naming_no_attachment_is_a_404(client, board, path):
    AttachmentFactory()
    assert fetch(client, path).status_code == 404


def test_an_attachment_whose_file_is_gone_is_a_404(client, board):
    attachment = AttachmentFactory()
    Path(attachment.file.path).unlink()

    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert Attachment.objects.get(pk=attachment.pk).downloads == 0


def test_files_is_not_a_board_address_name(board):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Board(slug="files", name="파일").full_clean()


def test_the_listing_marks_an_article_with_files(client, board):
    plain = PostFactory(title="파일 없는 글")
    AttachmentFactory(post=PostFactory(title="파일 있는 글"))

    page = soup(client.get("/"))
    marks = {row["title"]: row["file"] for row in listing_rows(page)}
    assert marks == {"파일 있는 글": True, "파일 없는 글": False}
    assert page.select_one("img.mark-file")["alt"] == "첨부 파일"
    assert Post.objects.get(pk=plain.pk).has_file is False


def test_removing_the_last_file_in_the_admin_clears_the_mark(staff_client, board):
    attachment = AttachmentFactory()
    post = attachment.post
    form = {
        "title": post.title,
        "body": post.body,
        "published_at_0": "2026-11-26",
        "published_at_1": "10:00:00",
        "body_format": "text",
        **NO_IMAGES,
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "1",
        "attachments-0-id": attachment.pk,
        "attachments-0-post": post.pk,
        "attachments-0-DELETE": "on",
    }

    response = staff_client.post(f"/admin/board/post/{post.pk}/change/", form)

    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert Post.objects.get(pk=post.pk).has_file is False


def test_an_article_without_files_stays_four_queries(client, board, django_assert_num_queries):
    post = PostFactory()
    PostFactory()
    # The article, its view count, the listing, the comments: no query for files.
    with django_assert_num_queries(4):
        response = client.get(post.get_absolute_url())
    assert soup(response).select(".post-files") == []


def test_an_article_with_files_takes_one_more_query(client, board, django_assert_num_queries):
    post = PostFactory()
    AttachmentFactory.create_batch(3, post=post)
    # The four, and one for all its files whatever their number.
    with django_assert_num_queries(5):
        response = client.get(post.get_absolute_url())
    assert len(soup(response).select(".post-files li")) == 3


def test_the_listing_stays_two_queries_with_files(client, board, django_assert_num_queries):
    AttachmentFactory.create_batch(3)
    with django_assert_num_queries(2):
        response = client.get("/")
    assert sum(row["file"] for row in listing_rows(soup(response))) == 3


@pytest.mark.django_db(transaction=True)
def test_a_backup_and_restore_give_back_the_files(tmp_path, settings):
    Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})
    attachment = AttachmentFactory(file__data=PDF, name="백업 문서.pdf")
    path = Path(attachment.file.path)

    call_command("backup", output=str(tmp_path / "backups"))
    database = next(f for f in (tmp_path / "backups").iterdir() if not f.name.endswith(".gz"))
    Attachment.objects.all().delete()
    path.unlink(missing_ok=True)  # gone with its row (board.apps.delete_stored_file)
    call_command("restore", str(database), yes=True)
    connection.close()

    restored = Attachment.objects.get()
    assert (restored.name, restored.file.name) == ("백업 문서.pdf", attachment.file.name)
    assert path.read_bytes() == PDF


def test_a_download_takes_two_queries(client, board, django_assert_num_queries):
    attachment = AttachmentFactory()
    # The file with its article's listing state, and the count.
    with django_assert_num_queries(2):
        body_of(client.get(attachment.get_absolute_url()))


def test_a_file_deleted_in_the_admin_leaves_no_file_behind(
    staff_client, board, django_capture_on_commit_callbacks
):
    attachment = AttachmentFactory()
    post, stored = attachment.post, Path(attachment.file.path)
    assert stored.exists()
    form = {
        "title": post.title,
        "body": post.body,
        "published_at_0": "2026-11-26",
        "published_at_1": "10:00:00",
        "body_format": "text",
        **NO_IMAGES,
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "1",
        "attachments-0-id": attachment.pk,
        "attachments-0-post": post.pk,
        "attachments-0-DELETE": "on",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/board/post/{post.pk}/change/", form)

    assert response.status_code == 302
    assert not stored.exists()


def test_a_deletion_rolled_back_keeps_the_file(board, django_capture_on_commit_callbacks):
    attachment = AttachmentFactory()
    stored = Path(attachment.file.path)

    def delete_then_fail():
        with transaction.atomic():
            attachment.post.delete()
            raise RuntimeError("the deletion fails after the rows are gone")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        delete_then_fail()

    assert stored.exists()
    assert Attachment.objects.filter(pk=attachment.pk).exists()

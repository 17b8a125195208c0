"""``import_xe --files XE_ROOT``: an XE site's attachments and body images move into PostBBS,
every reference to them in the bodies is rewritten, and the old file addresses redirect."""

import io
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from board.legacy.importer import Interrupted
from board.legacy.keys import LegacyKey
from board.legacy.xe import Importer
from board.models import Attachment, Post, PostImage
from tests.legacy.test_import_xe import dump
from tests.legacy.xe_site import XESite
from tests.pages import listing_rows, soup, text

pytestmark = pytest.mark.django_db

OLD = "http://old.example.com"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(colour="red", size=(4, 3)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def run_import(site, **options):
    out = StringIO()
    call_command("import_xe", db=site.url, prefix=site.prefix, files=str(site.root),
                 stdout=out, stderr=StringIO(), **options)  # fmt: skip
    return out.getvalue()


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def post(srl):
    return LegacyKey.objects.get(kind="post", key=str(srl)).post


@pytest.fixture
def site(legacy_db, tmp_path):
    """A 2008 XE board: an article whose body names its files every way XE sites did, two
    articles with a photo.png each, and a plain one."""
    site = XESite(legacy_db, "xe2008", root=tmp_path / "xe")
    free = site.board("free", "자유게시판", srl=50)
    photo = "./files/attach/images/50/001/001/한글사진.png"
    body = (
        f'<p><img src="{photo}" alt="축제"></p>'
        f'<p><img src="files/attach/images/50/001/001/{quote("한글사진.png")}"></p>'
        f'<p><img src="{OLD}/files/attach/images/50/001/001/한글사진.png"></p>'
        f'<p><img src="/files/attach/images/50/001/001/{quote("한글사진.png")}"></p>'
        '<p><a href="/?module=file&amp;act=procFileDownload&amp;file_srl=2001&amp;sid=sid2001">'
        '순서</a> <a href="보도자료.pdf">보도자료.pdf</a>'
        f' <a href="{OLD}/index.php?module=file&amp;act=procFileDownload&amp;file_srl=2001">'
        "또</a></p>"
        '<p><img src="./files/attach/images/50/999/없는그림.png"> <a href="없는.pdf">없는</a></p>'
        f'<p><a href="{OLD}/?document_srl=1002">다음 글</a> <a href="https://example.org/x">밖</a></p>'
    )
    site.document(free, 1001, "축제 안내", body)
    site.file(50, 1001, 2000, "한글사진.png", png(), download_count=7)
    site.file(50, 1001, 2001, "보도자료.pdf", PDF, download_count=1523)
    site.file(50, 1001, 2002, "깨진.png", b"\x89PNG not really")
    site.file(50, 1001, 2003, "없는.pdf", None)  # its row, but no file on disk
    site.document(free, 1002, "첫 사진", '<p><img src="photo.png"></p>')
    site.file(50, 1002, 2010, "photo.png", png("blue"))
    site.document(
        free, 1003, "둘째 사진", '<p><img src="./files/attach/images/50/003/001/photo.png"></p>'
    )
    site.file(50, 1003, 2011, "photo.png", png("green"))
    site.comment(free, 1003, 1004, "댓글의 파일")
    site.file(50, 1004, 2012, "댓글첨부.pdf", PDF, download_count=3)
    site.document(free, 1005, "글만", "<p>파일 없음</p>")
    site.write_comment_lists()
    return site


@pytest.fixture
def imported(site):
    return run_import(site, old_url=OLD)


def image_url(srl):
    return LegacyKey.objects.get(kind="file", key=str(srl)).image.image.url


def attachment_url(srl):
    return LegacyKey.objects.get(kind="file", key=str(srl)).attachment.get_absolute_url()


def test_attachments_show_their_original_names_and_download_counts(imported, client):
    page = soup(client.get("/free/1/"))

    files = {text(li.select_one("a")): text(li) for li in page.select(".post-files li")}
    assert set(files) == {"보도자료.pdf", "깨진.png"}
    assert "내려받은 수 1523" in files["보도자료.pdf"]
    pdf = Attachment.objects.get(name="보도자료.pdf")
    assert pdf.size == len(PDF)
    response = client.get(pdf.get_absolute_url())
    assert b"".join(response.streaming_content) == PDF


def test_every_form_of_reference_points_at_the_new_files(imported, client):
    body = soup(client.get("/free/1/")).select_one(".post-body")

    photo = image_url(2000)
    sources = [img.get("src") for img in body.select("img")]
    assert sources == [photo, photo, photo, photo, None]
    links = [a.get("href") for a in body.select("a")]
    pdf = attachment_url(2001)
    assert links == [pdf, pdf, pdf, None, "/?document_srl=1002", "https://example.org/x"]


def test_no_body_keeps_the_old_host_or_old_paths(imported):
    for body, body_html in Post.objects.values_list("body", "body_html"):
        for old in ("old.example.com", "files/attach", "procFileDownload", "file_srl"):
            assert old not in body
            assert old not in body_html


def test_the_summary_counts_files_and_says_what_was_left_out(imported):
    files = next(line for line in imported.splitlines() if line.startswith("files"))
    assert files.split() == ["files", "6", "0", "1"]
    assert "skipped files (missing on disk): 1: 2003" in imported
    assert "files/attach/binaries/50/001/001/" in imported  # the missing file's path
    assert "reference to a file not imported: removed from the body): 2: 1001, 1001" in imported
    assert "damaged image: kept as an attached file): 1: 2002" in imported
    assert "a comment's file: attached to its article): 1: 2012" in imported


def test_images_are_served_by_postbbs(imported, client):
    response = client.get(image_url(2000))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (4, 3)
    assert post(1001).has_image
    assert post(1001).has_file
    rows = {row["title"]: row for row in listing_rows(soup(client.get("/free/")))}
    assert rows["축제 안내"]["image"]
    assert not rows["글만"]["image"]


def test_two_files_of_one_name_in_two_articles_each_resolve_to_their_own(imported, client):
    first = soup(client.get("/free/2/")).select_one(".post-body img")["src"]
    second = soup(client.get("/free/3/")).select_one(".post-body img")["src"]

    assert first == image_url(2010) != second == image_url(2011)
    blue = Image.open(io.BytesIO(b"".join(client.get(first).streaming_content)))
    assert blue.getpixel((0, 0)) == (0, 0, 255)


def test_an_image_is_shown_once_where_the_body_places_it(imported, client):
    body = soup(client.get("/free/2/")).select_one(".post-body")

    assert len(body.select("img")) == 1


def test_a_comments_file_is_attached_to_its_article(imported, client):
    page = soup(client.get("/free/3/"))

    assert [text(a) for a in page.select(".post-files li a")] == ["댓글첨부.pdf"]


def test_old_file_addresses_redirect_to_the_new_files(imported, client):
    procfile = "/?module=file&act=procFileDownload&file_srl={}&sid=x"
    cases = {
        procfile.format(2001): attachment_url(2001),
        procfile.format(2000): image_url(2000),  # an image's download link: the image
        "/files/attach/images/50/001/001/" + quote("한글사진.png"): image_url(2000),
        "/xe/files/attach/images/50/003/001/photo.png": image_url(2011),
        "/files/download/2001/key/x.pdf": attachment_url(2001),
    }
    pdf_path = LegacyKey.objects.filter(kind="file", key__startswith="attach/binaries/")
    cases[f"/files/{pdf_path.first().key}"] = pdf_path.first().attachment.get_absolute_url()
    for old, new in cases.items():
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    assert client.get(procfile.format(2003)).status_code == 404  # never imported


def test_a_second_run_copies_no_file_and_changes_no_body(site, imported, media_root):
    files, before = stored_files(media_root), dump()

    again = run_import(site, old_url=OLD)

    assert stored_files(media_root) == files
    assert dump() == before
    assert next(line for line in again.splitlines() if line.startswith("files")).split() == [
        "files", "0", "6", "1",
    ]  # fmt: skip


def test_a_dry_run_writes_no_file(site, media_root):
    out = run_import(site, dry_run=True)

    assert stored_files(media_root) == []
    assert not Attachment.objects.exists()
    assert not PostImage.objects.exists()
    assert next(line for line in out.splitlines() if line.startswith("files")).split()[1] == "6"


def test_the_old_host_is_learnt_from_its_file_addresses(site):
    run_import(site)  # no --old-url

    body = post(1001).body
    assert "old.example.com" not in body


def test_later_xe_hex_names_arrive_too(legacy_db, tmp_path, client):
    site = XESite(legacy_db, "xe", root=tmp_path / "xe")
    gallery = site.board("gallery", "사진", srl=60)
    site.document(gallery, 123456, "새 사진", "<p>사진</p>", status="PUBLIC")
    stored = site.file(60, 123456, 200001, "새 사진.JPG", png("white"))
    assert stored.startswith("/files/attach/images/60/456/123/")
    assert "새" not in stored
    # the body is written after the upload, naming the stored path
    site.execute(
        "UPDATE xe_documents SET content = %s WHERE document_srl = 123456",
        [f'<p><img src="{stored}"></p>'],
    )
    run_import(site)

    src = soup(client.get("/gallery/1/")).select_one(".post-body img")["src"]
    assert src == image_url(200001)
    assert client.get(stored).status_code == 301


def test_an_interrupted_run_continues_and_copies_each_file_once(site, media_root):
    batches = []

    def stop_in_the_files(count):
        batches.append(count)
        if PostImage.objects.exists():  # the first batch of files is committed
            raise Interrupted

    with pytest.raises(Interrupted):
        call_command("import_xe", db=site.url, prefix=site.prefix, files=str(site.root),
                     batch_size=2, after_batch=stop_in_the_files, stdout=StringIO(),
                     stderr=StringIO())  # fmt: skip
    partial = Attachment.objects.count() + PostImage.objects.count()
    assert 0 < partial < 6

    run_import(site, batch_size=2, old_url=OLD)

    assert Attachment.objects.count() + PostImage.objects.count() == 6
    assert len(stored_files(media_root)) == 6
    assert "old.example.com" not in post(1001).body


def test_a_batch_that_fails_leaves_no_copied_file_behind(site, media_root, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("board.legacy.xe.Importer.article_files", failing_after_copy(fail))

    with pytest.raises(RuntimeError):
        run_import(site)

    assert stored_files(media_root) == []
    assert not Attachment.objects.exists()


def failing_after_copy(fail):
    original = Importer.article_files

    def article_files(self, post_id, row, rows):
        original(self, post_id, row, rows)
        if self.copier.written:
            fail()

    return article_files


def test_a_stored_path_outside_the_xe_root_is_never_read(legacy_db, tmp_path):
    site = XESite(legacy_db, "xe2008", root=tmp_path / "xe")
    (tmp_path / "xe" / "files").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("private")
    free = site.board("free", "자유", srl=50)
    site.document(free, 1001, "글")
    site.file(50, 1001, 2000, "secret.txt", None, uploaded="./files/../../secret.txt")

    out = run_import(site)

    assert not Attachment.objects.exists()
    assert "skipped files (missing on disk): 1: 2000" in out


def test_check_import_counts_the_files_and_finds_the_one_missing_on_disk(site, imported):
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("check_import", db=site.url, prefix=site.prefix, stdout=out)

    line = next(line for line in out.getvalue().splitlines() if line.startswith("free (50) files"))
    assert failed.value.returncode == 1
    # Seven files in the old board (a comment's included), six here: 없는.pdf was not on disk.
    assert line.split()[3:] == ["7", "6", "<-", "differs"]

"""``import_gnuboard --data G5_DATA_DIR``: a Gnuboard5 site's attachments (g5_board_file) and
its editor's images (data/editor, in no table) move into PostBBS, every reference to them in
the bodies is rewritten, and the old file addresses redirect."""

import io
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from board.legacy.importer import Interrupted
from board.legacy.keys import LegacyKey
from board.models import Attachment, Post, PostImage
from tests.legacy.g5_site import G5Site
from tests.legacy.test_import_gnuboard import dump
from tests.legacy.test_import_xe_files import PDF, png, stored_files
from tests.pages import soup, text

pytestmark = pytest.mark.django_db

OLD = "http://old.example.com"
EDITOR_NAME = "에디터 그림.png"


def run_import(site, **options):
    out = StringIO()
    call_command("import_gnuboard", db=site.url, prefix=site.prefix, data=str(site.data),
                 stdout=out, stderr=StringIO(), **options)  # fmt: skip
    return out.getvalue()


def files_row(out):
    return next(line for line in out.splitlines() if line.startswith("files")).split()


@pytest.fixture
def site(legacy_db, tmp_path):
    """A Gnuboard board: an article whose body names its files and editor images every way
    Gnuboard sites did, an article whose image only the file list showed, a third
    showing its own 풍경.jpg and the first article's editor image, and a plain-text one naming
    old addresses."""
    site = G5Site(legacy_db, data=tmp_path / "data")
    site.board("free", "자유게시판")
    first = site.write("free", "축제 안내", "", options="html1")
    photo = site.file("free", first, 0, "한글사진.png", png(), download=7)
    site.file("free", first, 1, "보도자료.pdf", PDF, download=1523)
    site.file("free", first, 2, "깨진.png", b"\x89PNG not really")
    missing = site.file("free", first, 3, "없는.pdf", None)
    editor = site.editor_image("2301", "b1946ac92492d2347c6235b4d2611184.png", png("blue"))
    korean = site.editor_image("2301", EDITOR_NAME, png("green"))
    download = "bbs/download.php?bo_table=free&amp;wr_id={}&amp;no={}"
    body = (
        f'<p><img src="../data/file/free/{photo}" alt="축제"></p>'
        f'<p><img src="{OLD}/data/file/free/{photo}"></p>'
        f'<p><img src="/data/file/free/{quote(photo)}"></p>'
        f'<p><img src="{OLD}{editor}"></p><p><img src="{editor}"></p>'
        f'<p><img src="{OLD}/data/editor/2301/{quote(EDITOR_NAME)}"></p>'
        f'<p><a href="{OLD}/{download.format(first, 1)}">보도자료</a>'
        f' <a href="../{download.format(first, 1)}">또</a>'
        f' <a href="/{download.format(first, 3)}">없는</a>'
        f' <a href="/data/file/free/{missing}">없는 파일</a></p>'
        '<p><img src="/data/editor/2301/gone.png"></p>'
        f'<p><a href="{OLD}/bbs/board.php?bo_table=free&amp;wr_id=2">다음 글</a>'
        ' <a href="https://example.org/x">밖</a></p>'
    )
    site.execute("UPDATE g5_write_free SET wr_content = %s WHERE wr_id = %s", [body, first])
    second = site.write("free", "사진만 올린 글", "글자만 있는 본문\n둘째 줄")
    site.file("free", second, 0, "풍경.jpg", png("white", (5, 5)), download=2)
    third = site.write("free", "다른 풍경", "", options="html1")
    own = site.file("free", third, 0, "풍경.jpg", png("black", (6, 2)))
    site.execute(
        "UPDATE g5_write_free SET wr_content = %s WHERE wr_id = %s",
        [f'<p><img src="{OLD}/data/file/free/{own}"></p><p><img src="{editor}"></p>', third],
    )
    plain = (
        f"이전 글: {OLD}/bbs/board.php?bo_table=free&wr_id={first}\r\n"
        f"자료: {OLD}/bbs/download.php?bo_table=free&wr_id={first}&no=1"
        f" 없는 자료: {OLD}/data/file/free/{missing}\r\n밖: https://example.org/y"
    )
    site.write("free", "링크만", plain)
    site.paths = dict(photo=photo, editor=editor, korean=korean, own=own, missing=missing)
    return site


@pytest.fixture
def imported(site):
    return run_import(site, old_url=OLD)


def image_url(key, kind="file"):
    return LegacyKey.objects.get(kind=kind, key=key).image.image.url


def attachment_url(key):
    return LegacyKey.objects.get(kind="file", key=key).attachment.get_absolute_url()


def test_attachments_show_their_original_names_and_download_counts(imported, client):
    page = soup(client.get("/free/1/"))

    files = {text(li.select_one("a")): text(li) for li in page.select(".post-files li")}
    assert set(files) == {"보도자료.pdf", "깨진.png"}
    assert "내려받은 수 1523" in files["보도자료.pdf"]
    pdf = Attachment.objects.get(name="보도자료.pdf")
    assert pdf.size == len(PDF)
    assert b"".join(client.get(pdf.get_absolute_url()).streaming_content) == PDF


def test_every_form_of_reference_points_at_the_new_files(site, imported, client):
    body = soup(client.get("/free/1/")).select_one(".post-body")

    photo = image_url("free:1:0")
    editor = image_url("editor/2301/b1946ac92492d2347c6235b4d2611184.png", "image")
    korean = image_url(f"editor/2301/{EDITOR_NAME}", "image")
    sources = [img.get("src") for img in body.select("img")]
    assert sources == [photo, photo, photo, editor, editor, korean, None]
    pdf = attachment_url("free:1:1")
    links = [a.get("href") for a in body.select("a")]
    assert links == [
        pdf, pdf, None, None, "/bbs/board.php?bo_table=free&wr_id=2", "https://example.org/x",
    ]  # fmt: skip


def test_no_body_keeps_the_old_host_or_old_paths(imported):
    for body, body_html in Post.objects.values_list("body", "body_html"):
        for old in ("old.example.com", "data/file", "data/editor", "download.php"):
            assert old not in body
            assert old not in body_html


def test_an_editor_image_in_no_table_is_copied_once_for_every_article_showing_it(imported, client):
    editor = LegacyKey.objects.get(
        kind="image", key="editor/2301/b1946ac92492d2347c6235b4d2611184.png"
    ).image
    other = soup(client.get("/free/3/")).select_one(".post-body")

    assert editor.post.title == "축제 안내"
    assert editor.image.url in [img["src"] for img in other.select("img")]
    assert PostImage.objects.filter(post__title="축제 안내").count() == 3
    blue = Image.open(io.BytesIO(b"".join(client.get(editor.image.url).streaming_content)))
    assert blue.getpixel((0, 0)) == (0, 0, 255)


def test_images_are_served_by_postbbs(imported, client):
    response = client.get(image_url("free:1:0"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (4, 3)
    first = Post.objects.get(title="축제 안내")
    assert first.has_image
    assert first.has_file


def test_an_image_the_body_does_not_show_still_shows_with_its_article(imported, client):
    page = soup(client.get("/free/2/"))

    # Gnuboard showed it above the body (view.skin.php); here it follows the text.
    sources = [img["src"] for img in page.select(".post-body img")]
    assert sources == [image_url("free:2:0")]
    assert "글자만 있는 본문" in text(page.select_one(".post-body"))
    assert not page.select(".post-files li")


def test_two_files_of_one_name_in_two_articles_each_stay_their_own(imported, client):
    second = soup(client.get("/free/2/")).select_one(".post-body img")["src"]
    third = soup(client.get("/free/3/")).select_one(".post-body img")["src"]

    assert second == image_url("free:2:0") != third == image_url("free:3:0")


def test_the_summary_counts_files_and_says_what_was_left_out(site, imported):
    # 7 copied: the first article's 3 files and 2 editor images, the next two one each.
    assert files_row(imported) == ["files", "7", "0", "2"]
    assert "skipped files (missing on disk): 2: free:1:3, editor/2301/gone.png" in imported
    assert f"data/file/free/{site.paths['missing']}" in imported  # a missing file's path
    assert "data/editor/2301/gone.png" in imported
    assert "damaged image: kept as an attached file): 1: free:1:2" in imported
    gone = "reference to a file not imported: removed from the body)"
    assert f"{gone}: 4: free:1, free:1, free:1, free:4" in imported


def test_old_file_addresses_redirect_to_the_new_files(site, imported, client):
    cases = {
        "/bbs/download.php?bo_table=free&wr_id=1&no=1": attachment_url("free:1:1"),
        "/bbs/download.php?bo_table=free&wr_id=1&no=0": image_url("free:1:0"),
        f"/data/file/free/{site.paths['photo']}": image_url("free:1:0"),
        f"/data/file/free/{site.paths['own']}": image_url("free:3:0"),
        site.paths["editor"]: image_url(site.paths["editor"][len("/data/") :], "image"),
        "/data/editor/2301/" + quote(EDITOR_NAME): image_url(f"editor/2301/{EDITOR_NAME}", "image"),
    }
    for old, new in cases.items():
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    assert client.get("/bbs/download.php?bo_table=free&wr_id=1&no=3").status_code == 404
    assert client.get("/data/editor/2301/gone.png").status_code == 404


def test_a_second_run_copies_no_file_and_changes_no_body(site, imported, media_root):
    files, before = stored_files(media_root), dump()

    again = run_import(site, old_url=OLD)

    assert stored_files(media_root) == files
    assert dump() == before
    assert files_row(again) == ["files", "0", "7", "2"]


def test_a_dry_run_writes_no_file(site, media_root):
    out = run_import(site, dry_run=True, old_url=OLD)

    assert stored_files(media_root) == []
    assert not Attachment.objects.exists()
    assert not PostImage.objects.exists()
    assert files_row(out)[1] == "7"


def test_without_data_the_summary_says_files_were_not_imported(site):
    out = StringIO()
    call_command("import_gnuboard", db=site.url, prefix=site.prefix, stdout=out,
                 stderr=StringIO())  # fmt: skip

    assert "files and editor images were not imported (no --data)" in out.getvalue()
    assert not Attachment.objects.exists()


def test_an_interrupted_run_continues_and_copies_each_file_once(site, media_root):
    def stop_in_the_files(count):
        if PostImage.objects.exists():  # the first batch of files is committed
            raise Interrupted

    with pytest.raises(Interrupted):
        call_command("import_gnuboard", db=site.url, prefix=site.prefix, data=str(site.data),
                     batch_size=1, after_batch=stop_in_the_files, stdout=StringIO(),
                     stderr=StringIO())  # fmt: skip
    partial = Attachment.objects.count() + PostImage.objects.count()
    assert 0 < partial < 7

    run_import(site, batch_size=1, old_url=OLD)

    assert Attachment.objects.count() + PostImage.objects.count() == 7
    assert len(stored_files(media_root)) == 7
    bodies = Post.objects.values_list("body", flat=True)
    assert all("old.example.com" not in body for body in bodies)


def test_data_without_file_or_editor_folders_is_refused(site, tmp_path):
    with pytest.raises(CommandError, match="no file/ or editor/ folder"):
        call_command("import_gnuboard", db=site.url, prefix=site.prefix, data=str(tmp_path),
                     stdout=StringIO(), stderr=StringIO())  # fmt: skip


def test_old_addresses_in_a_plain_text_body_become_links_to_their_new_pages(imported, client):
    body = soup(client.get("/free/4/")).select_one(".post-body")

    article = "/bbs/board.php?bo_table=free&wr_id=1"
    pdf = attachment_url("free:1:1")
    assert [(a["href"], text(a)) for a in body.select("a")] == [(article, article), (pdf, pdf)]
    assert "밖: https://example.org/y" in text(body)
    assert "없는 자료:" in text(body)
    assert len(body.select("br")) == 2


def test_check_import_counts_the_files_and_finds_the_one_missing_on_disk(site, imported):
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("check_import", kind="gnuboard", db=site.url, prefix=site.prefix, stdout=out)

    line = next(line for line in out.getvalue().splitlines() if line.startswith("free files"))
    assert failed.value.returncode == 1
    # The board's six file rows (four on the first article, one on each of the next two)
    # against those that arrived: all but free:1:3, missing on disk. The editor's images are
    # in no table, so neither side counts them.
    assert line.split()[2:] == ["6", "5", "<-", "differs"]

"""The article's own admin page, as a Korean editor works with it: remove and restore there,
a byline chosen among staff, a preview before saving, and names and rows that read whole."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from board.forms import file_size
from board.models import Author, Post, PostImage
from tests.factories import (
    AttachmentFactory,
    AuthorFactory,
    BoardFactory,
    PostFactory,
    PostImageFactory,
    UserFactory,
)
from tests.pages import NO_IMAGES, soup, text
from tests.reporting import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(board):
    return UserFactory(username="편집장", is_staff=True, is_superuser=True)


@pytest.fixture
def editor_client(chief):
    return client_for(chief)


def admin_messages(page):
    # As read: the article's name is a link inside the sentence.
    return [" ".join(li.get_text().split()) for li in page.select(".messagelist li")]


def page_url(post, action="change"):
    return f"/admin/board/post/{post.pk}/{action}/"


def state_button(page):
    """The remove or restore button of the submit row, and the form it sends."""
    button = page.select_one(".submit-row button[form]")
    if button is None:
        return None, None
    form = page.select_one(f"form#{button['form']}")
    return text(button), form


def form_fields(post=None, **fields):
    """What the article's add or change form sends."""
    later = timezone.localtime() + timedelta(minutes=1)
    data = {
        "title": post.title if post else "새 글",
        "body": post.body if post else "본문",
        "body_format": "text",
        "published_at_0": f"{later:%Y-%m-%d}" if post is None else "2026-11-26",
        "published_at_1": "00:00:00" if post is None else "10:00:00",
        **NO_IMAGES,
    }
    if post is not None:
        data["author"] = post.author_id
    return {**data, **fields}


# 1. Remove and restore on the article's page -------------------------------------------------


@pytest.mark.parametrize("scheduled", [False, True], ids=["listed", "scheduled"])
def test_an_article_is_removed_and_restored_from_its_own_page(editor_client, board, scheduled):
    when = timezone.now() + timedelta(days=1) if scheduled else timezone.now()
    post = PostFactory(title="우편 요금 안내", published_at=when)
    number = post.number

    label, form = state_button(soup(editor_client.get(page_url(post))))
    assert label == "삭제 (되살릴 수 있음)"
    assert form["method"] == "post"
    assert form.select_one("[name=csrfmiddlewaretoken]")
    removed = editor_client.post(form["action"], follow=True)

    assert removed.redirect_chain[-1][0] == page_url(post)
    assert admin_messages(soup(removed)) == [
        "“우편 요금 안내” 글을 삭제했습니다. 독자에게 보이지 않으며, 되살릴 수 있습니다."
    ]
    stored = Post.objects.get(pk=post.pk)
    assert stored.is_removed
    assert stored.seq is None
    page = soup(removed)
    assert text(page.select_one(".field-removal .readonly")).startswith("편집장 · ")
    label, form = state_button(page)
    assert label == "되살리기"

    restored = editor_client.post(form["action"], follow=True)

    assert admin_messages(soup(restored)) == ["“우편 요금 안내” 글을 되살렸습니다."]
    stored = Post.objects.get(pk=post.pk)
    assert not stored.is_removed
    assert stored.number == number
    assert stored.is_listed is (not scheduled)
    assert state_button(soup(restored))[0] == "삭제 (되살릴 수 있음)"
    # Django's own delete stays away.
    assert soup(restored).select_one(".submit-row .deletelink") is None


def test_opening_the_remove_address_removes_nothing(editor_client, board):
    post = PostFactory()
    response = editor_client.get(page_url(post, "remove"))
    assert response.status_code == 302
    assert not Post.objects.get(pk=post.pk).is_removed


def test_only_an_editor_of_the_articles_board_removes_it_from_its_page(board):
    notices = BoardFactory(slug="notices", name="공지사항")
    notices.editors = Group.objects.create(name="공지 편집")
    notices.save(update_fields=["editors"])
    post = PostFactory(board=notices)
    writer = UserFactory(username="기자", is_staff=True)
    writer.groups.add(Group.objects.get(name="편집자"))
    client = client_for(writer)

    client.post(page_url(post, "remove"))

    assert not Post.objects.get(pk=post.pk).is_removed
    writer.groups.add(notices.editors)
    client.post(page_url(post, "remove"))
    assert Post.objects.get(pk=post.pk).is_removed


@pytest.fixture
def viewer():
    """A staff member who may only look at articles (the 편집자 group's view permission)."""
    user = UserFactory(username="열람", is_staff=True)
    user.user_permissions.add(*Group.objects.get(name="편집자").permissions.filter(
        codename="view_post"
    ))  # fmt: skip
    return user


def test_a_staff_member_who_may_only_view_articles_gets_no_remove_button(board, viewer):
    post = PostFactory()
    client = client_for(viewer)

    assert state_button(soup(client.get(page_url(post))))[0] is None
    assert client.post(page_url(post, "remove")).status_code == 403
    assert not Post.objects.get(pk=post.pk).is_removed


# 2. The byline: staff authors, found by typing ----------------------------------------------


def autocomplete(client, term=""):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "board", "model_name": "post", "field_name": "author", "term": term},
    )
    return [row["text"] for row in json.loads(response.content)["results"]]


def test_the_author_field_offers_staff_authors_only(editor_client, chief, board):
    AuthorFactory(name="김기자", user=UserFactory(username="kim", is_staff=True))
    AuthorFactory(name="김독자", user=UserFactory(username="reader"))
    AuthorFactory(name="김손님")  # an imported guest, no account

    page = soup(editor_client.get("/admin/board/post/add/"))

    assert "admin-autocomplete" in page.select_one("select[name=author]")["class"]
    assert autocomplete(editor_client, "김") == ["김기자"]
    # The author list itself still finds everyone.
    found = soup(editor_client.get("/admin/board/author/?q=김"))
    assert len(found.select("#result_list tbody tr")) == 3


def test_a_readers_author_posted_by_hand_is_refused_in_korean(editor_client, board):
    reader = AuthorFactory(name="독자", user=UserFactory(username="reader"))

    response = editor_client.post(
        "/admin/board/post/add/", form_fields(title="남의 이름", author=reader.pk)
    )

    assert response.status_code == 200
    assert "운영진 글쓴이만 고를 수 있습니다." in text(soup(response).select_one(".field-author"))
    assert not Post.objects.filter(title="남의 이름").exists()


def test_an_imported_article_by_a_guest_stays_editable_and_keeps_its_author(editor_client, board):
    guest = AuthorFactory(name="옛 손님")
    post = PostFactory(author=guest, title="옛 글")

    page = soup(editor_client.get(page_url(post)))
    response = editor_client.post(page_url(post), form_fields(post, title="고친 옛 글"))

    assert text(page.select_one("select[name=author] option[selected]")) == "옛 손님"
    assert response.status_code == 302
    stored = Post.objects.get(pk=post.pk)
    assert (stored.title, stored.author) == ("고친 옛 글", guest)


# 3. Preview before saving ----------------------------------------------------------------------


def png(name="사진.png"):
    data = io.BytesIO()
    Image.new("RGB", (8, 6), "navy").save(data, "PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def test_the_add_and_change_forms_offer_a_preview_in_a_new_tab(editor_client, board):
    post = PostFactory()
    for address, target in [
        ("/admin/board/post/add/", "/admin/board/post/preview/"),
        (page_url(post), page_url(post, "preview")),
    ]:
        button = soup(editor_client.get(address)).select_one(".submit-row [name=_preview]")
        assert (button["value"], button["formaction"], button["formtarget"]) == (
            "미리 보기",
            target,
            "_blank",
        )


def test_a_new_articles_preview_reads_as_its_page_will_and_saves_nothing(
    editor_client, chief, board
):
    fields = form_fields(
        board=board.pk,
        title="미리 보는 글",
        body_format="html",
        body='<p>첫 문단 <a href="javascript:alert(1)">링크</a></p><script>alert(1)</script>',
    )
    posts, authors = Post.objects.count(), Author.objects.count()

    preview = editor_client.post("/admin/board/post/preview/", fields)

    assert preview.status_code == 200
    assert (Post.objects.count(), Author.objects.count()) == (posts, authors)
    page = soup(preview)
    assert text(page.select_one("h1.post-title")) == "미리 보는 글"
    assert text(page.select_one(".post-author")) == "편집장 운영진"  # as readers see staff
    assert "저장하지 않은 내용의 미리 보기입니다." in text(page.select_one(".preview-unsaved"))
    # The body exactly as readers will get it once saved: sanitised the same way.
    editor_client.post("/admin/board/post/add/", fields)
    saved = Post.objects.get(title="미리 보는 글")
    shown = soup(editor_client.get(saved.get_absolute_url()))
    assert page.select_one(".post-body").decode_contents().strip() == (
        shown.select_one(".post-body").decode_contents().strip()
    )
    assert "<script" not in page.select_one(".post-body").decode()


def test_an_edit_is_previewed_unsaved_and_uncounted(editor_client, board):
    post = PostFactory(title="원래 제목", body="원래 본문")
    views = post.views

    preview = editor_client.post(
        page_url(post, "preview"), form_fields(post, title="고칠 제목", body="고칠 본문")
    )

    page = soup(preview)
    assert text(page.select_one("h1.post-title")) == "고칠 제목"
    assert text(page.select_one(".post-body")) == "고칠 본문"
    stored = Post.objects.get(pk=post.pk)
    assert (stored.title, stored.body, stored.views) == ("원래 제목", "원래 본문", views)


def test_a_preview_shows_where_uploaded_images_go_and_says_files_are_not_saved(
    editor_client, board
):
    post = PostFactory(body="[image:1]\n[image:2]")
    kept = PostImageFactory(post=post, caption="이미 올린 그림")
    images = PostImage.objects.count()
    fields = form_fields(
        post,
        **{
            "images-TOTAL_FORMS": "2",
            "images-INITIAL_FORMS": "1",
            "images-0-id": kept.pk,
            "images-0-post": post.pk,
            "images-0-caption": kept.caption,
            "images-1-image": png("새 사진.png"),
            "images-1-caption": "",
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": SimpleUploadedFile("안내.pdf", b"%PDF-1.4"),
        },
    )

    page = soup(editor_client.post(page_url(post, "preview"), fields))

    figures = page.select(".post-body figure")
    assert [text(f) for f in figures] == [
        "이미 올린 그림",
        "그림 새 사진.png: 저장하면 이 자리에 들어갑니다 "
        "(미리 보기는 올린 파일을 저장하지 않습니다).",
    ]
    assert figures[0].img["src"] == kept.image.url
    note = text(page.select_one(".preview-unsaved"))
    assert "함께 올린 그림 1개는" in note
    assert "함께 올린 파일 1개는" in note
    assert PostImage.objects.count() == images
    assert not Post.objects.get(pk=post.pk).has_file


def test_a_preview_of_an_article_with_a_stored_file_lists_it(editor_client, board):
    post = AttachmentFactory(name="요금표.pdf").post
    page = soup(editor_client.post(page_url(post, "preview"), form_fields(post)))
    assert "요금표.pdf" in text(page.select_one(".post-files"))


def test_a_preview_of_an_invalid_form_explains_the_errors(editor_client, board):
    response = editor_client.post(
        "/admin/board/post/preview/", form_fields(board=board.pk, title="")
    )

    assert response.status_code == 200
    page = soup(response)
    assert "미리 볼 수 없습니다" in text(page.select_one(".errornote"))
    assert "제목" in text(page.select_one(".preview-errors"))
    assert not Post.objects.exists()


def test_opening_a_preview_address_goes_back_to_the_form(editor_client, board):
    post = PostFactory()
    assert editor_client.get(page_url(post, "preview"))["Location"] == page_url(post)
    assert editor_client.get("/admin/board/post/preview/")["Location"] == "/admin/board/post/add/"


def test_previews_need_the_permission_to_add_or_change(board, viewer):
    post = PostFactory()
    client = client_for(viewer)

    assert client.post("/admin/board/post/preview/", form_fields(board=board.pk)).status_code == 403
    assert client.post(page_url(post, "preview"), form_fields(post)).status_code == 403


# 4. Names that read whole ---------------------------------------------------------------------


def test_saving_a_scheduled_article_says_so_in_one_korean_sentence(editor_client, board):
    later = timezone.localtime() + timedelta(days=2)
    response = editor_client.post(
        "/admin/board/post/add/",
        form_fields(
            board=board.pk,
            title="내일 아침 소식",
            published_at_0=f"{later:%Y-%m-%d}",
            published_at_1="09:00:00",
        ),
        follow=True,
    )

    assert admin_messages(soup(response)) == ["추가했습니다: 글 “[예약] 내일 아침 소식”."]


def test_a_scheduled_article_removed_before_its_time_is_named_removed_not_scheduled(
    editor_client, board
):
    later = timezone.localtime() + timedelta(days=2)
    editor_client.post(
        "/admin/board/post/add/",
        form_fields(
            board=board.pk,
            title="취소된 소식",
            published_at_0=f"{later:%Y-%m-%d}",
            published_at_1="09:00:00",
        ),
    )
    post = Post.objects.get(title="취소된 소식")

    removed = soup(editor_client.post(f"/admin/board/post/{post.pk}/remove/", follow=True))

    assert "“취소된 소식” 글을 삭제했습니다. 독자에게 보이지 않으며, 되살릴 수 있습니다." in (
        admin_messages(removed)
    )
    assert text(removed.select_one("#content h2")) == "[삭제됨] 취소된 소식"


# 5. The file inline's empty row -----------------------------------------------------------------


def test_the_empty_file_row_shows_no_name_size_or_downloads(editor_client, board):
    attachment = AttachmentFactory(name="요금표.pdf")
    page = soup(editor_client.get(page_url(attachment.post)))

    rows = page.select("#attachments-group tbody tr.form-row")
    cells = [
        [text(row.select_one(f"td.field-{name}")) for name in ("file_name", "file_size")]
        + [text(row.select_one("td.field-file_downloads"))]
        for row in rows
    ]
    # The stored file keeps its record.
    assert cells[0] == ["요금표.pdf", file_size(attachment.size), "0"]
    # The extra row, and the one "add another" copies: empty until a file is saved.
    assert cells[1:] == [["", "", ""], ["", "", ""]]

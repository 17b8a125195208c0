"""The admin as a Korean newsroom reads it: every page of every model the board registers,
walked as a superuser and as a moderator, with no particle fallback, none of Django's broken
Korean phrases, no English left over, the site's own name and the board's date format."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from board import reports
from board.models import Category, Comment, Post, Report
from tests.factories import (
    AuthorFactory,
    CommentFactory,
    PostFactory,
    SuspensionFactory,
    UserFactory,
)
from tests.pages import NO_IMAGES, soup, text
from tests.reporting import client_for

pytestmark = pytest.mark.django_db

# A particle written for either kind of word: what Korean software prints when it does not
# know how the word before it ends.
FALLBACK = re.compile(
    r"를\(을\)|을\(를\)|을/를|를/을|이/가|가/이|이\(가\)|와/과|과/와|와\(과\)|과\(와\)"
    r"|은/는|는/은|은\(는\)|는\(은\)|으로/로|\(으\)로"
)
# Django's own Korean: a particle glued to a quoted name ("글 “…”개체"), and the phrases an
# editor met in its screens.
QUOTED_OBJECT = re.compile(r"[”\"'’]\s*개체")
BROKEN_PHRASES = [
    "보기위한",
    "뷰 ",
    "성공적으로",
    "수정해야 합니다",
    "선택가능항목",
    "가 변경되었습니다",
    "오브젝트",
    "액션",
    "Django",
    "오전",
    "오후",
    "(들)",  # a plural written for one or many: "사용자(들)"
]
# English that belongs on the page: names (django-axes' app, the language switcher's
# "English"), abbreviations, the body's [image:1] syntax, and the data the test created.
ALLOWED_ENGLISH = {
    "PostBBS", "Axes", "English", "RSS", "Atom", "URL", "HTML", "ID", "Ctrl", "Command", "Mac",
    "UUID", "IP", "JSON", "image", "news", "reader", "example", "com",
}  # fmt: skip
ENGLISH = re.compile(r"[A-Za-z][A-Za-z’']+")
# A 1×1 PNG: an image uploaded with a previewed form.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
BOARD_DATE = re.compile(r"\b\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}\b")


def visible_text(response):
    """What a reader of the page sees or hears: text, and the labels in attributes."""
    page = soup(response)
    # <bdi>: values shown as stored (a password hash's algorithm and salt), not wording.
    for node in page(["script", "style", "bdi"]):
        node.decompose()
    parts = [text(page)]
    for node in page.find_all(True):
        for name in ("title", "placeholder", "aria-label", "alt"):
            if node.get(name):
                parts.append(node[name])
        if node.name == "input" and node.get("type") in ("submit", "button") and node.get("value"):
            parts.append(node["value"])
    return " ".join(parts)


def problems(response):
    """Everything wrong with the Korean of one page, as readable strings."""
    seen = visible_text(response)
    found = [f"particle fallback {m.group()!r}" for m in FALLBACK.finditer(seen)]
    found += [f"object after a quoted name {m.group()!r}" for m in QUOTED_OBJECT.finditer(seen)]
    found += [f"Django's phrase {p!r}" for p in BROKEN_PHRASES if p in seen]
    found += sorted({f"English {w!r}" for w in ENGLISH.findall(seen) if w not in ALLOWED_ENGLISH})
    return found


@pytest.fixture
def newsroom(board):
    """One object of each model the admin shows, and the two kinds of staff."""
    editor = UserFactory(username="편집장", is_staff=True, is_superuser=True)
    moderator = UserFactory(username="모더", is_staff=True)
    moderator.groups.add(Group.objects.get(name="모더레이터"))
    reader = UserFactory(username="독자", email="reader@example.com")
    Category.objects.create(board=board, name="정치", position=1)
    post = PostFactory(title="오늘의 소식", body="본문입니다", author=AuthorFactory(name="기자"))
    comment = CommentFactory(
        post=post, author=AuthorFactory(name="독자", user=reader), body="좋은 기사 고맙습니다"
    )
    reports.report(reader, reason=Report.Reason.SPAM, text="", post=post)
    other = CommentFactory(post=post, body="신고된 댓글")
    reports.report(reader, reason=Report.Reason.SPAM, text="", comment=other)
    reports.decide(action="dismiss", by=editor, reason="문제없음", comment=other)
    SuspensionFactory(user=reader, suspended_by=editor)
    return {"editor": editor, "moderator": moderator, "post": post, "comment": comment}


def one_of(model, newsroom):
    from django.contrib.auth import get_user_model

    named = {Post: newsroom["post"], Comment: newsroom["comment"]}
    if model is get_user_model():
        return newsroom["moderator"]
    if model is Group:
        return Group.objects.get(name="모더레이터")
    return named.get(model) or model.objects.order_by("pk").first()


def admin_pages(newsroom):
    """Every address of the admin for the board's and the accounts' models."""
    yield "/admin/"
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("board", "auth"):
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        yield base
        if model_admin.search_fields:
            yield base + "?q=없는말"
        yield base + "add/"
        obj = one_of(model, newsroom)
        assert obj is not None, model
        yield f"{base}{obj.pk}/change/"
        yield f"{base}{obj.pk}/history/"
        yield f"{base}{obj.pk}/delete/"
        yield f"{base}999999/change/"  # a removed or mistyped address: the admin's notice
    yield f"/admin/auth/user/{newsroom['moderator'].pk}/password/"
    # Filters and the date hierarchy, drilled down.
    published = timezone.localtime(newsroom["post"].published_at)
    yield "/admin/board/post/?state=scheduled&is_notice__exact=1"
    year = f"/admin/board/post/?published_at__year={published.year}"
    yield year
    yield f"{year}&published_at__month={published.month}"
    yield "/admin/board/comment/?state=by_moderator"
    yield "/admin/board/report/?decision__isempty=1"
    yield "/admin/board/"
    yield "/admin/password_change/"
    yield "/admin/password_change/done/"


@pytest.mark.parametrize("who", ["editor", "moderator"])
def test_every_admin_page_reads_as_correct_korean(newsroom, who):
    client = client_for(newsroom[who])
    shown, wrong = [], {}
    for address in admin_pages(newsroom):
        response = client.get(address, follow=True)
        if response.status_code != 200:
            continue  # not this account's to see (403), or gone (404)
        shown.append(address)
        if found := problems(response):
            wrong[address] = found

    assert wrong == {}, "\n".join(f"{a}: {w}" for a, w in wrong.items())
    assert "/admin/board/comment/" in shown


def test_login_page_and_a_wrong_password_read_as_correct_korean(client, newsroom):
    page = client.get("/admin/login/")
    wrong = client.post(
        "/admin/login/", {"username": "편집장", "password": "틀린 비밀번호", "next": "/admin/"}
    )

    client.force_login(newsroom["moderator"])
    out = client.post("/admin/logout/")

    assert problems(page) == []
    assert problems(wrong) == []
    assert problems(out) == []
    assert "비밀번호" in text(soup(wrong).select_one(".errornote"))


def test_messages_after_adding_a_scheduled_article_and_saving_it_read_as_korean(newsroom, board):
    client = client_for(newsroom["editor"])
    later = timezone.localtime() + timedelta(days=2)
    form = {
        "board": board.pk,
        "title": "[예약] 내일 아침 소식",
        "body": "본문",
        "author": "",  # the editor's own byline
        "published_at_0": later.strftime("%Y-%m-%d"),
        "published_at_1": "09:00:00",
        "body_format": "text",
        **NO_IMAGES,
    }

    added = client.post("/admin/board/post/add/", {**form, "_continue": "1"}, follow=True)
    post = Post.objects.get(title="[예약] 내일 아침 소식")
    saved = client.post(
        f"/admin/board/post/{post.pk}/change/",
        {**form, "title": "[예약] 고친 제목", "body": "고친 본문", "_continue": "1"},
        follow=True,
    )
    history = client.get(f"/admin/board/post/{post.pk}/history/")

    for page in (added, saved, history):
        assert problems(page) == []
    assert "[예약] 내일 아침 소식" in " ".join(
        text(li) for li in soup(added).select(".messagelist li")
    )
    assert BOARD_DATE.search(visible_text(history))


def test_bulk_actions_and_deletions_report_in_korean(newsroom):
    editor = client_for(newsroom["editor"])
    moderator = client_for(newsroom["moderator"])
    comment = newsroom["comment"]
    group = Group.objects.create(name="편집부")
    extra = Group.objects.create(name="사진부")

    pages = [
        moderator.post(
            "/admin/board/comment/",
            {"action": "remove_comments", "_selected_action": [comment.pk]},
            follow=True,
        ),
        editor.post(
            "/admin/board/post/",
            {"action": "restore_posts", "_selected_action": [newsroom["post"].pk]},
            follow=True,
        ),
        # No item selected.
        editor.post("/admin/board/post/", {"action": "remove_posts", "index": "0"}, follow=True),
        # Django's own bulk delete: its confirmation, then its message.
        editor.post(
            "/admin/auth/group/", {"action": "delete_selected", "_selected_action": [extra.pk]}
        ),
        editor.post(
            "/admin/auth/group/",
            {"action": "delete_selected", "_selected_action": [extra.pk], "post": "yes"},
            follow=True,
        ),
        editor.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}, follow=True),
    ]

    for page in pages:
        assert problems(page) == []
    said = [[text(li) for li in soup(page).select(".messagelist li")] for page in pages]
    assert all(said[:3])
    assert all(said[4:])
    assert not Group.objects.filter(name__in=["편집부", "사진부"]).exists()


def test_the_articles_own_page_removes_restores_and_previews_in_korean(newsroom, board):
    editor = client_for(newsroom["editor"])
    post = newsroom["post"]
    page = f"/admin/board/post/{post.pk}/"
    form = {
        "title": post.title,
        "body": post.body,
        "body_format": "text",
        "published_at_0": "2026-11-26",
        "published_at_1": "10:00:00",
        **NO_IMAGES,
        "images-TOTAL_FORMS": "1",
        "images-0-image": SimpleUploadedFile("사진", PNG, content_type="image/png"),
    }

    pages = [
        editor.post(page + "remove/", follow=True),
        editor.post(page + "remove/", follow=True),  # already removed: a notice
        editor.post(page + "restore/", follow=True),
        editor.post(page + "restore/", follow=True),  # nothing to restore
        editor.post(page + "preview/", form),
        editor.post(page + "preview/", {**form, "title": ""}),  # the errors, not a preview
        editor.get(page + "preview/", follow=True),
        editor.post("/admin/board/post/preview/", {**form, "board": board.pk, "author": "evil"}),
    ]

    for response in pages:
        assert response.status_code == 200
        # The preview is the reader's page: its listing marks a day-old article "new".
        assert [p for p in problems(response) if p != "English 'new'"] == []
    said = [[text(li) for li in soup(p).select(".messagelist li")] for p in pages[:4]]
    assert all(said)


def test_forms_posted_with_invalid_values_explain_in_korean(newsroom, board):
    editor = client_for(newsroom["editor"])
    pages = [
        # An unknown board (ModelChoiceField's invalid choice) and no title.
        editor.post("/admin/board/post/add/", {"board": "evil", "title": "", **NO_IMAGES}),
        # An unknown account behind a raw id field.
        editor.post("/admin/board/suspension/add/", {"user": "99999", "reason": "도배"}),
        # An account name already taken.
        editor.post(
            "/admin/auth/user/add/",
            {"username": "모더", "password1": "x", "password2": "y", "usable_password": "true"},
        ),
        # A category name the board already has (a unique constraint).
        editor.post(
            f"/admin/board/board/{board.pk}/change/",
            {
                "name": board.name,
                "slug": board.slug,
                "categories-TOTAL_FORMS": "1",
                "categories-INITIAL_FORMS": "0",
                "categories-MIN_NUM_FORMS": "0",
                "categories-MAX_NUM_FORMS": "1000",
                "categories-0-name": "정치",
                "categories-0-position": "2",
            },
        ),
        editor.post(
            "/admin/password_change/",
            {"old_password": "틀림", "new_password1": "a", "new_password2": "b"},
        ),
    ]

    for page in pages:
        assert page.status_code == 200
        assert soup(page).select(".errorlist, .errornote")
        assert problems(page) == []


def test_admin_carries_the_site_name_not_djangos(newsroom):
    page = soup(client_for(newsroom["editor"]).get("/admin/"))

    assert "Django" not in text(page.title)
    assert settings.SITE_NAME in text(page.title)
    assert text(page.select_one("#site-name")) == f"{settings.SITE_NAME} 관리"


def test_admin_header_follows_the_language_asked_for(newsroom):
    client = client_for(newsroom["editor"])
    page = soup(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en"))

    assert text(page.select_one("#site-name")) == f"{settings.SITE_NAME} administration"


def test_admin_lists_write_dates_as_the_board_does(newsroom):
    client = client_for(newsroom["editor"])
    posts = visible_text(client.get("/admin/board/post/"))
    comments = visible_text(client.get("/admin/board/comment/"))

    local = timezone.localtime(newsroom["post"].published_at)
    assert local.strftime("%Y.%m.%d %H:%M") in posts
    assert BOARD_DATE.search(comments)
    assert "오전" not in posts + comments
    assert "오후" not in posts + comments


def test_project_catalogue_takes_precedence_over_djangos_korean():
    from django.utils import translation

    with translation.override("ko"):
        assert translation.gettext("Select %s to view") == "볼 %s 선택"
        assert "이/가" not in translation.gettext(
            "Select a valid choice. %(value)s is not one of the available choices."
        )


def test_list_counts_and_date_widgets_read_as_korean(newsroom):
    client = client_for(newsroom["editor"])
    comments = soup(client.get("/admin/board/comment/"))
    script = client.get("/admin/jsi18n/").content.decode()
    widgets = json.dumps(
        json.loads(re.search(r"newcatalog = (\{.*?\});", script, re.S)[1]), ensure_ascii=False
    )

    assert f"댓글 {Comment.objects.count()}개" in text(comments.select_one(".paginator"))
    assert "지금" in widgets  # the time shortcuts, in Korean
    assert "오전" not in widgets
    assert "오후" not in widgets


def test_admin_date_inputs_are_written_as_the_board_writes_dates(newsroom):
    post = newsroom["post"]
    client = client_for(newsroom["editor"])
    form = soup(client.get(f"/admin/board/post/{post.pk}/change/"))
    local = timezone.localtime(post.published_at)

    assert form.select_one("#id_published_at_0")["value"] == local.strftime("%Y.%m.%d")
    assert form.select_one("#id_published_at_1")["value"] == local.strftime("%H:%M")
    # What the widgets write back is read as it was shown.
    saved = client.post(
        f"/admin/board/post/{post.pk}/change/",
        {
            "title": post.title,
            "body": post.body,
            "body_format": "text",
            "category": "",
            "author": post.author.pk,
            "published_at_0": local.strftime("%Y.%m.%d"),
            "published_at_1": local.strftime("%H:%M"),
            **NO_IMAGES,
        },
    )
    assert saved.status_code == 302

"""``manage.py import_xe``: an XE 1.x or Rhymix site, built in a throwaway MariaDB from the real
schemas and read by a SELECT-only user, arrives whole and exactly once."""

import hashlib
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from board import services
from board.legacy.importer import Interrupted, Source
from board.legacy.keys import LegacyKey
from board.models import REPLY_DEPTH_MAX, Author, Board, Category, Comment, Post
from tests.legacy.xe_site import XESite
from tests.pages import listing_rows, soup, text
from tests.test_consistency import positions_are_dense

pytestmark = pytest.mark.django_db

User = get_user_model()
MD5_OF_SECRET = hashlib.md5(b"old-secret").hexdigest()


def run_import(site, **options):
    out, err = StringIO(), StringIO()
    call_command("import_xe", db=site.url, prefix=site.prefix, stdout=out, stderr=err, **options)
    return out.getvalue()


def dump():
    """Every row of every table of the board app and the accounts, as text."""
    models = [*apps.get_app_config("board").get_models(), User, LogEntry]
    return {model.__name__: serializers.serialize("json", model.objects.all()) for model in models}


@pytest.fixture
def site(legacy_db):
    return XESite(legacy_db, "xe2008")


@pytest.fixture
def modern(legacy_db):
    return XESite(legacy_db, "xe")


def post(srl, source_prefix="xe_"):
    return LegacyKey.objects.get(kind="post", key=str(srl)).post


def test_articles_are_numbered_in_old_list_order_with_notices_and_secret_ones(site):
    free = site.board("free", "자유게시판")
    site.document(free, 101, "첫 글")
    site.document(free, 102, "공지", is_notice="Y")
    site.document(free, 103, "비밀", is_secret="Y")
    site.document(free, 104, "넷째")
    # A 2008 draft: stored under its member's srl, in no board.
    site.document(7, 105, "임시 저장", member_srl=7)
    run_import(site)

    board = Board.objects.get(slug="free")
    numbers = dict(Post.objects.filter(board=board).values_list("title", "number"))
    assert numbers == {"첫 글": 1, "공지": 2, "비밀": 3, "넷째": 4}
    assert board.last_number == 4
    assert board.name == "자유게시판"
    assert post(102).is_notice
    assert post(103).is_secret
    positions_are_dense(board)
    assert not Post.objects.filter(title="임시 저장").exists()


def test_the_board_goes_on_after_the_import_as_any_board(site, client):
    free = site.board("free", "자유")
    for srl in range(101, 106):
        site.document(free, srl, f"옛 글 {srl}")
    run_import(site)
    board = Board.objects.get(slug="free")

    new = services.publish_new_post(
        Post(board=board, title="새 글", body="본문", author=Author.objects.create(name="편집"))
    )
    services.remove_post(post(102), by=None)

    assert new.number == 6
    positions_are_dense(board)
    rows = listing_rows(soup(client.get("/free/")))
    assert [row["number"] for row in rows] == ["6", "5", "4", "3", "1"]
    before = dump()
    run_import(site)
    assert dump() == before


def test_drafts_private_trash_and_embargo_get_no_number_and_stay_out_of_sight(modern, client):
    free = modern.board("free", "자유")
    for srl, status in enumerate(["PUBLIC", "TEMP", "SECRET", "PRIVATE", "TRASH", "EMBARGO"]):
        modern.document(free, 200 + srl, f"{status} 글", status=status)
    modern.document(free, 210, "마지막")
    run_import(modern)

    board = Board.objects.get(slug="free")
    listed = Post.objects.filter(board=board).listed().order_by("number")
    assert [(p.title, p.number) for p in listed] == [
        ("PUBLIC 글", 1), ("SECRET 글", 2), ("마지막", 3)
    ]  # fmt: skip
    hidden = Post.objects.filter(board=board, number=None)
    assert {p.title for p in hidden} == {"TEMP 글", "PRIVATE 글", "TRASH 글", "EMBARGO 글"}
    assert all(p.is_removed for p in hidden)
    titles = [row["title"] for row in listing_rows(soup(client.get("/free/")))]
    assert titles == ["마지막", "SECRET 글", "PUBLIC 글"]


def test_titles_are_unescaped_once_and_bodies_sanitised_with_old_markup_kept(site, client):
    free = site.board("free", "자유")
    site.document(
        free,
        101,
        "&quot;우체국&quot; &amp; 택배 &amp;lt;안내&amp;gt;",
        '<p style="color:red"><strong>굵게</strong> <a href="http://old.example/">링크</a></p>'
        '<script>alert(1)</script><p onclick="x()">둘째 문단</p>',
    )
    run_import(site)

    page = soup(client.get("/free/1/"))
    assert text(page.select_one("h1.post-title")) == '"우체국" & 택배 &lt;안내&gt;'
    body = page.select_one(".post-body")
    assert body.select_one("strong").get_text() == "굵게"
    assert body.select_one("a")["href"] == "http://old.example/"
    assert [text(p) for p in body.select("p")] == ["굵게 링크", "둘째 문단"]
    assert "alert" not in str(body)
    assert "onclick" not in str(body)
    assert "style" not in str(body)


def test_dates_are_korean_time_and_views_and_votes_arrive(site, client):
    free = site.board("free", "자유")
    site.document(free, 101, "글", regdate="20080411231700", readed_count=720, voted_count=3,
                  blamed_count=-2)  # fmt: skip
    run_import(site)

    imported = post(101)
    assert imported.published_at.isoformat() == "2008-04-11T14:17:00+00:00"
    assert imported.created_at == imported.published_at
    assert (imported.views, imported.upvotes, imported.downvotes) == (720, 3, 2)
    page = soup(client.get("/free/1/"))
    assert text(page.select_one(".post-meta time")) == "2008.04.11 23:17"


def test_categories_arrive_on_their_articles_and_language_keys_are_resolved(modern, client):
    free = modern.board("free", "자유")
    news = modern.category(free, "소식", list_order=1)
    chat = modern.category(free, "$user_lang->chat", list_order=2)
    modern.insert("lang", site_srl=0, name="chat", lang_code="en", value="Chat")
    modern.insert("lang", site_srl=0, name="chat", lang_code="ko", value="잡담")
    modern.document(free, 101, "소식 글", category_srl=news)
    modern.document(free, 102, "잡담 글", category_srl=chat)
    modern.document(free, 103, "분류 없음")
    run_import(modern)

    board = Board.objects.get(slug="free")
    assert list(Category.objects.filter(board=board).values_list("name", flat=True)) == [
        "소식", "잡담"
    ]  # fmt: skip
    assert post(102).category.name == "잡담"
    assert post(103).category is None
    category = Category.objects.get(name="잡담")
    assert category.post_count == 1
    page = soup(client.get(f"/free/?category={category.pk}"))
    titles = [row["title"] for row in listing_rows(page)]
    assert titles == ["잡담 글"]


def test_comments_are_threaded_in_the_old_order_and_keep_their_depth(site):
    free = site.board("free", "자유")
    site.document(free, 101, "글")
    site.comment(free, 101, 201, "A")
    site.comment(free, 101, 202, "B")
    site.comment(free, 101, 203, "A에 답", parent_srl=201)
    site.comment(free, 101, 204, "A에 답에 답", parent_srl=203)
    site.comment(free, 101, 205, "B에 답", parent_srl=202)
    site.comment(free, 101, 206, "A에 둘째 답", parent_srl=201)
    # A thread deeper than PostBBS nests: 12 levels.
    parent = 0
    for level in range(12):
        parent = site.comment(free, 101, 300 + level, f"깊이 {level}", parent_srl=parent)
    site.write_comment_lists()
    run_import(site, batch_size=4)  # parents in earlier batches too

    thread = Comment.objects.filter(post=post(101)).order_by("path")
    assert [(c.body, c.depth) for c in thread][:6] == [
        ("A", 0), ("A에 답", 1), ("A에 답에 답", 2), ("A에 둘째 답", 1), ("B", 0), ("B에 답", 1)
    ]  # fmt: skip
    deep = [c.depth for c in thread][6:]
    assert deep == [*range(REPLY_DEPTH_MAX + 1), REPLY_DEPTH_MAX]
    assert Board.objects.get(slug="free").reply_depth == REPLY_DEPTH_MAX
    answered = {c.body: c.parent.body for c in thread if c.parent}
    assert answered["A에 답에 답"] == "A에 답"
    assert answered["B에 답"] == "B"
    imported = post(101)
    assert (imported.comment_count, imported.comment_rows) == (18, 18)


def test_a_comments_address_comes_along_for_moderators(site):
    free = site.board("free", "자유")
    site.document(free, 101, "글")
    site.comment(free, 101, 201, "주소 있음", ipaddress="211.234.5.6")
    site.comment(free, 101, 202, "주소 아님", ipaddress="211.234.*.*")
    site.write_comment_lists()
    run_import(site)

    found = dict(Comment.objects.values_list("body", "ip_address"))
    assert found == {"주소 있음": "211.234.5.6", "주소 아님": None}


def test_a_secret_articles_comments_are_hidden_with_it(site, client):
    free = site.board("free", "자유")
    site.document(free, 101, "비밀글", "<p>비밀 본문</p>", is_secret="Y")
    site.comment(free, 101, 201, "비밀 댓글 내용")
    site.write_comment_lists()
    run_import(site)

    assert client.get("/free/1/").status_code == 403
    comment = LegacyKey.objects.get(kind="comment", key="201").comment
    response = client.get(comment.get_absolute_url())
    assert response.status_code == 403
    assert "비밀 댓글 내용" not in response.content.decode()


def test_guests_keep_their_nicknames_and_anonymous_posts_never_name_the_member(site, client):
    site.member(7, "kim", MD5_OF_SECRET, "김기자")
    free = site.board("free", "자유")
    site.document(free, 101, "회원 글", member_srl=7, nick_name="김기자")
    site.document(free, 102, "손님 글", nick_name="지나가던 손님")
    site.document(free, 103, "익명 글", member_srl=-7, nick_name="김기자")
    site.comment(free, 101, 201, "손님 댓글", nick_name="지나가던 손님")
    site.comment(free, 101, 202, "익명 댓글", member_srl=-7, nick_name="김기자")
    site.write_comment_lists()
    run_import(site)

    kim = User.objects.get(username="kim")
    assert post(101).author.user == kim
    guest = post(102).author
    assert (guest.name, guest.user) == ("지나가던 손님", None)
    anonymous = post(103).author
    assert (anonymous.name, anonymous.user) == ("익명", None)
    comments = {c.body: c.author for c in Comment.objects.all()}
    assert comments["손님 댓글"] == guest
    assert comments["익명 댓글"] == anonymous
    rows = {row["title"]: row["author"] for row in listing_rows(soup(client.get("/free/")))}
    assert rows == {"익명 글": "익명", "손님 글": "지나가던 손님", "회원 글": "김기자"}


def test_a_member_signs_in_with_the_old_password_which_is_then_rehashed(site, client):
    site.member(7, "kim", MD5_OF_SECRET, "김기자", regdate="20070305101500")
    run_import(site)

    kim = User.objects.get(username="kim")
    assert (kim.email, kim.author.name) == ("kim@example.com", "김기자")
    assert kim.date_joined.isoformat() == "2007-03-05T01:15:00+00:00"
    assert not kim.is_staff
    assert kim.is_active
    response = client.post("/accounts/login/", {"username": "kim", "password": "old-secret"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    rehashed = User.objects.get(pk=kim.pk)
    assert not rehashed.password.startswith("legacy$")
    assert rehashed.check_password("old-secret")


def test_administrators_become_staff_only_when_named_and_denied_members_cannot_sign_in(
    site, client
):
    site.member(1, "admin", MD5_OF_SECRET, "관리자", is_admin="Y")
    site.member(2, "boss", MD5_OF_SECRET, "사장", is_admin="Y")
    site.member(3, "spammer", MD5_OF_SECRET, "광고", denied="Y")
    site.member(4, "odd", "not-a-known-hash", "이상한")
    out = run_import(site, staff="boss,nobody")

    assert not User.objects.get(username="admin").is_staff
    assert User.objects.get(username="boss").is_staff
    assert not User.objects.get(username="spammer").is_active
    assert not User.objects.get(username="odd").has_usable_password()
    assert "password format" in out
    assert "odd" in out
    assert "not named in --staff" in out
    assert "named in --staff but no such member): 1: nobody" in out
    assert "admin" in out
    client.post("/accounts/login/", {"username": "spammer", "password": "old-secret"})
    assert "_auth_user_id" not in client.session


def small_site(site):
    site.member(7, "kim", MD5_OF_SECRET, "김기자")
    free = site.board("free", "자유")
    notice = site.board("notice", "공지사항")
    category = site.category(free, "잡담")
    for srl in range(101, 131):
        site.document(free if srl % 3 else notice, srl, f"글 {srl}", category_srl=category,
                      member_srl=7 if srl % 2 else 0)  # fmt: skip
        site.comment(free if srl % 3 else notice, srl, 1000 + srl, f"댓글 {srl}")
        site.comment(free if srl % 3 else notice, srl, 2000 + srl, "답", parent_srl=1000 + srl)
    site.write_comment_lists()


def test_a_second_run_adds_and_changes_nothing(site):
    small_site(site)
    run_import(site)
    before = dump()

    out = run_import(site)

    assert dump() == before
    assert "articles             0        30         0" in out


def test_an_interrupted_run_continues_where_it_stopped(site):
    small_site(site)

    def stop_after_three(batches):
        if batches == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        call_command("import_xe", db=site.url, batch_size=7, after_batch=stop_after_three,
                     stdout=StringIO(), stderr=StringIO())  # fmt: skip
    partial = LegacyKey.objects.count()
    assert partial > 0

    run_import(site, batch_size=7)

    assert Post.objects.count() == 30
    assert Comment.objects.count() == 60
    assert LegacyKey.objects.filter(kind="post").count() == 30
    for board in Board.objects.filter(slug__in=["free", "notice"]):
        positions_are_dense(board)
        numbers = list(board.posts.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, board.post_count + 1))
    assert {p.comment_count for p in Post.objects.all()} == {2}


def test_a_dry_run_reads_everything_and_writes_nothing(site):
    small_site(site)
    before = dump()

    out = run_import(site, dry_run=True)

    assert dump() == before
    assert out.startswith("Dry run")
    assert "articles            30" in out


def test_korean_text_stored_as_euc_kr_reads_back(legacy_db, client):
    site = XESite(legacy_db, "xe2008", charset="euckr")
    free = site.board("free", "자유게시판")
    site.document(free, 101, "우체국 소식", "<p>한글 본문</p>", nick_name="아주")
    run_import(site)

    imported = post(101)
    assert (imported.title, imported.author.name) == ("우체국 소식", "아주")
    assert "한글 본문" in imported.body_html
    assert Board.objects.get(slug="free").name == "자유게시판"


def test_euc_kr_bytes_in_a_latin1_table_are_read_as_korean(legacy_db):
    site = XESite(legacy_db, "xe2008", charset="latin1")
    free = site.board("free", "free")
    # An old site wrote EUC-KR bytes through a latin1 connection: stored as they came.
    site.document(free, 101, "우체국 소식".encode("euc-kr"), "<p>본문</p>".encode("euc-kr"))
    out = run_import(site)

    assert post(101).title == "우체국 소식"
    assert "decoded as cp949" in out


def test_the_summary_says_what_was_skipped_and_why(site):
    site.board("admin", "관리")  # an address PostBBS uses itself
    free = site.board("free", "자유")
    site.document(free, 101, "글")
    site.comment(free, 999, 201, "글이 없는 댓글")
    site.write_comment_lists()
    User.objects.create_user("kim", password="here")
    site.member(7, "kim", MD5_OF_SECRET, "다른 김씨")
    out = run_import(site)

    assert "skipped boards (address name not allowed here): 1" in out
    assert "skipped comments (its article was not imported): 1: 201" in out
    assert "skipped members (user id taken here): 1: 7" in out
    assert "files and images were not imported" in out
    lines = out.splitlines()
    assert lines[2].split() == ["boards", "1", "0", "1"]


def test_rhymix_secret_waiting_comments_and_four_byte_text(legacy_db, client):
    site = XESite(legacy_db, "rhymix")
    free = site.board("free", "자유")
    site.document(free, 101, "축하해요 🎉", "<p>🎉 파티</p>", status="PUBLIC")
    site.document(free, 102, "비밀", status="SECRET", comment_status="DENY")
    site.document(free, 103, "임시", status="TEMP")
    site.comment(free, 101, 201, "공개 댓글", status=1)
    site.comment(free, 101, 202, "승인 대기", status=0)
    site.comment(free, 101, 203, "비밀 댓글", is_secret="Y")
    site.write_comment_lists()
    run_import(site)

    assert post(101).title == "축하해요 🎉"
    assert post(101).number == 1
    assert post(102).is_secret
    assert post(102).number == 2
    assert post(103).number is None
    assert post(103).is_removed
    assert post(101).comment_count == 1
    assert post(101).comment_rows == 3
    page = client.get("/free/1/").content.decode()
    assert "공개 댓글" in page
    assert "승인 대기" not in page
    assert "비밀 댓글" not in page


def test_a_table_prefix_and_source_name_keep_two_old_sites_apart(legacy_db):
    old = XESite(legacy_db, "xe2008", prefix="zbxe_")
    free = old.board("free", "옛 자유")
    old.document(free, 101, "옛 글")
    new = XESite(legacy_db, "xe", prefix="xe_")
    talk = new.board("talk", "새 이야기")
    new.document(talk, 101, "새 글")
    run_import(old)
    run_import(new)

    database = legacy_db.name
    assert LegacyKey.objects.get(source=f"{database}:zbxe_", kind="post", key="101").post.title == (
        "옛 글"
    )
    assert LegacyKey.objects.get(source=f"{database}:xe_", kind="post", key="101").post.title == (
        "새 글"
    )


def test_check_import_matches_after_an_import_and_reports_a_difference(site):
    small_site(site)
    run_import(site)
    out = StringIO()
    call_command("check_import", db=site.url, stdout=out)
    assert "Every count matches." in out.getvalue()

    Comment.objects.filter(body="답").first().delete()
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_import", db=site.url, stdout=out)
    assert failed.value.returncode == 1
    assert "comments" in out.getvalue()
    assert "<- differs" in out.getvalue()


def test_a_bad_address_is_refused_before_anything_is_read():
    with pytest.raises(CommandError, match="mysql://"):
        call_command("import_xe", db="postgres://x@y/z", stdout=StringIO())
    assert not Author.objects.exists()


def test_the_source_is_read_in_a_read_only_session_with_progress_on_stderr(site):
    free = site.board("free", "자유")
    site.document(free, 101, "글")
    source = Source(site.url, "xe_")
    try:
        assert source.scalar("SELECT @@SESSION.tx_read_only") == 1
    finally:
        source.close()

    err = StringIO()
    call_command("import_xe", db=site.url, stdout=StringIO(), stderr=err)
    assert "free" in err.getvalue()
    assert "1 / 1 100%" in err.getvalue()

"""``manage.py import_gnuboard``: a Gnuboard5 site, built in a throwaway MariaDB from Gnuboard's
own DDL and read by a SELECT-only user, arrives whole and exactly once, and its old links
find what it became."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from board.legacy.importer import Interrupted
from board.legacy.keys import LegacyKey
from board.models import Board, Category, Comment, Post
from tests.legacy.g5_site import G5Site
from tests.pages import listing_rows, soup, text
from tests.test_consistency import positions_are_dense
from tests.test_legacy_passwords import gnuboard_pbkdf2

pytestmark = pytest.mark.django_db

User = get_user_model()
G5_PASSWORD = gnuboard_pbkdf2("old-secret")


def run_import(site, **options):
    out, err = StringIO(), StringIO()
    call_command("import_gnuboard", db=site.url, prefix=site.prefix, stdout=out, stderr=err,
                 **options)  # fmt: skip
    return out.getvalue()


def dump():
    """Every row of every table of the board app and the accounts, as text."""
    models = [*apps.get_app_config("board").get_models(), User, LogEntry]
    return {model.__name__: serializers.serialize("json", model.objects.all()) for model in models}


@pytest.fixture
def site(legacy_db):
    return G5Site(legacy_db)


def post(bo_table, wr_id):
    return LegacyKey.objects.get(kind="post", key=f"{bo_table}:{wr_id}").post


def test_articles_are_numbered_in_the_old_list_order_with_notices_secret_and_answers(site):
    site.board("free", "자유게시판")
    first = site.write("free", "첫 글")
    notice = site.write("free", "공지")
    secret = site.write("free", "비밀", options="secret")
    answer = site.write("free", "Re: 첫 글", reply_to=first)
    deeper = site.write("free", "Re: Re: 첫 글", reply_to=answer)
    second = site.write("free", "Re: 첫 글 (둘째)", reply_to=first)
    last = site.write("free", "마지막")
    site.notice("free", notice)
    run_import(site)

    board = Board.objects.get(slug="free")
    listed = Post.objects.filter(board=board).order_by("-number")
    # Gnuboard's list: 마지막, 비밀, 공지, 첫 글, Re: 첫 글, Re: Re: 첫 글, Re: 첫 글 (둘째).
    assert [(p.title, p.number) for p in listed] == [
        ("마지막", 7), ("비밀", 6), ("공지", 5), ("첫 글", 4), ("Re: 첫 글", 3),
        ("Re: Re: 첫 글", 2), ("Re: 첫 글 (둘째)", 1),
    ]  # fmt: skip
    assert board.name == "자유게시판"
    assert board.last_number == 7
    positions_are_dense(board)
    assert post("free", notice).is_notice
    assert post("free", secret).is_secret
    assert not post("free", last).is_secret
    assert post("free", answer).answers == post("free", first)
    assert post("free", deeper).answers == post("free", answer)
    assert post("free", second).answers == post("free", first)
    assert post("free", first).answers is None


def test_an_answer_shows_the_article_it_answers(site, client):
    site.board("free", "자유")
    first = site.write("free", "질문 있어요")
    site.write("free", "Re: 질문 있어요", reply_to=first)
    run_import(site)

    page = soup(client.get("/free/1/"))
    original = page.select_one(".post-answers a")
    assert text(original) == "질문 있어요"
    assert original["href"] == "/free/2/"
    assert page.select_one(".post-answers") is not None
    assert soup(client.get("/free/2/")).select_one(".post-answers") is None
    rows = {row["title"]: row for row in listing_rows(soup(client.get("/free/")))}
    assert set(rows) == {"질문 있어요", "Re: 질문 있어요"}
    marks = soup(client.get("/free/")).select("table.post-table .mark-answer")
    assert len(marks) == 1


def test_html1_html2_and_plain_bodies_show_as_gnuboard_showed_them(site, client):
    site.board("free", "자유")
    site.write("free", "HTML", '<p><strong>굵게</strong></p><script>alert(1)</script>',
               options="html1")  # fmt: skip
    site.write("free", "HTML 줄바꿈", "<b>첫 줄</b>\r\n둘째 줄", options="html2")
    site.write("free", "그냥 글", "<b>태그 아님</b>\n둘째 줄 & 끝")
    run_import(site)

    html1 = soup(client.get("/free/1/")).select_one(".post-body")
    assert text(html1.select_one("strong")) == "굵게"
    assert "alert" not in str(html1)
    html2 = soup(client.get("/free/2/")).select_one(".post-body")
    assert text(html2.select_one("b")) == "첫 줄"
    assert html2.select_one("br") is not None
    plain = soup(client.get("/free/3/")).select_one(".post-body")
    assert plain.select_one("b") is None
    assert "<b>태그 아님</b>" in plain.get_text()
    assert "둘째 줄 & 끝" in plain.get_text()
    assert plain.select_one("br") is not None


def test_dates_are_korean_time_and_views_votes_and_categories_arrive(site, client):
    site.board("free", "자유", categories=("잡담", "질문"))
    site.write("free", "글", datetime="2015-04-11 23:17:00", wr_hit=720, wr_good=3,
               wr_nogood=1, ca_name="질문")  # fmt: skip
    site.write("free", "옛 분류", ca_name="없어진 분류")
    run_import(site)

    imported = post("free", 1)
    assert imported.published_at.isoformat() == "2015-04-11T14:17:00+00:00"
    assert (imported.views, imported.upvotes, imported.downvotes) == (720, 3, 1)
    board = Board.objects.get(slug="free")
    names = Category.objects.filter(board=board).order_by("position").values_list("name")
    names = [name for (name,) in names]
    assert names == ["잡담", "질문", "없어진 분류"]
    assert imported.category.name == "질문"
    assert post("free", 2).category.name == "없어진 분류"
    rows = listing_rows(soup(client.get("/free/")))
    assert rows[1]["views"] == "720"


def test_comments_are_threaded_in_the_old_order_with_their_depth(site, client):
    site.board("free", "자유")
    article = site.write("free", "글")
    a = site.comment("free", article, "A")
    b = site.comment("free", article, "B")
    a1 = site.comment("free", article, "A-1", reply_to=a)
    site.comment("free", article, "B-1", reply_to=b)
    site.comment("free", article, "A-1-1", reply_to=a1)
    site.comment("free", article, "A-2", reply_to=a)
    site.comment("free", article, "비밀 댓글", options="secret")
    run_import(site, batch_size=2)

    shown = list(Comment.objects.filter(post__number=1).order_by("path"))
    assert [(c.body, c.depth) for c in shown] == [
        ("A", 0), ("A-1", 1), ("A-1-1", 2), ("A-2", 1), ("B", 0), ("B-1", 1), ("비밀 댓글", 0)
    ]  # fmt: skip
    assert post("free", article).comment_count == 6
    page = client.get("/free/1/").content.decode()
    assert "A-1-1" in page
    assert "비밀 댓글" not in page


def test_a_comments_address_comes_along_for_moderators(site):
    site.board("free", "자유")
    article = site.write("free", "글")
    site.comment("free", article, "주소 있음", wr_ip="2001:db8::7")
    site.comment("free", article, "주소 없음", wr_ip="")
    run_import(site)

    found = dict(Comment.objects.values_list("body", "ip_address"))
    assert found == {"주소 있음": "2001:db8::7", "주소 없음": None}


def test_a_secret_articles_comments_are_hidden_with_it(site, client):
    site.board("free", "자유")
    secret = site.write("free", "비밀글", "숨은 본문", options="secret")
    site.comment("free", secret, "숨은 댓글")
    run_import(site)

    page = client.get("/free/1/").content.decode()
    assert "숨은 본문" not in page
    assert "숨은 댓글" not in page


def test_guests_keep_their_names_and_members_their_nicknames(site, client):
    site.member("kim", G5_PASSWORD, "김기자")
    site.board("free", "자유")
    mine = site.write("free", "회원 글", mb_id="kim", name="김기자")
    guest = site.write("free", "손님 글", name="지나가던 손님")
    site.comment("free", mine, "손님 댓글", name="지나가던 손님")
    run_import(site)

    assert post("free", mine).author.user == User.objects.get(username="kim")
    author = post("free", guest).author
    assert (author.name, author.user) == ("지나가던 손님", None)
    assert Comment.objects.get(body="손님 댓글").author == author
    rows = {row["title"]: row["author"] for row in listing_rows(soup(client.get("/free/")))}
    assert rows == {"회원 글": "김기자", "손님 글": "지나가던 손님"}


def test_a_member_signs_in_with_the_gnuboard_password_through_the_login_page(site, client):
    site.member("kim", G5_PASSWORD, "김기자", joined="2012-03-05 10:15:00")
    run_import(site)

    kim = User.objects.get(username="kim")
    assert (kim.email, kim.author.name) == ("kim@example.com", "김기자")
    assert kim.date_joined.isoformat() == "2012-03-05T01:15:00+00:00"
    assert kim.is_active
    assert not kim.is_staff
    response = client.post("/accounts/login/", {"username": "kim", "password": "old-secret"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert User.objects.get(pk=kim.pk).check_password("old-secret")


def test_a_zero_join_date_becomes_the_first_post_date_and_stops_no_login(site, client):
    site.member("old", G5_PASSWORD, "옛 회원", joined="0000-00-00 00:00:00")
    site.member("quiet", G5_PASSWORD, "조용", joined="0000-00-00 00:00:00")
    site.board("free", "자유")
    site.write("free", "둘째", mb_id="old", datetime="2010-06-01 09:00:00")
    site.write("free", "첫째", mb_id="old", datetime="2009-01-02 09:00:00")
    out = run_import(site)

    assert User.objects.get(username="old").date_joined.isoformat() == "2009-01-02T00:00:00+00:00"
    assert User.objects.get(username="quiet").date_joined.year >= 2026
    assert "join date 0000-00-00" in out
    client.post("/accounts/login/", {"username": "quiet", "password": "old-secret"})
    assert "_auth_user_id" in client.session


def test_administrators_become_staff_only_when_named_and_blocked_members_cannot_sign_in(
    site, client
):
    site.member("admin", G5_PASSWORD, "최고관리자")  # g5_config.cf_admin
    site.member("boss", G5_PASSWORD, "사장", mb_level=10)
    site.member("left", G5_PASSWORD, "떠난 이", mb_leave_date="20200101")
    site.member("spammer", G5_PASSWORD, "광고", mb_intercept_date="20200101")
    out = run_import(site, staff="boss,nobody")

    assert not User.objects.get(username="admin").is_staff
    assert User.objects.get(username="boss").is_staff
    assert not User.objects.get(username="left").is_active
    assert not User.objects.get(username="spammer").is_active
    assert "site administrator, not named in --staff): 1: admin" in out
    assert "named in --staff but no such member): 1: nobody" in out
    client.post("/accounts/login/", {"username": "spammer", "password": "old-secret"})
    assert "_auth_user_id" not in client.session


def small_site(site):
    site.member("kim", G5_PASSWORD, "김기자")
    site.board("free", "자유", categories=("잡담",))
    site.board("notice", "공지사항")
    for i in range(30):
        bo_table = "free" if i % 3 else "notice"
        member = "kim" if i % 2 else ""
        wr_id = site.write(bo_table, f"글 {i}", ca_name="잡담" if bo_table == "free" else "",
                           mb_id=member, name="김기자" if member else "손님")  # fmt: skip
        if i % 5 == 0:
            site.write(bo_table, f"Re: 글 {i}", reply_to=wr_id)
        first = site.comment(bo_table, wr_id, f"댓글 {i}")
        site.comment(bo_table, wr_id, "답", reply_to=first)


def test_a_second_run_adds_and_changes_nothing(site):
    small_site(site)
    run_import(site)
    before = dump()

    out = run_import(site)

    assert dump() == before
    assert "articles             0        36         0" in out


def test_an_interrupted_run_continues_where_it_stopped(site):
    small_site(site)

    def stop_after_four(batches):
        if batches == 4:
            raise Interrupted

    with pytest.raises(Interrupted):
        call_command("import_gnuboard", db=site.url, batch_size=7, after_batch=stop_after_four,
                     stdout=StringIO(), stderr=StringIO())  # fmt: skip
    assert LegacyKey.objects.count() > 0

    run_import(site, batch_size=7)

    assert Post.objects.count() == 36
    assert Comment.objects.count() == 60
    assert Post.objects.exclude(answers=None).count() == 6
    for board in Board.objects.filter(slug__in=["free", "notice"]):
        positions_are_dense(board)
        numbers = list(board.posts.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, board.post_count + 1))
    assert {p.comment_count for p in Post.objects.filter(answers=None)} == {2}


def test_a_dry_run_reads_everything_and_writes_nothing(site):
    small_site(site)
    before = dump()

    out = run_import(site, dry_run=True)

    assert dump() == before
    assert out.startswith("Dry run")
    assert "articles            36" in out


def test_the_summary_says_what_was_imported_skipped_and_not_read(site):
    site.board("admin", "관리")  # an address PostBBS uses itself
    site.board("free", "자유")
    site.write("free", "글")
    User.objects.create_user("kim", password="here")
    site.member("kim", G5_PASSWORD, "다른 김씨")
    out = run_import(site)

    assert "skipped boards (address name not allowed here): 1: admin" in out
    assert "skipped members (user id taken here): 1: kim" in out
    assert "files and editor images were not imported (no --data)" in out
    lines = out.splitlines()
    assert lines[2].split() == ["boards", "1", "0", "1"]
    assert lines[4].split() == ["articles", "1", "0", "0"]


def test_old_gnuboard_links_go_to_the_imported_article_and_comment(site, client):
    site.board("free", "자유")
    first = site.write("free", "첫 글")
    comment = site.comment("free", first, "댓글")
    # Comments use up wr_ids: the second article's wr_id is not its number here.
    second = site.write("free", "둘째 글")
    run_import(site)

    response = client.get(f"/bbs/board.php?bo_table=free&wr_id={first}")
    assert response.status_code == 301
    assert response["Location"] == "/free/1/"
    assert second != 2
    response = client.get(f"/bbs/board.php?bo_table=free&wr_id={second}")
    assert response["Location"] == "/free/2/"
    response = client.get(f"/free/{second}")  # Gnuboard's short URL
    assert response.status_code == 301
    assert response["Location"] == "/free/2/"
    response = client.get(f"/bbs/board.php?bo_table=free&wr_id={comment}")
    assert response.status_code == 301
    imported = Comment.objects.get(body="댓글")
    assert response["Location"].startswith("/free/1/")
    assert response["Location"].endswith(f"#comment-{imported.pk}")
    assert client.get("/bbs/board.php?bo_table=free").status_code == 301
    assert client.get("/bbs/board.php?bo_table=free&wr_id=999").status_code == 404


def test_check_import_matches_after_an_import_and_reports_a_difference(site):
    small_site(site)
    run_import(site)
    out = StringIO()
    call_command("check_import", db=site.url, kind="gnuboard", stdout=out)
    assert "Every count matches." in out.getvalue()

    Comment.objects.filter(body="답").first().delete()
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_import", db=site.url, kind="gnuboard", stdout=out)
    assert failed.value.returncode == 1
    assert "<- differs" in out.getvalue()

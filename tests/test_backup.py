"""make backup and the documented restore: back up, wipe, restore, compare."""

import io
import os
import shutil
import stat
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from board import services
from board.models import Author, Board, Comment, Post, PostImage
from tests.factories import CommentFactory, PostFactory, PostImageFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot():
    return {
        "boards": list(Board.objects.order_by("pk").values_list()),
        "authors": list(Author.objects.order_by("pk").values_list()),
        "posts": list(Post.objects.order_by("pk").values_list()),
        "comments": list(Comment.objects.order_by("pk").values_list()),
        "images": list(PostImage.objects.order_by("pk").values_list("pk", "post_id", "image")),
    }


def test_backup_wipe_restore_gives_back_everything(tmp_path, media_root, capsys):
    Board.objects.get_or_create(slug="news", defaults={"name": "소식"})
    posts = PostFactory.create_batch(5)
    CommentFactory.create_batch(3, post=posts[0], body="백업될 댓글")
    removed = CommentFactory(post=posts[1])
    services.remove_comment(removed, by=UserFactory(is_superuser=True), reason="테스트")
    image = PostImageFactory(post=posts[2])
    before = snapshot()
    image_bytes = Path(image.image.path).read_bytes()

    call_command("backup", output=str(tmp_path / "backups"))
    printed = capsys.readouterr().out
    files = sorted((tmp_path / "backups").iterdir())
    assert any(f.name.endswith(("sqlite3", "pgdump")) for f in files), printed
    assert any(f.name.endswith("-media.tar.gz") for f in files)
    assert "Wrote" in printed

    # Wipe: the rows and the uploaded files.
    Comment.objects.all().delete()
    PostImage.objects.all().delete()
    Post.objects.all().delete()
    Path(image.image.path).unlink(
        missing_ok=True
    )  # gone with its row (board.apps.delete_stored_file)
    assert Post.objects.count() == 0

    database = next(f for f in files if not f.name.endswith(".tar.gz"))
    call_command("restore", str(database), yes=True)
    connection.close()  # start afresh, as a new process would after a restore

    assert snapshot() == before
    assert Path(image.image.path).read_bytes() == image_bytes
    restored = Post.objects.get(pk=posts[0].pk)
    assert restored.comment_count == 3


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(CommandError, match="not a PostBBS backup"):
        call_command("restore", str(junk), yes=True)
    with pytest.raises(CommandError, match=r"missing\.sqlite3"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), yes=True)


def test_a_backup_of_the_other_database_is_refused_with_the_reason(tmp_path):
    from django.core.management.base import CommandError

    other = ".pgdump" if connection.vendor == "sqlite" else ".sqlite3"
    path = tmp_path / f"postbbs-20260101-000000{other}"
    path.write_bytes(b"")
    reason = {
        ".pgdump": "a pg_dump backup restores into a PostgreSQL database",
        ".sqlite3": "an SQLite backup restores into an SQLite database",
    }[other]
    with pytest.raises(CommandError, match=f"^{reason}$"):
        call_command("restore", str(path), yes=True)


def test_backup_and_restore_report_their_progress(tmp_path, media_root, monkeypatch):
    from board import backup

    monkeypatch.setattr(backup, "PAGES_PER_STEP", 4)  # several steps, as a large board takes
    Board.objects.get_or_create(slug="news", defaults={"name": "소식"})
    PostFactory()
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "nested" / "backups"), stdout=out)
    # Into the same folder again: a second backup beside the first.
    call_command("backup", output=str(tmp_path / "nested" / "backups"), stdout=io.StringIO())
    database = next((tmp_path / "nested" / "backups").glob("postbbs-*.*[3p]"))
    call_command("restore", str(database), yes=True, stdout=out)
    connection.close()

    lines = [line.split() for line in out.getvalue().splitlines() if "database" in line]
    if connection.vendor == "sqlite":
        # "database  <done> / <total> pages  <percent>%", once for the backup, once the restore.
        finished = [line for line in lines if line[-1] == "100%"]
        assert len(finished) == 2
        assert all(line[1] == line[3] for line in finished)
        steps = [(int(line[1].replace(",", "")), int(line[3].replace(",", ""))) for line in lines]
        restore_starts = steps.index(steps[0][1:] * 2) + 1  # after the backup's last step
        # Each begins with a step part of the way.
        assert 0 < steps[0][0] < steps[0][1]
        assert 0 < steps[restore_starts][0] < steps[restore_starts][1]
        assert all(done <= total for done, total in steps)
    else:
        assert lines == [
            ["database", "pg_dump", "(custom", "format)"],
            ["database", "pg_restore", "--clean"],
        ]


def tampered_media(database, members):
    """Replace the images archive beside ``database`` with one holding ``members``."""
    import tarfile

    archive = database.with_name(database.name.rsplit(".", 1)[0] + "-media.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if data else None)


def file_member(name, data):
    import tarfile

    member = tarfile.TarInfo(name)
    member.size = len(data)
    return member, data


def test_a_restore_writes_images_only_inside_the_media_folder(tmp_path, media_root):
    import tarfile

    Board.objects.get_or_create(slug="news", defaults={"name": "소식"})
    media_root.mkdir()
    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    database = next((tmp_path / "backups").iterdir())
    tampered_media(
        database,
        [
            file_member("media/posts/kept.txt", b"kept"),
            file_member("elsewhere.txt", b"not an image of ours"),
            file_member("media/../escaped.txt", b"outside"),
        ],
    )
    call_command("restore", str(database), yes=True, stdout=io.StringIO())
    connection.close()
    assert (media_root / "posts" / "kept.txt").read_bytes() == b"kept"
    assert not (media_root / "elsewhere.txt").exists()
    assert not (tmp_path / "escaped.txt").exists()

    # A link out of the folder stops the restore of the images before it is made.
    link = tarfile.TarInfo("media/posts/passwords")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    tampered_media(database, [(link, None)])
    with pytest.raises(tarfile.FilterError):
        call_command("restore", str(database), yes=True, stdout=io.StringIO())
    connection.close()
    assert not (media_root / "posts" / "passwords").is_symlink()


def test_backup_files_are_readable_by_their_owner_only(tmp_path, media_root):
    Board.objects.get_or_create(slug="news", defaults={"name": "소식"})
    PostImageFactory(post=PostFactory())
    folder = tmp_path / "backups"
    previous = os.umask(0o022)  # the usual umask, under which files come out world-readable
    try:
        call_command("backup", output=str(folder), stdout=io.StringIO())
    finally:
        os.umask(previous)

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert len(files) == 2  # the database and the images
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


def test_backup_holds_no_session_and_a_restore_logs_everyone_out(tmp_path, client):
    Board.objects.get_or_create(slug="news", defaults={"name": "소식"})
    PostFactory()
    client.force_login(UserFactory(username="관리자", is_staff=True, is_superuser=True))
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    database = next(f for f in (tmp_path / "backups").iterdir() if not f.name.endswith(".gz"))

    assert key.encode() not in database.read_bytes()
    call_command("restore", str(database), yes=True)
    connection.close()
    assert not Session.objects.exists()
    assert Post.objects.count() == 1  # the content itself is all there


def test_pg_dump_and_pg_restore_reach_the_sites_server_with_its_credentials(monkeypatch):
    from types import SimpleNamespace

    from board import backup

    monkeypatch.delenv("PGPASSWORD", raising=False)
    server = {"NAME": "postbbs", "HOST": "db.internal", "PORT": 5433, "USER": "bbs"}
    monkeypatch.setattr(backup, "connection", SimpleNamespace(settings_dict=server))
    args, env = backup.pg_args()
    assert args == [
        "--dbname", "postbbs", "--host", "db.internal", "--port", "5433", "--username", "bbs",
    ]  # fmt: skip
    assert "PGPASSWORD" not in env
    assert env["PATH"] == os.environ["PATH"]  # the tools still find their libraries

    server["PASSWORD"] = "비밀"
    assert backup.pg_args()[1]["PGPASSWORD"] == "비밀"
    # A local server over its socket, as the default user: nothing but the database's name.
    local = {"NAME": "postbbs", "HOST": "", "PORT": "", "USER": "", "PASSWORD": ""}
    monkeypatch.setattr(backup, "connection", SimpleNamespace(settings_dict=local))
    args, env = backup.pg_args()
    assert args == ["--dbname", "postbbs"]
    assert "PGPASSWORD" not in env


def test_pg_dump_is_taken_from_pg_bin_then_the_servers_folder_then_path(tmp_path, monkeypatch):
    from board import backup

    (tmp_path / "pg_dump").touch(mode=0o755)
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    assert backup.pg_tool("pg_dump") == str(tmp_path / "pg_dump")

    monkeypatch.delenv("PG_BIN")
    server = Path("/usr/lib/postgresql/15/bin/pg_dump")
    if server.exists():  # before PATH's version-picking wrapper, which may pick another version
        assert backup.pg_tool("pg_dump") == str(server)
    assert backup.pg_tool("true") == shutil.which("true")
    with pytest.raises(RuntimeError) as missing:
        backup.pg_tool("pg_nowhere")
    assert str(missing.value) == "pg_nowhere not found: install postgresql-client or set PG_BIN"


def test_pg_dump_and_pg_restore_get_the_password_and_their_failure_stops_the_command(
    tmp_path, media_root, monkeypatch
):
    import subprocess

    from board import backup

    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore run only for a PostgreSQL database")
    # Stand-ins in PG_BIN that note the password they were given, then run the real tool.
    real, fake, seen = Path(backup.pg_tool("pg_dump")).parent, tmp_path / "bin", tmp_path / "seen"
    fake.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        note = f'echo "{tool} $PGPASSWORD" >> {seen}'
        (fake / tool).write_text(f'#!/bin/sh\n{note}\nexec {real / tool} "$@"\n')
        (fake / tool).chmod(0o755)
    monkeypatch.setenv("PG_BIN", str(fake))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "비밀")  # the test server trusts all
    Board.objects.get_or_create(slug="news", defaults={"name": "소식"})
    PostFactory()
    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    database = next((tmp_path / "backups").glob("*.pgdump"))
    call_command("restore", str(database), yes=True, stdout=io.StringIO())
    connection.close()
    assert seen.read_text().splitlines() == ["pg_dump 비밀", "pg_restore 비밀"]

    for tool in ("pg_dump", "pg_restore"):
        (fake / tool).write_text("#!/bin/sh\nexit 1\n")
    out = io.StringIO()
    with pytest.raises(subprocess.CalledProcessError):
        call_command("backup", output=str(tmp_path / "failed"), stdout=out)
    assert "Wrote" not in out.getvalue()
    with pytest.raises(subprocess.CalledProcessError):
        call_command("restore", str(database), yes=True, stdout=io.StringIO())


def test_a_backup_of_another_kind_of_database_is_refused_with_the_reason(tmp_path, monkeypatch):
    from board import backup

    monkeypatch.setattr(connection, "vendor", "mysql")
    with pytest.raises(RuntimeError) as refused:
        backup.backup(tmp_path / "backups", "20260101-000000")
    assert str(refused.value) == "no backup method for mysql"

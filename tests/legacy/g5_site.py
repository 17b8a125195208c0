"""A Gnuboard5 site's database, built in the throwaway MariaDB from Gnuboard's own DDL
(tests/legacy/schemas/gnuboard5/: ``install/gnuboard5.sql`` and ``adm/sql_write.sql`` of
gnuboard/gnuboard5 0b6f081f, loaded unchanged), with rows as Gnuboard writes them: wr_num,
wr_reply, wr_comment and wr_comment_reply as bbs/write_update.php and
bbs/write_comment_update.php give them; files as bbs/write_update.php stores them (a
g5_board_file row, the bytes under ``data/file/<bo_table>/``) and the editor's images as its
uploader does (``data/editor/<yymm>/``, in no table)."""

import secrets
from pathlib import Path
from urllib.parse import quote

SCHEMAS = Path(__file__).parent / "schemas" / "gnuboard5"


class G5Site:
    def __init__(self, legacy_db, prefix="g5_", data=None):
        self.db, self.prefix = legacy_db, prefix
        self.data = Path(data) if data else None  # Gnuboard's data/ folder
        legacy_db.load((SCHEMAS / "gnuboard5.sql").read_text().replace("`g5_", f"`{prefix}"))
        self.connection = legacy_db.connect_as_root(autocommit=True)
        # As Gnuboard's own connection (lib/common.lib.php sql_connect): columns it leaves out
        # take their type's empty value.
        self.execute("SET SESSION sql_mode = ''")
        self.insert("config", cf_title="옛 사이트", cf_admin="admin")

    @property
    def url(self):
        return self.db.url

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def insert(self, table, **values):
        names = ", ".join(f"`{name}`" for name in values)
        marks = ", ".join(["%s"] * len(values))
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO `{self.prefix}{table}` ({names}) VALUES ({marks})",
                list(values.values()),
            )
            return cursor.lastrowid

    def board(self, bo_table, subject, categories=(), order=0):
        self.insert("board", bo_table=bo_table, gr_id="community", bo_subject=subject,
                    bo_use_category=int(bool(categories)), bo_category_list="|".join(categories),
                    bo_order=order, bo_notice="")  # fmt: skip
        ddl = (SCHEMAS / "sql_write.sql").read_text()
        self.db.load(ddl.replace("__TABLE_NAME__", f"{self.prefix}write_{bo_table}") + ";")
        return bo_table

    def notice(self, bo_table, *wr_ids):
        self.execute(
            f"UPDATE `{self.prefix}board` SET bo_notice = %s WHERE bo_table = %s",
            [",".join(str(i) for i in wr_ids), bo_table],
        )

    def write(self, bo_table, subject, content="본문", *, reply_to=None, options="",
              datetime="2015-04-01 12:00:00", mb_id="", name="손님", **columns):  # fmt: skip
        """An article (bbs/write_update.php): a new one takes MIN(wr_num) - 1; a 답글 its
        original's wr_num and wr_reply plus the next free letter."""
        table = f"`{self.prefix}write_{bo_table}`"
        if reply_to is None:
            lowest = self.execute(f"SELECT MIN(wr_num) FROM {table}")[0][0]
            num, reply = (lowest or 0) - 1, ""
        else:
            num, parent = self.execute(
                f"SELECT wr_num, wr_reply FROM {table} WHERE wr_id = %s", [reply_to]
            )[0]
            last = self.execute(
                f"SELECT MAX(SUBSTRING(wr_reply, %s, 1)) FROM {table}"
                " WHERE wr_num = %s AND SUBSTRING(wr_reply, 1, %s) = %s"
                " AND CHAR_LENGTH(wr_reply) = %s",
                [len(parent) + 1, num, len(parent), parent, len(parent) + 1],
            )[0][0]
            reply = parent + (chr(ord(last) + 1) if last else "A")
        wr_id = self.insert(f"write_{bo_table}", wr_num=num, wr_reply=reply, wr_is_comment=0,
                            wr_subject=subject, wr_content=content, wr_option=options,
                            wr_datetime=datetime, wr_last=datetime, mb_id=mb_id, wr_name=name,
                            **columns)  # fmt: skip
        self.execute(f"UPDATE {table} SET wr_parent = wr_id WHERE wr_id = %s", [wr_id])
        return wr_id

    def comment(self, bo_table, wr_parent, content, *, reply_to=None, options="",
                datetime="2015-04-02 12:00:00", mb_id="", name="손님", **columns):  # fmt: skip
        """A comment (bbs/write_comment_update.php): a new thread takes MAX(wr_comment) + 1;
        a reply its parent's thread and wr_comment_reply plus the next free letter."""
        table = f"`{self.prefix}write_{bo_table}`"
        num = self.execute(f"SELECT wr_num FROM {table} WHERE wr_id = %s", [wr_parent])[0][0]
        if reply_to is None:
            highest = self.execute(
                f"SELECT MAX(wr_comment) FROM {table} WHERE wr_parent = %s AND wr_is_comment = 1",
                [wr_parent],
            )[0][0]
            thread, reply = (highest or 0) + 1, ""
        else:
            thread, parent = self.execute(
                f"SELECT wr_comment, wr_comment_reply FROM {table} WHERE wr_id = %s", [reply_to]
            )[0]
            last = self.execute(
                f"SELECT MAX(SUBSTRING(wr_comment_reply, %s, 1)) FROM {table}"
                " WHERE wr_parent = %s AND wr_comment = %s AND wr_is_comment = 1"
                " AND SUBSTRING(wr_comment_reply, 1, %s) = %s"
                " AND CHAR_LENGTH(wr_comment_reply) = %s",
                [len(parent) + 1, wr_parent, thread, len(parent), parent, len(parent) + 1],
            )[0][0]
            reply = parent + (chr(ord(last) + 1) if last else "A")
        return self.insert(f"write_{bo_table}", wr_num=num, wr_parent=wr_parent, wr_is_comment=1,
                           wr_comment=thread, wr_comment_reply=reply, wr_content=content,
                           wr_option=options, wr_datetime=datetime, wr_last=datetime,
                           mb_id=mb_id, wr_name=name, **columns)  # fmt: skip

    def member(self, mb_id, password, nick, *, joined="2012-03-05 10:15:00", **columns):
        row = dict(mb_id=mb_id, mb_password=password, mb_name=nick, mb_nick=nick,
                   mb_email=f"{mb_id}@example.com", mb_level=2, mb_datetime=joined)  # fmt: skip
        return self.insert("member", **{**row, **columns})

    def file(self, bo_table, wr_id, bf_no, source, data, *, download=0, stored=None, **columns):
        """A g5_board_file row of article ``wr_id`` and, unless ``data`` is None (a file missing
        on disk), its bytes in data/file/<bo_table>/. The stored name as bbs/write_update.php
        makes it (the uploader's address, a random part, the name URL-encoded without its %);
        returns it."""
        if stored is None:
            encoded = quote(source.replace(" ", "_")).replace("%", "")
            stored = f"2130706433_{secrets.token_hex(4)}_{encoded}"
        kind = {"gif": 1, "jpg": 2, "jpeg": 2, "png": 3}.get(source.rsplit(".", 1)[-1].lower(), 0)
        row = dict(bo_table=bo_table, wr_id=wr_id, bf_no=bf_no, bf_source=source, bf_file=stored,
                   bf_download=download, bf_content="", bf_filesize=len(data or b""),
                   bf_type=kind, bf_datetime="2015-04-01 12:00:00")  # fmt: skip
        self.insert("board_file", **{**row, **columns})
        table = f"`{self.prefix}write_{bo_table}`"
        self.execute(
            f"UPDATE {table} SET wr_file = (SELECT COUNT(*) FROM `{self.prefix}board_file`"
            " WHERE bo_table = %s AND wr_id = %s) WHERE wr_id = %s",
            [bo_table, wr_id, wr_id],
        )
        if data is not None:
            path = self.data / "file" / bo_table / stored
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return stored

    def editor_image(self, yymm, name, data):
        """An image the editor uploaded (data/editor/<yymm>/<name>): its path from the site's
        root, as the editor wrote it into the body."""
        path = self.data / "editor" / yymm / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return f"/data/editor/{yymm}/{name}"

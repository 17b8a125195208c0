"""A Gnuboard5 site's database, built in the throwaway MariaDB from Gnuboard's own DDL
(tests/legacy/schemas/gnuboard5/: ``install/gnuboard5.sql`` and ``adm/sql_write.sql`` of
gnuboard/gnuboard5 0b6f081f, loaded unchanged), with rows as Gnuboard writes them: wr_num,
wr_reply, wr_comment and wr_comment_reply as bbs/write_update.php and
bbs/write_comment_update.php give them."""

from pathlib import Path

SCHEMAS = Path(__file__).parent / "schemas" / "gnuboard5"


class G5Site:
    def __init__(self, legacy_db, prefix="g5_"):
        self.db, self.prefix = legacy_db, prefix
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

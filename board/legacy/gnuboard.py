"""Gnuboard5, read straight from its database: members, every board (``g5_board``) with its
categories, articles, 답글 posts and comments from its ``g5_write_<bo_table>``, and (``data``:
Gnuboard's data/ folder) each article's files and the editor images in its body
(board/legacy/files.py).

What Gnuboard means (../shared/reference/legacy-boards.md, section 3):
- articles and comments share a board's ``g5_write_<bo_table>``; a wr_id is unique in its board
  only, so every key here is ``bo_table:wr_id``;
- the list order is ``wr_num, wr_reply``: a new article takes MIN(wr_num) - 1, a 답글 its
  original's wr_num and the original's wr_reply plus one letter (so it lists under it);
- a comment's wr_parent is its article; ``wr_comment`` its thread, ``wr_comment_reply`` its
  place in it (one letter a level);
- ``wr_option`` holds html1 (HTML), html2 (HTML, newlines as line breaks) and secret;
- dates are DATETIME in Korean time, ``0000-00-00 00:00:00`` when never set; ``mb_id`` ''
  is a guest (``wr_name`` is then the name shown);
- ``g5_board_file`` (bo_table, wr_id, bf_no): an article's files, bf_source the name uploaded,
  bf_file the name stored in ``data/file/<bo_table>/``, bf_type getimagesize's type (0: not
  an image); the editor's images are in no table: ``data/editor/<yymm>/``, named only by the
  bodies. Gnuboard shows an article's images above its body (view.skin.php) whether the body
  places them or not; PostBBS's render shows those the body does not place after it.
"""

import html
import posixpath
import re
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from board import content, services
from board.legacy_passwords import legacy_hash
from board.models import (
    PATH_WIDTH,
    REPLY_DEPTH_MAX,
    Author,
    Board,
    Category,
    Comment,
    Post,
    PostImage,
    validate_board_slug,
)

from . import files as legacy_files
from .importer import (
    KST,
    GuestAuthors,
    SourceError,
    address,
    own_timestamps,
    remark_unknown_staff,
    settle_comments,
    settle_listing,
)
from .keys import LegacyKey
from .xe import BOARD_NAME_MAX, CATEGORY_MAX, GUEST, NAME_MAX, SECRET_COMMENT, TITLE_MAX, UNTITLED

User = get_user_model()

ADMIN_LEVEL = 10
ZERO_DATE = "join date 0000-00-00: the first post's date or the import time given"

# getimagesize's IMAGETYPE_* that Gnuboard stores in bf_type: GIF, JPEG, PNG, BMP, WEBP.
IMAGE_TYPES = {1, 2, 3, 6, 18}
FILE_MARKERS = ("data/file/", "data/editor/")
# An address in a plain-text body (what Gnuboard's url_auto_link made a link of).
TEXT_URL = re.compile(r"https?://[^\s<>\"']+")

ARTICLE_COLUMNS = (
    "wr_id, wr_num, wr_reply, ca_name, wr_option, wr_subject, wr_content, wr_hit, wr_good,"
    " wr_nogood, mb_id, wr_name, wr_datetime, wr_ip"
)
COMMENT_COLUMNS = (
    "wr_id, wr_parent, wr_comment, wr_comment_reply, wr_option, wr_content, wr_good,"
    " wr_nogood, mb_id, wr_name, wr_datetime, wr_ip"
)


def when(value):
    """A Gnuboard DATETIME (Korean time) as an aware datetime; None for 0000-00-00 (pymysql
    gives that back as text) or anything else that is not a date."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=KST)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=KST)
    return None


def valid_slug(slug):
    try:
        validate_board_slug(slug)
        Board._meta.get_field("slug").run_validators(slug)
    except Exception:
        return False
    return True


def options(row):
    return {option.strip() for option in (row["wr_option"] or "").split(",")}


def body_html(text, flags):
    """An article's body as HTML, as Gnuboard's conv_content shows it: html1 as written,
    html2 with its newlines as line breaks, else plain text escaped with its line breaks."""
    text = (text or "").replace("\r\n", "\n")
    if "html1" in flags:
        return text
    if "html2" in flags:
        return text.replace("\n", "<br>\n")
    return html.escape(text).replace("\n", "<br>\n")


def download_key(path, query):
    """``/bbs/download.php?bo_table=X&wr_id=N&no=K`` (bbs/download.php): "X:N:K" as the
    import records it ("" for a download link naming no file)."""
    if not path.endswith("download.php"):
        return None
    bo_table, wr_id, no = (query.get(name, [""])[0].strip() for name in ("bo_table", "wr_id", "no"))
    if not (bo_table and wr_id.isdigit() and no.isdigit()):
        return ""
    return f"{bo_table}:{int(wr_id)}:{int(no)}"


class Importer:
    """One Gnuboard5 database into PostBBS (``run``: the shared Run of importer.py)."""

    def __init__(self, source, run, *, staff=(), data=None, old_url=None):
        self.db = source
        self.run = run
        self.keys = run.keys
        self.summary = run.summary
        self.staff = set(staff)
        self.guests = GuestAuthors()
        self.tables = []  # the write tables of every board read, for members' first posts
        # Keys under data/ are its paths ("file/free/x.jpg"): the copier's root is data/.
        self.copier = legacy_files.Copier(run, data) if data else None
        self.old_hosts = legacy_files.old_hosts(old_url)
        self.dry_editor = set()  # editor images counted in a dry run

    def t(self, name):
        return self.db.table(name)

    # Everything ---------------------------------------------------------------------------

    def import_all(self):
        for table in ("board", "member"):
            if not self.db.has(table):
                raise SourceError(f"no table {self.db.prefix}{table} in the source")
        boards = self.db.query(
            f"SELECT bo_table, bo_subject, bo_category_list, bo_notice FROM {self.t('board')}"
            " ORDER BY bo_order, bo_table",
            table="board",
        )
        self.tables = [
            f"write_{row['bo_table']}" for row in boards if self.db.has(f"write_{row['bo_table']}")
        ]
        self.import_members()
        for row in boards:
            board = self.import_board(row)
            if board is None:
                continue
            write = f"write_{row['bo_table']}"
            categories = self.import_categories(board, row, write)
            self.import_articles(board, row, write, categories)
            self.link_answers(board, row["bo_table"], write)
            self.import_comments(board, row["bo_table"], write)
            if self.copier is not None:
                self.import_files(board, row["bo_table"], write)

    # Members ------------------------------------------------------------------------------

    def import_members(self):
        admin = ""
        if self.db.has("config", "cf_admin"):
            admin = self.db.scalar(f"SELECT cf_admin FROM {self.t('config')} LIMIT 1") or b""
            admin = admin.decode() if isinstance(admin, bytes) else admin
        self.admin = admin.strip()
        remark_unknown_staff(self.db, self.summary, self.staff, column="mb_id")
        columns = (
            "mb_id, mb_password, mb_nick, mb_email, mb_level, mb_datetime, mb_leave_date,"
            " mb_intercept_date"
        )
        total = self.db.scalar(f"SELECT COUNT(*) FROM {self.t('member')}")
        progress = self.run.progress("members", total)
        for rows in self.db.stream(
            f"SELECT {columns} FROM {self.t('member')} ORDER BY mb_no",
            table="member",
            batch=self.run.batch_size,
        ):
            self.member_batch(rows)
            progress.add(len(rows))

    def first_posts(self, mb_ids):
        """{mb_id: the date of their first article or comment} over every board."""
        first = {}
        if not mb_ids:
            return first
        named = ", ".join(["%s"] * len(mb_ids))
        for table in self.tables:
            rows = self.db.query(
                f"SELECT mb_id, MIN(wr_datetime) AS first FROM {self.t(table)}"
                f" WHERE mb_id IN ({named}) AND wr_datetime > '0000-00-00 00:00:00'"
                " GROUP BY mb_id",
                sorted(mb_ids),
                table=table,
            )
            for row in rows:
                stamp = when(row["first"])
                if stamp and (row["mb_id"] not in first or stamp < first[row["mb_id"]]):
                    first[row["mb_id"]] = stamp
        return first

    def member_batch(self, rows):
        found = self.keys.found("member", [r["mb_id"] for r in rows])
        names = [r["mb_id"] for r in rows if r["mb_id"] not in found]
        taken = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        undated = {r["mb_id"] for r in rows if r["mb_id"] in names and not when(r["mb_datetime"])}
        first = self.first_posts(undated)
        users, seen = [], set()
        for row in rows:
            username = (row["mb_id"] or "").strip()
            if row["mb_id"] in found:
                self.summary.existing("members")
                continue
            if not username or username in taken or username in seen:
                key = username or "(empty mb_id)"
                self.summary.skip("members", key, "user id taken here" if username else "no id")
                continue
            seen.add(username)
            try:
                password = legacy_hash(row["mb_password"])
            except ValueError:
                password = make_password(None)
                self.summary.remark("password format: unusable password set", username)
            admin = int(row["mb_level"] or 0) >= ADMIN_LEVEL or username == self.admin
            if admin and username not in self.staff:
                self.summary.remark("site administrator, not named in --staff", username)
            joined = when(row["mb_datetime"])
            if joined is None:
                # Django would store 0000-00-00 nowhere; a missing date must not stop a login.
                joined = first.get(row["mb_id"]) or timezone.now()
                self.summary.remark(ZERO_DATE, username)
            blocked = (row["mb_leave_date"] or "").strip() or (row["mb_intercept_date"] or "")
            user = User(
                username=username,
                email=(row["mb_email"] or "").strip(),
                password=password,
                is_active=not blocked.strip(),
                is_staff=username in self.staff,
                date_joined=joined,
            )
            nick = (row["mb_nick"] or "").strip() or username
            users.append((row["mb_id"], user, nick[:NAME_MAX]))
        if not users:
            return
        with self.run.batch():
            User.objects.bulk_create([user for _id, user, _nick in users])
            Author.objects.bulk_create(Author(user=user, name=nick) for _id, user, nick in users)
            self.keys.add("member", [mb_id for mb_id, _u, _n in users], [u for _i, u, _n in users])
        self.summary.imported("members", len(users))

    # Boards -------------------------------------------------------------------------------

    def import_board(self, row):
        slug = (row["bo_table"] or "").strip()
        write = f"write_{slug}"
        if not self.db.has(write):
            self.summary.skip("boards", slug, f"no table {self.db.prefix}{write}")
            return None
        depth = self.db.scalar(
            f"SELECT MAX(CHAR_LENGTH(wr_comment_reply)) FROM {self.t(write)}"
            " WHERE wr_is_comment = 1"
        )
        # Every old thread keeps its depth (Gnuboard goes five levels deep).
        reply_depth = min(max(int(depth or 0), Board._meta.get_field("reply_depth").default),
                          REPLY_DEPTH_MAX)  # fmt: skip
        found = self.keys.found("board", [slug])
        if found:
            self.summary.existing("boards")
            board = Board.objects.get(pk=found[slug])
            if board.reply_depth < reply_depth:
                Board.objects.filter(pk=board.pk).update(reply_depth=reply_depth)
                board.reply_depth = reply_depth
            return board
        if not valid_slug(slug):
            self.summary.skip("boards", slug, "address name not allowed here")
            return None
        name = html.unescape((row["bo_subject"] or "").strip() or slug)[:BOARD_NAME_MAX]
        board = Board.objects.filter(slug=slug).first()
        if board is not None and Post.objects.filter(board=board).exists():
            self.summary.skip("boards", slug, "a board here has this address")
            return None
        # An empty board of the same address (a new site's default board) is taken over.
        board = board or Board(slug=slug)
        board.name, board.reply_depth = name, max(board.reply_depth, reply_depth)
        with self.run.batch():
            board.save()
            self.keys.add("board", [slug], [board])
        self.summary.imported("boards")
        return board

    def import_categories(self, board, row, write):
        """{ca_name: Category id}: the board's bo_category_list in its order, then any other
        name its articles carry (a category removed from the list later)."""
        names = [n.strip() for n in (row["bo_category_list"] or "").split("|") if n.strip()]
        used = self.db.query(
            f"SELECT DISTINCT ca_name FROM {self.t(write)} WHERE wr_is_comment = 0"
            " AND ca_name <> '' ORDER BY ca_name",
            table=write,
        )
        names += [r["ca_name"].strip() for r in used if r["ca_name"].strip() not in names]
        names = list(dict.fromkeys(name[:CATEGORY_MAX] for name in names))
        keys = [f"{board.slug}:{name}" for name in names]
        found = self.keys.found("category", keys)
        by_name = dict(Category.objects.filter(board=board).values_list("name", "pk"))
        new = []
        for position, name in enumerate(names):
            if f"{board.slug}:{name}" in found:
                self.summary.existing("categories")
            elif name not in by_name:
                new.append(Category(board=board, name=name, position=min(position, 32767)))
        missing = [name for name in names if f"{board.slug}:{name}" not in found]
        if missing:
            with self.run.batch():
                Category.objects.bulk_create(new)
                by_name.update({category.name: category.pk for category in new})
                made = [Category(pk=by_name[name]) for name in missing]
                self.keys.add("category", [f"{board.slug}:{name}" for name in missing], made)
            self.summary.imported("categories", len(new))
        return {name: by_name[name] for name in names}

    # Authors ------------------------------------------------------------------------------

    def authors(self, rows):
        """[Author id] for a batch of articles or comments: a member's own Author, else a
        guest's by the name written (made once)."""
        users = self.keys.found("member", {r["mb_id"] for r in rows if r["mb_id"]})
        by_user = dict(
            Author.objects.filter(user_id__in=users.values()).values_list("user_id", "pk")
        )
        names = {}
        for i, row in enumerate(rows):
            if users.get(row["mb_id"]) not in by_user:
                name = html.unescape((row["wr_name"] or "").strip()) or GUEST
                names[i] = name[:NAME_MAX]
        guests = self.guests.ids(names.values())
        return [
            guests[names[i]] if i in names else by_user[users[row["mb_id"]]]
            for i, row in enumerate(rows)
        ]

    # Articles -----------------------------------------------------------------------------

    def import_articles(self, board, row, write, categories):
        slug = board.slug
        notices = {n.strip() for n in (row["bo_notice"] or "").split(",") if n.strip()}
        table = self.t(write)
        total = self.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE wr_is_comment = 0")
        progress = self.run.progress(slug, total)
        number = 0
        added = False
        # Oldest first: Gnuboard lists by wr_num, wr_reply (newest first, a 답글 under its
        # original), so the numbers here count that order up from its end.
        query = (
            f"SELECT {ARTICLE_COLUMNS} FROM {table} WHERE wr_is_comment = 0"
            " ORDER BY wr_num DESC, wr_reply DESC, wr_id DESC"
        )
        for rows in self.db.stream(query, table=write, batch=self.run.batch_size):
            found = self.keys.found("post", [f"{slug}:{r['wr_id']}" for r in rows])
            posts, fresh = [], []
            for r in rows:
                number += 1
                if f"{slug}:{r['wr_id']}" in found:
                    self.summary.existing("articles")
                    continue
                fresh.append(r)
                notice = str(r["wr_id"]) in notices
                posts.append(self.article(board, r, number, notice, categories))
            if posts:
                with self.run.batch(), own_timestamps(Post):
                    for post, author in zip(posts, self.authors(fresh), strict=True):
                        post.author_id = author
                    Post.objects.bulk_create(posts)
                    self.keys.add("post", [f"{slug}:{r['wr_id']}" for r in fresh], posts)
                self.summary.imported("articles", len(posts))
                added = True
            progress.add(len(rows))
        settle_listing(board, number, added)

    def article(self, board, row, number, notice, categories):
        written = when(row["wr_datetime"]) or timezone.now()
        flags = options(row)
        body = body_html(row["wr_content"], flags)
        rendered = content.render_body(body, Post.Format.HTML, [])
        title = html.unescape((row["wr_subject"] or "").strip()) or UNTITLED
        return Post(
            board=board,
            number=number,
            # Consecutive numbers from 1, all listed: the position is the number.
            seq=number,
            title=title[:TITLE_MAX],
            body=body,
            body_format=Post.Format.HTML,
            body_html=rendered,
            has_image="<img" in rendered,
            published_at=written,
            created_at=written,
            updated_at=written,
            views=max(int(row["wr_hit"] or 0), 0),
            upvotes=max(int(row["wr_good"] or 0), 0),
            downvotes=max(int(row["wr_nogood"] or 0), 0),
            category_id=categories.get((row["ca_name"] or "").strip()[:CATEGORY_MAX]),
            is_notice=notice,
            is_secret="secret" in flags,
        )

    def link_answers(self, board, bo_table, write):
        """Each 답글 post's ``answers``: the article of its wr_num whose wr_reply is its own
        less the last letter (set only where not set yet, so a second run writes nothing)."""
        table = self.t(write)
        query = (
            f"SELECT a.wr_id, o.wr_id AS original FROM {table} a JOIN {table} o"
            " ON o.wr_num = a.wr_num AND o.wr_is_comment = 0"
            " AND o.wr_reply = LEFT(a.wr_reply, CHAR_LENGTH(a.wr_reply) - 1)"
            " WHERE a.wr_is_comment = 0 AND a.wr_reply <> '' ORDER BY a.wr_id"
        )
        for rows in self.db.stream(query, table=write, batch=self.run.batch_size):
            wanted = {f"{bo_table}:{r['wr_id']}" for r in rows}
            wanted |= {f"{bo_table}:{r['original']}" for r in rows}
            posts = self.keys.found("post", wanted)
            pairs = {
                posts[f"{bo_table}:{r['wr_id']}"]: posts[f"{bo_table}:{r['original']}"]
                for r in rows
                if f"{bo_table}:{r['wr_id']}" in posts and f"{bo_table}:{r['original']}" in posts
            }
            now = dict(Post.objects.filter(pk__in=pairs).values_list("pk", "answers_id"))
            changes = [(original, pk) for pk, original in pairs.items() if now.get(pk) != original]
            if changes:
                with self.run.batch(), connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {Post._meta.db_table} SET answers_id = %s WHERE id = %s", changes
                    )

    # Comments -----------------------------------------------------------------------------

    def import_comments(self, board, bo_table, write):
        table = self.t(write)
        total = self.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE wr_is_comment = 1")
        progress = self.run.progress(f"{board.slug} 댓글", total)
        # Display order (bbs/view_comment.php): each article's threads by wr_comment, each
        # thread by wr_comment_reply; so ids made in this order sort as Gnuboard showed them,
        # and a reply always comes after the comment it answers.
        query = (
            f"SELECT {COMMENT_COLUMNS} FROM {table} WHERE wr_is_comment = 1"
            " ORDER BY wr_parent, wr_comment, wr_comment_reply, wr_id"
        )
        self.places = {}  # (wr_comment, wr_comment_reply) -> place, for the current article
        self.article_id = None
        added = False
        for rows in self.db.stream(query, table=write, batch=self.run.batch_size):
            added |= self.comment_batch(board, bo_table, rows)
            progress.add(len(rows))
        settle_comments(board, added)

    def comment_batch(self, board, bo_table, rows):
        keys = [f"{bo_table}:{r['wr_id']}" for r in rows]
        found = self.keys.found("comment", keys)
        posts = self.keys.found("post", {f"{bo_table}:{r['wr_parent']}" for r in rows})
        earlier = {
            row["pk"]: row
            for row in Comment.objects.filter(pk__in=found.values()).values("pk", "depth", "path")
        }
        fresh = []
        for key, row in zip(keys, rows, strict=True):
            if row["wr_parent"] != self.article_id:
                self.article_id, self.places = row["wr_parent"], {}
            place = (row["wr_comment"], row["wr_comment_reply"] or "")
            if key in found:
                self.summary.existing("comments")
                self.places[place] = earlier.get(found[key])
            elif f"{bo_table}:{row['wr_parent']}" not in posts:
                self.summary.skip("comments", key, "its article was not imported")
            else:
                fresh.append((key, place, row))
        if not fresh:
            return False
        with self.run.batch():
            authors = self.authors([row for _key, _place, row in fresh])
            comments = [
                self.comment(row, posts[f"{bo_table}:{row['wr_parent']}"], author)
                for (_key, _place, row), author in zip(fresh, authors, strict=True)
            ]
            Comment.objects.bulk_create(comments)
            # Parent and path need the new ids: set once they exist, in display order.
            for (key, (thread, reply), _row), comment in zip(fresh, comments, strict=True):
                parent = self.places.get((thread, reply[:-1])) if reply else None
                if parent is not None:
                    stub = Comment(pk=parent["pk"], depth=parent["depth"], path=parent["path"])
                    comment.parent_id, prefix = services.thread_place(stub, board.reply_depth)
                else:
                    if reply:
                        self.summary.remark("parent comment gone: shown at the top", key)
                    comment.parent_id, prefix = None, ""
                comment.depth = len(prefix) // PATH_WIDTH
                comment.path = f"{prefix}{comment.pk:0{PATH_WIDTH}d}"
                self.places[(thread, reply)] = {
                    "pk": comment.pk,
                    "depth": comment.depth,
                    "path": comment.path,
                }
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Comment._meta.db_table} SET parent_id = %s, depth = %s, path = %s"
                    " WHERE id = %s",
                    [(c.parent_id, c.depth, c.path, c.pk) for c in comments],
                )
            self.keys.add("comment", [key for key, _place, _row in fresh], comments)
        self.summary.imported("comments", len(comments))
        return True

    def comment(self, row, post_id, author):
        created = when(row["wr_datetime"]) or timezone.now()
        # PostBBS has no secret comments: one stays out of sight rather than go public.
        secret = "secret" in options(row)
        return Comment(
            post_id=post_id,
            author_id=author,
            body=(row["wr_content"] or "").replace("\r\n", "\n").strip(),
            created_at=created,
            upvotes=max(int(row["wr_good"] or 0), 0),
            downvotes=max(int(row["wr_nogood"] or 0), 0),
            is_removed=secret,
            removed_at=created if secret else None,
            removal_reason=SECRET_COMMENT if secret else "",
            ip_address=address(row["wr_ip"]),
        )

    # Files --------------------------------------------------------------------------------

    def import_files(self, board, bo_table, write):
        """Each imported article's files and editor images copied in, and its body's
        references to them (and to anything else on the old site) rewritten."""
        has_table = self.db.has("board_file")
        table = self.t(write)
        total = self.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE wr_is_comment = 0")
        progress = self.run.progress(f"{board.slug} 파일", total)
        query = (
            f"SELECT wr_id, wr_option, wr_content FROM {table} WHERE wr_is_comment = 0"
            " ORDER BY wr_id"
        )
        for rows in self.db.stream(query, table=write, batch=self.run.batch_size):
            posts = self.keys.found("post", [f"{bo_table}:{r['wr_id']}" for r in rows])
            rows = [r for r in rows if f"{bo_table}:{r['wr_id']}" in posts]
            files = self.files_of(bo_table, [r["wr_id"] for r in rows]) if has_table else {}
            if rows:
                # The copier's inside the transaction: an error there removes the files
                # stored with it.
                with self.run.batch(), self.copier.batch():
                    for row in rows:
                        post_id = posts[f"{bo_table}:{row['wr_id']}"]
                        self.article_files(bo_table, post_id, row, files.get(row["wr_id"], []))
            progress.add(len(rows))

    def files_of(self, bo_table, wr_ids):
        """{wr_id: [g5_board_file rows]} of these articles, in their bf_no order."""
        if not wr_ids:
            return {}
        marks = ", ".join(["%s"] * len(wr_ids))
        rows = self.db.query(
            "SELECT wr_id, bf_no, bf_source, bf_file, bf_download, bf_filesize, bf_type"
            f" FROM {self.t('board_file')} WHERE bo_table = %s AND wr_id IN ({marks})"
            " ORDER BY wr_id, bf_no",
            [bo_table, *wr_ids],
            table="board_file",
        )
        result = {}
        for row in rows:
            result.setdefault(int(row["wr_id"]), []).append(row)
        return result

    def references(self):
        return legacy_files.References(
            self.old_hosts, markers=FILE_MARKERS, root="data/",
            words=(*FILE_MARKERS, "download.php"), query_key=download_key,
            lookup=legacy_files.lookup_in(self.run.source_name),
        )  # fmt: skip

    def article_files(self, bo_table, post_id, row, rows):
        refs = self.references()
        plain = not {"html1", "html2"} & options(row)
        body = body_html(row["wr_content"], options(row))
        if plain and refs.mentions_old_site(body):
            body = self.plain_body(row["wr_content"], refs)
        if not rows and not refs.mentions_old_site(body):
            return  # most articles: nothing to copy, nothing to rewrite
        post = legacy_files.load_post(post_id)
        label = f"{bo_table}:{row['wr_id']}"
        ids = [f"{bo_table}:{f['wr_id']}:{f['bf_no']}" for f in rows]
        known = legacy_files.found(self.run.source_name, "file", ids)
        for key, file in zip(ids, rows, strict=True):
            stored = (file["bf_file"] or "").strip()
            name = (file["bf_source"] or "").strip() or stored or key
            path = f"file/{bo_table}/{stored}"
            names = {name, stored} - {""}
            if key in known:
                self.summary.existing("files")
                refs.add(legacy_files.url_of(known[key]), names=names, paths=[path], ids=[key])
                continue
            refs.add(None, names=names, paths=[path], ids=[key])  # until it arrives
            if not stored:
                self.summary.skip("files", key, "no stored file (bf_file empty)")
                continue
            disk = self.copier.disk_path(path)
            image = int(file["bf_type"] or 0) in IMAGE_TYPES
            image |= legacy_files.extension(name) in legacy_files.IMAGE_EXTENSIONS
            embedded = stored in body or name in body
            obj = self.copy(post_id, key, disk, name, image=image, embedded=embedded,
                            downloads=file["bf_download"])  # fmt: skip
            if obj is None:
                continue
            kind = "image" if isinstance(obj, PostImage) else "file"
            self.copier.key("file", key, obj)
            self.copier.key(kind, path, obj)
            if not self.run.dry_run:
                refs.add(legacy_files.url_of(obj), names=names, paths=[path], ids=[key])
        self.editor_images(post_id, refs, body)
        if plain and refs.mentions_old_site(body):
            body = self.plain_body(row["wr_content"], refs, final=True)
        if not self.run.dry_run:
            legacy_files.save_body(self.summary, post, refs, body, label)

    def plain_body(self, text, refs, *, final=False):
        """A plain-text body whose addresses on the old site are links (Gnuboard linked them,
        url_auto_link) showing their new address; other text as body_html gives it. Until
        ``final`` (the files copied), the links show the old address, for ``path_keys``."""
        pieces, last = [], 0
        text = (text or "").replace("\r\n", "\n")
        for match in TEXT_URL.finditer(text):
            url = match.group(0)
            pieces.append(html.escape(text[last : match.start()]))
            last = match.end()
            new, old = refs.resolve(url)
            if not old:
                pieces.append(html.escape(url))
            elif not final:
                pieces.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
            elif new is None:
                refs.unresolved.append(url)  # a file that did not arrive: its address goes
            else:
                # The old address stays in the href for the rewrite to count and replace.
                pieces.append(f'<a href="{html.escape(url)}">{html.escape(new)}</a>')
        pieces.append(html.escape(text[last:]))
        return "".join(pieces).replace("\n", "<br>\n")

    def editor_images(self, post_id, refs, body):
        """The editor's images this body names (data/editor/…, in no file table), each copied
        once as an image of the first article naming it; another article naming it shows
        that one."""
        paths = [key for key in refs.path_keys(body) if key.startswith("editor/")]
        known = legacy_files.found(self.run.source_name, "image", paths)
        known.update(legacy_files.found(self.run.source_name, "file", set(paths) - set(known)))
        for path in paths:
            if path in known:
                if known[path].post_id == post_id:  # counted once, with its own article
                    self.summary.existing("files")
                refs.add(legacy_files.url_of(known[path]), paths=[path])
                continue
            refs.add(None, paths=[path])
            if self.run.dry_run:
                # Nothing is recorded in a dry run: counted once all the same.
                if path in self.dry_editor:
                    continue
                self.dry_editor.add(path)
            name = posixpath.basename(path)
            obj = self.copy(post_id, path, self.copier.disk_path(path), name, image=True)
            if obj is None:
                continue
            self.copier.key("image" if isinstance(obj, PostImage) else "file", path, obj)
            if not self.run.dry_run:
                refs.add(legacy_files.url_of(obj), paths=[path])

    def copy(self, post_id, key, disk, name, *, image, embedded=False, downloads=0):
        """The file at ``disk`` as an image of the article (an image file, or one its body
        shows, that Pillow reads) or else an attached file; None when it is not on disk."""
        if not self.copier.present(key, disk):
            return None
        obj = None
        if image or embedded:
            kind = legacy_files.image_format(disk)
            if kind is not None:
                obj = self.copier.image(Post(pk=post_id), disk, kind)
            elif image:
                self.summary.remark("damaged image: kept as an attached file", key)
        if obj is None:
            obj = self.copier.attachment(Post(pk=post_id), disk, name, downloads=downloads,
                                         size=disk.stat().st_size)  # fmt: skip
        self.summary.imported("files")
        return obj


# The check ------------------------------------------------------------------------------


def compare(db, source_name):
    """Counts per board in the source and here, as rows (what, source, here): articles,
    comments, files and members."""
    keys = LegacyKey.objects.filter(source=source_name)
    imported = set(keys.filter(kind="board").values_list("board__slug", flat=True))
    rows = []
    boards = db.query(
        f"SELECT bo_table FROM {db.table('board')} ORDER BY bo_order, bo_table", table="board"
    )
    for board in boards:
        slug = board["bo_table"]
        if not db.has(f"write_{slug}"):
            continue
        table = db.table(f"write_{slug}")
        old = {
            name: db.scalar(f"SELECT COUNT(*) FROM {table} WHERE wr_is_comment = {flag}")
            for name, flag in (("articles", 0), ("comments", 1))
        }
        here = {"articles": 0, "comments": 0}
        if slug in imported:
            here = Post.objects.filter(board__slug=slug).aggregate(
                articles=Count("pk", filter=Q(seq__isnull=False))
            )
            here["comments"] = Comment.objects.filter(post__board__slug=slug).count()
        rows += [
            (f"{slug} articles", int(old["articles"] or 0), here["articles"]),
            (f"{slug} comments", int(old["comments"] or 0), here["comments"]),
        ]
        if db.has("board_file"):
            # Rows of emptied file slots (no stored name) were never files.
            files = db.scalar(
                f"SELECT COUNT(*) FROM {db.table('board_file')} WHERE bo_table = %s"
                " AND bf_file <> ''",
                [slug],
            )
            # One key per file row (bo_table:wr_id:bf_no); the keys by old path hold a "/".
            arrived = (
                keys.filter(kind="file", key__startswith=f"{slug}:")
                .exclude(key__contains="/")
                .count()
            )
            rows.append((f"{slug} files", int(files or 0), arrived))
    members = db.scalar(f"SELECT COUNT(*) FROM {db.table('member')}")
    rows.append(("members", int(members), keys.filter(kind="member").count()))
    return rows

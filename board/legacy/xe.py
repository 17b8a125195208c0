"""XpressEngine 1.x (2008 to 2020) and Rhymix, read straight from their database: members,
every board module with its categories, articles and comments, and (``files``: the XE root)
their files and the images in their bodies (board/legacy/files.py).

What XE means (../shared/reference/legacy-boards.md, section 2):
- one global sequence numbers everything: a document_srl or comment_srl is unique site-wide;
- dates are ``YYYYMMDDHHMMSS`` strings in Korean time;
- an article's state is ``status`` (PUBLIC, SECRET listed; TEMP, PRIVATE, TRASH, EMBARGO not)
  since 2011, ``is_secret`` Y/N before; a 2008 draft is stored under its member's srl as
  module_srl, in no board, so it is never read here;
- ``list_order`` = -document_srl: the list order, newest first;
- ``member_srl`` 0 is a guest, a negative one an anonymous post by member abs(srl);
- comments show in ``comments_list`` (head, arrange) order, ``depth`` 0 for an answer to the
  article; ``status`` 1 is public (Rhymix: 0 waiting, 7/8 deleted placeholders);
- ``xe_files``: upload_target_srl is the document (or comment) a file belongs to,
  uploaded_filename its path from the XE root (``./files/attach/images/{module_srl}/…``,
  binaries under ``attach/binaries/``); XE 2008 kept images under their original name.
"""

import html
import posixpath

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
    GuestAuthors,
    SourceError,
    address,
    html_to_text,
    kst,
    own_timestamps,
    remark_unknown_staff,
    settle_comments,
    settle_listing,
)
from .keys import LegacyKey

User = get_user_model()

LISTED = {"PUBLIC", "SECRET"}
# Written into the data (in the old site's language), not interface text: no translation.
ANONYMOUS = "익명"
GUEST = "손님"
UNTITLED = "(제목 없음)"
SECRET_COMMENT = "비밀 댓글"
WAITING_COMMENT = "공개되지 않은 댓글"
TITLE_MAX = Post._meta.get_field("title").max_length
NAME_MAX = Author._meta.get_field("name").max_length
CATEGORY_MAX = Category._meta.get_field("name").max_length
BOARD_NAME_MAX = Board._meta.get_field("name").max_length

DOCUMENT_COLUMNS = (
    "document_srl", "category_srl", "is_notice", "title", "content", "readed_count",
    "voted_count", "blamed_count", "user_id", "user_name", "nick_name", "member_srl", "regdate",
    "last_update", "list_order",
)  # fmt: skip
COMMENT_COLUMNS = (
    "comment_srl", "document_srl", "parent_srl", "is_secret", "content", "voted_count",
    "blamed_count", "user_name", "nick_name", "member_srl", "regdate", "ipaddress",
)  # fmt: skip


def article_state(row):
    """(listed, secret) of a document row, from ``status`` (2011 on) or ``is_secret``."""
    status = row.get("status")
    if status is not None:
        status = status.strip().upper() or "PUBLIC"
        return status in LISTED, status == "SECRET"
    return True, (row.get("is_secret") or "N").upper() == "Y"


def title_text(raw):
    """XE stores some titles HTML-escaped (``&quot;``, ``&amp;``): decoded once."""
    title = html.unescape(raw or "").strip()
    return (title or UNTITLED)[:TITLE_MAX]


class Importer:
    """One XE or Rhymix database into PostBBS (``run``: the shared Run of importer.py)."""

    def __init__(self, source, run, *, staff=(), files=None, old_url=None):
        self.db = source
        self.run = run
        self.keys = run.keys
        self.summary = run.summary
        self.staff = set(staff)
        self.lang = {}
        self.guests = GuestAuthors()
        self.copier = legacy_files.Copier(run, files) if files else None
        self.old_hosts = legacy_files.old_hosts(old_url)

    def t(self, name):
        return self.db.table(name)

    # Everything ---------------------------------------------------------------------------

    def import_all(self):
        for table in ("modules", "documents", "comments", "comments_list", "member"):
            if not self.db.has(table):
                raise SourceError(f"no table {self.db.prefix}{table} in the source")
        self.load_lang()
        self.import_members()
        modules = self.db.query(
            f"SELECT module_srl, mid, browser_title FROM {self.t('modules')}"
            " WHERE module = 'board' ORDER BY module_srl",
            table="modules",
        )
        for module in modules:
            board = self.import_board(module)
            if board is None:
                continue
            categories = self.import_categories(board, module["module_srl"])
            self.import_articles(board, module["module_srl"], categories)
            self.import_comments(board, module["module_srl"])
            if self.copier is not None:
                self.import_files(board, module["module_srl"])

    def load_lang(self):
        """``$user_lang->name`` keys of titles, resolved in Korean (else any language)."""
        if not self.db.has("lang"):
            return
        rows = self.db.query(
            f"SELECT name, lang_code, value FROM {self.t('lang')}"
            " ORDER BY lang_code = 'ko', lang_code",
            table="lang",
        )
        self.lang = {row["name"]: row["value"] for row in rows if row["value"]}

    def resolve(self, text):
        text = (text or "").strip()
        if text.startswith("$user_lang->"):
            return self.lang.get(text[len("$user_lang->") :], text)
        return text

    # Members ------------------------------------------------------------------------------

    def import_members(self):
        remark_unknown_staff(self.db, self.summary, self.staff, column="user_id")
        columns = (
            "member_srl, user_id, email_address, password, nick_name, is_admin, denied, regdate"
        )
        total = self.db.scalar(f"SELECT COUNT(*) FROM {self.t('member')}")
        progress = self.run.progress("members", total)
        for rows in self.db.stream(
            f"SELECT {columns} FROM {self.t('member')} ORDER BY member_srl",
            table="member",
            batch=self.run.batch_size,
        ):
            self.member_batch(rows)
            progress.add(len(rows))

    def member_batch(self, rows):
        found = self.keys.found("member", [r["member_srl"] for r in rows])
        names = [r["user_id"] for r in rows if str(r["member_srl"]) not in found]
        taken = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        users, seen = [], set()
        for row in rows:
            srl = row["member_srl"]
            if str(srl) in found:
                self.summary.existing("members")
                continue
            username = (row["user_id"] or "").strip()
            if not username or username in taken or username in seen:
                self.summary.skip("members", srl, "user id taken here" if username else "no id")
                continue
            seen.add(username)
            try:
                password = legacy_hash(row["password"])
            except ValueError:
                password = make_password(None)
                self.summary.remark("password format: unusable password set", username)
            if (row["is_admin"] or "N").upper() == "Y" and username not in self.staff:
                self.summary.remark("site administrator, not named in --staff", username)
            user = User(
                username=username,
                email=(row["email_address"] or "").strip(),
                password=password,
                is_active=(row["denied"] or "N").upper() != "Y",
                is_staff=username in self.staff,
                date_joined=kst(row["regdate"]) or timezone.now(),
            )
            nick = (row["nick_name"] or "").strip() or username
            users.append((srl, user, nick[:NAME_MAX]))
        if not users:
            return
        with self.run.batch():
            User.objects.bulk_create([user for _srl, user, _nick in users])
            Author.objects.bulk_create(Author(user=user, name=nick) for _srl, user, nick in users)
            self.keys.add("member", [srl for srl, _u, _n in users], [u for _s, u, _n in users])
        self.summary.imported("members", len(users))

    # Boards -------------------------------------------------------------------------------

    def import_board(self, module):
        srl, slug = module["module_srl"], (module["mid"] or "").strip()
        found = self.keys.found("board", [srl])
        depth = self.db.scalar(
            f"SELECT MAX(depth) FROM {self.t('comments_list')} WHERE module_srl = %s", [srl]
        )
        # Every old thread keeps its depth (a reply under the deepest level allowed here
        # would otherwise move up a level).
        reply_depth = min(max(int(depth or 0), Board._meta.get_field("reply_depth").default),
                          REPLY_DEPTH_MAX)  # fmt: skip
        if found:
            self.summary.existing("boards")
            board = Board.objects.get(pk=found[str(srl)])
            if board.reply_depth < reply_depth:
                Board.objects.filter(pk=board.pk).update(reply_depth=reply_depth)
                board.reply_depth = reply_depth
            return board
        try:
            validate_board_slug(slug)
            Board._meta.get_field("slug").run_validators(slug)
        except Exception:
            self.summary.skip("boards", f"{srl} ({slug})", "address name not allowed here")
            return None
        name = html.unescape(self.resolve(module["browser_title"]) or slug)[:BOARD_NAME_MAX]
        board = Board.objects.filter(slug=slug).first()
        if board is not None and Post.objects.filter(board=board).exists():
            self.summary.skip("boards", f"{srl} ({slug})", "a board here has this address")
            return None
        # An empty board of the same address (a new site's default board) is taken over.
        board = board or Board(slug=slug)
        board.name, board.reply_depth = name, max(board.reply_depth, reply_depth)
        with self.run.batch():
            board.save()
            self.keys.add("board", [srl], [board])
        self.summary.imported("boards")
        return board

    def import_categories(self, board, module_srl):
        """{category_srl: Category id}; two old categories of one title become one (names are
        unique per board here)."""
        rows = self.db.query(
            f"SELECT category_srl, title, list_order FROM {self.t('document_categories')}"
            " WHERE module_srl = %s ORDER BY list_order, category_srl",
            [module_srl],
            table="document_categories",
        )
        found = self.keys.found("category", [r["category_srl"] for r in rows])
        by_name = dict(Category.objects.filter(board=board).values_list("name", "pk"))
        mapping, new, pairs = {}, {}, []
        for position, row in enumerate(rows):
            srl = row["category_srl"]
            if str(srl) in found:
                mapping[srl] = found[str(srl)]
                self.summary.existing("categories")
                continue
            name = html.unescape(self.resolve(row["title"]))[:CATEGORY_MAX] or str(srl)
            if name not in by_name and name not in new:
                new[name] = Category(board=board, name=name, position=min(position, 32767))
            pairs.append((srl, name))
        if pairs:
            with self.run.batch():
                Category.objects.bulk_create(new.values())
                by_name.update({name: category.pk for name, category in new.items()})
                made = [Category(pk=by_name[name]) for _srl, name in pairs]
                self.keys.add("category", [srl for srl, _name in pairs], made)
            self.summary.imported("categories", len(new))
            if len(pairs) > len(new):
                self.summary.remark("categories of the same title merged", board.slug)
            mapping.update({srl: by_name[name] for srl, name in pairs})
        return mapping

    # Authors ------------------------------------------------------------------------------

    def authors(self, rows):
        """{row index: Author id} for a batch of documents or comments: a member's own Author,
        a guest's by name (made once), "익명" for an anonymous member post. Three queries a
        batch at most."""
        members = {r["member_srl"] for r in rows if r["member_srl"] > 0}
        users = self.keys.found("member", members)
        by_user = dict(
            Author.objects.filter(user_id__in=users.values()).values_list("user_id", "pk")
        )
        names = {}
        for i, row in enumerate(rows):
            srl = row["member_srl"]
            if srl > 0 and str(srl) in users and users[str(srl)] in by_user:
                continue
            names[i] = ANONYMOUS if srl < 0 else self.guest_name(row)
        guests = self.guests.ids(names.values())
        result = {}
        for i, row in enumerate(rows):
            if i in names:
                result[i] = guests[names[i]]
            else:
                result[i] = by_user[users[str(row["member_srl"])]]
        return result

    @staticmethod
    def guest_name(row):
        name = (row.get("nick_name") or row.get("user_name") or "").strip()
        return (html.unescape(name) or GUEST)[:NAME_MAX]

    # Articles -----------------------------------------------------------------------------

    def import_articles(self, board, module_srl, categories):
        table = self.t("documents")
        states = ("status", "is_secret", "comment_status")
        extra = [c for c in states if self.db.has("documents", c)]
        columns = ", ".join((*DOCUMENT_COLUMNS, *extra))
        total = self.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE module_srl = %s", [module_srl])
        progress = self.run.progress(f"{board.slug}", total)
        number = 0
        added = False
        # Oldest first: the numbers follow the old list order (list_order = -document_srl).
        query = (
            f"SELECT {columns} FROM {table} WHERE module_srl = %s"
            " ORDER BY list_order DESC, document_srl"
        )
        for rows in self.db.stream(
            query, [module_srl], table="documents", batch=self.run.batch_size
        ):
            found = self.keys.found("post", [r["document_srl"] for r in rows])
            posts, fresh = [], []
            for row in rows:
                listed, secret = article_state(row)
                if listed:
                    number += 1
                if str(row["document_srl"]) in found:
                    self.summary.existing("articles")
                    continue
                fresh.append(row)
                posts.append(self.article(board, row, listed and number, secret, categories))
            if posts:
                with self.run.batch(), own_timestamps(Post):
                    for post, author in zip(posts, self.authors(fresh).values(), strict=True):
                        post.author_id = author
                    Post.objects.bulk_create(posts)
                    self.keys.add("post", [r["document_srl"] for r in fresh], posts)
                self.summary.imported("articles", len(posts))
                added = True
            progress.add(len(rows))
        settle_listing(board, number, added)

    def article(self, board, row, number, secret, categories):
        regdate = kst(row["regdate"]) or timezone.now()
        body = row["content"] or ""
        body_html = content.render_body(body, Post.Format.HTML, [])
        removed = not number
        category = categories.get(row["category_srl"]) if row["category_srl"] else None
        return Post(
            board=board,
            number=number or None,
            # Consecutive numbers from 1, all listed: the position is the number
            # (finish_listing's rebuild checks it and makes the blocks).
            seq=number or None,
            title=title_text(row["title"]),
            body=body,
            body_format=Post.Format.HTML,
            body_html=body_html,
            has_image="<img" in body_html,
            published_at=regdate,
            created_at=regdate,
            updated_at=kst(row["last_update"]) or regdate,
            views=max(int(row["readed_count"] or 0), 0),
            upvotes=max(int(row["voted_count"] or 0), 0),
            downvotes=abs(int(row["blamed_count"] or 0)),
            category_id=category,
            is_notice=(row["is_notice"] or "N").upper() == "Y",
            is_secret=secret,
            # Drafts, private, trashed and embargoed articles: kept for staff, never public
            # and never numbered (not "scheduled" either, which would publish them).
            is_removed=removed,
            removed_at=regdate if removed else None,
        )

    # Comments -----------------------------------------------------------------------------

    def import_comments(self, board, module_srl):
        c, cl = self.t("comments"), self.t("comments_list")
        extra = ", c.status" if self.db.has("comments", "status") else ""
        columns = ", ".join(f"c.{name}" for name in COMMENT_COLUMNS)
        total = self.db.scalar(f"SELECT COUNT(*) FROM {c} WHERE module_srl = %s", [module_srl])
        progress = self.run.progress(f"{board.slug} 댓글", total)
        # Display order: each article's threads by head, each thread by arrange; so ids made
        # in this order sort as the old board showed them.
        query = (
            f"SELECT {columns}{extra}, l.head, l.arrange, l.depth FROM {c} c"
            f" LEFT JOIN {cl} l ON l.comment_srl = c.comment_srl WHERE c.module_srl = %s"
            " ORDER BY c.document_srl, COALESCE(l.head, c.comment_srl),"
            " COALESCE(l.arrange, c.comment_srl), c.comment_srl"
        )
        added = False
        for rows in self.db.stream(
            query, [module_srl], table="comments", batch=self.run.batch_size
        ):
            added |= self.comment_batch(board, rows)
            progress.add(len(rows))
        settle_comments(board, added)

    def comment_batch(self, board, rows):
        found = self.keys.found("comment", [r["comment_srl"] for r in rows])
        fresh = [r for r in rows if str(r["comment_srl"]) not in found]
        self.summary.existing("comments", len(rows) - len(fresh))
        if not fresh:
            return False
        posts = self.keys.found("post", {r["document_srl"] for r in fresh})
        kept = []
        for row in fresh:
            if str(row["document_srl"]) not in posts:
                self.summary.skip("comments", row["comment_srl"], "its article was not imported")
            else:
                kept.append(row)
        if not kept:
            return False
        # Parents from earlier batches: one query.
        earlier = self.keys.found("comment", {r["parent_srl"] for r in kept if r["parent_srl"]})
        parents = {
            row["pk"]: row
            for row in Comment.objects.filter(pk__in=earlier.values()).values("pk", "depth", "path")
        }
        place = {int(k): parents[v] for k, v in earlier.items() if v in parents}
        with self.run.batch():
            authors = self.authors(kept)
            comments = [self.comment(row, posts, authors[i]) for i, row in enumerate(kept)]
            Comment.objects.bulk_create(comments)
            # Parent and path need the new ids: set once they exist, in display order, so a
            # parent always comes before its replies.
            for row, comment in zip(kept, comments, strict=True):
                parent = place.get(row["parent_srl"]) if row["parent_srl"] else None
                if parent is not None:
                    stub = Comment(pk=parent["pk"], depth=parent["depth"], path=parent["path"])
                    comment.parent_id, prefix = services.thread_place(stub, board.reply_depth)
                else:
                    if row["parent_srl"]:
                        gone = "parent comment gone: shown at the top"
                        self.summary.remark(gone, row["comment_srl"])
                    comment.parent_id, prefix = None, ""
                comment.depth = len(prefix) // PATH_WIDTH
                comment.path = f"{prefix}{comment.pk:0{PATH_WIDTH}d}"
                place[row["comment_srl"]] = {
                    "pk": comment.pk,
                    "depth": comment.depth,
                    "path": comment.path,
                }
            # One statement run for each row: the ORM's bulk_update builds a CASE of every row
            # (most of the comment import's time when measured).
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Comment._meta.db_table} SET parent_id = %s, depth = %s, path = %s"
                    " WHERE id = %s",
                    [(c.parent_id, c.depth, c.path, c.pk) for c in comments],
                )
            self.keys.add("comment", [r["comment_srl"] for r in kept], comments)
        self.summary.imported("comments", len(comments))
        return True

    def comment(self, row, posts, author):
        created = kst(row["regdate"]) or timezone.now()
        status = row.get("status")
        waiting = status is not None and int(status) != 1
        secret = (row["is_secret"] or "N").upper() == "Y"
        # PostBBS has no secret comments: one stays out of sight rather than go public.
        removed = waiting or secret
        reason = SECRET_COMMENT if secret else (WAITING_COMMENT if waiting else "")
        return Comment(
            post_id=posts[str(row["document_srl"])],
            author_id=author,
            body=html_to_text(row["content"]),
            created_at=created,
            upvotes=max(int(row["voted_count"] or 0), 0),
            downvotes=abs(int(row["blamed_count"] or 0)),
            is_removed=removed,
            removed_at=created if removed else None,
            removal_reason=reason,
            ip_address=address(row["ipaddress"]),
        )

    # Files --------------------------------------------------------------------------------

    def import_files(self, board, module_srl):
        """Each imported article's files (its own and its comments') copied in, and its body's
        references to them (and to anything else on the old site) rewritten."""
        if not self.db.has("files"):
            self.summary.note(f"no table {self.db.prefix}files: no files imported")
            self.copier = None
            return
        table = self.t("documents")
        total = self.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE module_srl = %s", [module_srl])
        progress = self.run.progress(f"{board.slug} 파일", total)
        query = (
            f"SELECT document_srl, content FROM {table} WHERE module_srl = %s ORDER BY document_srl"
        )
        for rows in self.db.stream(
            query, [module_srl], table="documents", batch=self.run.batch_size
        ):
            posts = self.keys.found("post", [r["document_srl"] for r in rows])
            rows = [r for r in rows if str(r["document_srl"]) in posts]
            files = self.files_of([r["document_srl"] for r in rows])
            if rows:
                # The copier's inside the transaction: an error there removes the files
                # stored with it; a hook after the commit keeps them.
                with self.run.batch(), self.copier.batch():
                    for row in rows:
                        srl = row["document_srl"]
                        self.article_files(posts[str(srl)], row, files.get(srl, []))
            progress.add(len(rows))

    def files_of(self, documents):
        """{document_srl: [file rows]} of these articles, their comments' files included (with
        ``comment_srl`` set), first uploaded first."""
        if not documents:
            return {}
        f, c = self.t("files"), self.t("comments")
        columns = (
            "f.file_srl, f.download_count, f.source_filename, f.uploaded_filename, f.file_size,"
            " f.isvalid"
        )
        marks = ", ".join(["%s"] * len(documents))
        rows = self.db.query(
            f"SELECT {columns}, f.upload_target_srl AS document_srl, NULL AS comment_srl"
            f" FROM {f} f WHERE f.upload_target_srl IN ({marks})"
            f" UNION ALL SELECT {columns}, c.document_srl, c.comment_srl FROM {f} f"
            f" JOIN {c} c ON c.comment_srl = f.upload_target_srl WHERE c.document_srl IN ({marks})"
            " ORDER BY file_srl",
            [*documents, *documents],
            table="files",
        )
        result = {}
        for row in rows:
            result.setdefault(int(row["document_srl"]), []).append(row)
        return result

    def article_files(self, post_id, row, rows):
        copier = self.copier
        body = row["content"] or ""
        refs = legacy_files.References(
            self.old_hosts, lookup=legacy_files.lookup_in(self.run.source_name)
        )
        if not rows and not refs.mentions_old_site(body):
            return  # most articles: nothing to copy, nothing to rewrite
        post = legacy_files.load_post(post_id)
        known = legacy_files.found(self.run.source_name, "file", [r["file_srl"] for r in rows])
        for file in rows:
            srl = str(file["file_srl"])
            name = (file["source_filename"] or "").strip() or srl
            stored = (file["uploaded_filename"] or "").strip()
            # The old path under files/, and for a 2008 image the same folder with its
            # original name (what bodies of the time named).
            path_key = refs.path_key(stored.lstrip("."))
            paths = {path_key, path_key and posixpath.join(posixpath.dirname(path_key), name)}
            paths.discard(None)
            if srl in known:
                self.summary.existing("files")
                refs.add(legacy_files.url_of(known[srl]), names=[name], paths=paths, ids=[srl])
                continue
            refs.add(None, names=[name], paths=paths, ids=[srl])  # until it arrives
            if (file["isvalid"] or "Y").upper() == "N":
                self.summary.skip("files", srl, "never attached (isvalid N)")
                continue
            disk = copier.disk_path(stored) if stored else None
            if not copier.present(srl, disk):
                continue
            obj = None
            embedded = name in body or posixpath.basename(stored) in body
            if legacy_files.extension(name) in legacy_files.IMAGE_EXTENSIONS or embedded:
                kind = legacy_files.image_format(disk)
                if kind is not None:
                    obj = copier.image(Post(pk=post_id), disk, kind)
                elif legacy_files.extension(name) in legacy_files.IMAGE_EXTENSIONS:
                    self.summary.remark("damaged image: kept as an attached file", srl)
            if obj is None:
                obj = copier.attachment(
                    Post(pk=post_id), disk, name,
                    downloads=file["download_count"], size=disk.stat().st_size,
                )  # fmt: skip
            if file["comment_srl"] is not None:
                self.summary.remark("a comment's file: attached to its article", srl)
            self.summary.imported("files")
            copier.key("file", srl, obj)
            kind = "image" if isinstance(obj, PostImage) else "file"
            for path in paths:
                copier.key(kind, path, obj)
            if not self.run.dry_run:
                refs.add(legacy_files.url_of(obj), names=[name], paths=paths, ids=[srl])
        if self.run.dry_run:
            return
        legacy_files.save_body(self.summary, post, refs, body, row["document_srl"])


# The check ------------------------------------------------------------------------------


def compare(db, source_name):
    """Counts per board in the source and here, as rows (what, source, here): the listed
    articles (public and secret), the others (drafts, trash…), comments, files and members."""
    keys = LegacyKey.objects.filter(source=source_name)
    boards = dict(keys.filter(kind="board").values_list("key", "board__slug"))
    documents = db.table("documents")
    if db.has("documents", "status"):
        listed = "SUM(COALESCE(NULLIF(UPPER(TRIM(status)), ''), 'PUBLIC') IN ('PUBLIC', 'SECRET'))"
    else:
        listed = "COUNT(*)"
    rows = []
    modules = db.query(
        f"SELECT module_srl, mid FROM {db.table('modules')} WHERE module = 'board'"
        " ORDER BY module_srl",
        table="modules",
    )
    for module in modules:
        srl = module["module_srl"]
        old = db.query(
            f"SELECT COUNT(*) AS n, {listed} AS listed FROM {documents} WHERE module_srl = %s",
            [srl],
        )[0]
        comments = db.scalar(
            f"SELECT COUNT(*) FROM {db.table('comments')} WHERE module_srl = %s", [srl]
        )
        slug = boards.get(str(srl))
        here = {"listed": 0, "hidden": 0, "comments": 0}
        if slug is not None:
            here = Post.objects.filter(board__slug=slug).aggregate(
                listed=Count("pk", filter=Q(seq__isnull=False)),
                hidden=Count("pk", filter=Q(seq__isnull=True)),
            )
            here["comments"] = Comment.objects.filter(post__board__slug=slug).count()
        name = f"{module['mid']} ({srl})"
        listed_old = int(old["listed"] or 0)
        rows += [
            (f"{name} articles listed", listed_old, here["listed"]),
            (f"{name} articles not public", int(old["n"]) - listed_old, here["hidden"]),
            (f"{name} comments", int(comments), here["comments"]),
        ]
        if db.has("files"):
            rows.append((f"{name} files", _old_files(db, srl), _files_here(keys, slug)))
    members = db.scalar(f"SELECT COUNT(*) FROM {db.table('member')}")
    rows.append(("members", int(members), keys.filter(kind="member").count()))
    return rows


def _old_files(db, module_srl):
    """The files the board's articles and their comments had (those marked never attached,
    isvalid N, left out as the import leaves them)."""
    f, d, c = db.table("files"), db.table("documents"), db.table("comments")
    valid = "AND COALESCE(UPPER(f.isvalid), 'Y') <> 'N'" if db.has("files", "isvalid") else ""
    return int(
        db.scalar(
            f"SELECT COUNT(*) FROM {f} f WHERE (f.upload_target_srl IN (SELECT document_srl FROM"
            f" {d} WHERE module_srl = %s) OR f.upload_target_srl IN (SELECT c.comment_srl FROM"
            f" {c} c JOIN {d} d ON d.document_srl = c.document_srl WHERE d.module_srl = %s))"
            f" {valid}",
            [module_srl, module_srl],
        )
    )


def _files_here(keys, slug):
    """The board's files that arrived: one key per old file_srl (the keys by old path, which
    hold a "/", name the same files again)."""
    if slug is None:
        return 0
    return (
        keys.filter(kind="file")
        .exclude(key__contains="/")
        .filter(Q(attachment__post__board__slug=slug) | Q(image__post__board__slug=slug))
        .count()
    )

"""An XE or Rhymix site's database, built in the throwaway MariaDB from the real schemas
(tests/legacy/schema.py), with rows as XE writes them: the columns a test does not name get
what XE would put there."""

from itertools import count
from pathlib import Path

from tests.legacy.schema import schema


def walk(children, srl, head, depth, out):
    """A thread depth first, replies in time order: the order XE shows it."""
    out.append((srl, head, depth))
    for child in children.get(srl, []):
        walk(children, child, head, depth + 1, out)


class XESite:
    def __init__(self, legacy_db, variant="xe2008", prefix="xe_", charset=None, root=None):
        self.db, self.variant, self.prefix = legacy_db, variant, prefix
        self.root = Path(root) if root else None  # the XE root: its files/ folder
        legacy_db.load(schema(variant, prefix, charset))
        self.connection = legacy_db.connect_as_root(autocommit=True)
        self.threads = {}  # document_srl -> [(comment_srl, parent_srl)] in time order
        self.modules = {}
        self.srls = count(1000)

    @property
    def url(self):
        return self.db.url

    def insert(self, table, **values):
        names = ", ".join(f"`{name}`" for name in values)
        marks = ", ".join(["%s"] * len(values))
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.prefix}{table} ({names}) VALUES ({marks})",
                list(values.values()),
            )

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql.replace("xe_", self.prefix), params)

    def board(self, mid, title, srl=None):
        srl = srl or next(self.srls)
        self.insert("modules", module_srl=srl, module="board", mid=mid, browser_title=title,
                    regdate="20080101000000")  # fmt: skip
        self.modules[mid] = srl
        return srl

    def category(self, module_srl, title, srl=None, list_order=0):
        srl = srl or next(self.srls)
        self.insert("document_categories", category_srl=srl, module_srl=module_srl, title=title,
                    list_order=list_order, regdate="20080101000000")  # fmt: skip
        return srl

    def document(self, module_srl, srl, title, content="<p>본문</p>", *, regdate="20080401120000",
                 nick_name="아주", member_srl=0, **columns):  # fmt: skip
        row = dict(
            document_srl=srl, module_srl=module_srl, title=title, content=content,
            user_name=nick_name, nick_name=nick_name, member_srl=member_srl,
            email_address="", homepage="", ipaddress="127.0.0.1", regdate=regdate,
            last_update=regdate, list_order=-srl, update_order=-srl,
        )  # fmt: skip
        row.update(columns)
        self.insert("documents", **row)
        return srl

    def comment(self, module_srl, document_srl, srl, content, *, parent_srl=0,
                regdate="20080402120000", nick_name="손님", member_srl=0, **columns):  # fmt: skip
        row = dict(
            comment_srl=srl, module_srl=module_srl, document_srl=document_srl,
            parent_srl=parent_srl, content=content, user_name=nick_name, nick_name=nick_name,
            member_srl=member_srl, email_address="", homepage="", ipaddress="127.0.0.1",
            regdate=regdate, last_update=regdate, list_order=-srl,
        )  # fmt: skip
        row.update(columns)
        self.insert("comments", **row)
        self.threads.setdefault((module_srl, document_srl), []).append((srl, parent_srl, regdate))
        return srl

    def member(self, srl, user_id, password, nick_name, **columns):
        row = dict(
            member_srl=srl, user_id=user_id, password=password, nick_name=nick_name,
            user_name=nick_name, email_address=f"{user_id}@example.com", regdate="20070101000000",
            denied="N", is_admin="N",
        )  # fmt: skip
        if self.variant != "xe2008":
            row.update(email_id=user_id, email_host="example.com", list_order=-srl)
        row.update(columns)
        self.insert("member", **row)
        return srl

    def file(self, module_srl, target_srl, srl, source_filename, data, *, uploaded=None,
             download_count=0, isvalid="Y", **columns):  # fmt: skip
        """An xe_files row of document (or comment) ``target_srl`` and, unless ``data`` is
        None (a file missing on disk), its bytes under the XE root. ``uploaded``: its path
        from the root; by default as the variant stored it (2008: images under their original
        name; later a random name)."""
        image = source_filename.rsplit(".", 1)[-1].lower() in ("jpg", "jpeg", "png", "gif")
        folder = "images" if image else "binaries"
        numbering = "".join(f"{int(str(target_srl)[::-1][i:i + 3][::-1]):03d}/"
                            for i in range(0, len(str(target_srl)), 3))  # fmt: skip
        if uploaded is None:
            name = source_filename if self.variant == "xe2008" and image else f"{srl:032x}"
            uploaded = f"./files/attach/{folder}/{module_srl}/{numbering}{name}"
        row = dict(
            file_srl=srl, upload_target_srl=target_srl, sid=f"sid{srl}", module_srl=module_srl,
            member_srl=0, download_count=download_count, direct_download="Y" if image else "N",
            source_filename=source_filename, uploaded_filename=uploaded,
            file_size=len(data or b""), isvalid=isvalid, regdate="20080401120000",
            ipaddress="127.0.0.1",
        )  # fmt: skip
        if self.variant == "rhymix":
            row.update(type="image/png" if image else "application/octet-stream")
        row.update(columns)
        self.insert("files", **row)
        if data is not None:
            path = self.root / uploaded.lstrip("./")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return uploaded.lstrip(".")

    def write_comment_lists(self):
        """xe_comments_list as XE's comment controller keeps it: a thread's head is its root,
        arrange its place in the thread (a reply right after its parent's earlier replies),
        depth from the root."""
        for (module_srl, document_srl), comments in self.threads.items():
            children = {}
            for srl, parent, _date in comments:
                children.setdefault(parent, []).append(srl)
            dates = {srl: date for srl, _parent, date in comments}

            for root in children.get(0, []):
                out = []
                walk(children, root, root, 0, out)
                for arrange, (srl, head, depth) in enumerate(out, start=root):
                    self.insert("comments_list", comment_srl=srl, document_srl=document_srl,
                                head=head, arrange=arrange, module_srl=module_srl,
                                regdate=dates[srl], depth=depth)  # fmt: skip
        self.threads = {}

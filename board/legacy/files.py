"""Files of an imported site: copied into PostBBS's storage as Attachments (downloads under
their original name, with their download counts) or PostImages (served by board.file_views
while their article may be seen), each exactly once (by LegacyKey), and the references to them
in article bodies rewritten to their new addresses.

XE and Rhymix (board/legacy/xe.py) and Gnuboard (board/legacy/gnuboard.py: g5_board_file,
data/file, data/editor) use it, each with its own keys:

- ``Copier(run, storage_root)``: ``attachment(post, path, name, downloads=, size=)`` and
  ``image(post, path)``: the new object (or None with the reason in the summary, never an
  exception for a missing or damaged file); ``key(kind, key, obj)`` records an old id or path;
- ``References(old_hosts, markers=, root=, words=, query_key=)``: what each old reference
  became (``add``), the old paths a body names (``path_keys``), and
  ``rewrite(html)``: the body with every reference to an old file at its new address, every
  other address on the old host made relative (PostBBS's old-link redirects answer it), and
  references to files that were not imported left without their ``src``/``href``.

The rewrite works on the parsed HTML (nh3, the sanitiser staff bodies go through: its
``attribute_filter`` sees each attribute's decoded value), never on the markup's text.
"""

import posixpath
import re
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import nh3
from django.conf import settings
from django.core.files import File
from django.urls import reverse
from PIL import Image as PILImage

from board import content
from board.forms import WebImageField
from board.models import Attachment, Post, PostImage

from .keys import LegacyKey

# What XE treats as an image to show inline (FilenameFilter::isDirectDownload's pictures).
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "bmp"}


def extension(name):
    return Path(name or "").suffix.lower().lstrip(".")


def image_format(path):
    """Pillow's format of the file at ``path`` when it is an image PostBBS serves (checked as an
    upload is: the header's format, the pixel limit, ``verify``), else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as image:
                if image.format not in WebImageField.FORMATS:
                    return None
                width, height = image.size
                if width * height > settings.MAX_IMAGE_PIXELS:
                    return None
                image.verify()
                return image.format
    except Exception:  # damaged, truncated, not an image at all
        return None


class Copier:
    """Copies old files into PostBBS's storage. In a dry run nothing is written: the files
    are only looked at (present, an image or not)."""

    def __init__(self, run, root):
        self.run = run
        self.root = Path(root)
        self.summary = run.summary
        self.written = []  # stored in this batch: removed again if its transaction fails

    def disk_path(self, stored):
        """The file on disk for a stored relative path (``./files/attach/…``), or None when it
        would leave the root (a crafted path)."""
        relative = posixpath.normpath(stored.replace("\\", "/").lstrip("/"))
        if relative == ".." or relative.startswith("../") or "\x00" in relative:
            return None
        # Not resolved: files/ may well be a link to another disk.
        return self.root / relative

    def present(self, key, path):
        if path is None or not path.is_file():
            self.summary.skip("files", key, "missing on disk")
            self.summary.remark("file missing on disk", path or key)
            return False
        return True

    def attachment(self, post, path, name, *, downloads=0, size=None):
        """``path`` as a file of ``post`` downloaded under ``name``."""
        if self.run.dry_run:
            return Attachment(pk=0, post=post, name=name)
        attachment = Attachment(
            post=post,
            name=name[: Attachment._meta.get_field("name").max_length] or path.name,
            size=path.stat().st_size if size is None else size,
            downloads=max(int(downloads or 0), 0),
        )
        with path.open("rb") as source:
            attachment.file.save(name, File(source), save=False)
        self.written.append(attachment.file)
        attachment.save()
        return attachment

    def image(self, post, path, kind):
        """``path`` (an image of Pillow format ``kind``) as an image of ``post``, stored under
        a new name (the old one may be Korean, or anything)."""
        if self.run.dry_run:
            return PostImage(pk=0, post=post)
        image = PostImage(post=post)
        name = uuid.uuid4().hex + WebImageField.FORMATS[kind]
        with path.open("rb") as source:
            image.image.save(name, File(source), save=False)
        self.written.append(image.image)
        image.save()
        return image

    @contextmanager
    def batch(self):
        """Around one batch's transaction: when it fails (an error, an interrupted run), the
        files it stored go too, so the next run copies them once, with no orphan left."""
        self.written = []
        try:
            yield
        except BaseException:
            for stored in self.written:
                stored.storage.delete(stored.name)
            raise
        finally:
            self.written = []

    def key(self, kind, key, obj):
        """Record that old ``key`` became ``obj`` (an Attachment or a PostImage), whatever the
        kind ("file" for an old file id, "image"/"file" for an old path)."""
        if self.run.dry_run:
            return
        field = "image" if isinstance(obj, PostImage) else "attachment"
        LegacyKey.objects.get_or_create(
            source=self.run.source_name, kind=kind, key=str(key)[:255], defaults={field: obj}
        )


def old_hosts(old_url):
    """The old site's host names from ``--old-url``: the same site with or without www."""
    host = urlsplit(old_url or "").hostname
    if not host:
        return set()
    return {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}


def url_of(obj):
    if isinstance(obj, PostImage):
        return obj.image.url
    return reverse("board:attachment", kwargs={"pk": obj.pk})


def xe_query_key(path, query):
    """XE's ``?module=file&act=procFileDownload&file_srl=F`` and Rhymix's
    ``/files/download/[link/]F/…``: the file_srl."""
    if query.get("act", [""])[0] == "procFileDownload" or "file_srl" in query:
        srl = query.get("file_srl", [""])[0]
        return srl if srl.isdigit() else ""
    match = re.search(r"/files/download/(?:link/)?(\d+)(?:/|$)", path)
    return match.group(1) if match else None


class References:
    """What each old reference of one article became: by file name (as the article names its
    own files: two articles may each have their ``photo.jpg``), by old path under the files
    folder, and by old file id. ``lookup(kind, key)`` finds what other articles' files became
    (an image hot-linked from another article)."""

    def __init__(self, old_hosts=(), *, markers=("files/attach/",), root="files/",
                 words=("files/", "file_srl", "procFileDownload"), query_key=xe_query_key,
                 lookup=None):  # fmt: skip
        # Shared with the caller (a set): a host learnt in one article serves the next ones.
        self.old_hosts = old_hosts if isinstance(old_hosts, set) else set(old_hosts)
        self.markers = markers
        self.root = root
        self.words = words
        self.query_key = query_key
        self.lookup = lookup
        self.names, self.paths, self.ids = {}, {}, {}
        self.rewritten = 0
        self.unresolved = []

    def mentions_old_site(self, html):
        """Whether ``html`` may name anything of the old site at all (a quick look at the
        text, to spare the parse of the many bodies that name nothing)."""
        return any(word in html for word in (*self.words, *self.old_hosts))

    def add(self, url, *, names=(), paths=(), ids=()):
        """Old references to one file and its new address (None: a file of the old site that
        did not arrive: references to it go nowhere)."""
        for name in names:
            if self.names.get(name) is None:  # the first of two files of one name wins
                self.names[name] = url
        for table, keys in ((self.paths, paths), (self.ids, ids)):
            for key in keys:
                if table.get(str(key)) is None:
                    table[str(key)] = url

    def path_key(self, path):
        """The old path under the files folder (``attach/images/52/103/a.jpg``), or None."""
        path = unquote(path)
        for marker in self.markers:
            at = path.find(marker)
            if at >= 0 and (at == 0 or path[at - 1] == "/"):
                return path[at + len(self.root) :] if marker.startswith(self.root) else path[at:]
        return None

    def path_keys(self, html):
        """The old paths under the files folder that ``html``'s images and links name, in
        their order (Gnuboard's editor images are named nowhere else)."""
        keys = []

        def attribute(tag, name, value):
            if (tag, name) in (("img", "src"), ("a", "href")):
                parts = urlsplit(value.strip())
                host = (parts.hostname or "").lower()
                if not host or host in self.old_hosts or parts.scheme in ("http", "https"):
                    key = self.path_key(parts.path)
                    if key is not None and key not in keys:
                        keys.append(key)
            return value

        clean(html, attribute)
        return keys

    def resolve(self, value):
        """(new address or None, whether ``value`` points at the old site at all)."""
        value = value.strip()
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        old_host = bool(host) and host in self.old_hosts
        if host and not old_host:
            if parts.scheme in ("http", "https") and self.path_key(parts.path):
                self.old_hosts.add(host)  # the old site, seen by its files' address
                old_host = True
            else:
                return None, False
        query = parse_qs(parts.query)
        srl = self.query_key(parts.path, query) if self.query_key else None
        if srl is not None:
            return self.ids.get(srl) or self.find("file", srl), True
        key = self.path_key(parts.path)
        if key is not None:
            return self.paths.get(key) or self.find_path(key), True
        if not host and not parts.scheme and "/" not in parts.path and parts.path:
            # A bare file name (what XE's exporter left, or a 2008 editor's link): this
            # article's own file of that name.
            name = unquote(parts.path)
            if name in self.names:
                return self.names[name], True
            return None, False
        if old_host:
            # Any other address on the old site (an article, a board): made relative, so it
            # reaches PostBBS's old-link redirects.
            relative = parts.path or "/"
            relative += f"?{parts.query}" if parts.query else ""
            relative += f"#{parts.fragment}" if parts.fragment else ""
            return relative, True
        return None, False

    def find(self, kind, key):
        if self.lookup is None:
            return None
        obj = self.lookup(kind, key)
        return url_of(obj) if obj is not None else None

    def find_path(self, key):
        return self.find("image", key) or self.find("file", key)

    def rewrite(self, html):
        """``html`` sanitised as staff bodies are, with every reference resolved: (html,
        how many references were rewritten)."""
        self.rewritten = 0

        def attribute(tag, name, value):
            if (tag, name) not in (("img", "src"), ("a", "href")):
                return value
            new, old = self.resolve(value)
            if not old:
                return value
            self.rewritten += 1
            if new is None:
                self.unresolved.append(value)
            return new  # None drops the attribute: the tag stays, pointing nowhere old

        return clean(html, attribute), self.rewritten


def clean(html, attribute):
    """``html`` sanitised as staff bodies are, each attribute's value through ``attribute``."""
    return nh3.clean(
        html,
        tags=content.ALLOWED_TAGS,
        attributes={"*": set(), **content.ALLOWED_ATTRIBUTES},
        url_schemes=content.URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute,
    )


def load_post(post_id):
    """An article with just what ``save_body`` compares."""
    return Post.objects.only("pk", "body", "body_html", "has_image", "has_file").get(pk=post_id)


def save_body(summary, post, refs, body, label):
    """``post``'s body from the old ``body`` with its references rewritten by ``refs``, its
    HTML and image and file marks, saved only where something differs (a second run writes
    nothing). ``label``: the article in the summary."""
    rewritten, count = refs.rewrite(body)
    for _reference in refs.unresolved:
        summary.remark("reference to a file not imported: removed from the body", label)
    if count:
        post.body = rewritten
    images = list(PostImage.objects.filter(post_id=post.pk))
    body_html = content.render_body(post.body, Post.Format.HTML, images)
    changed = {
        "body": post.body,
        "body_html": body_html,
        "has_image": bool(images) or "<img" in body_html,
        "has_file": Attachment.objects.filter(post_id=post.pk).exists(),
    }
    if any(getattr(post, field) != value for field, value in changed.items()):
        Post.objects.filter(pk=post.pk).update(**changed)


def lookup_in(source_name):
    """A ``References.lookup`` over what one imported site's files became."""

    def lookup(kind, key):
        return found(source_name, kind, [key]).get(str(key)[:255])

    return lookup


def found(source_name, kind, keys):
    """{old key: the Attachment or PostImage it became} for those of ``keys`` already here."""
    keys = [str(key)[:255] for key in keys]
    if not keys:
        return {}
    rows = LegacyKey.objects.filter(source=source_name, kind=kind, key__in=keys).select_related(
        "attachment", "image"
    )
    return {row.key: row.image or row.attachment for row in rows if row.image or row.attachment}

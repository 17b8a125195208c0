"""What each id of an imported site became here. The importers write one row per object they
bring (so a second run finds it and changes nothing), and the old links find their new
address by it (XE ``/?document_srl=1597``, Gnuboard ``/bbs/board.php?bo_table=free&wr_id=9``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegacyKey(models.Model):
    class Kind(models.TextChoices):
        BOARD = "board", _("게시판")
        CATEGORY = "category", _("분류")
        POST = "post", _("글")
        COMMENT = "comment", _("댓글")
        FILE = "file", _("첨부 파일")
        IMAGE = "image", _("그림")
        MEMBER = "member", _("회원")

    # The imported site, as the import was told to call it (e.g. its database and table prefix):
    # several old sites can move into one PostBBS, and their ids overlap.
    source = models.CharField(_("가져온 곳"), max_length=100)
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices)
    # The old id as text: an XE srl ("1597", unique in its whole site), a Gnuboard board's
    # "bo_table:wr_id", a file's old path.
    key = models.CharField(_("옛 번호"), max_length=255)
    # What it became: exactly the field its kind names is set.
    board = models.ForeignKey(
        "board.Board", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "board.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        "board.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "board.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    attachment = models.ForeignKey(
        "board.Attachment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    image = models.ForeignKey(
        "board.PostImage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        app_label = "board"
        ordering = ["source", "kind", "key"]
        verbose_name = _("옛 사이트 번호")
        verbose_name_plural = _("옛 사이트 번호")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "key"], name="legacy_key_unique"),
        ]
        # Old links name no source: they look a key up across every imported site.
        indexes = [models.Index(fields=["kind", "key"], name="legacy_kind_key_idx")]

    def __str__(self):
        return f"{self.source} {self.kind} {self.key}"

    @property
    def target(self):
        """The object this old id became (an old file id may have become an image)."""
        if self.kind == self.Kind.FILE:
            return self.attachment or self.image
        field = {"member": "user", "file": "attachment"}.get(self.kind, self.kind)
        return getattr(self, field)

"""The board's admin, by subject: the shared pieces (common), boards, authors and articles,
comments and moderation, accounts. Importing the package (Django's autodiscover does) registers
every model admin; the names stay importable from ``board.admin``."""

from .accounts import (  # noqa: F401
    PERMISSION_ACTIONS,
    BoardGroupAdmin,
    BoardUserAdmin,
    KoreanAccountsMixin,
    PasswordChangeForm,
    SuperusersOnly,
    SuspendedFilter,
    User,
    permission_label,
)
from .articles import (  # noqa: F401
    STAFF_AUTHORS,
    AttachmentInline,
    AuthorAdmin,
    BoardAdmin,
    CategoryInline,
    PendingImage,
    PostAdmin,
    PostAdminForm,
    PostImageInline,
    PostStateFilter,
    preview_files,
    preview_images,
)
from .common import LargeTablePaginator, ValidLookupsMixin, boolean_icon  # noqa: F401
from .moderation import (  # noqa: F401
    CommentAdmin,
    CommentStateFilter,
    DecisionAdmin,
    ReportAdmin,
    SuspensionAdmin,
    SuspensionStateFilter,
)

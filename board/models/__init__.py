"""The board's data: boards, authors, posts and comments.

The listing is designed for a million posts: every post that readers can see has a position
``seq`` kept by ``board.services``, and the board row carries ``post_count``. The numbers are
cut into blocks of ``BLOCK``; inside block k the listed posts sit at k*BLOCK+1, k*BLOCK+2, … in
number order, and a ``ListingBlock`` row holds the block's count and the listed posts below it.
A reader's rank (1 = oldest) maps to a position through one block row, so a page is a range
seek on the ``(board, seq)`` index: the first and the last page cost the same, with no
``COUNT(*)`` and no ``OFFSET``, and removing or restoring a post moves at most one block.

The models are split by subject into this package's modules, and every name is importable from
``board.models`` as before. The page size, the block size and the paging stay here, where
Paging and board.services read them, so that a test making them smaller changes both.
"""

PAGE_SIZE = 20
# Numbers per listing block: a removal or restore rewrites at most BLOCK - 1 positions plus one
# row per block above it (under 2,500 rows at a million posts instead of a million). 500, not
# 1,000: on PostgreSQL a moved post costs far more than a block row (its seq is indexed, so
# the update goes through every index of board_post, then the trigram GIN ones too); measured at
# a million posts, removing the oldest took 110-150 ms with 1,000 and 70-80 ms with 500 or 250.
# Re-measured with categories (two block rows per block number) after migration 0019: a moved
# post ~19 us, a block number ~9 us, so 500 is within a few percent of the best size.
BLOCK = 500


class Paging:
    """The pages of a listing of ``post_count`` listed posts, 20 a page, newest first: a
    board's and a category's."""

    @property
    def num_pages(self):
        return max(1, -(-self.post_count // PAGE_SIZE))

    def page_of(self, rank):
        """The listing page (1 = newest) that shows the post of rank ``rank`` (1 = oldest)."""
        return (self.post_count - rank) // PAGE_SIZE + 1

    def rank_range(self, page):
        """The ranks (1 = oldest listed post) shown on ``page``, as (lowest, highest)."""
        high = self.post_count - (page - 1) * PAGE_SIZE
        return max(1, high - PAGE_SIZE + 1), high


# After the names above, which the submodules import. In this (alphabetical) order the models
# register in the one file's order (comments brings in posts first): content types and
# permissions are made in that order.
from .boards import (  # noqa: E402, F401
    COMMENTS_PER_PAGE_MAX,
    COMMENTS_PER_PAGE_MIN,
    PATH_WIDTH,
    REPLY_DEPTH_MAX,
    RESERVED_SLUGS,
    Block,
    Board,
    Category,
    CategoryBlock,
    ListingBlock,
    validate_board_slug,
)
from .comments import Comment, CommentQuerySet, Vote  # noqa: E402, F401
from .limits import ResetRequest, SearchRate, SignupRecord  # noqa: E402, F401
from .moderation import (  # noqa: E402, F401
    Decision,
    Report,
    ReportQuerySet,
    Suspension,
    SuspensionQuerySet,
)
from .posts import (  # noqa: E402, F401
    Attachment,
    Author,
    Post,
    PostImage,
    PostQuerySet,
    attachment_path,
    image_path,
)

# The move-in's models live with the importers (board/legacy/); Django finds models here.
# isort: split
from ..legacy.keys import LegacyKey  # noqa: E402, F401

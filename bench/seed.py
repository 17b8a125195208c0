"""Bulk seeding for the benchmark: N posts and their comments, written straight into the tables.

The ORM would take many minutes for a million rows. SQLite gets executemany in large
transactions, PostgreSQL gets COPY; one row generator feeds both, so with the same ``--seed``
the two databases hold the same board. The rows keep the app's invariants: numbers and
positions 1..N in publishing order (with every post listed, each block of positions is full, so
a post's position is its number), one ``ListingBlock`` row per block of ``BLOCK`` numbers,
``comment_count`` and ``comment_rows`` equal to the post's comments (none removed), the board's
``post_count``, ``last_number`` and ``top_seq`` equal to N.
"""

import random
import time
from collections import Counter
from datetime import datetime, timedelta
from operator import itemgetter

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection
from django.db.models.fields import NOT_PROVIDED

from bench.writers import PostgresWriter, Progress, SQLiteWriter
from board.models import (
    BLOCK,
    PATH_WIDTH,
    Author,
    Board,
    Category,
    CategoryBlock,
    Comment,
    ListingBlock,
    Post,
)

SPAN = timedelta(days=3650)  # ten years of history: a million posts is one every ~5 minutes
NEWEST_AGE = 600  # seconds: the newest post is ten minutes old, so nothing is scheduled
EPOCH = datetime(1970, 1, 1)  # naive UTC, as Django stores datetimes in SQLite
COMMENT_WINDOW = 7 * 86400  # comments arrive within a week of their article
NOTICES = 2  # pinned notices: every listing page fetches them, as on a real board
# The board's categories and the share of articles in each (the rest have none); the first,
# the largest, is the one the benchmark pages through.
CATEGORIES = [("보도자료", 0.3), ("행사", 0.2), ("우표", 0.15), ("택배", 0.1), ("채용", 0.05)]

POST_AUTHORS = ["아주", "편집부", "김민준 기자", "이서연 기자", "박지훈 기자"]
COMMENT_AUTHORS = [
    "하늘바라기", "우체통", "동네주민", "초록우산", "별빛", "산책하는곰", "바다소년", "민들레",
    "새벽기차", "종이비행기", "느린편지", "달팽이", "해바라기", "구름빵", "소나무", "봄비",
    "여름밤", "가을편지", "겨울나무", "호두과자",
]  # fmt: skip

TAGS = ["", "", "", "", "[사회] ", "[경제] ", "[문화] ", "[지역] ", "[인사] ", "[포토] "]
SUBJECTS = [
    "우정사업본부", "서울중앙우체국", "부산우체국", "광주우체국", "대전우체국", "우체국 택배",
    "우체국 금융", "집배원 노동조합", "지역 주민들", "시민단체", "교육청", "소상공인 연합회",
    "청년 창업가들", "독거노인 돌봄단", "농협", "제주 우편물류센터", "강원 산간 마을",
    "정보통신부", "국회 과학기술위원회", "우표 수집가들",
]  # fmt: skip
TOPICS = [
    "연말 특별 소통 기간", "새 기념우표 발행", "농산물 직거래 장터", "전자우편 서비스",
    "우편번호 개편", "봉사 활동", "장학금 전달", "사랑의 김장 나눔", "디지털 금융 교육",
    "집배원 안전 대책", "택배 요금 조정", "무인 우체국", "어린이 편지쓰기 대회",
    "해외 배송 확대", "친환경 배달 차량", "우체국 보험 상품", "설 명절 소포 접수",
    "시골 마을 순회 서비스", "우편 역사 전시회", "고객 만족도 조사",
]  # fmt: skip
ENDINGS = [
    "운영", "시작", "확대", "발표", "호평", "논란", "성황리에 마쳐", "추진", "첫선", "눈길",
    "본격화", "마무리",
]  # fmt: skip
COMMENT_BODIES = [
    "좋은 소식이네요.", "수고 많으십니다!", "우리 동네에도 있었으면 좋겠어요.",
    "기사 잘 읽었습니다.", "이런 소식 더 전해 주세요.", "집배원분들 늘 감사합니다.",
    "정말요? 처음 알았네요.", "응원합니다.", "작년보다 나아졌으면 합니다.",
    "자세한 일정은 어디서 볼 수 있나요?", "저도 다녀왔는데 좋았어요.",
    "현장 사진도 올려 주시면 좋겠네요.", "이건 좀 아쉽습니다.",
    "택배가 빨리 와서 놀랐어요.\n고맙습니다.",
]  # fmt: skip

POST_COLUMNS = (
    "id", "board_id", "number", "seq", "title", "body", "body_format", "body_html",
    "author_id", "published_at", "created_at", "updated_at", "views", "comment_count",
    "comment_rows", "has_image", "is_notice", "is_removed", "removed_at", "removed_by_id",
    "category_id", "cat_seq",
)  # fmt: skip
COMMENT_COLUMNS = (
    "id", "post_id", "author_id", "body", "created_at", "is_removed", "removed_at",
    "removal_reason", "removed_by_id", "depth", "path",
)  # fmt: skip


class SeedError(Exception):
    pass


def render_text(body):
    """The body's HTML as the app makes it on save, so the seed matches what staff would get."""
    try:
        from board.content import render_body

        return str(render_body(body, "text", []))
    except (ImportError, TypeError):  # the app's helper changed: the same markup by hand
        return "\n".join(f"<p>{line}</p>" for line in body.splitlines() if line.strip())


def article_pool(rng, size=2048):
    """Titles and bodies to draw from: a pool keeps the per-row cost to a random index."""
    pool = []
    for _ in range(size):
        subject, topic, ending = rng.choice(SUBJECTS), rng.choice(TOPICS), rng.choice(ENDINGS)
        title = f"{rng.choice(TAGS)}{subject}, {topic} {ending}"
        body = (
            f"{subject} 측은 {topic} 계획을 밝히고 이달 중 {ending} 방침이라고 전했다.\n"
            f'관계자는 "{topic}에 주민들의 많은 관심을 부탁드린다"고 말했다.'
        )
        pool.append((title, body, render_text(body)))
    return pool


def plan_comments(posts, comments, rng):
    """Comments per post number: half on the newest posts (most on the very newest), half
    anywhere, as readers comment on today's news and, now and then, on something old."""
    counts = Counter()
    recent = min(posts, max(200, posts // 100))
    for _ in range(comments):
        if rng.random() < 0.5:
            # Triangular with its mode at the newest post: about 20 comments there at N = 1M.
            counts[posts - min(recent - 1, int(rng.triangular(0, recent, 0)))] += 1
        else:
            counts[rng.randint(1, posts)] += 1
    return counts


def column_plan(model, known):
    """The columns to write: those this file fills, then any field added since, at its default
    (so an engineer's new column does not break the benchmark)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    present = [name for name in known if name in fields]
    extras = []
    for name, field in fields.items():
        if name in known or field.db_default is not NOT_PROVIDED:
            continue
        value = field.get_default()
        if value is None and not field.null:
            raise SeedError(f"bench/seed.py cannot fill {model.__name__}.{name}: add it there")
        extras.append((field.column, field.get_db_prep_save(value, connection)))
    columns = [fields[name].column for name in present] + [column for column, _ in extras]
    pick = None if len(present) == len(known) else itemgetter(*map(known.index, present))
    tail = tuple(value for _, value in extras)
    return columns, pick, tail


def adapt(rows, pick, tail):
    if pick is None and not tail:
        return rows
    pick = pick or tuple
    return (tuple(pick(row)) + tail for row in rows)


def seed(*, posts, comments, seed=1, out=print):
    """Fill an empty board with ``posts`` posts and ``comments`` comments. Returns timings."""
    if posts < 1:
        raise SeedError("--posts must be at least 1")
    if Post.objects.exists() or Comment.objects.exists():
        raise SeedError(
            "the database already has posts or comments: the benchmark seeds only an empty "
            "one, never a database that matters"
        )
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise SeedError(f"no bulk loader for {vendor}")
    board = Board.objects.get(slug=settings.BOARD_SLUG)
    post_authors = [a.pk for a in Author.objects.bulk_create(Author(name=n) for n in POST_AUTHORS)]
    comment_authors = [
        a.pk for a in Author.objects.bulk_create(Author(name=n) for n in COMMENT_AUTHORS)
    ]
    rng = random.Random(seed)
    pool = article_pool(rng)
    counts = plan_comments(posts, comments, rng)
    notices = {posts - posts // 10, posts // 2 + 1} if posts >= NOTICES * 10 else set()
    # PostgreSQL's timestamptz needs the zone; SQLite stores naive UTC text, as Django does.
    zone = "+00" if vendor == "postgresql" else ""
    now = time.time()
    newest = now - NEWEST_AGE
    step = SPAN.total_seconds() / posts
    published = {}  # number -> epoch seconds, for the posts that get comments
    categories = [
        Category.objects.create(board=board, name=name, position=n).pk
        for n, (name, _share) in enumerate(CATEGORIES)
    ]
    bounds = [sum(share for _name, share in CATEGORIES[: n + 1]) for n in range(len(CATEGORIES))]
    in_block = Counter()  # (category, block start) -> its articles so far: the next position

    def category_of():
        """A category id by the shares above, or None."""
        draw = rng.random()
        for category, bound in zip(categories, bounds, strict=True):
            if draw < bound:
                return category
        return None

    def post_rows():
        randrange, rand, lognorm = rng.randrange, rng.random, rng.lognormvariate
        board_id, n_pool, n_authors = board.pk, len(pool), len(post_authors)
        for number in range(1, posts + 1):
            # Strictly increasing, never after ``newest``: each post in the last 80% of its slot.
            at = newest - (posts - number) * step - rand() * step * 0.8
            stamp = (EPOCH + timedelta(seconds=int(at))).isoformat(" ") + zone
            title, body, html = pool[randrange(n_pool)]
            # Long-tailed views (median ~550); the last two days' posts are still gaining.
            views = int(lognorm(6.3, 0.7) * min(1.0, (now - at) / 172800))
            n_comments = counts.get(number, 0)
            if n_comments:
                published[number] = at
            category = category_of()
            cat_seq = None
            if category is not None:  # dense inside each block, as services keeps them
                start = (number - 1) // BLOCK * BLOCK
                in_block[category, start] += 1
                cat_seq = start + in_block[category, start]
            yield (
                number, board_id, number, number, title, body, "text", html,
                post_authors[randrange(n_authors)], stamp, stamp, stamp, views, n_comments,
                n_comments, False, number in notices, False, None, None, category, cat_seq,
            )  # fmt: skip

    def comment_rows():
        pk = 0
        n_bodies, n_authors = len(COMMENT_BODIES), len(comment_authors)
        for number in sorted(counts):
            at = published[number]
            window = min(COMMENT_WINDOW, now - at - 60)
            for offset in sorted(rng.uniform(60, 60 + window) for _ in range(counts[number])):
                pk += 1
                stamp = (EPOCH + timedelta(seconds=int(at + offset))).isoformat(" ") + zone
                body = COMMENT_BODIES[rng.randrange(n_bodies)]
                author = comment_authors[rng.randrange(n_authors)]
                # Answers to the article: a thread of one, in time order (models.PATH_WIDTH).
                path = str(pk).zfill(PATH_WIDTH)
                yield (pk, number, author, body, stamp, False, None, "", None, 0, path)

    timings = {}
    if vendor == "sqlite":
        path = connection.settings_dict["NAME"]
        connection.close()
        writer = SQLiteWriter(path)
    else:
        writer = PostgresWriter(out)
    try:
        # Post ids equal their numbers: the comment rows refer to posts by number.
        for label, model, known, rows, total in (
            ("posts", Post, POST_COLUMNS, post_rows(), posts),
            ("comments", Comment, COMMENT_COLUMNS, comment_rows(), comments),
        ):
            if not total:
                continue
            started = time.monotonic()
            columns, pick, tail = column_plan(model, known)
            progress = Progress(label, total, out)
            writer.write(model._meta.db_table, columns, adapt(rows, pick, tail), total, progress)
            timings[label] = time.monotonic() - started
    finally:
        writer.close()

    started = time.monotonic()
    Board.objects.filter(pk=board.pk).update(
        post_count=posts, last_number=posts, top_seq=posts, next_publish_at=None
    )
    ListingBlock.objects.bulk_create(
        ListingBlock(board=board, start=start, count=min(BLOCK, posts - start), below=start)
        for start in range(0, posts, BLOCK)
    )
    below = Counter()
    blocks = []
    for category, start in sorted(in_block):
        count = in_block[category, start]
        blocks.append(
            CategoryBlock(category_id=category, start=start, count=count, below=below[category])
        )
        below[category] += count
    CategoryBlock.objects.bulk_create(blocks, batch_size=5000)
    for category, total in below.items():
        Category.objects.filter(pk=category).update(post_count=total)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            # The ids were written explicitly: move the sequences past them for new rows.
            for sql in connection.ops.sequence_reset_sql(no_style(), [Author, Post, Comment]):
                cursor.execute(sql)
            # Statistics for the planner now, and the visibility map and hint bits set, so
            # that autovacuum does not wake up in the middle of the measurements to do it.
            out("  VACUUM (ANALYZE) ...")
            cursor.execute("VACUUM (ANALYZE)")
    # SQLite is left without ANALYZE on purpose: a real SQLite site has no sqlite_stat1 unless
    # someone runs it, and the benchmark measures the app as deployed.
    timings["finish"] = time.monotonic() - started
    verify(board.pk, posts, comments)
    return timings


def verify(board_id, posts, comments):
    """The seed's counts, checked in the database itself."""
    post_table, comment_table = Post._meta.db_table, Comment._meta.db_table
    block_table = ListingBlock._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MIN(seq), MAX(seq), MAX(number), SUM(comment_count) "
            f"FROM {post_table} WHERE board_id = %s AND seq IS NOT NULL",
            [board_id],
        )
        count, low, high, last, total_comments = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*) FROM {comment_table}")
        (comment_rows,) = cursor.fetchone()
        # Each block row holds its block's listed posts, and below it the sum of the lower ones.
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT b.count AS n, b.below, "
            f"SUM(b.count) OVER (ORDER BY b.start) - b.count AS lower, "
            f"(SELECT COUNT(*) FROM {post_table} p WHERE p.board_id = b.board_id "
            f"AND p.seq > b.start AND p.seq <= b.start + %s) AS found "
            f"FROM {block_table} b WHERE b.board_id = %s) blocks "
            f"WHERE n <> found OR below <> lower",
            [BLOCK, board_id],
        )
        (wrong_blocks,) = cursor.fetchone()
        cursor.execute(f"SELECT SUM(count) FROM {block_table} WHERE board_id = %s", [board_id])
        (in_blocks,) = cursor.fetchone()
        # Posts with comments have exactly their count; with the sums equal, the rest have 0.
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT post_id, COUNT(*) AS n FROM {comment_table} "
            f"WHERE NOT is_removed GROUP BY post_id) c "
            f"JOIN {post_table} p ON p.id = c.post_id WHERE p.comment_count <> c.n"
        )
        (mismatched,) = cursor.fetchone()
    board = Board.objects.get(pk=board_id)
    problems = []
    if (count, low, high, last) != (posts, 1, posts, posts):
        problems.append(f"posts: {count} rows, seq {low}..{high}, last number {last}")
    if wrong_blocks or in_blocks != posts:
        problems.append(f"blocks: {wrong_blocks} wrong, {in_blocks} posts in blocks")
    if comment_rows != comments or (total_comments or 0) != comments or mismatched:
        problems.append(
            f"comments: {comment_rows} rows, sum of comment_count {total_comments}, "
            f"{mismatched} posts whose count differs"
        )
    if (board.post_count, board.last_number, board.top_seq) != (posts, posts, posts):
        problems.append(
            f"board: post_count {board.post_count}, last_number {board.last_number}, "
            f"top_seq {board.top_seq}"
        )
    if problems:
        raise SeedError("the seed is wrong: " + "; ".join(problems))

"""How fast ``manage.py import_xe`` moves an XE site in: a generated XE 1.x database of N
articles (with comments, replies and members) in a throwaway MariaDB, imported into a fresh
SQLite (or the DATABASE_URL's PostgreSQL), timed, with the peak memory. ``--kind gnuboard``:
the same for a Gnuboard5 site and ``import_gnuboard``.

    python3 bench/mariadb.py -- .venv/bin/python bench/xe_import.py --articles 20000

`make bench` runs it after the page benchmarks (bench/run.py, through ``measure`` below) on
100,000 articles, in a process of its own so that its peak memory is the import's: the RSS
high-water mark (getrusage ru_maxrss) of that process, which also generated the site.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import pymysql  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402

from tests.legacy.schema import schema  # noqa: E402


def generate(params, articles, comments_per_article, members, database="xe_bench"):
    connection = pymysql.connect(**params, charset="utf8mb4", autocommit=False)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8")
        cursor.execute(f"USE `{database}`")
        for statement in schema("xe").split(";\n"):
            if statement.strip():
                cursor.execute(statement)
        cursor.execute(
            "INSERT INTO xe_modules (module_srl, module, mid, browser_title, regdate)"
            " VALUES (52, 'board', 'news', '소식', '20080101000000')"
        )
        cursor.executemany(
            "INSERT INTO xe_member (member_srl, user_id, email_address, email_id, password,"
            " user_name, nick_name, regdate, list_order) VALUES (%s, %s, %s, %s, %s, %s, %s,"
            " '20070101000000', %s)",
            [(m, f"user{m}", f"user{m}@example.com", f"user{m}", "5f4dcc3b5aa765d61d8327deb882cf99",
              f"회원{m}", f"회원{m}", -m) for m in range(1, members + 1)],
        )  # fmt: skip
        srl = 1000
        documents, comments, lists = [], [], []
        for number in range(1, articles + 1):
            srl += 1 + comments_per_article
            document = srl
            member = number % (members + 1)
            day = f"2010{1 + number % 12:02d}{1 + number % 28:02d}120000"
            documents.append((document, f"기사 {number} &amp; 소식", f"<p>본문 {number}</p>" * 20,
                              number % 500, member, f"회원{member}" if member else "손님", day,
                              -document, -document))  # fmt: skip
            for k in range(comments_per_article):
                comment = document - comments_per_article + k
                parent = comment - 1 if k % 2 else 0
                head = comment if not parent else comment - 1
                comments.append((comment, document, parent, f"댓글 {k}", day, -comment))
                lists.append((comment, document, head, comment, day, 1 if parent else 0))
            if len(documents) >= 2000 or number == articles:
                cursor.executemany(
                    "INSERT INTO xe_documents (document_srl, module_srl, title, content,"
                    " readed_count, member_srl, user_name, nick_name, email_address, homepage,"
                    " ipaddress, regdate, last_update, list_order, update_order)"
                    " VALUES (%s, 52, %s, %s, %s, %s, '', %s, '', '', '', %s, '', %s, %s)",
                    [(*d[:6], d[6], d[7], d[8]) for d in documents],
                )
                cursor.executemany(
                    "INSERT INTO xe_comments (comment_srl, module_srl, document_srl, parent_srl,"
                    " content, member_srl, user_name, nick_name, email_address, homepage,"
                    " ipaddress, regdate, list_order) VALUES (%s, 52, %s, %s, %s, 0, '', '손님',"
                    " '', '', '', %s, %s)",
                    comments,
                )
                cursor.executemany(
                    "INSERT INTO xe_comments_list (comment_srl, document_srl, head, arrange,"
                    " module_srl, regdate, depth) VALUES (%s, %s, %s, %s, 52, %s, %s)",
                    lists,
                )
                connection.commit()
                documents, comments, lists = [], [], []
            if number % 20000 == 0:
                print(f"  generated {number:,} of {articles:,} articles", flush=True)
    connection.close()


G5_SCHEMAS = ROOT / "tests" / "legacy" / "schemas" / "gnuboard5"


def generate_gnuboard(params, articles, comments_per_article, members, database="g5_bench"):
    """A Gnuboard5 site as tests/legacy/g5_site.py builds one (Gnuboard's own DDL), in bulk:
    one board "news", comments as bbs/write_comment_update.php numbers them (every other one a
    reply to the one before)."""
    connection = pymysql.connect(
        **params, charset="utf8mb4", autocommit=False, client_flag=CLIENT.MULTI_STATEMENTS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8")
        cursor.execute(f"USE `{database}`")
        cursor.execute("SET SESSION sql_mode = ''")  # as Gnuboard's own connection
        for script in ("gnuboard5.sql", "sql_write.sql"):
            text = (G5_SCHEMAS / script).read_text().replace("__TABLE_NAME__", "g5_write_news")
            cursor.execute(text)
            while cursor.nextset():
                pass
        cursor.execute("INSERT INTO g5_config (cf_title, cf_admin) VALUES ('옛 사이트', '')")
        cursor.execute(
            "INSERT INTO g5_board (bo_table, gr_id, bo_subject, bo_use_category,"
            " bo_category_list, bo_order, bo_notice) VALUES ('news', 'community', '소식', 0, '',"
            " 0, '')"
        )
        cursor.executemany(
            "INSERT INTO g5_member (mb_id, mb_password, mb_name, mb_nick, mb_email, mb_level,"
            " mb_datetime) VALUES (%s, %s, %s, %s, %s, 2, '2012-03-05 10:15:00')",
            [(f"user{m}", "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19", f"회원{m}", f"회원{m}",
              f"user{m}@example.com") for m in range(1, members + 1)],
        )  # fmt: skip
        rows, wr_id = [], 0
        for number in range(1, articles + 1):
            wr_id += 1
            article = wr_id
            member = number % (members + 1)
            mb_id, name = (f"user{member}", f"회원{member}") if member else ("", "손님")
            day = f"2015-{1 + number % 12:02d}-{1 + number % 28:02d} 12:00:00"
            body = f"<p>본문 {number}</p>" * 20
            rows.append((article, -number, "", article, 0, 0, "", f"기사 {number} &amp; 소식",
                         body, number % 500, mb_id, name, day, day))  # fmt: skip
            for k in range(comments_per_article):
                wr_id += 1
                thread, reply = (k // 2 + 1, "A") if k % 2 else (k // 2 + 1, "")
                rows.append((wr_id, -number, "", article, 1, thread, reply, "", f"댓글 {k}", 0,
                             "", "손님", day, day))  # fmt: skip
            if len(rows) >= 6000 or number == articles:
                cursor.executemany(
                    "INSERT INTO g5_write_news (wr_id, wr_num, wr_reply, wr_parent,"
                    " wr_is_comment, wr_comment, wr_comment_reply, wr_subject, wr_content, wr_hit,"
                    " mb_id, wr_name, wr_datetime, wr_last) VALUES (%s, %s, %s, %s, %s, %s, %s,"
                    " %s, %s, %s, %s, %s, %s, %s)",
                    rows,
                )
                connection.commit()
                rows = []
            if number % 20000 == 0:
                print(f"  generated {number:,} of {articles:,} articles", flush=True)
    connection.close()


COLUMNS = ("site", "articles", "comments", "members", "seconds", "articles/s", "comments/s",
           "peak MB")  # fmt: skip
SITES = {"xe": "XE 1.x", "gnuboard": "Gnuboard5"}


def table(*results):
    """The Markdown table of imports (``main``'s results), a row each."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|---|" + "|".join("--:" for _ in COLUMNS[1:]) + "|",
    ]
    for result in results:
        seconds = result["seconds"]
        cells = [
            SITES[result["kind"]],
            f"{result['articles']:,}",
            f"{result['comments']:,}",
            f"{result['members']:,}",
            f"{seconds:.1f}",
            f"{result['articles'] / seconds:,.0f}",
            f"{result['comments'] / seconds:,.0f}",
            f"{result['peak_mb']:,.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def measure(
    mariadb_url, database_url, *, articles, comments=2, members=5000, source="xe_bench", kind="xe"
):
    """Generate and import in a child process (its own memory high-water mark), its progress
    lines passing through; returns its result, or raises CalledProcessError."""
    folder = tempfile.mkdtemp(prefix="postbbs-xe-bench.")
    out = Path(folder) / "result.json"
    try:
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), f"--articles={articles}",
             f"--comments={comments}", f"--members={members}", f"--source-db={source}",
             f"--kind={kind}", f"--json={out}"],
            env={**os.environ, "MARIADB_URL": mariadb_url, "DATABASE_URL": database_url},
            check=True,
        )  # fmt: skip
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
        os.rmdir(folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--comments", type=int, default=2, help="comments per article")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--kind", choices=("xe", "gnuboard"), default="xe", help="the old site")
    parser.add_argument("--source-db", help="the database to create (default xe_bench, g5_bench)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    url = urlsplit(os.environ["MARIADB_URL"])
    params = {"host": url.hostname, "port": url.port, "user": url.username or "root"}
    started = time.monotonic()
    source_db = args.source_db or {"xe": "xe_bench", "gnuboard": "g5_bench"}[args.kind]
    generator = generate if args.kind == "xe" else generate_gnuboard
    generator(params, args.articles, args.comments, args.members, source_db)
    print(f"generated {args.articles:,} articles in {time.monotonic() - started:.1f}s", flush=True)

    if "DATABASE_URL" not in os.environ:  # a new SQLite file, left for a look afterwards
        folder = tempfile.mkdtemp(prefix="postbbs-xe-bench.")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postbbs.settings")
    import django
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    django.setup()
    from board.models import Comment, Post

    call_command("migrate", verbosity=0)
    source = f"mysql://{params['user']}@{params['host']}:{params['port']}/{source_db}"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    out = StringIO()
    command = [f"import_{args.kind}", f"--db={source}"]
    if os.environ.get("PROFILE"):  # PROFILE=/tmp/xe.prof: where the time goes (cProfile)
        import cProfile

        cProfile.runctx(
            "call_command(*command, stdout=out, stderr=sys.stderr)",
            globals(), locals(), os.environ["PROFILE"],
        )  # fmt: skip
    else:
        call_command(*command, stdout=out, stderr=sys.stderr)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(out.getvalue())
    # What arrived, counted in PostBBS (the generated site's members also hold no staff).
    result = {
        "kind": args.kind,
        "articles": Post.objects.count(),
        "comments": Comment.objects.count(),
        "members": get_user_model().objects.count(),
        "seconds": elapsed,
        "peak_mb": peak / 1024,
        "before_mb": before / 1024,
    }
    comments = args.articles * args.comments
    print(
        f"import_{args.kind}: {args.articles:,} articles, {comments:,} comments,"
        f" {args.members:,} members"
        f" in {elapsed:.1f}s = {args.articles / elapsed:,.0f} articles/s"
        f" ({(args.articles + comments + args.members) / elapsed:,.0f} rows/s);"
        f" peak memory {peak / 1024:.0f} MB ({before / 1024:.0f} MB before the import)\n"
    )
    print("\n".join(table(result)), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(result))


if __name__ == "__main__":
    main()

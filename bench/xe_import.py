"""How fast ``manage.py import_xe`` moves an XE site in: a generated XE 1.x database of N
articles (with comments, replies and members) in a throwaway MariaDB, imported into a fresh
SQLite (or the DATABASE_URL's PostgreSQL), timed, with the peak memory.

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


COLUMNS = ("articles", "comments", "members", "seconds", "articles/s", "comments/s", "peak MB")


def table(result):
    """The Markdown table of one import (a ``main`` result)."""
    seconds = result["seconds"]
    cells = [
        f"{result['articles']:,}",
        f"{result['comments']:,}",
        f"{result['members']:,}",
        f"{seconds:.1f}",
        f"{result['articles'] / seconds:,.0f}",
        f"{result['comments'] / seconds:,.0f}",
        f"{result['peak_mb']:,.0f}",
    ]
    return [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("--:" for _ in COLUMNS) + "|",
        "| " + " | ".join(cells) + " |",
    ]


def measure(mariadb_url, database_url, *, articles, comments=2, members=5000, source="xe_bench"):
    """Generate and import in a child process (its own memory high-water mark), its progress
    lines passing through; returns its result, or raises CalledProcessError."""
    folder = tempfile.mkdtemp(prefix="postbbs-xe-bench.")
    out = Path(folder) / "result.json"
    try:
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), f"--articles={articles}",
             f"--comments={comments}", f"--members={members}", f"--source-db={source}",
             f"--json={out}"],
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
    parser.add_argument("--source-db", default="xe_bench", help="the XE database to create")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    url = urlsplit(os.environ["MARIADB_URL"])
    params = {"host": url.hostname, "port": url.port, "user": url.username or "root"}
    started = time.monotonic()
    generate(params, args.articles, args.comments, args.members, args.source_db)
    print(f"generated {args.articles:,} articles in {time.monotonic() - started:.1f}s", flush=True)

    folder = tempfile.mkdtemp(prefix="postbbs-xe-bench.")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postbbs.settings")
    import django
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    django.setup()
    from board.models import Comment, Post

    call_command("migrate", verbosity=0)
    source = f"mysql://{params['user']}@{params['host']}:{params['port']}/{args.source_db}"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    out = StringIO()
    command = ["import_xe", f"--db={source}"]
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
        "articles": Post.objects.count(),
        "comments": Comment.objects.count(),
        "members": get_user_model().objects.count(),
        "seconds": elapsed,
        "peak_mb": peak / 1024,
        "before_mb": before / 1024,
    }
    comments = args.articles * args.comments
    print(
        f"import_xe: {args.articles:,} articles, {comments:,} comments, {args.members:,} members"
        f" in {elapsed:.1f}s = {args.articles / elapsed:,.0f} articles/s"
        f" ({(args.articles + comments + args.members) / elapsed:,.0f} rows/s);"
        f" peak memory {peak / 1024:.0f} MB ({before / 1024:.0f} MB before the import)\n"
    )
    print("\n".join(table(result)), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(result))


if __name__ == "__main__":
    main()

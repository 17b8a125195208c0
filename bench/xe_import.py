"""How fast ``manage.py import_xe`` moves an XE site in: a generated XE 1.x database of N
articles (with comments, replies and members) in a throwaway MariaDB, imported into a fresh
SQLite (or the DATABASE_URL's PostgreSQL), timed, with the peak memory.

    python3 bench/mariadb.py -- .venv/bin/python bench/xe_import.py --articles 20000
"""

import argparse
import os
import resource
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


def generate(params, articles, comments_per_article, members):
    connection = pymysql.connect(**params, charset="utf8mb4", autocommit=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE DATABASE xe_bench CHARACTER SET utf8")
        cursor.execute("USE xe_bench")
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
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--comments", type=int, default=2, help="comments per article")
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()
    url = urlsplit(os.environ["MARIADB_URL"])
    params = {"host": url.hostname, "port": url.port, "user": url.username or "root"}
    started = time.monotonic()
    generate(params, args.articles, args.comments, args.members)
    print(f"generated {args.articles:,} articles in {time.monotonic() - started:.1f}s")

    folder = tempfile.mkdtemp(prefix="postbbs-xe-bench.")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postbbs.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    source = f"mysql://{params['user']}@{params['host']}:{params['port']}/xe_bench"
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
    comments = args.articles * args.comments
    print(
        f"import_xe: {args.articles:,} articles, {comments:,} comments, {args.members:,} members"
        f" in {elapsed:.1f}s = {args.articles / elapsed:,.0f} articles/s"
        f" ({(args.articles + comments + args.members) / elapsed:,.0f} rows/s);"
        f" peak memory {peak / 1024:.0f} MB ({before / 1024:.0f} MB before the import)"
    )


if __name__ == "__main__":
    main()

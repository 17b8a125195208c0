from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from board.legacy import gnuboard, importer


class Command(BaseCommand):
    help = (
        "Import every board of a Gnuboard5 database (members, categories, articles, 답글 posts, "
        "comments, with --data their files and editor images), read-only; a second run adds "
        "and changes nothing."
    )

    # For the tests: a hook after each committed batch (to interrupt a run).
    stealth_options = ("after_batch",)

    def add_arguments(self, parser):
        parser.add_argument("--db", required=True, help="mysql://USER:PASSWORD@HOST:PORT/DBNAME")
        parser.add_argument("--prefix", default="g5_", help="table prefix (default g5_)")
        parser.add_argument("--source", help='name of this site (default "DBNAME:PREFIX")')
        parser.add_argument("--staff", default="", help="mb_id,... who become staff here")
        parser.add_argument("--dry-run", action="store_true", help="read and check, write nothing")
        parser.add_argument(
            "--batch-size", type=int, default=importer.BATCH, help="rows per transaction"
        )
        parser.add_argument(
            "--data", help="Gnuboard's data/ folder (holding file/ and editor/): its files"
        )
        parser.add_argument(
            "--old-url",
            help="the old site's address (http://old.example.com/): links to it become local",
        )

    def handle(
        self, *args, db, prefix, source, staff, dry_run, data, old_url, batch_size, **options
    ):
        if data and not any((Path(data) / folder).is_dir() for folder in ("file", "editor")):
            raise CommandError(f"--data {data}: no file/ or editor/ folder there (give data/)")
        try:
            database = importer.Source(db, prefix)
        except importer.SourceError as error:
            raise CommandError(str(error)) from error
        run = importer.Run(
            source=source or f"{database.database}:{prefix}",
            dry_run=dry_run,
            batch_size=max(1, batch_size),
            after_batch=options.get("after_batch"),
            progress=self.stderr.write,
        )
        staff = [name.strip() for name in staff.split(",") if name.strip()]
        try:
            with importer.dry_run_guard(dry_run):
                gnuboard.Importer(
                    database, run, staff=staff, data=data, old_url=old_url
                ).import_all()
        except importer.SourceError as error:
            raise CommandError(str(error)) from error
        finally:
            database.close()
        if not data:
            run.summary.note("files and editor images were not imported (no --data)")
        if not database.read_only_session:
            run.summary.note("this server has no read-only sessions; use a SELECT-only user")
        for how, count in database.decoded.items():
            run.summary.note(f"{count:,} text values decoded as {how}")
        self.stdout.write(run.summary.table(dry_run=dry_run))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from board.legacy import importer, xe


class Command(BaseCommand):
    help = (
        "Import every board of an XE 1.x or Rhymix database (members, categories, articles, "
        "comments), read-only; a second run adds and changes nothing."
    )

    # For the tests: a hook after each committed batch (to interrupt a run).
    stealth_options = ("after_batch",)

    def add_arguments(self, parser):
        parser.add_argument("--db", required=True, help="mysql://USER:PASSWORD@HOST:PORT/DBNAME")
        parser.add_argument("--prefix", default="xe_", help="table prefix (default xe_)")
        parser.add_argument("--source", help='name of this site (default "DBNAME:PREFIX")')
        parser.add_argument("--staff", default="", help="user_id,... who become staff here")
        parser.add_argument("--dry-run", action="store_true", help="read and check, write nothing")
        parser.add_argument(
            "--batch-size", type=int, default=importer.BATCH, help="rows per transaction"
        )
        parser.add_argument(
            "--files", help="the old site's root folder (the one holding files/): its files"
        )
        parser.add_argument(
            "--old-url",
            help="the old site's address (http://old.example.com/): links to it become local",
        )

    def handle(
        self, *args, db, prefix, source, staff, dry_run, files, old_url, batch_size, **options
    ):
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
        if files and not (Path(files) / "files").is_dir():
            raise CommandError(f"--files {files}: no files/ folder there (give the XE root)")
        try:
            with importer.dry_run_guard(dry_run):
                xe_import = xe.Importer(database, run, staff=staff, files=files, old_url=old_url)
                xe_import.import_all()
        except importer.SourceError as error:
            raise CommandError(str(error)) from error
        finally:
            database.close()
        if not files:
            run.summary.note("files and images were not imported (no --files)")
        if not database.read_only_session:
            run.summary.note("this server has no read-only sessions; use a SELECT-only user")
        for how, count in database.decoded.items():
            run.summary.note(f"{count:,} text values decoded as {how}")
        self.stdout.write(run.summary.table(dry_run=dry_run))

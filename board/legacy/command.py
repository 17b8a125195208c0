"""What ``import_xe`` and ``import_gnuboard`` share as commands: their options, the source opened
read-only, the run, the notes and the closing summary. Each command says only what its kind of
site calls its files folder and which importer reads it."""

from django.core.management.base import BaseCommand, CommandError

from . import importer


class ImportCommand(BaseCommand):
    # For the tests: a hook after each committed batch (to interrupt a run).
    stealth_options = ("after_batch",)

    default_prefix = ""  # the site's table prefix by default
    staff_help = ""  # what a member is called in --staff
    folder_option = ""  # "files" (XE) or "data" (Gnuboard): the copied folder's option
    folder_help = ""
    no_folder_note = ""  # said in the summary when that folder was not given

    def check_folder(self, folder):
        """Refuse a folder that cannot be the one asked for (CommandError)."""

    def importer(self, database, run, *, staff, folder, old_url):
        """The importer of this kind of site."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--db", required=True, help="mysql://USER:PASSWORD@HOST:PORT/DBNAME")
        parser.add_argument(
            "--prefix",
            default=self.default_prefix,
            help=f"table prefix (default {self.default_prefix})",
        )
        parser.add_argument("--source", help='name of this site (default "DBNAME:PREFIX")')
        parser.add_argument("--staff", default="", help=self.staff_help)
        parser.add_argument("--dry-run", action="store_true", help="read and check, write nothing")
        parser.add_argument(
            "--batch-size", type=int, default=importer.BATCH, help="rows per transaction"
        )
        parser.add_argument(f"--{self.folder_option}", help=self.folder_help)
        parser.add_argument(
            "--old-url",
            help="the old site's address (http://old.example.com/): links to it become local",
        )

    def handle(self, *args, db, prefix, source, staff, dry_run, old_url, batch_size, **options):
        folder = options[self.folder_option]
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
        if folder:
            self.check_folder(folder)
        try:
            with importer.dry_run_guard(dry_run):
                site = self.importer(database, run, staff=staff, folder=folder, old_url=old_url)
                site.import_all()
        except importer.SourceError as error:
            raise CommandError(str(error)) from error
        finally:
            database.close()
        if not folder:
            run.summary.note(self.no_folder_note)
        if not database.read_only_session:
            run.summary.note("this server has no read-only sessions; use a SELECT-only user")
        for how, count in database.decoded.items():
            run.summary.note(f"{count:,} text values decoded as {how}")
        self.stdout.write(run.summary.table(dry_run=dry_run))

from django.core.management.base import BaseCommand, CommandError

from board.legacy import gnuboard, importer, xe

KINDS = {"xe": (xe, "xe_"), "gnuboard": (gnuboard, "g5_")}


class Command(BaseCommand):
    help = (
        "Compare counts per board between an imported XE, Rhymix or Gnuboard5 database and "
        "this site; exits with status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--db", required=True, help="mysql://USER:PASSWORD@HOST:PORT/DBNAME")
        parser.add_argument(
            "--kind", choices=sorted(KINDS), default="xe", help="xe (also Rhymix) or gnuboard"
        )
        parser.add_argument("--prefix", help="table prefix (default xe_ or g5_)")
        parser.add_argument("--source", help='name given to the import (default "DBNAME:PREFIX")')

    def handle(self, *args, db, kind, prefix, source, **options):
        module, default_prefix = KINDS[kind]
        prefix = default_prefix if prefix is None else prefix
        try:
            database = importer.Source(db, prefix)
        except importer.SourceError as error:
            raise CommandError(str(error)) from error
        try:
            rows = module.compare(database, source or f"{database.database}:{prefix}")
        finally:
            database.close()
        width = max(len(what) for what, _old, _here in rows)
        self.stdout.write(f"{'':<{width}}  {'source':>9}  {'here':>9}")
        differences = 0
        for what, old, here in rows:
            mark = "" if old == here else "  <- differs"
            differences += old != here
            self.stdout.write(f"{what:<{width}}  {old:>9,}  {here:>9,}{mark}")
        if differences:
            raise CommandError(f"{differences} count(s) differ", returncode=1)
        self.stdout.write("Every count matches.")

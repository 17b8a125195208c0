from django.core.management.base import BaseCommand, CommandError

from board import backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (replaces the database's content)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a postbbs-*.sqlite3 or postbbs-*.pgdump file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path, yes, **options):
        if not yes:
            answer = input(f"Replace everything in the database with {path}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing restored.")
        try:
            backup.restore(path, progress=self.stdout.write)
        except (OSError, RuntimeError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))

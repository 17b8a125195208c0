from django.core.management.base import BaseCommand
from django.utils import timezone

from board import backup


class Command(BaseCommand):
    help = "Back up the database (online) and uploaded images into a folder (default backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="folder for the backup files")

    def handle(self, *args, output, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        self.stdout.write(f"Backing up to {output}/")
        files = backup.backup(output, stamp, progress=self.stdout.write)
        for path in files:
            self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({path.stat().st_size:,} bytes)"))

from pathlib import Path

from django.core.management.base import CommandError

from board.legacy import xe
from board.legacy.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import every board of an XE 1.x or Rhymix database (members, categories, articles, "
        "comments, with --files their files and images), read-only; a second run adds and "
        "changes nothing."
    )
    default_prefix = "xe_"
    staff_help = "user_id,... who become staff here"
    folder_option = "files"
    folder_help = "the old site's root folder (the one holding files/): its files"
    no_folder_note = "files and images were not imported (no --files)"

    def check_folder(self, folder):
        if not (Path(folder) / "files").is_dir():
            raise CommandError(f"--files {folder}: no files/ folder there (give the XE root)")

    def importer(self, database, run, *, staff, folder, old_url):
        return xe.Importer(database, run, staff=staff, files=folder, old_url=old_url)

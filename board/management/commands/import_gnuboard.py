from pathlib import Path

from django.core.management.base import CommandError

from board.legacy import gnuboard
from board.legacy.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import every board of a Gnuboard5 database (members, categories, articles, 답글 posts, "
        "comments, with --data their files and editor images), read-only; a second run adds "
        "and changes nothing."
    )
    default_prefix = "g5_"
    staff_help = "mb_id,... who become staff here"
    folder_option = "data"
    folder_help = "Gnuboard's data/ folder (holding file/ and editor/): its files"
    no_folder_note = "files and editor images were not imported (no --data)"

    def check_folder(self, folder):
        if not any((Path(folder) / name).is_dir() for name in ("file", "editor")):
            raise CommandError(f"--data {folder}: no file/ or editor/ folder there (give data/)")

    def importer(self, database, run, *, staff, folder, old_url):
        return gnuboard.Importer(database, run, staff=staff, data=folder, old_url=old_url)

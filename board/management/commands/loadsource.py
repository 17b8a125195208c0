from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from board.models import Author, Board, Comment, Post
from board.services import rebuild_positions

FIXTURE = settings.BASE_DIR / "fixtures" / "source_page.json"


class Command(BaseCommand):
    help = "Load the source page's board (fixtures/source_page.json) into an empty database."

    def handle(self, *args, **options):
        if Post.objects.exists() or Author.objects.exists() or Comment.objects.exists():
            self.stdout.write("The database already has content: the fixture was not loaded.")
            return
        with transaction.atomic():
            call_command("loaddata", FIXTURE, verbosity=options["verbosity"])
            # The fixture marks its listed posts; their positions and blocks are made here.
            for board_id in Board.objects.values_list("pk", flat=True):
                rebuild_positions(board_id)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Loaded {Post.objects.count()} articles."))

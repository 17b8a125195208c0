from django.conf import settings
from django.db import migrations


def create_default_board(apps, schema_editor):
    Board = apps.get_model("board", "Board")
    Board.objects.get_or_create(slug=settings.BOARD_SLUG, defaults={"name": "소식"})


class Migration(migrations.Migration):
    dependencies = [("board", "0001_initial")]

    operations = [migrations.RunPython(create_default_board, migrations.RunPython.noop)]

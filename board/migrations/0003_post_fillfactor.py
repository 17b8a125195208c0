from django.db import migrations


def set_fillfactor(apps, schema_editor):
    # View and comment counters change far more often than anything else on a post row.
    # Free space in each page lets PostgreSQL update them in place (HOT updates: no index is
    # touched, since no index covers the counters) instead of moving the row.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE board_post SET (fillfactor = 85)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE board_post RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("board", "0002_board_and_groups")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]

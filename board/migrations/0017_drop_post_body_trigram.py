from django.db import migrations

# The article body's trigram index (0004) serves no request any more: a search reads one window
# of the listing index with bitmap scans, hence GIN indexes, off (board/search.py), and the
# admin's search joins the author, which no single index serves. Yet every moved position
# rewrote a post's whole row through it (a body is hundreds of trigrams): at a million posts,
# restoring the oldest article took 100-170 ms on PostgreSQL with it and 60-80 ms without.


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS post_body_trgm")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS post_body_trgm ON board_post "
            'USING gin (UPPER("body"::text) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("board", "0016_votes")]

    operations = [migrations.RunPython(drop, create)]

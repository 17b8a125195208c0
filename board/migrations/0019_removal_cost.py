import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Removing or restoring an article moves up to a block of other articles (board.services):
# on PostgreSQL each moved row is a new row version with an entry in every index of
# board_post, whichever columns changed. Two of those indexes served no request for listed
# articles:
# - the title's trigram index (0004): searches read one window of the listing index with
#   bitmap scans, hence GIN indexes, off (board/search.py), and the admin's search ORs the
#   title with the body and the author's name, which no single index serves;
# - the index over removed_by: only removed articles have one, so it becomes partial.
# At a million posts, the 499 rows that removing the oldest article moves took 20 ms with both
# and 13 ms without. (SQLite updates only the indexes over changed columns: no change there.)
FK_INDEX = "board_post_removed_by_id_fe6b1153"


def drop_title_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS post_title_trgm")


def create_title_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS post_title_trgm ON board_post "
            'USING gin (UPPER("title"::text) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0018_comment_replies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_title_trigram, create_title_trigram),
        # Dropped by name rather than altered: SQLite would copy the whole table to do so.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{FK_INDEX}"',
                    f'CREATE INDEX "{FK_INDEX}" ON "board_post" ("removed_by_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="post",
                    name="removed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="삭제한 사람",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(("removed_by__isnull", False)),
                fields=["removed_by"],
                name="post_removed_by_idx",
            ),
        ),
    ]

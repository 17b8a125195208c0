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
# The same removal rewrites a row per higher block in the board's and the category's block
# tables (about 2,000 each), each through every index of its table: the blocks are now keyed by
# (board or category, start), one index fewer than an id plus a unique (board, start). Django
# cannot change a table's primary key in place, so both tables are made anew and refilled from
# the positions (services.rebuild_positions, as migration 0009).
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


def rebuild(apps, schema_editor):
    from board.services import rebuild_positions

    Board = apps.get_model("board", "Board")
    for board_id in Board.objects.using(schema_editor.connection.alias).values_list(
        "pk", flat=True
    ):
        rebuild_positions(board_id, using=schema_editor.connection)


def block_fields(owner, verbose_name):
    return [
        ("start", models.PositiveIntegerField(verbose_name="블록 시작")),
        ("count", models.PositiveIntegerField(default=0, verbose_name="목록에 보이는 글 수")),
        ("below", models.PositiveIntegerField(default=0, verbose_name="아래 블록의 글 수")),
        (
            owner,
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=f"board.{owner}",
                verbose_name=verbose_name,
            ),
        ),
        ("pk", models.CompositePrimaryKey(owner, "start", blank=True, editable=False,
                                          primary_key=True, serialize=False)),
    ]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0021_legacy_keys"),
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
        # Undoing this migration refills the old tables once they are back (the last step).
        migrations.RunPython(migrations.RunPython.noop, rebuild),
        migrations.DeleteModel(name="ListingBlock"),
        migrations.DeleteModel(name="CategoryBlock"),
        migrations.CreateModel(
            name="ListingBlock",
            fields=block_fields("board", "게시판"),
            options={
                "verbose_name": "목록 블록",
                "verbose_name_plural": "목록 블록",
                "ordering": ["board", "start"],
                "indexes": [
                    models.Index(fields=["board", "below", "start"], name="block_rank_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="CategoryBlock",
            fields=block_fields("category", "분류"),
            options={
                "verbose_name": "분류 목록 블록",
                "verbose_name_plural": "분류 목록 블록",
                "ordering": ["category", "start"],
                "indexes": [
                    models.Index(fields=["category", "below", "start"], name="catblock_rank_idx")
                ],
            },
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]

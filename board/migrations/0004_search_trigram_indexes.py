from django.db import migrations

# Trigram indexes serve `icontains` (UPPER(col::text) LIKE UPPER('%q%')) for any substring of
# three or more characters, Korean included, so a search over a million posts uses an index.
# The expressions match what Django generates for icontains exactly. PostgreSQL only: SQLite
# searches in bounded windows instead (board/search.py).
INDEXES = [
    ("post_title_trgm", "board_post", "title"),
    ("post_body_trgm", "board_post", "body"),
    ("comment_body_trgm", "board_comment", "body"),
    ("author_name_trgm", "board_author", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        expression = f'UPPER("{column}"::text) gin_trgm_ops'
        sql = f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})"
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("board", "0003_post_fillfactor")]

    operations = [migrations.RunPython(create, drop)]

"""The throwaway MariaDB the import tests read from: old schemas, Korean text in the charsets
old sites used, and a reader that cannot change the source."""

import pymysql
import pytest

# xe_documents as XE 1.x creates it (modules/document/schemas/documents.xml through
# classes/db/DBMysql.class.php: bigint(11), dates as varchar(14)), a few of its columns.
XE_DOCUMENTS = """
CREATE TABLE xe_documents (
  document_srl bigint(11) NOT NULL,
  module_srl bigint(11) NOT NULL DEFAULT 0,
  category_srl bigint(11) NOT NULL DEFAULT 0,
  title varchar(250) DEFAULT NULL,
  content longtext NOT NULL,
  readed_count bigint(11) NOT NULL DEFAULT 0,
  nick_name varchar(80) NOT NULL,
  regdate varchar(14) DEFAULT NULL,
  list_order bigint(11) NOT NULL,
  PRIMARY KEY (document_srl),
  KEY idx_module_list_order (module_srl, list_order)
) ENGINE=MyISAM DEFAULT CHARSET={charset};
"""

ROWS = [
    (126, "[보도자료] 2008 봄 축제 안내", "<p>본문 첫 줄</p>", "아주", "20080411231700"),
    (127, "우체국 소식: 택배 접수 안내", "<p>월요일부터</p>", "손님", "20080412090102"),
]


def insert_documents(connection, table):
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (document_srl, module_srl, title, content, nick_name, regdate,"
            " list_order) VALUES (%s, 52, %s, %s, %s, %s, -%s)",
            [(*row, row[0]) for row in ROWS],
        )
    connection.commit()


@pytest.mark.parametrize("charset", ["utf8mb4", "euckr", "utf8"])
def test_a_select_only_reader_reads_back_korean_documents_stored_in_each_charset(
    legacy_db, charset
):
    legacy_db.load(XE_DOCUMENTS.format(charset=charset))
    with legacy_db.connect_as_root() as root:
        insert_documents(root, "xe_documents")

    with legacy_db.connect_as_reader() as reader, reader.cursor() as cursor:
        cursor.execute(
            "SELECT document_srl, title, content, nick_name, regdate FROM xe_documents"
            " ORDER BY list_order DESC"
        )
        assert cursor.fetchall() == tuple(ROWS)
        # The bytes on disk are in the table's own charset, for an importer that decodes them
        # itself rather than trusting the connection.
        cursor.execute("SELECT CAST(title AS BINARY) FROM xe_documents WHERE document_srl = 126")
        (stored,) = cursor.fetchone()
        python_codec = {"utf8mb4": "utf-8", "utf8": "utf-8", "euckr": "euc-kr"}[charset]
        assert stored.decode(python_codec) == ROWS[0][1]


def test_four_byte_text_fits_utf8mb4_but_not_xes_three_byte_utf8(legacy_db):
    legacy_db.load(XE_DOCUMENTS.format(charset="utf8mb4").replace("xe_documents", "rx_documents"))
    legacy_db.load(XE_DOCUMENTS.format(charset="utf8"))
    with legacy_db.connect_as_root() as root, root.cursor() as cursor:
        row = (1, "축하해요 🎉", "<p>🎉</p>", "아주", "20240101000000", 1)
        insert = " (document_srl, title, content, nick_name, regdate, list_order) VALUES %s"
        cursor.execute("INSERT INTO rx_documents" + insert, (row,))
        # The old hosts' lax sql_mode: MariaDB stores what fits and warns, as they did.
        cursor.execute("INSERT INTO xe_documents" + insert, (row,))
        root.commit()
    with legacy_db.connect_as_reader() as reader, reader.cursor() as cursor:
        cursor.execute("SELECT title FROM rx_documents")
        assert cursor.fetchone() == ("축하해요 🎉",)
        cursor.execute("SELECT title FROM xe_documents")
        (title,) = cursor.fetchone()
        assert title.startswith("축하해요")
        assert "🎉" not in title


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO xe_documents (document_srl, content, nick_name, list_order)"
        " VALUES (1, 'x', 'x', -1)",
        "UPDATE xe_documents SET readed_count = readed_count + 1",
        "DELETE FROM xe_documents",
        "CREATE TABLE xe_new (id int)",
        "DROP TABLE xe_documents",
        "TRUNCATE TABLE xe_documents",
    ],
)
def test_the_reader_cannot_change_the_source(legacy_db, statement):
    legacy_db.load(XE_DOCUMENTS.format(charset="utf8"))
    with legacy_db.connect_as_root() as root:
        insert_documents(root, "xe_documents")
    with legacy_db.connect_as_reader() as reader, reader.cursor() as cursor:
        with pytest.raises(pymysql.err.OperationalError) as refused:
            cursor.execute(statement)
        assert refused.value.args[0] in (1142, 1044)  # command denied / access denied
        reader.commit()
    with legacy_db.connect_as_root() as root, root.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), SUM(readed_count) FROM xe_documents")
        assert cursor.fetchone() == (2, 0)


def test_each_test_gets_an_empty_database_on_a_server_set_up_like_an_old_host(legacy_db):
    with legacy_db.connect_as_reader() as reader, reader.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        assert cursor.fetchall() == ()
        cursor.execute("SELECT @@character_set_server, @@time_zone, @@character_set_database")
        assert cursor.fetchone() == ("latin1", "+09:00", "utf8mb3")

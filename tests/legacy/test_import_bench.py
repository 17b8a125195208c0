"""`make bench`'s import benchmark (bench/xe_import.py) runs end to end on a tiny generated XE
site, so that it cannot rot between the rare full runs."""

import secrets

from bench import xe_import


def test_import_benchmark_imports_a_tiny_xe_site_and_prints_its_table(mariadb, tmp_path, capfd):
    source = f"xe_bench_{secrets.token_hex(4)}"
    try:
        result = xe_import.measure(
            mariadb.root_url(),
            f"sqlite:///{tmp_path / 'import.sqlite3'}",
            articles=200,
            members=20,
            source=source,
        )
    finally:
        mariadb.sql(f"DROP DATABASE IF EXISTS `{source}`;")
    printed = capfd.readouterr().out
    assert (result["articles"], result["comments"], result["members"]) == (200, 400, 20)
    assert result["seconds"] > 0
    assert result["peak_mb"] > 0
    header = "| articles | comments | members | seconds | articles/s | comments/s | peak MB |"
    assert header in printed
    assert "| 200 | 400 | 20 |" in printed
    assert "Import finished." in printed

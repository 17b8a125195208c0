"""CREATE TABLE statements from the XE and Rhymix schema files themselves
(``modules/*/schemas/*.xml``, copied into tests/legacy/schemas/ from xpressengine/xe-core
08cee695 (2008), abde50d6 (2020, the last XE 1.x) and rhymix/rhymix 8b62fb0e), so the import is
tested against the columns the old sites really have, not a hand-written copy. ``files.xml``:
Rhymix's own; XE 1.x's is Rhymix's without the image columns it added (as in the XE fork
daolcms); the 2008 one also without upload_target_type and cover_image (added later).

Types as XE's DBMysql.class.php and Rhymix's DBTableParser map them: number -> bigint(size),
date -> varchar(14) ``YYYYMMDDHHMMSS``, bigtext -> longtext. XE made MyISAM tables in 3-byte
utf8; Rhymix InnoDB in utf8mb4."""

import xml.etree.ElementTree as ET
from pathlib import Path

SCHEMAS = Path(__file__).parent / "schemas"
VARIANTS = {
    "xe2008": ("MyISAM", "utf8"),
    "xe": ("MyISAM", "utf8"),
    "rhymix": ("InnoDB", "utf8mb4"),
}
TABLES = (
    "modules", "documents", "document_categories", "comments", "comments_list", "member", "files",
)  # fmt: skip


def column_type(column):
    kind, size = column.get("type"), column.get("size")
    if kind in ("number", "bignumber"):
        return f"bigint({size or 20})"
    if kind in ("varchar", "char"):
        return f"{kind}({size})"
    if kind == "date":
        return "varchar(14)"
    if kind == "bigtext":
        return "longtext"
    if kind == "float":
        return "float"
    return "text"


def create_table(path, prefix, engine, charset):
    table = ET.parse(path).getroot()
    name = prefix + table.get("name")
    lines, primary, indexes, texts = [], [], {}, set()
    for column in table.iter("column"):
        if column.get("type") in ("text", "bigtext"):
            texts.add(column.get("name"))
        definition = f"`{column.get('name')}` {column_type(column)}"
        if column.get("notnull"):
            definition += " NOT NULL"
        if column.get("default") is not None:
            definition += " DEFAULT " + repr(column.get("default"))
        lines.append(definition)
        if column.get("primary_key"):
            primary.append(column.get("name"))
        for attribute in ("index", "unique"):
            if column.get(attribute):
                key = (attribute, column.get(attribute).strip())
                indexes.setdefault(key, []).append(column.get("name"))
    for index in table.iter("index"):
        indexes[("index", index.get("name"))] = index.get("columns").split(",")
    if primary:
        lines.append("PRIMARY KEY (" + ", ".join(f"`{c}`" for c in primary) + ")")
    for (kind, key), columns in indexes.items():
        # Text columns need a prefix length in an index (XE's own DDL does the same).
        parts = ", ".join(f"`{c}`(190)" if c in texts else f"`{c}`" for c in columns)
        lines.append(f"{'UNIQUE ' if kind == 'unique' else ''}KEY `{key}` ({parts})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE `{name}` (\n  {body}\n) ENGINE={engine} DEFAULT CHARSET={charset};\n"


def schema(variant, prefix="xe_", charset=None, tables=(*TABLES, "lang")):
    """The DDL of ``variant``'s tables (those it has) with ``prefix``; ``charset`` overrides the
    variant's (an old EUC-KR site)."""
    engine, default = VARIANTS[variant]
    statements = []
    for table in tables:
        path = SCHEMAS / variant / f"{table}.xml"
        if path.exists():
            statements.append(create_table(path, prefix, engine, charset or default))
    return "\n".join(statements)

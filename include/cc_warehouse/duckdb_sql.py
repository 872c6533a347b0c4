"""SQL text for DuckDB: quoting of identifiers and literals, and catalogue look-ups.

Names and values that reach SQL text (table names from the catalogue, JSON paths, file paths, regexes) go
through these two quoting functions and nowhere else; a value that can be a bound parameter stays one.
"""

from __future__ import annotations

import duckdb


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (embedded quotes doubled)."""
    return '"' + str(name).replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal (embedded quotes doubled), for the places DuckDB
    takes no bound parameter (ATTACH, DDL, COMMENT ON, regexes inside generated expressions)."""
    return "'" + str(value).replace("'", "''") + "'"


def table_exists(con: duckdb.DuckDBPyConnection, table: str, schema: str = "main") -> bool:
    """True when ``schema.table`` is a table or view of the connection's catalogue."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])

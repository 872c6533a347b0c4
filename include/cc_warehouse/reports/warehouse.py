"""Read-only look-ups shared by the reports: table existence and the published tables with row counts."""

from __future__ import annotations

import duckdb

from cc_warehouse.publish.warehouse import PUBLISHED_SCHEMAS


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_exists(con: duckdb.DuckDBPyConnection, table: str, schema: str = "main") -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every base table or view in the published schemas, sorted."""
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    return [tuple(row) for row in con.execute(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({placeholders}) order by 1, 2",
        list(PUBLISHED_SCHEMAS),
    ).fetchall()]


def published_row_counts(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """``[{"table": "schema.name", "rows": n}]`` for every published table (one count query each)."""
    return [
        {"table": f"{schema}.{name}",
         "rows": con.execute(f"select count(*) from {quote_ident(schema)}.{quote_ident(name)}").fetchone()[0]}
        for schema, name in published_tables(con)
    ]

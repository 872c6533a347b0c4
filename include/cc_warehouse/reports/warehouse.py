"""Read-only look-ups shared by the reports: the published tables with their row counts."""

from __future__ import annotations

import duckdb

from cc_warehouse.duckdb_sql import quote_ident
from cc_warehouse.publish.warehouse import PUBLISHED_SCHEMAS


def published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every base table or view in the published schemas, sorted."""
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    return [
        tuple(row)
        for row in con.execute(
            f"select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({placeholders}) order by 1, 2",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
    ]


def published_row_counts(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """``[{"table": "schema.name", "rows": n}]`` for every published table (one count query each)."""
    return [
        {
            "table": f"{schema}.{name}",
            "rows": con.execute(f"select count(*) from {quote_ident(schema)}.{quote_ident(name)}").fetchone()[0],
        }
        for schema, name in published_tables(con)
    ]

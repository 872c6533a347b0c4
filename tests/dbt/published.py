"""Helpers shared by the tests that read a published warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("core", "seeding", "conversion", "repurchase", "fulfilment")
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)
MARTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "marts.md"


def doc_queries(path: Path = MARTS_DOC) -> list[str]:
    """Every ```sql block of docs/marts.md, in order."""
    return SQL_BLOCK.findall(path.read_text(encoding="utf-8"))


def publish_copy(build_db: Path, out: Path) -> Path:
    """Copy only the published schemas of a build file into `out`, as the publish step does."""
    with duckdb.connect(str(out)) as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'build' "
            f"and schema_name in {PUBLISHED_SCHEMAS}"
        ).fetchall()
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for schema, table in tables:
            con.execute(f"create table {schema}.{table} as select * from build.{schema}.{table}")
        con.execute("detach build")
    return out

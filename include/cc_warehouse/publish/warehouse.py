"""Atomic publish of the published schemas of a build into ``var/warehouse/analytics.duckdb``.

The new warehouse is written to a temp file in the target directory, checkpointed, fsynced and renamed
over the old one (``os.replace``), then the directory is fsynced. Analysts' open read-only connections
keep the old inode and keep reading the old snapshot; new connections see the new file. If anything
fails the published file is untouched and the temp file removed; temp files a killed publish left behind
(``kill -9`` skips every ``finally``) are removed by the next publish.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cc_warehouse.duckdb_sql import quote_ident, sql_literal
from cc_warehouse.faults import fault_point
from cc_warehouse.landing.files import fsync_path

log = logging.getLogger(__name__)

PUBLISHED_SCHEMAS = ("core", "seeding", "conversion", "repurchase", "fulfilment")
# The analysts' file is written in DuckDB 1.1's storage format, not the writer's own (DuckDB 2.0 files
# carry storage version 69, which every 1.x client, and the JDBC/ODBC drivers BI tools bundle, refuse).
# Oldest client that opens the published file: DuckDB 1.1.0 (tested with 1.1.3 in tests/publish).
STORAGE_VERSION = "v1.1.0"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows


def _copy(con: duckdb.DuckDBPyConnection, build_db: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    """Copy every table and view of ``schemas`` from the attached build (views become tables)."""
    con.execute(f"attach {sql_literal(str(build_db))} as build (read_only)")
    relations = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = 'build' and schema_name in (select unnest(?)) "
        "union all select schema_name, view_name, comment from duckdb_views() "
        "where database_name = 'build' and schema_name in (select unnest(?)) and not internal "
        "order by 1, 2",
        [list(schemas), list(schemas)],
    ).fetchall()
    if not relations:
        raise ValueError(f"build {build_db} has no tables in the published schemas {schemas}")
    column_comments = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = 'build' and comment is not null and schema_name in (select unnest(?))",
        [list(schemas)],
    ).fetchall()
    tables: dict[str, int] = {}
    for schema in sorted({schema for schema, _, _ in relations}):
        con.execute(f"create schema {quote_ident(schema)}")
    for schema, table, comment in relations:
        target = f"{quote_ident(schema)}.{quote_ident(table)}"
        con.execute(f"create table {target} as select * from build.{target}")
        if comment:
            con.execute(f"comment on table {target} is {sql_literal(comment)}")
        tables[f"{schema}.{table}"] = con.execute(f"select count(*) from {target}").fetchall()[0][0]
    for schema, table, column, comment in column_comments:
        if f"{schema}.{table}" in tables:
            target = f"{quote_ident(schema)}.{quote_ident(table)}.{quote_ident(column)}"
            con.execute(f"comment on column {target} is {sql_literal(comment)}")
    con.execute("detach build")
    return tables


def publish(
    build_db: Path, warehouse_db: Path | None = None, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS
) -> PublishResult:
    """Replace ``warehouse_db`` atomically with the published schemas of ``build_db``."""
    if warehouse_db is None:
        from cc_warehouse.config import settings

        warehouse_db = settings().warehouse_db
    if not build_db.is_file():
        raise FileNotFoundError(f"build database not found: {build_db}")
    warehouse_db.parent.mkdir(parents=True, exist_ok=True)
    for leftover in warehouse_db.parent.glob(f".{warehouse_db.name}.*.tmp*"):  # publishes run one at a time
        log.warning("removing %s, left by an interrupted publish", leftover.name)
        leftover.unlink(missing_ok=True)
    temp = warehouse_db.parent / f".{warehouse_db.name}.{uuid.uuid4().hex}.tmp"
    try:
        con = duckdb.connect(str(temp), config={"storage_compatibility_version": STORAGE_VERSION})
        try:
            tables = _copy(con, build_db, schemas)
            con.execute("checkpoint")
        finally:
            con.close()
        fsync_path(temp)
        fault_point("publish_before_rename")
        os.replace(temp, warehouse_db)
        fault_point("publish_after_rename")
        fsync_path(warehouse_db.parent)
    finally:
        for leftover in (temp, temp.with_name(temp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    log.info("published %d tables from %s to %s", len(tables), build_db.name, warehouse_db)
    return PublishResult(path=warehouse_db, tables=tables)
